"""What subscribers that stop reading can make the server hold is bounded in bytes, whatever the
payload size (--max-queued-bytes per subscriber, --history-bytes for the log)."""
import http.client
import socket
import time

import pytest

from server_process import SANITIZED, wait_until

MIB = 1 << 20
pytestmark = pytest.mark.skipif(SANITIZED, reason="ThreadSanitizer's shadow memory makes RSS meaningless")


def rss(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def stuck_reader(server, path):
    """A subscriber with a tiny receive buffer that never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((server.host, server.port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    return sock


@pytest.mark.parametrize("readers,size,count,extra,bound", [
    (1, 60 << 10, 3000, [], 48 * MIB),            # one stuck reader, 60 KiB events
    (100, 64 << 10, 3000, [], 64 * MIB),          # a hundred, half SSE and half WebSocket
    (1, 1 << 20, 300, ["--history-bytes", "32MiB"], 48 * MIB),  # 1 MiB events
])
def test_stuck_readers_grow_rss_by_a_bounded_amount(start_server, readers, size, count, extra, bound):
    server = start_server("--technique", "all", "--history", "256", *extra)
    time.sleep(0.3)
    before = rss(server.proc.pid)
    socks = [stuck_reader(server, "/ws" if i % 2 else "/sse") for i in range(readers)]
    assert wait_until(lambda: server.stats()["sse_streams"] + server.stats()["websockets"] == readers)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    payload = b"p" * size
    for _ in range(count):
        conn.request("POST", "/publish", body=payload)
        assert conn.getresponse().read().startswith(b'{"seq"')
    conn.close()
    assert wait_until(lambda: server.stats()["slow_consumers_dropped"] == readers)
    grown = rss(server.proc.pid) - before
    stats = server.stats()
    for sock in socks:
        sock.close()
    assert grown < bound, f"RSS grew {grown / MIB:.1f} MiB (history {stats['history_bytes'] / MIB:.1f} MiB)"


def test_poll_answers_are_bounded_in_bytes(start_server):
    server = start_server("--technique", "all", "--max-batch-bytes", "200KiB")
    first = server.publish("x" * (64 << 10))
    for _ in range(9):
        server.publish("x" * (64 << 10))
    body = server.get_json(f"/poll?since={first - 1}")
    assert [e["seq"] for e in body["events"]] == [first, first + 1, first + 2]
    assert body["next"] == first + 2
    huge = server.publish("y" * (300 << 10))  # larger than the bound: it still goes, alone
    assert [e["seq"] for e in server.get_json(f"/poll?since={huge - 1}")["events"]] == [huge]


def test_history_stays_within_its_bytes(start_server):
    server = start_server("--technique", "all", "--history-bytes", "8MiB")
    time.sleep(0.3)
    before = rss(server.proc.pid)
    for _ in range(1000):  # 64 MiB of payloads through an 8 MiB history
        server.publish("h" * (64 << 10))
    stats = server.stats()
    assert stats["history_bytes"] <= 8 * MIB and stats["history_events"] < 1000
    grown = rss(server.proc.pid) - before
    assert grown < 24 * MIB, f"RSS grew {grown / MIB:.1f} MiB with an 8 MiB history"
