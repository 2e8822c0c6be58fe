"""SIGINT/SIGTERM: stop accepting, close streams cleanly (WebSocket close 1001), exit 0 quickly."""
import json
import signal
import socket
import subprocess
import sys
import time

import pytest

from server_process import ROOT, Server, wait_until
from peers import CurlStream, raw_websocket, read_until_closed, ws_close_code

sys.path.insert(0, str(ROOT / "bench"))
from harness import wire  # noqa: E402


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_closes_streams_cleanly_and_exits_0(sig):
    server = Server("--technique", "all", "--rate", "20")
    ws = raw_websocket(server)
    sse = CurlStream(f"{server.url}/sse")
    idle = socket.create_connection((server.host, server.port))
    assert wait_until(lambda: server.stats()["sse_streams"] == 1 and server.stats()["websockets"] == 1)
    started = time.monotonic()
    code = server.stop(sig)
    took = time.monotonic() - started
    assert code == 0, server.stderr
    assert took < 5, f"took {took:.1f}s to stop"  # the server itself allows 1.5 s for close handshakes
    assert ws_close_code(ws) == 1001
    assert sse.proc.wait(timeout=5) == 0, "curl saw the event stream end cleanly"
    idle.settimeout(5)
    assert read_until_closed(idle) == b""
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=2)
    ws.close()


@pytest.mark.parametrize("backend", ["beast", "httplib"])
def test_clients_are_told_to_come_back(backend):
    """At a stop, an SSE stream ends with a retry: line (EventSource reconnects after it) and a
    held long poll is answered as at its timeout, so each asks the restarted server at once."""
    server = Server("--technique", "all", "--backend", backend, "--sse-retry", "700ms")
    seq = server.publish("before the stop")
    stream = wire.Stream(server.url, f"/sse?since={seq - 1}")
    assert stream.status == 200
    poll = subprocess.Popen(["curl", "-sS", f"{server.url}/long-poll?since={seq}&timeout_ms=60000"],
                            stdout=subprocess.PIPE)
    assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1 and server.stats()["sse_streams"] == 1)
    assert server.stop(signal.SIGTERM) == 0, server.stderr
    received = b""
    while chunk := stream.read(time.monotonic() + 5):
        received += chunk
    stream.close()
    frames = [f for f in received.split(b"\n\n") if f]
    assert frames[-1] == b"retry: 700", received[-200:]
    assert f"id: {seq}".encode() in received
    out, _ = poll.communicate(timeout=10)
    assert json.loads(out) == {"events": [], "next": seq}


@pytest.mark.parametrize("backend", ["beast", "httplib"])
def test_a_held_long_poll_is_answered_at_a_stop_with_no_stream_open(backend):
    server = Server("--technique", "long-poll", "--backend", backend)
    seq = server.publish("before the stop")
    poll = subprocess.Popen(["curl", "-sS", f"{server.url}/long-poll?since={seq}&timeout_ms=60000"],
                            stdout=subprocess.PIPE)
    assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1)
    assert server.stop(signal.SIGTERM) == 0, server.stderr
    out, _ = poll.communicate(timeout=10)
    assert json.loads(out) == {"events": [], "next": seq}
