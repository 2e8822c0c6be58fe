"""The harness on hosts ([hosts]): nodes over Redis behind HAProxy and client processes on test
hosts (network namespaces reached over SSH, made and removed by the harness), each host's result
merged into the point's, the clocks measured, a node killed mid-window; nothing left behind."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from server_process import BUILD, ROOT

from harness.fleet import TESTHOSTS_STATE  # noqa: E402  (server_process puts bench/ on the path)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="test hosts are network namespaces: root only")

PUSHBENCH = BUILD / "bin" / "pushbench"
TESTHOSTS = ROOT / "scripts" / "testhosts.sh"

HOSTS = """
[hosts]
testhosts = 4
nodes = ["ssh://root@pbh1", "ssh://root@pbh2", "ssh://root@pbh4"]
balancer = "ssh://root@pbh3"
balancer_processes = 2
redis = "ssh://root@pbh3"
clients = ["ssh://root@pbh3", "ssh://root@pbh4"]
"""


def run(tmp_path, text, hosts="", **kwargs):
    """The scenario `text` on the test hosts; `hosts`: more [hosts] keys."""
    path = tmp_path / "cluster.toml"
    path.write_text(text + HOSTS + hosts)
    return subprocess.Popen([str(PUSHBENCH), "run", str(path), "--out", str(tmp_path / "out"), "--no-report"],
                            stderr=subprocess.PIPE, text=True, **kwargs)


def results(tmp_path):
    (run_dir,) = (tmp_path / "out").iterdir()
    return json.loads((run_dir / "results.json").read_text())


def assert_nothing_left():
    assert subprocess.run([str(TESTHOSTS), "status"], capture_output=True, text=True).stdout == "testhosts: none\n"
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "pbh" not in netns, netns
    assert not list(Path("/tmp").glob("pushbench-host-*")), "every host agent removed its folder"
    assert not list(Path("/tmp").glob("pushbench-haproxy.*")), "haproxy.sh removed its folder"
    programs = subprocess.run(["pgrep", "-f", "pushbench-(server|client)|redis-server .*--bind 10.200|haproxy -W|"
                               "hostagent.py|ssh .*-W 10.200"], capture_output=True, text=True).stdout
    assert not programs, f"left running: {programs}"


def test_points_on_hosts_merge_every_hosts_result_and_measure_the_clocks(tmp_path):
    done = run(tmp_path, """
[run]
warmup = "1s"
duration = "3s"
drain = "5s"
client_processes = 2
[matrix]
technique = ["sse", "long-poll"]
connections = [41]
rate = [20]
nodes = [1, 2]
backplane = [false, true]
""")
    assert done.wait(timeout=300) == 0, done.stderr.read()
    doc = results(tmp_path)
    described = {(p["technique"], p["nodes"], p["backplane"]) for p in doc["points"]}
    assert described == {(t, n, b) for t in ("sse", "long-poll") for n, b in ((1, False), (1, True), (2, True))}
    for point in doc["points"]:
        assert point["status"] == "ok", point["failures"]
        (record,) = point["runs"]
        cluster, client, metrics = record["server"]["cluster"], record["client"], record["metrics"]
        hosts = cluster["client_hosts"]
        assert [h["host"] for h in hosts] == ["ssh://root@pbh3", "ssh://root@pbh4"]
        assert [h["connections"] for h in hosts] == [21, 20] and [h["processes"] for h in hosts] == [2, 2]
        for key in ("connections_established", "events_received", "gaps", "duplicates", "errors"):
            assert client[key] == sum(h[key] for h in hosts), key  # the merged result is the hosts' sum
        assert client["latency_ns"]["count"] == sum(h["latency_ns"]["count"] for h in hosts)
        # With a drain every connection counts every event published in the window: each host's
        # events are its connections times one number, the same on both hosts.
        (per_connection,) = {c for h in hosts for c in h["events_per_connection"].values()}
        assert [h["events_received"] for h in hosts] == [21 * per_connection, 20 * per_connection]
        assert 55 <= per_connection <= 65, per_connection  # 3 s at 20 events/s
        assert client["gaps"] == 0 and client["duplicates"] == 0
        roles = sorted(p["role"] for p in cluster["programs"])
        expected = ["balancer", *["node"] * point["nodes"], *(["publisher", "redis"] if point["backplane"] else [])]
        assert roles == expected
        assert all(p["cpu_s"] > 0 and p["rss_window_max"] > 0 for p in cluster["programs"])
        for host in hosts:  # one kernel's clock: the offsets are within their uncertainty, which is small
            for when in ("before", "after"):
                assert abs(host["clock"][when]["offset_ms"]) <= host["clock"][when]["uncertainty_ms"] + 0.05
                assert 0 < host["clock"][when]["uncertainty_ms"] < 5
        assert metrics["latency_reliable"] in (0, 1) and metrics["balancer_cpu_us_per_event"] > 0
        assert (metrics["backplane_cpu_us_per_event"] is not None) == point["backplane"]
        assert metrics["publish_failed"] == 0
    assert_nothing_left()


def test_one_of_three_nodes_killed_its_subscribers_resume_on_the_others_losing_and_repeating_nothing(tmp_path):
    done = run(tmp_path, """
[run]
warmup = "1s"
duration = "4s"
drain = "5s"
reconnect_delay = "100ms"
[faults]
kill_node_at = "1500ms"
[matrix]
technique = ["sse", "websocket", "long-poll"]
connections = [60]
rate = [20]
nodes = [3]
backplane = [true]
""")
    assert done.wait(timeout=300) == 0, done.stderr.read()
    for point in results(tmp_path)["points"]:
        assert point["status"] == "ok", point["failures"]
        (record,) = point["runs"]
        metrics = record["metrics"]
        assert record["server"]["cluster"]["killed_node"]["host"] == "ssh://root@pbh4"
        assert metrics["gaps"] == 0 and metrics["duplicates"] == 0, (point["technique"], metrics)
        streams = point["technique"] != "long-poll"  # a long poll fails only if held there at that moment
        assert metrics["reconnects"] >= (15 if streams else 1) and metrics["recovery_ms"] > 0, \
            (point["technique"], metrics)
        # With a drain, each connection counts the events published in the window: the same
        # number for all 60, whatever node they were on, if none lost its tail.
        client = record["client"]
        per_connection = client["events_per_connection"]
        assert per_connection["min"] == per_connection["max"], (point["technique"], per_connection)
        assert client["events_received"] == 60 * per_connection["min"] and 79 <= per_connection["min"] <= 81
    assert_nothing_left()


def test_ctrl_c_mid_point_stops_every_host_and_removes_the_hosts(tmp_path):
    done = run(tmp_path, """
[run]
warmup = "1s"
duration = "60s"
[matrix]
technique = ["sse"]
connections = [20]
nodes = [2]
backplane = [true]
""", start_new_session=True)
    deadline = time.monotonic() + 60
    line = ""
    while "rep 1/1" not in line and time.monotonic() < deadline:
        line = done.stderr.readline()
    time.sleep(3)  # the point's programs are up on every host
    assert "pushbench-server" in subprocess.run(["pgrep", "-af", "pushbench-server"], capture_output=True,
                                                text=True).stdout
    done.send_signal(signal.SIGINT)
    assert done.wait(timeout=60) == 130, done.stderr.read()
    assert results(tmp_path)["status"] == "interrupted"
    assert_nothing_left()


def test_ctrl_c_while_the_host_agents_start_leaves_nothing(tmp_path):
    # Each agent's ssh waits 1 s before it connects (through the host's own sshd), so the Ctrl-C
    # lands while the first agent is starting, before its hello.
    config = TESTHOSTS_STATE / "ssh_config"
    slow = f"ssh_options = [\"-o\", \"ProxyCommand=sh -c 'sleep 1; exec ssh -F {config} -W %h:%p %n'\"]\n"
    done = run(tmp_path, """
[matrix]
technique = ["sse"]
connections = [20]
nodes = [2]
""", hosts=slow, start_new_session=True)
    deadline = time.monotonic() + 120
    while subprocess.run(["pgrep", "-P", str(done.pid), "-f", "hostagent.py"], capture_output=True).returncode:
        assert done.poll() is None and time.monotonic() < deadline, "no host agent started"
        time.sleep(0.01)
    done.send_signal(signal.SIGINT)
    assert done.wait(timeout=60) == 130, done.stderr.read()
    assert results(tmp_path)["status"] == "interrupted" and results(tmp_path)["points"] == []
    assert_nothing_left()


@pytest.fixture(autouse=True)
def no_test_hosts_before():
    """The hosts' names are the machine's: a test starts with none (and leaves none)."""
    subprocess.run([str(TESTHOSTS), "down"], check=True)
    yield
    subprocess.run([str(TESTHOSTS), "down"], check=True)
