"""Push servers that are not ours, from their profiles in servers/peers: nchan and Pushpin started
from the repo's configs and fed by pushbench-publisher; for each technique each serves, events end
to end through pushbench-client in that server's dialect, pushbench verify with the profile, and
a scenario point through the harness that records the server's version."""
import json
import os
import subprocess
import tomllib

import pytest

from server_process import BUILD, ROOT, Server
from test_client import run_client
from test_harness import only_run, pushbench, scenario

PEERS = ROOT / "servers" / "peers"
PUBLISHER = BUILD / "bin" / "pushbench-publisher"
PROFILES = {name: tomllib.loads((PEERS / name / "profile.toml").read_text()) for name in ("nchan", "pushpin")}
CASES = [(name, technique) for name, profile in PROFILES.items() for technique in profile["techniques"]]


@pytest.fixture
def push_server():
    started = []

    def start(name):
        env = {**os.environ, "PUSHBENCH_BUILD": str(BUILD)}
        started.append(Server(command=[str(PEERS / name / "run.sh")], env=env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def publish(name, url, rate, duration):
    """pushbench-publisher as the harness runs it for the server's profile."""
    publishing = PROFILES[name]["publish"]
    return subprocess.Popen([str(PUBLISHER), "--url", url + publishing["path"], "--rate", str(rate), "--duration",
                             duration, "--connections", str(publishing.get("connections", 2)), "--out", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("name,technique", CASES)
def test_every_event_arrives_once(push_server, name, technique):
    server = push_server(name)
    publisher = publish(name, server.publish_url, 20, "4s")
    dialect = PROFILES[name].get("client_args", {}).get(technique, [])
    result = run_client("--technique", technique, "--url", server.url, *dialect, "--connections", "5",
                        "--poll-interval", "200ms", "--warmup", "1s", "--duration", "2s", "--drain", "3s")
    out, err = publisher.communicate(timeout=30)
    published = json.loads(out)
    assert published["answered"] == published["due"] == published["written"] and published["lost"] == 0, err
    assert result["connections_established"] == 5 and result["errors"] == 0
    assert result["gaps"] == 0 and result["duplicates"] == 0
    # 2 s at 20 events/s to 5 connections, counted by their ts (a busy machine's lag is no loss).
    assert 5 * 38 <= result["events_received"] <= 5 * 42


@pytest.mark.parametrize("name,technique", CASES)
def test_verify_passes_with_the_profile(push_server, name, technique):
    server = push_server(name)
    done = pushbench("verify", "--technique", technique, "--url", server.url, "--profile", name,
                     "--publish-url", server.publish_url)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    assert [line for line in lines if line.startswith("PASS")], "some checks apply to every server"
    skipped = [line for line in lines if line.startswith("SKIP")]
    assert all(": " in line for line in skipped), "every skip says why"


def test_a_check_that_does_not_apply_is_skipped_only_by_name(push_server):
    server = push_server("nchan")
    done = pushbench("verify", "--technique", "sse", "--url", server.url)  # without the profile: SPEC's rules
    assert done.returncode == 1
    assert "FAIL SSE: the stream begins with retry:" in done.stdout


def test_a_profile_point_runs_end_to_end_with_its_version(tmp_path):
    text = """
name = "profiled"
[run]
warmup = "1s"
duration = "2s"
[matrix]
technique = ["sse", "long-poll"]
backend = ["nchan"]
connections = [20]
rate = [20]
"""
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    _, doc = only_run(out)
    assert doc["environment"]["server_versions"]["nchan"].startswith("nchan 1:")
    for point in doc["points"]:
        assert point["status"] == "ok" and point["gaps"] == 0 and point["duplicates"] == 0, point
        metrics = point["runs"][0]["metrics"]
        assert metrics["delivery_ratio"] > 0.95 and metrics["publisher_lost"] == 0
        assert metrics["publisher_lateness_p99_ms"] is not None
        assert metrics["server_cpu_us_per_event"] > 0  # nginx's master and worker, sampled


def test_a_missing_profile_is_named(tmp_path):
    text = '[matrix]\ntechnique = ["sse"]\nbackend = ["no-such-server"]\n'
    done = pushbench("run", scenario(tmp_path, text), "--out", tmp_path / "results")
    assert done.returncode == 2
    assert "matrix.backend[0]: 'no-such-server'" in done.stderr
    assert "servers/peers/no-such-server/profile.toml" in done.stderr


def test_a_bad_profile_is_refused_naming_its_file_and_key(tmp_path, monkeypatch):
    import harness.scenario as scenarios
    peers = tmp_path / "peers"
    (peers / "broken").mkdir(parents=True)
    (peers / "broken" / "profile.toml").write_text(
        'command = ["x"]\ntechniques = ["sse"]\n[publish]\ncontent_type = "a"\n[client_args]\nwebsocket = ["--x"]\n')
    monkeypatch.setattr(scenarios, "PEERS", peers)
    with pytest.raises(scenarios.ScenarioError) as error:
        scenarios.load_profile("broken")
    message = str(error.value)
    assert "broken/profile.toml: publish.path: required" in message
    assert "client_args.websocket: must be a list of strings, for one of its techniques" in message


def test_a_scenario_named_like_a_folder_is_the_shipped_scenario(monkeypatch):
    from harness import cli
    monkeypatch.chdir(ROOT)  # where servers/ is a folder
    assert cli.scenario_path("servers") == cli.SCENARIOS / "servers.toml"
