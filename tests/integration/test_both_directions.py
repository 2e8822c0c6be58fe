"""Client to server: a WebSocket client's text messages are published to every technique's
subscribers, other techniques' clients publish by POST, and pushbench-client's broadcast workload
(--send-rate) times each sender's round trip. Peers: Python websockets, curl, raw sockets for
frames no library sends."""
import asyncio
import base64
import json
import re
import subprocess
import threading

import pytest
import websockets

from peers import CurlStream, curl, curl_json, read_ws_frame, ws_close_code, ws_frame, ws_open
from server_process import BUILD, SANITIZED

CLIENT_BIN = BUILD / "bin" / "pushbench-client"


def test_a_websocket_message_reaches_sse_a_long_poll_and_another_websocket(start_server):
    server = start_server("--technique", "all", "--rate", "0")
    sse = CurlStream(server.url + "/sse")
    assert sse.line().startswith("retry:")
    held = {}
    long_poll_url = server.url + "/long-poll?since=0&timeout_ms=10000"
    long_poll = threading.Thread(target=lambda: held.update(curl_json(long_poll_url)))
    long_poll.start()

    async def talk():
        url = server.ws_url + "/ws"
        async with websockets.connect(url) as listener, websockets.connect(url) as sender:
            await sender.send("hello, everyone")
            received = json.loads(await asyncio.wait_for(listener.recv(), 10))
            echoed = json.loads(await asyncio.wait_for(sender.recv(), 10))  # the sender is a subscriber too
            return received, echoed, sender.local_address

    received, echoed, (sender_host, sender_port) = asyncio.run(talk())
    long_poll.join(timeout=15)
    (_, streamed), = sse.events(1)
    sse.close()
    polled, = held["events"]
    for event in (received, echoed, streamed, polled):
        assert event["seq"] == 1 and event["data"] == "hello, everyone"
        assert event["from"] == f"{sender_host}:{sender_port}", "the publisher is recorded"
    assert server.stats()["client_messages"] == 1 and server.stats()["published"] == 1


def test_a_websocket_client_can_name_itself_as_publisher(start_server):
    server = start_server("--technique", "all", "--rate", "0")

    async def talk():
        async with websockets.connect(server.ws_url + "/ws?from=bob") as bob:
            await bob.send("hi")
            return json.loads(await asyncio.wait_for(bob.recv(), 10))

    assert asyncio.run(talk())["from"] == "bob"
    status, _, body = server.request("GET", "/ws?from=" + "x" * 65, headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode()})
    assert status == 400 and b"from: longer than 64 bytes" in body


def test_post_publishes_with_its_sender_named(start_server):
    server = start_server("--technique", "all", "--rate", "0")
    assert json.loads(curl("-X", "POST", "--data-binary", "from a poller", server.url + "/publish?from=alice")) == \
        {"seq": 1}
    event, = curl_json(server.url + "/poll?since=0")["events"]
    assert event["data"] == "from a poller" and event["from"] == "alice"
    status, _, body = server.request("POST", "/publish?from=" + "x" * 65, body=b"too long a name")
    assert status == 400 and b"from: longer than 64 bytes" in body
    assert curl_json(server.url + "/poll?since=1")["events"] == [], "a refused publish publishes nothing"


def test_fragmented_text_is_published_and_text_that_is_not_utf8_is_closed_1007(start_server):
    server = start_server("--technique", "all", "--rate", "0")
    sock, status, accepted = ws_open(server.url, "/ws")
    assert status == 101 and accepted
    first = bytearray(ws_frame(0x1, b"split "))
    first[0] &= 0x7F  # not the last fragment
    sock.sendall(bytes(first) + ws_frame(0x0, "across fragments \u00e9".encode()))
    opcode, payload = read_ws_frame(sock)
    assert opcode == 0x1 and json.loads(payload)["data"] == "split across fragments \u00e9"
    sock.sendall(ws_frame(0x1, b"caf\xc3("))
    assert ws_close_code(sock) == 1007
    sock.close()
    assert server.stats()["published"] == 1


def broadcast(url, technique, connections, senders, rate):
    done = subprocess.run([str(CLIENT_BIN), "--technique", technique, "--url", url, "--connections", str(connections),
                           "--send-rate", str(rate), "--senders", str(senders), "--warmup", "1s", "--duration", "3s",
                           "--poll-interval", "100ms", "--out", "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("technique", ["websocket", "sse", "long-poll", "short-poll"])
def test_broadcast_senders_time_the_round_trip_of_their_own_messages(start_server, technique):
    server = start_server("--technique", "all", "--rate", "0")
    result = broadcast(server.url, technique, 30, 5, 4)
    sent = result["messages_sent"]
    assert 5 * 4 * 3 * 0.8 <= sent <= 5 * 4 * 3 * 1.2 and result["messages_lost"] == 0
    # Every message came back to its sender, and to every other connection.
    assert result["round_trip_ns"]["count"] >= sent * 0.9
    assert result["events_received"] >= sent * 30 * 0.9 and result["gaps"] == 0
    if technique == "websocket":  # up the WebSocket itself: a frame per message, no request
        assert result["publish_requests"] == 0 and result["upstream_bytes"] == sent * (2 + 4 + 65)
    else:  # a POST per message on a second connection
        assert result["publish_requests"] == sent and result["upstream_bytes"] > sent * 150
    if technique == "short-poll":  # the sender waits for its own next poll
        assert result["round_trip_ns"]["p99"] >= 50e6
    elif not SANITIZED:
        assert result["round_trip_ns"]["p50"] < 50e6


@pytest.mark.parametrize("technique", ["websocket", "sse"])
@pytest.mark.parametrize("size", [65, 70, 200])
def test_broadcast_messages_are_websocket_shootouts_json(start_server, technique, size):
    server = start_server("--technique", "all", "--rate", "0")
    done = subprocess.run([str(CLIENT_BIN), "--technique", technique, "--url", server.url, "--send-rate", "20",
                           "--send-size", str(size), "--duration", "500ms", "--out", "-"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    events = curl_json(server.url + "/poll?since=0")["events"]
    assert len(events) >= 5
    for event in events:
        assert re.fullmatch(r"p\d+c0", event["from"]), "the sender's tag names the publisher"
        assert len(event["data"].encode()) == size
        message = json.loads(event["data"])
        assert message["type"] == "broadcast" and set(message) == {"type", "payload"}
        assert int(message["payload"]["sendTime"]) > 1_700_000_000 * 10**9
        assert set(message["payload"]) == ({"sendTime", "padding"} if size == 200 else {"sendTime"})


def test_send_flags_are_checked():
    done = subprocess.run([str(CLIENT_BIN), "--technique", "sse", "--url", "http://127.0.0.1:1", "--send-size", "64"],
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and "--send-size" in done.stderr


def pattern(size):
    """The built-in publisher's binary data: bytes of every value."""
    return bytes(i * 37 % 256 for i in range(size))


def test_binary_data_is_a_binary_frame_over_websocket_and_base64_elsewhere(start_server):
    server = start_server("--technique", "all", "--rate", "20", "--payload", "300", "--payload-kind", "binary")

    async def first_frame():
        async with websockets.connect(server.ws_url + "/ws") as ws:
            return await asyncio.wait_for(ws.recv(), 10)

    frame = asyncio.run(first_frame())
    assert isinstance(frame, bytes) and len(frame) == 16 + 300
    seq, ts = int.from_bytes(frame[:8], "big"), int.from_bytes(frame[8:16], "big")
    assert seq >= 1 and ts > 1_700_000_000 * 10**9 and frame[16:] == pattern(300)
    sse = CurlStream(server.url + "/sse")
    (event_id, event), = sse.events(1)
    sse.close()
    assert event["encoding"] == "base64" and base64.b64decode(event["data"]) == pattern(300)
    assert event_id == event["seq"]


def test_base64_in_sse_costs_about_a_third_more_than_binary_websocket_frames(start_server):
    server = start_server("--technique", "all", "--rate", "50", "--payload", "1KiB", "--payload-kind", "binary")
    per_event = {}
    for technique in ("websocket", "sse"):
        done = subprocess.run([str(CLIENT_BIN), "--technique", technique, "--url", server.url, "--connections", "10",
                               "--warmup", "500ms", "--duration", "2s", "--out", "-"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["errors"] == 0 and result["gaps"] == 0 and result["events_received"] >= 900
        per_event[technique] = result["bytes_in"] / result["events_received"]
    # WebSocket: a 4-byte frame header, 16 bytes of seq and ts, 1,024 raw bytes. SSE: the base64
    # (4/3 of the bytes) inside the event's JSON and its SSE lines: about a third more.
    assert 1040 <= per_event["websocket"] <= 1060
    assert 1.3 <= per_event["sse"] / per_event["websocket"] <= 1.5, per_event


@pytest.mark.parametrize("technique", ["sse", "websocket", "long-poll", "short-poll", "http-stream"])
def test_named_multiline_events_are_counted_by_name(start_server, technique):
    server = start_server("--technique", "all", "--rate", "60", "--event-types", "3", "--sse-multiline")
    done = subprocess.run([str(CLIENT_BIN), "--technique", technique, "--url", server.url, "--connections", "5",
                           "--warmup", "500ms", "--duration", "2s", "--poll-interval", "100ms", "--out", "-"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == 0 and result["gaps"] == 0, result["errors_by_kind"]
    assert sorted(result["events_by_type"]) == ["t0", "t1", "t2"]
    assert sum(result["events_by_type"].values()) == result["events_received"] > 0


def test_an_sse_event_line_names_the_event_and_multiline_data_joins_to_json(start_server):
    server = start_server("--technique", "all", "--rate", "20", "--event-types", "2", "--sse-multiline")
    sse = CurlStream(server.url + "/sse")
    lines = []
    while len([line for line in lines if line == ""]) < 3:  # the retry line, then two events
        lines.append(sse.line())
    sse.close()
    first_blank = lines.index("")
    event = lines[first_blank + 1:lines.index("", first_blank + 1)]
    assert event[0].startswith("id: ") and event[1] in ("event: t0", "event: t1")
    data = "\n".join(line.removeprefix("data: ") for line in event if line.startswith("data: "))
    assert len([line for line in event if line.startswith("data: ")]) >= 5
    parsed = json.loads(data)
    assert parsed["seq"] == int(event[0][4:]) and event[1] == f"event: {parsed['type']}"
