"""Each endpoint of the SPEC against the real server, with curl and Python websockets as peers,
on both backends (the thread-per-connection one has no WebSocket)."""
import asyncio
import json
import socket
import struct
import subprocess
import time

import pytest
import websockets

from server_process import SERVER_BIN, wait_until
from peers import CurlStream, curl, curl_json, ws_receive

pytestmark = pytest.mark.parametrize("backend", ["beast", "httplib"], indirect=True)


def needs_websocket(backend):
    if backend == "httplib":
        pytest.skip("cpp-httplib 0.11.4 has no WebSocket")


def test_healthz_and_stats(server):
    assert curl(f"{server.url}/healthz") == b"ok"
    stats = curl_json(f"{server.url}/stats")
    for field in ("connections", "published", "delivered", "bytes_out", "slow_consumers_dropped"):
        assert isinstance(stats[field], int), field
    assert stats["connections"] >= 1  # this very request


def test_publish_assigns_rising_seq_and_keeps_data_exact(server):
    tricky = 'quote " backslash \\ newline \n cr \r tab \t bell \x07 unicode 服务器推送 😀'
    assert server.publish("first") == 1
    assert server.publish(tricky) == 2
    body = curl_json(f"{server.url}/poll?since=0")
    assert [e["seq"] for e in body["events"]] == [1, 2]
    assert body["events"][1]["data"] == tricky
    assert body["next"] == 2
    assert all(isinstance(e["ts"], int) and e["ts"] > 1_600_000_000 * 10**9 for e in body["events"])


def test_poll_cursor_semantics(server):
    assert curl_json(f"{server.url}/poll") == {"events": [], "next": 0}
    for i in range(5):
        server.publish(f"e{i}")
    assert curl_json(f"{server.url}/poll") == {"events": [], "next": 5}, "no cursor: from now on"
    body = curl_json(f"{server.url}/poll?since=2")
    assert [e["seq"] for e in body["events"]] == [3, 4, 5] and body["next"] == 5
    assert curl_json(f"{server.url}/poll?since=5") == {"events": [], "next": 5}


def test_poll_batch_limit_and_history_hole(start_server):
    server = start_server("--technique", "short-poll", "--history", "4", "--max-batch", "2")
    for i in range(10):
        server.publish(f"e{i}")
    body = curl_json(f"{server.url}/poll?since=0")
    assert [e["seq"] for e in body["events"]] == [7, 8], "oldest retained first, the hole is visible"
    body = curl_json(f"{server.url}/poll?since={body['next']}")
    assert [e["seq"] for e in body["events"]] == [9, 10]


def test_long_poll_blocks_until_publish(server):
    server.publish("before")
    waiting = subprocess.Popen(["curl", "-sS", f"{server.url}/long-poll?since=1"], stdout=subprocess.PIPE)
    assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1)
    time.sleep(0.3)
    assert waiting.poll() is None, "the long poll answered before any event existed"
    seq = server.publish("wake up")
    out, _ = waiting.communicate(timeout=10)
    body = json.loads(out)
    assert [e["seq"] for e in body["events"]] == [seq] and body["events"][0]["data"] == "wake up"
    assert body["next"] == seq


def test_a_client_that_leaves_a_held_long_poll_is_freed_at_once(server, backend):
    if backend == "httplib":
        pytest.skip("cpp-httplib 0.11.4 shows a handler no socket to watch: a left poll ends at its timeout")
    for leave in ("close", "reset"):
        sock = socket.create_connection((server.host, server.port))
        sock.sendall(b"GET /long-poll?timeout_ms=60000 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1)
        if leave == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        assert wait_until(lambda: server.stats()["long_polls_waiting"] == 0, timeout=3), leave
        assert wait_until(lambda: server.stats()["connections"] == 1, timeout=3), leave  # only /stats's own


def test_long_poll_answers_at_once_when_events_exist(server):
    server.publish("a")
    server.publish("b")
    body = curl_json(f"{server.url}/long-poll?since=0")
    assert [e["seq"] for e in body["events"]] == [1, 2]


def test_long_poll_times_out_empty(server):
    server.publish("a")
    assert curl_json(f"{server.url}/long-poll?since=1&timeout_ms=100") == {"events": [], "next": 1}
    assert server.stats()["long_polls_waiting"] == 0


def test_long_poll_from_the_future_waits_past_earlier_events(server):
    waiting = subprocess.Popen(["curl", "-sS", f"{server.url}/long-poll?since=2&timeout_ms=20000"],
                               stdout=subprocess.PIPE)
    assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1)
    server.publish("1")
    server.publish("2")
    time.sleep(0.2)
    assert waiting.poll() is None
    server.publish("3")
    body = json.loads(waiting.communicate(timeout=10)[0])
    assert [e["seq"] for e in body["events"]] == [3]


def test_sse_stream_format_and_live_events(server):
    stream = CurlStream(f"{server.url}/sse")
    try:
        assert stream.line().startswith("retry: ")
        assert wait_until(lambda: server.stats()["sse_streams"] == 1)
        for i in range(3):
            server.publish(f"sse {i}")
        events = stream.events(3)
        assert [i for i, _ in events] == [1, 2, 3]
        assert [e["seq"] for _, e in events] == [1, 2, 3]
        assert [e["data"] for _, e in events] == ["sse 0", "sse 1", "sse 2"]
    finally:
        stream.close()


def test_sse_resumes_after_last_event_id_without_loss(server):
    for i in range(5):
        server.publish(f"e{i}")
    stream = CurlStream(f"{server.url}/sse", "Last-Event-ID: 2")
    try:
        assert [i for i, _ in stream.events(3)] == [3, 4, 5], "the backlog after the id"
        server.publish("live")
        assert [i for i, _ in stream.events(1)] == [6]
    finally:
        stream.close()
    stream = CurlStream(f"{server.url}/sse?since=4")
    try:
        assert [i for i, _ in stream.events(2)] == [5, 6]
    finally:
        stream.close()


def test_sse_heartbeat_comment_when_quiet(start_server):
    server = start_server("--technique", "sse", "--heartbeat", "100ms")
    stream = CurlStream(f"{server.url}/sse")
    try:
        lines = [stream.line() for _ in range(4)]
        assert lines[0].startswith("retry: ") and ":" in lines[2:]
    finally:
        stream.close()


def test_websocket_receives_one_text_frame_per_event(server, backend):
    needs_websocket(backend)
    events = ws_receive(server.ws_url + "/ws?since=0", 3,
                        publish=lambda: [server.publish(f"ws {i}") for i in range(3)])
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert [e["data"] for e in events] == ["ws 0", "ws 1", "ws 2"]


def test_websocket_without_cursor_gets_everything_published_after_the_handshake(server, backend):
    needs_websocket(backend)
    server.publish("old")
    events = ws_receive(server.ws_url + "/ws", 2, publish=lambda: [server.publish("new") for _ in range(2)])
    assert [e["seq"] for e in events] == [2, 3]


def test_websocket_resumes_with_since(server, backend):
    needs_websocket(backend)
    for i in range(4):
        server.publish(f"e{i}")
    events = ws_receive(server.ws_url + "/ws?since=2", 3, publish=lambda: server.publish("live"))
    assert [e["seq"] for e in events] == [3, 4, 5]


def test_websocket_upgrade_is_refused_to_an_origin_not_allowed(start_server, backend):
    """Cross-site WebSocket hijacking: a browser sends the page's Origin; only the listed ones get in."""
    needs_websocket(backend)
    server = start_server("--technique", "all", "--allowed-origins", "https://app.example,http://127.0.0.1:9")

    def upgrade(origin):
        async def run():
            async with websockets.connect(server.ws_url + "/ws?since=0", origin=origin):
                return 101
        try:
            return asyncio.run(run())
        except websockets.InvalidStatusCode as refused:
            return refused.status_code

    assert upgrade("https://evil.example") == 403
    assert upgrade("https://app.example.evil") == 403
    assert upgrade("HTTPS://APP.EXAMPLE") == 101  # scheme and host compare without case
    assert upgrade("http://127.0.0.1:9") == 101
    assert upgrade(None) == 101  # no Origin: not a browser, nothing to protect against
    plain = start_server("--technique", "all")
    assert [e["seq"] for e in ws_receive(plain.ws_url + "/ws?since=0", 1, publish=lambda: plain.publish("x"))] == [1]


def test_http_stream_is_ndjson_and_resumes_with_since(server):
    first = server.publish("one")
    stream = CurlStream(f"{server.url}/stream?since={first - 1}", "Accept: application/x-ndjson")
    try:
        assert json.loads(stream.line())["data"] == "one"  # the backlog after the cursor
        server.publish("two\nlines")
        event = json.loads(stream.line())
        assert event["seq"] == first + 1 and event["data"] == "two\nlines"
    finally:
        stream.close()
    head = subprocess.run(["curl", "-sS", "-m", "1", "-D", "-", "-o", "/dev/null", f"{server.url}/stream"],
                          capture_output=True, text=True)
    assert "content-type: application/x-ndjson" in head.stdout.lower()


def test_one_publish_reaches_every_technique(server, backend):
    needs_websocket(backend)
    start = server.stats()["last_seq"]
    sse = CurlStream(f"{server.url}/sse?since={start}")
    waiting = subprocess.Popen(["curl", "-sS", f"{server.url}/long-poll?since={start}"], stdout=subprocess.PIPE)
    try:
        assert wait_until(lambda: server.stats()["long_polls_waiting"] == 1)
        ws_events = ws_receive(server.ws_url + f"/ws?since={start}", 1, publish=lambda: server.publish("all"))
        assert ws_events[0]["data"] == "all"
        assert stream_data(sse) == "all"
        assert json.loads(waiting.communicate(timeout=10)[0])["events"][0]["data"] == "all"
        assert curl_json(f"{server.url}/poll?since={start}")["events"][0]["data"] == "all"
    finally:
        sse.close()


def stream_data(stream):
    return stream.events(1)[0][1]["data"]


def test_builtin_publisher_schedules_by_absolute_time(start_server):
    server = start_server("--technique", "short-poll", "--rate", "50", "--payload", "100")
    assert wait_until(lambda: server.stats()["last_seq"] >= 10)
    events = curl_json(f"{server.url}/poll?since=0")["events"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    steps = {b["ts"] - a["ts"] for a, b in zip(events, events[1:])}
    assert steps <= {20_000_000, 20_000_000 - 1, 20_000_000 + 1}, "ts is the scheduled time, 1/rate apart"
    assert all(len(e["data"]) == 100 for e in events)


def test_only_the_chosen_technique_is_served(start_server):
    server = start_server("--technique", "sse")
    assert server.request("GET", "/poll?since=0")[0] == 404
    assert server.request("GET", "/long-poll?since=0&timeout_ms=1")[0] == 404
    assert server.request("GET", "/ws")[0] == 404
    assert server.request("GET", "/healthz")[0] == 200
    assert server.request("POST", "/publish", body=b"x")[0] == 200


def test_wrong_method_and_unknown_path(server, backend):
    status, headers, body = server.request("POST", "/poll")
    assert status == 405 and headers["Allow"] == "GET" and "error" in json.loads(body)
    assert server.request("GET", "/publish")[0] == 405
    status, _, body = server.request("GET", "/nowhere")
    assert status == 404 and "error" in json.loads(body)
    if backend == "beast":
        assert server.request("GET", "/ws")[0] == 426


def test_cli_help_and_bad_flags(backend):
    done = subprocess.run([SERVER_BIN, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--technique" in done.stdout and "--max-connections" in done.stdout
    for args, needle in ((["--technique", "all", "--bogus", "1"], "--bogus"),
                         (["--technique", "smoke"], "--technique"),
                         (["--technique", "all", "--rate", "fast"], "--rate"),
                         (["--technique", "all", "--payload", "1XB"], "--payload"),
                         (["--technique", "all", "--bind", "localhost:1"], "--bind"),
                         (["--technique", "websocket", "--backend", "httplib"], "not available with --backend httplib"),
                         (["--technique", "all", "--backend", "tomcat"], "--backend"),
                         *((["--technique", "all", "--allowed-origins", origin], "--allowed-origins")
                           for origin in ("example.com", "https://", "https://a.example/path", "https://a,,b")),
                         ([], "--technique")):
        done = subprocess.run([SERVER_BIN, *args], capture_output=True, text=True)
        assert done.returncode == 2, args
        assert done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr


def test_port_in_use_is_a_clear_error(server, backend):
    done = subprocess.run([SERVER_BIN, "--technique", "all", "--backend", backend, "--port", str(server.port)],
                          capture_output=True,
                          text=True, timeout=10)
    assert done.returncode == 1 and "cannot listen" in done.stderr


def test_demo_page_and_publisher_control(start_server, backend):
    needs_websocket(backend)
    server = start_server("--technique", "all", "--rate", "2")
    page = curl(f"{server.url}/").decode()
    assert '<script type="module" src="/demo/app.js"></script>' in page
    assert "from \"./clients/sse.js\"" in curl(f"{server.url}/demo/app.js").decode()
    assert "new EventSource(" in curl(f"{server.url}/demo/clients/sse.js").decode()
    for outside in ("/demo/..%2F..%2Fetc%2Fpasswd", "/demo/clients/../app.js", "/demo//app.js", "/demo/clients/",
                    "/demo/../servers/main.cpp", "/demo/clients/.hidden"):
        assert server.request("GET", outside)[0] == 404, outside
    assert server.request("GET", "/demo/nothing.js")[0] == 404
    assert curl_json(f"{server.url}/publisher") == {"rate": 2}
    assert curl_json(f"{server.url}/publisher?rate=50") == {"rate": 2}, "GET only reads"
    status, _, body = server.request("POST", "/publisher?rate=40")
    assert status == 200 and json.loads(body) == {"rate": 40}
    assert curl_json(f"{server.url}/publisher") == {"rate": 40}
    assert server.request("POST", "/publisher?rate=lots")[0] == 400
    assert json.loads(server.request("POST", "/publisher?rate=007")[2]) == {"rate": 7}
    start = server.stats()["last_seq"]
    assert wait_until(lambda: server.stats()["last_seq"] >= start + 20, timeout=5)


def test_demo_page_is_only_served_with_all_techniques(start_server):
    server = start_server("--technique", "sse")
    assert server.request("GET", "/")[0] == 404


def test_streams_with_a_cursor_from_the_future_skip_events_up_to_it(start_server, backend):
    server = start_server("--technique", "all")
    stream = CurlStream(f"{server.url}/sse", "Last-Event-ID: 3")  # as after a server restart
    try:
        assert stream.line().startswith("retry: ")
        assert wait_until(lambda: server.stats()["sse_streams"] == 1)
        for i in range(5):
            server.publish(f"e{i}")
        assert [seq for seq, _ in stream.events(2)] == [4, 5]
    finally:
        stream.close()
    if backend == "beast":
        events = ws_receive(server.ws_url + "/ws?since=6", 1, publish=lambda: [server.publish("x") for _ in range(2)])
        assert [e["seq"] for e in events] == [7]
