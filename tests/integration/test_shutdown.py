"""SIGINT/SIGTERM: stop accepting, close streams cleanly (WebSocket close 1001), exit 0 quickly."""
import signal
import socket
import time

import pytest

from server_process import Server, wait_until
from peers import CurlStream, raw_websocket, read_until_closed, ws_close_code


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
