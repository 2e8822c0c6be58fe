"""`pushbench run`: scenario checking, a tiny end-to-end run, interruption, failures, thresholds."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from server_process import BUILD, ROOT, wait_until

sys.path.insert(0, str(ROOT / "bench"))
from harness import results, soak  # noqa: E402

PUSHBENCH = BUILD / "bin" / "pushbench"

TINY = """
name = "tiny"
[run]
warmup = "500ms"
duration = "1500ms"
[matrix]
technique = ["sse", "websocket"]
connections = [1, 20]
rate = [20]
payload = [64]
"""


def scenario(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def pushbench(*args, timeout=300):
    return subprocess.run([str(PUSHBENCH), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def only_run(out):
    (run_dir,) = [p for p in Path(out).iterdir() if p.is_dir()]
    return run_dir, json.loads((run_dir / "results.json").read_text())


LOCAL_HOSTS = "[hosts]\nnodes = ['local']\nbalancer = 'local'\nredis = 'local'\nclients = ['local']\n"


@pytest.mark.parametrize("text,message", [
    ("[run]\nwarmpu = '2s'\n", "run.warmpu: unknown key"),
    ("colour = 'red'\n", "colour: unknown key"),
    ("[run]\nduration = 'soon'\n", "run.duration: 'soon' is not a duration"),
    ("[run]\nrepetitions = '3'\n", "run.repetitions: '3' is not a whole number"),
    ("[run]\npin = 1\n", "run.pin: 1 is not true or false"),
    ("[matrix]\nconnections = []\n", "matrix.connections: empty list"),
    ("[matrix]\ntechnique = ['sse', 'smoke-signals']\n", "matrix.technique[1]: 'smoke-signals' is not one of"),
    ("[matrix]\nconnections = 5\n", "matrix.connections: must be a list"),
    ("[thresholds]\n'latency_p42' = '< 1'\n", "thresholds.latency_p42: unknown metric"),
    ("[thresholds]\n'errors' = 'zero'\n", "thresholds.errors: 'zero' is not a condition"),
    ("[ramp]\ndimension = 'rate'\n", "ramp.steps: required"),
    ("run = [1, 2\n", "not valid TOML"),
    ("[network.x]\nrtt = '-5ms'\n", "network.x.rtt: '-5ms' is not a duration"),
    ("[network.x]\nrtt = '40 furlongs'\n", "network.x.rtt: '40 furlongs' is not a duration"),
    ("[network.x]\nbandwidth = '0kbit'\n", "network.x.bandwidth: '0kbit': a bandwidth must be above 0"),
    ("[network.x]\nbandwidth = {down = '1Mbit', up = '5 parsecs'}\n", "network.x.bandwidth.up: '5 parsecs' is not"),
    ("[network.x]\nrtt = '10ms'\njitter = '6ms'\n", "network.x.jitter: '6ms' is more than half the rtt"),
    ("[network.x]\nstall = {length = '1s'}\n", "network.x.stall: must be a table with length and every"),
    ("[network.x]\nloss = 0.1\n", "network.x.loss: unknown key"),
    ("[network.wifi]\nrtt = '1ms'\n", "network.wifi: the name of a built-in profile"),
    ("[matrix]\nnetwork = ['moon']\n", "matrix.network[0]: 'moon' is neither a built-in profile"),
    ("[faults]\nreset_every = '0s'\n", "faults.reset_every: '0s' must be above 0"),
    ("[faults]\nstuck_readers = 2\n", "faults.stuck_readers: 2 is not a fraction"),
    ("[faults]\nserver_restart_at = '1h'\n", "faults.server_restart_at: '1h' is not inside the measured window"),
    ("[faults]\nflood = true\n", "faults.flood: unknown key"),
    ("[run]\nduration = '1s'\n[faults]\nreset_every = '1s'\n", "faults.reset_every: resets need a window"),
    ("[run]\nsend_size = 10\n", "run.send_size: 10 is out of range"),
    ("[matrix]\npayload_kind = ['hex']\n", "matrix.payload_kind[0]: 'hex' is not one of text, binary"),
    ("[matrix]\nnodes = [2]\nbackplane = [true]\n", "matrix.nodes: [2] needs [hosts]"),
    ("[faults]\nkill_node_at = '1s'\n", "faults.kill_node_at: needs [hosts]"),
    ("[hosts]\nnodes = ['ftp://a']\nbalancer = 'local'\nredis = 'local'\nclients = ['local']\n",
     "hosts.nodes[0]: 'ftp://a' is neither local nor ssh://"),
    ("[hosts]\nnodes = ['local']\nbalancer = 'local'\nclients = ['local']\n", "hosts.redis: required"),
    ("[hosts]\nnodes = ['local']\nbalancer = 'local'\nredis = 'local'\nclients = ['local']\nport = 22\n",
     "hosts.port: unknown key"),
    ("[hosts]\nnodes = ['local']\nbalancer = 'local'\nredis = 'local'\nclients = ['local']\n"
     "[matrix]\nnodes = [2]\nbackplane = [true]\n", "matrix.nodes: 2 nodes, but hosts.nodes names 1 hosts"),
    ("[hosts]\nnodes = ['local', 'local']\nbalancer = 'local'\nredis = 'local'\nclients = ['local']\n"
     "[matrix]\nnodes = [1, 2]\nbackplane = [true]\n[faults]\nkill_node_at = '1s'\n",
     "faults.kill_node_at: every point needs 2 nodes or more"),
    (LOCAL_HOSTS + "[matrix]\nnodes = [0]\n", "matrix.nodes[0]: 0 is out of range (1 to 64)"),
    (LOCAL_HOSTS + "[matrix]\nnodes = ['2']\n", "matrix.nodes[0]: '2' is not a whole number"),
    (LOCAL_HOSTS + "[matrix]\nnodes = []\n", "matrix.nodes: empty list: the matrix would have no points"),
    (LOCAL_HOSTS + "[matrix]\nbackplane = ['yes']\n", "matrix.backplane[0]: 'yes' is not true or false"),
    (LOCAL_HOSTS + "[run]\ndrain = 'later'\n", "run.drain: 'later' is not a duration"),
    (LOCAL_HOSTS + "[faults]\nkill_node_at = '1h'\n", "faults.kill_node_at: '1h' is not inside the measured window"),
    (LOCAL_HOSTS.replace("balancer = 'local'", "balancer = ''"), "hosts.balancer: '' is neither local nor ssh://"),
    (LOCAL_HOSTS.replace("nodes = ['local']", "nodes = ['ssh://a/b']"), "hosts.nodes[0]: 'ssh://a/b' is neither"),
    (LOCAL_HOSTS.replace("clients = ['local']", "clients = []"), "hosts.clients: empty list: give at least one"),
    (LOCAL_HOSTS + "pushbench = ''\n", "hosts.pushbench: '' is not an absolute path"),
    (LOCAL_HOSTS + "testhosts = 0\n", "hosts.testhosts: 0 is out of range"),
    (LOCAL_HOSTS + "balancer_processes = 65\n", "hosts.balancer_processes: 65 is out of range"),
    (LOCAL_HOSTS.replace("nodes = ['local']", "nodes = ['ssh://root@pbh2']") + "testhosts = 1\n",
     "hosts.nodes[0]: 'ssh://root@pbh2' is not one of the 1 test hosts"),
])
def test_scenario_errors_name_the_key_and_start_nothing(tmp_path, text, message):
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out)
    assert done.returncode == 2
    assert message in done.stderr and "s.toml" in done.stderr, done.stderr
    assert not out.exists(), "nothing starts before the scenario is valid"


def test_a_host_of_the_wrong_type_is_named_once(tmp_path):
    done = pushbench("run", scenario(tmp_path, LOCAL_HOSTS.replace("redis = 'local'", "redis = ['local']")))
    assert done.returncode == 2 and "hosts.redis: ['local'] is not a string" in done.stderr, done.stderr
    assert "required" not in done.stderr, "it was given, of the wrong type"


def test_bad_flags_are_one_line(tmp_path):
    done = pushbench("run", "--frobnicate")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--frobnicate" in done.stderr
    done = pushbench("run", tmp_path / "missing.toml")
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_shipped_scenarios_are_valid():
    done = pushbench("list")
    assert done.returncode == 0 and "INVALID" not in done.stdout
    for name in ("default", "latency", "fanout", "throughput", "idle", "capacity", "ci", "network", "faults",
                 "restart", "broadcast", "binary"):
        assert name in done.stdout


@pytest.mark.parametrize("unbuffered", [True, False])
def test_a_reader_that_stops_early_ends_the_listing_quietly(unbuffered):
    # `pushbench list | head`, with the reader gone before pushbench starts (so no race). Unbuffered,
    # the first line meets the closed pipe; buffered, the flush at the end does.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    reader, writer = os.pipe()
    os.close(reader)
    try:
        listing = subprocess.Popen([str(PUSHBENCH), "list"], stdout=writer, stderr=subprocess.PIPE, text=True,
                                   env={**env, "PYTHONUNBUFFERED": "1"} if unbuffered else env)
    finally:
        os.close(writer)
    stderr = listing.stderr.read()
    assert listing.wait(timeout=60) == 128 + signal.SIGPIPE and stderr == ""


SPEC_ENVIRONMENT = ["cpu_model", "cores", "kernel", "compiler", "build_type", "git_commit", "pushbench_version"]
SPEC_POINT = ["technique", "backend", "connections", "rate", "payload", "connections_requested",
              "connections_established", "connect_errors", "errors", "events_received", "gaps", "duplicates",
              "bytes_in", "bytes_out", "http_requests", "duration_s", "latency_ns", "connect_ns", "server_cpu_s",
              "server_peak_rss_bytes"]


def test_tiny_end_to_end_run_writes_every_spec_field(tmp_path):
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, TINY), "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    assert "[1/4]" in done.stderr and "[4/4]" in done.stderr and "left" in done.stderr
    run_dir, doc = only_run(out)
    assert run_dir.name.endswith("-tiny") and doc["status"] == "complete"
    for field in SPEC_ENVIRONMENT:
        assert doc["environment"][field] not in (None, "", "unknown"), field
    assert doc["scenario"]["name"] == "tiny" and doc["scenario"]["matrix"]["connections"] == [1, 20]
    assert len(doc["points"]) == 4
    for point in doc["points"]:
        assert point["status"] == "ok", point["failures"]
        for field in SPEC_POINT:
            assert field in point, field
        for q in ("count", "min", "mean", "p50", "p90", "p99", "p999", "max"):
            assert q in point["latency_ns"]
        assert point["gaps"] == 0 and point["errors"] == 0 and point["events_received"] > 0
        assert point["server_cpu_s"] > 0 and point["server_peak_rss_bytes"] > 0
        summary = point["summary"]
        for metric in ("events_per_s", "server_cpu_us_per_event", "server_cpu_x_floor", "bytes_per_event",
                       "requests_per_event", "memory_per_connection_bytes", "connect_p99_ms"):
            assert set(summary[metric]) == {"median", "min", "max"}, metric
        assert len(point["runs"]) == 1
        assert point["floor_us_per_event"] > 0
    # The kernel's floor, measured once per setting (connections, rate, payload) at this run's start.
    assert sorted(f["connections"] for f in doc["floor"]) == [1, 20]
    assert all(f["delivered"] > 0 and f["cpu_us_per_event"] > 0 for f in doc["floor"])


def test_repetitions_keep_every_run_with_median_min_max(tmp_path):
    text = TINY.replace('technique = ["sse", "websocket"]', 'technique = ["long-poll"]').replace(
        "connections = [1, 20]", "connections = [5]").replace("[run]", "[run]\nrepetitions = 3")
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    _, doc = only_run(out)
    (point,) = doc["points"]
    assert len(point["runs"]) == 3
    values = [r["metrics"]["latency_p99_ms"] for r in point["runs"]]
    s = point["summary"]["latency_p99_ms"]
    assert s["min"] == min(values) and s["max"] == max(values) and s["median"] == sorted(values)[1]


def test_runs_never_overwrite_each_other(tmp_path):
    first = results.new_run_dir(tmp_path, "same")
    second = results.new_run_dir(tmp_path, "same")
    assert first != second and first.exists() and second.exists()


def our_processes():
    found = subprocess.run(["pgrep", "-f", f"{BUILD}/bin/pushbench-(server|client)"], capture_output=True, text=True)
    return set(found.stdout.split())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_interrupted_run_keeps_its_points(tmp_path, sig):
    before = our_processes()
    text = TINY.replace('technique = ["sse", "websocket"]', 'technique = ["sse", "websocket", "long-poll"]')
    out = tmp_path / "results"
    proc = subprocess.Popen([str(PUSHBENCH), "run", str(scenario(tmp_path, text)), "--out", str(out), "--no-report"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def points_done():
        try:
            return len(only_run(out)[1]["points"]) >= 1
        except (ValueError, FileNotFoundError, json.JSONDecodeError):
            return False

    assert wait_until(points_done, timeout=60)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig, err
    _, doc = only_run(out)
    assert doc["status"] == "interrupted" and doc["interrupted_by"] == sig.name and 1 <= len(doc["points"]) < 6
    assert all(p["status"] == "ok" for p in doc["points"])
    assert "interrupted" in err
    assert our_processes() - before == set(), "the harness left processes behind"


def test_a_server_that_fails_to_start_fails_its_point_and_the_run_goes_on(tmp_path):
    fake = tmp_path / "build" / "bin"
    fake.mkdir(parents=True)
    (fake / "pushbench-client").symlink_to(BUILD / "bin" / "pushbench-client")
    server = fake / "pushbench-server"
    server.write_text("#!/bin/sh\n"
                      f"case \"$*\" in *'--technique sse'*) echo 'cannot bind: simulated' >&2; exit 1;; esac\n"
                      f"exec {BUILD}/bin/pushbench-server \"$@\"\n")
    server.chmod(0o755)
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, TINY), "--out", out, "--build", tmp_path / "build", "--no-report")
    assert done.returncode == 0, done.stderr
    _, doc = only_run(out)
    statuses = {(p["technique"], p["connections"]): p["status"] for p in doc["points"]}
    assert statuses == {("sse", 1): "failed", ("sse", 20): "failed", ("websocket", 1): "ok", ("websocket", 20): "ok"}
    failed = [p for p in doc["points"] if p["status"] == "failed"]
    assert all("simulated" in p["failures"][0] for p in failed)


def test_a_failed_threshold_exits_1(tmp_path):
    text = TINY.replace("connections = [1, 20]", "connections = [2]") + """
[thresholds]
"errors" = "== 0"
"latency_p99_ms{technique=websocket}" = "< 0.000001"
"""
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out, "--no-report")
    assert done.returncode == 1, done.stderr
    assert "FAIL latency_p99_ms{technique=websocket} < 1e-06" in done.stderr
    assert "PASS errors == 0" in done.stderr
    _, doc = only_run(out)
    verdicts = {(v["threshold"], v["point"].split()[0]): v["pass"] for v in doc["thresholds"]}
    assert verdicts[("latency_p99_ms{technique=websocket}", "websocket")] is False
    assert all(v["pass"] for v in doc["thresholds"] if v["threshold"] == "errors")


SOAK = """
name = "tiny-soak"
[run]
warmup = "2s"
duration = "6s"
[matrix]
rate = [20]
[soak]
subscribers = 5
churn_per_s = 20
bad_requests_per_s = 5
sample_every = "250ms"
rss_noise_floor = "8MiB"
history = 64
"""


def test_a_short_soak_churns_refuses_bad_requests_and_checks_every_event(tmp_path):
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, SOAK), "--out", out, timeout=120)
    assert done.returncode == 0, done.stderr
    run_dir, doc = only_run(out)
    record = doc["soak"]
    assert record["status"] == "ok" and record["every_event_delivered"], record
    assert set(record["clients"]) == set(doc["scenario"]["matrix"]["technique"])
    assert record["load"]["churned"] >= 100 and record["load"]["churn_failed"] == 0
    assert record["load"]["bad_requests"] >= 20 and record["load"]["bad_not_refused"] == 0
    assert record["fds"]["flat"] and record["rss"]["flat"]
    assert len(record["samples"]) >= 20
    assert (run_dir / "soak.png").exists() and "## Soak" in (run_dir / "summary.md").read_text()


def test_soak_slopes_tell_a_leak_from_noise():
    steady = [{"t": t, "rss_bytes": 50_000_000 + (t % 3) * 100_000} for t in range(100)]
    leaking = [{"t": t, "rss_bytes": 50_000_000 + t * 100_000} for t in range(100)]
    assert soak.verdict(steady, "rss_bytes", 1 << 20)["flat"]
    assert not soak.verdict(leaking, "rss_bytes", 1 << 20)["flat"]


def test_client_processes_merge_by_the_schema_and_no_field_is_dropped():
    from harness import runner
    done = subprocess.run([str(BUILD / "bin" / "pushbench-client"), "--technique", "sse", "--url",
                           "http://127.0.0.1:1", "--duration", "300ms", "--out", "-"], capture_output=True, text=True)
    one = json.loads(done.stdout)
    other = {**one, "client_saturated": True, "duration_s": one["duration_s"] + 1}
    merged = runner.merge_clients([one, other], BUILD)
    assert list(merged) == list(one)  # every field, in the client's order
    assert merged["connect_errors"] == 2 * one["connect_errors"] and merged["client_saturated"] is True
    assert merged["duration_s"] == other["duration_s"]
    assert merged["errors_by_kind"]["connect_refused"] == 2 * one["errors_by_kind"]["connect_refused"]
    strange = json.loads(json.dumps(one))
    strange["errors_by_kind"]["new_kind"] = 1
    with pytest.raises(runner.RunFailed, match="errors_by_kind.new_kind"):
        runner.merge_clients([strange, strange], BUILD)


def test_a_tls_matrix_runs_each_point_plain_and_over_tls_and_plots_them_side_by_side(tmp_path):
    text = ("name = 'tls-tiny'\n[run]\nwarmup = '1s'\nduration = '1s'\n"
            "[matrix]\ntechnique = ['sse', 'long-poll']\nconnections = [50]\nrate = [20]\ntls = [false, true]\n"
            "[thresholds]\n'gaps{tls=true}' = '== 0'\n")
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out)
    assert done.returncode == 0, done.stderr
    assert "PASS gaps" in done.stderr and " TLS" in done.stderr
    run_dir, doc = only_run(out)
    assert sorted((p["technique"], p["tls"]) for p in doc["points"]) == [
        ("long-poll", False), ("long-poll", True), ("sse", False), ("sse", True)]
    for point in doc["points"]:
        assert point["status"] == "ok" and point["gaps"] == 0 and point["events_received"] > 0, point["failures"]
        assert point["tls_handshakes"] == (50 if point["tls"] else 0)
        assert point["tls_version"] == ("TLSv1.3" if point["tls"] else "")
        assert ("tls_handshake_p50_ms" in point["summary"]) == point["tls"]
        if point["tls"]:  # a handshake costs the server a few hundred µs here; noise, a few
            assert point["summary"]["server_cpu_us_per_connect"]["median"] > 50
    assert (run_dir / "tls_costs.png").stat().st_size > 0
    assert doc["environment"]["openssl"].startswith("3.")
