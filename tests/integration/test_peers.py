"""The reference peers: Socket.IO (Node, locked npm packages) with pushbench-client speaking
Engine.IO itself over both transports, websocketd with our emitter, and an external-server
scenario point run end to end by the harness."""
import os

import pytest

from server_process import BUILD, ROOT, Server
from test_client import run_client
from test_harness import only_run, pushbench, scenario

PEERS = ROOT / "servers" / "peers"


@pytest.fixture
def peer():
    started = []

    def start(script, *args):
        started.append(Server(command=[str(script), *args], env={**os.environ, "PUSHBENCH_BUILD": str(BUILD)}))
        return started[-1]

    yield start
    for p in started:
        p.stop()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_client_receives_every_event_over_both_transports(peer, transport):
    server = peer(PEERS / "socketio" / "run.sh", "--rate", "20")
    result = run_client("--technique", "socketio", "--transport", transport, "--url", server.url,
                        "--connections", "20", "--warmup", "1s", "--duration", "2s", "--drain", "5s")
    assert result["connections_established"] == 20 and result["errors"] == 0
    assert result["gaps"] == 0 and result["duplicates"] == 0
    assert 38 <= result["events_per_connection"]["min"] <= result["events_per_connection"]["max"] <= 42
    if transport == "polling":
        assert result["http_requests"] >= result["events_received"] / 20 * 0.5, "a long poll per event or so"
        assert result["bytes_out"] > 0


def test_websocketd_delivers_to_fifty_connections(peer):
    server = peer(PEERS / "websocketd" / "run.sh", "--rate", "20")
    # Counted by their ts, so a busy machine's lag is no loss: each emitter schedules from its own
    # start, and fifty of them (slow to start under ThreadSanitizer) need the longer warmup.
    result = run_client("--technique", "websocket", "--url", server.url, "--connections", "50", "--warmup", "3s",
                        "--duration", "2s", "--drain", "5s")
    assert result["connections_established"] == 50 and result["errors"] == 0 and result["gaps"] == 0
    assert 38 <= result["events_per_connection"]["min"] <= result["events_per_connection"]["max"] <= 42


def test_an_external_server_point_runs_end_to_end(tmp_path):
    text = """
name = "external"
[run]
warmup = "500ms"
duration = "1500ms"
[matrix]
technique = ["websocket"]
backend = ["websocketd"]
connections = [20]
rate = [20]
[servers.websocketd]
command = ["{root}/servers/peers/websocketd/run.sh", "--rate", "{rate}", "--payload", "{payload}"]
techniques = ["websocket"]
verify = false
"""
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    _, doc = only_run(out)
    (point,) = doc["points"]
    assert point["status"] == "ok" and point["backend"] == "websocketd" and point["gaps"] == 0
    assert point["events_received"] > 0
    # A process per connection: the whole tree is sampled, so memory per connection is in MiB.
    assert point["summary"]["memory_per_connection_bytes"]["median"] > 512 * 1024
    assert point["server_cpu_s"] > 0


def test_a_server_that_does_not_conform_is_refused(tmp_path):
    text = """
name = "refused"
[run]
warmup = "200ms"
duration = "500ms"
[matrix]
technique = ["websocket"]
backend = ["websocketd"]
connections = [2]
[servers.websocketd]
command = ["{root}/servers/peers/websocketd/run.sh"]
techniques = ["websocket"]
"""
    out = tmp_path / "results"
    done = pushbench("run", scenario(tmp_path, text), "--out", out, "--no-report")
    assert done.returncode == 0, done.stderr
    _, doc = only_run(out)
    (point,) = doc["points"]
    assert point["status"] == "failed" and point["failures"][0].startswith("does not conform:")
    assert "GET /healthz is 200 ok" in point["failures"][0]


def test_socketio_counts_its_own_protocol_messages(peer):
    server = peer(PEERS / "socketio" / "run.sh", "--rate", "10")
    result = run_client("--technique", "socketio", "--transport", "polling", "--url", server.url,
                        "--warmup", "0s", "--duration", "1s")
    # The handshake's open packet, the namespace connect and its answer, at least.
    assert result["protocol_messages"] >= 3 and result["events_received"] >= 8
