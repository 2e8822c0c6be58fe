"""Bad input: each case gets a clear answer, and afterwards the server is up and every event
still reaches another client."""
import json
import os
import random
import socket
import struct
import threading
import time

import pytest

from server_process import wait_until
from peers import (CurlStream, assert_all_delivered, raw_connect, raw_websocket, read_until_closed, read_ws_frame,
                   ws_close_code, ws_frame)


def raw_exchange(server, data):
    sock = raw_connect(server)
    try:
        sock.sendall(data)
        return read_until_closed(sock)
    finally:
        sock.close()


def status_and_error(response):
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)["error"]


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nContent-Length: banana\r\n\r\n",
    b"\x00\x01\x02\xff\r\n\r\n",
])
def test_malformed_request_gets_400_json(server, request_bytes):
    status, error = status_and_error(raw_exchange(server, request_bytes))
    assert status == 400 and error
    assert_all_delivered(server)


def test_oversized_headers_get_431(server):
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    status, error = status_and_error(raw_exchange(server, big))
    assert status == 431 and "too large" in error
    assert_all_delivered(server)


def test_oversized_publish_gets_413(start_server):
    server = start_server("--technique", "all", "--max-body-bytes", "1KiB")
    status, _, body = server.request("POST", "/publish", body=b"x" * 2048)
    assert status == 413 and "error" in json.loads(body)
    assert server.stats()["published"] == 0
    assert server.publish("x" * 1024) == 1
    assert_all_delivered(server)


def test_publish_rejects_invalid_utf8(server):
    status, _, body = server.request("POST", "/publish", body=b"\xff\xfe")
    assert status == 400 and "UTF-8" in json.loads(body)["error"]
    assert_all_delivered(server)


@pytest.mark.parametrize("path,headers,needle", [
    ("/poll?since=abc", {}, "since"),
    ("/poll?since=-1", {}, "since"),
    ("/poll?since=1&since=2", {}, "twice"),
    ("/poll?since=%zz", {}, "percent"),
    ("/long-poll?since=0&timeout_ms=soon", {}, "timeout_ms"),
    ("/long-poll?since=0&timeout_ms=999999999", {}, "timeout_ms"),
    ("/sse?since=1.5", {}, "since"),
    ("/sse", {"Last-Event-ID": "seven"}, "Last-Event-ID"),
    ("/ws?since=x", {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                     "Sec-WebSocket-Version": "13"}, "since"),
])
def test_bad_query_gets_400_naming_the_parameter(server, path, headers, needle):
    status, _, body = server.request("GET", path, headers=headers)
    assert status == 400
    assert needle in json.loads(body)["error"]
    assert_all_delivered(server)


def test_unmasked_websocket_frame_is_closed_with_1002(server):
    sock = raw_websocket(server)
    try:
        sock.sendall(ws_frame(0x1, b"hello", mask=False))
        assert ws_close_code(sock) == 1002
    finally:
        sock.close()
    assert_all_delivered(server)


def test_a_32_mib_message_from_a_client_that_keeps_sending_gets_1009(start_server):
    """The close frame must reach a client still sending: a server that closed its socket with
    unread bytes would send a reset, and the client would see 1006 instead."""
    server = start_server("--technique", "websocket")
    sock = raw_websocket(server, "/ws")
    header = bytes([0x82, 0xFF]) + struct.pack("!Q", 32 << 20) + os.urandom(4)  # masked binary, 32 MiB

    def keep_sending():
        try:
            sock.sendall(header)
            for _ in range(32):
                sock.sendall(bytes(1 << 20))
        except OSError:
            pass  # the server closed its side: what matters is what the client read before

    sender = threading.Thread(target=keep_sending)
    sender.start()
    try:
        time.sleep(1)  # the client is still sending when it starts to read
        assert ws_close_code(sock) == 1009
    finally:
        sender.join(10)
        sock.close()


def test_websocket_message_over_the_limit_is_closed_with_1009(start_server):
    server = start_server("--technique", "all", "--ws-max-message", "1KiB")
    sock = raw_websocket(server)
    try:
        sock.sendall(ws_frame(0x1, b"y" * 1000))  # under the limit: ignored, connection stays
        sock.sendall(ws_frame(0x1, b"x" * 2048))
        assert ws_close_code(sock) == 1009
    finally:
        sock.close()
    assert_all_delivered(server)


def test_websocket_ping_is_answered_with_pong(server):
    sock = raw_websocket(server)
    try:
        sock.sendall(ws_frame(0x9, b"are you there"))
        assert read_ws_frame(sock) == (0xA, b"are you there")
    finally:
        sock.close()


def test_server_sends_keepalive_pings(start_server):
    server = start_server("--technique", "websocket", "--ws-idle-timeout", "400ms")
    sock = raw_websocket(server)
    try:
        opcode, _ = read_ws_frame(sock)
        assert opcode == 0x9, "a quiet connection gets a ping"
    finally:
        sock.close()


def test_websocket_client_that_pings_but_never_reads_is_cut_off(start_server):
    """Its pongs queue behind a write the socket no longer takes; they are bounded, so the
    connection is cut off as slow rather than growing the server's memory."""
    server = start_server("--technique", "all", "--rate", "0")
    sock = raw_websocket(server)
    sock.settimeout(None)  # sending blocks only when the server stops reading
    ping = ws_frame(0x9, b"p" * 125)

    def ping_forever():
        try:
            for _ in range(400_000):  # 52 MB: far more pongs than the kernel's buffers hold
                sock.sendall(ping)
        except OSError:
            pass  # cut off

    pinger = threading.Thread(target=ping_forever, daemon=True)
    pinger.start()
    try:
        assert wait_until(lambda: server.stats()["slow_consumers_dropped"] >= 1, 20)
    finally:
        sock.close()
        pinger.join(10)
    assert_all_delivered(server)


@pytest.mark.parametrize("technique,path", [("sse", "/sse"), ("websocket", "/ws")])
def test_subscriber_that_never_reads_is_cut_off(start_server, technique, path):
    server = start_server("--technique", "all", "--max-queued-events", "8")
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect((server.host, server.port))
    slow.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    stream_key = "sse_streams" if technique == "sse" else "websockets"
    assert wait_until(lambda: server.stats()[stream_key] == 1)
    reader = CurlStream(f"{server.url}/sse") if technique == "sse" else None
    if reader:
        assert wait_until(lambda: server.stats()[stream_key] == 2)
    payload = "p" * 65536
    published = 0
    while server.stats()["slow_consumers_dropped"] == 0:
        server.publish(payload)
        published += 1
        assert published < 2000, "a subscriber that never reads was never cut off"
    assert wait_until(lambda: server.stats()[stream_key] == (1 if reader else 0))  # the cut-off closes a moment later
    if reader:
        assert [i for i, _ in reader.events(published, timeout=30)] == list(range(1, published + 1))
        reader.close()
    slow.settimeout(10)
    read_until_closed(slow, limit=1 << 30)  # the server closed it
    slow.close()
    assert_all_delivered(server)


def held_connection(server):
    """A keep-alive connection that the server has accepted and answered 200 (so it holds a slot)."""
    sock = raw_connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    response = b""
    while not response.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(4096)
        assert chunk, response
        response += chunk
    assert response.startswith(b"HTTP/1.1 200"), response
    return sock


def test_connections_beyond_the_limit_get_503(start_server):
    server = start_server("--technique", "all", "--max-connections", "3")
    held = [held_connection(server) for _ in range(3)]
    response = raw_exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    status, error = status_and_error(response)
    assert status == 503 and "too many" in error
    for sock in held:
        sock.close()
    refused = [1]  # the one above; a request sent before the server has seen the closes is refused too

    def served():
        status = server.request("GET", "/healthz")[0]
        refused[0] += status == 503
        return status == 200

    assert wait_until(served)
    assert server.stats()["connections_rejected"] == refused[0]
    assert_all_delivered(server)


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost:"])
def test_idle_and_half_sent_requests_are_timed_out(start_server, sent):
    server = start_server("--technique", "all", "--idle-timeout", "200ms")
    sock = raw_connect(server)
    sock.sendall(sent)
    assert read_until_closed(sock) == b"", "closed without an answer"
    sock.close()
    assert_all_delivered(server)


def test_garbage_flood_does_not_disturb_subscribers(server):
    start = server.stats()["last_seq"]
    stream = CurlStream(f"{server.url}/sse?since={start}")
    rng = random.Random(1)
    try:
        for i in range(40):
            sock = raw_connect(server)
            sock.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4000))))
            sock.close()
            server.publish(f"during {i}")
        assert [e["data"] for _, e in stream.events(40)] == [f"during {i}" for i in range(40)]
    finally:
        stream.close()
    assert server.alive()
    assert_all_delivered(server)
