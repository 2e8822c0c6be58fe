"""--backplane: several pushbench-servers over one Redis Stream (a real redis-server) number every
event alike, so a cursor taken on one node resumes on another with nothing lost or repeated."""
import json
import subprocess
import time

import pytest

from peers import CurlStream, curl_json, ws_receive
from server_process import SERVER_BIN, free_port, wait_until


def seen_everywhere(nodes, seq):
    return wait_until(lambda: all(node.stats()["last_seq"] >= seq for node in nodes))


def test_every_node_numbers_every_event_alike(nodes):
    a, b, c = nodes(3)
    seqs = [node.publish(f"from {i}") for i, node in enumerate([a, b, c, a, b, c])]
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert seen_everywhere([a, b, c], 6)
    answers = [curl_json(f"{node.url}/poll?since=0")["events"] for node in (a, b, c)]
    assert answers[0] == answers[1] == answers[2]
    assert [e["data"] for e in answers[0]] == [f"from {i}" for i in range(6)]


def test_a_node_started_later_holds_what_the_stream_holds(nodes):
    (first,) = nodes(1)
    for i in range(5):
        first.publish(f"early {i}")
    (late,) = nodes(1)
    assert [e["seq"] for e in curl_json(f"{late.url}/poll?since=0")["events"]] == [1, 2, 3, 4, 5]
    assert late.publish("late") == 6


def test_the_stream_is_kept_to_about_the_history(nodes, redis):
    (node,) = nodes(1, "short", "--history", "100")
    for i in range(300):
        node.publish(f"e{i}")
    port = redis.rsplit(":", 1)[1]
    length = int(subprocess.run(["redis-cli", "-p", port, "xlen", "short"], capture_output=True, text=True).stdout)
    assert 100 <= length < 300  # MAXLEN ~: Redis trims whole nodes of the stream, so about 100


def resume_sse(a, b):
    stream = CurlStream(f"{a.url}/sse?since=0")
    try:
        first = stream.events(3)
    finally:
        stream.close()
    stream = CurlStream(f"{b.url}/sse", f"Last-Event-ID: {first[-1][0]}")
    try:
        return [seq for seq, _ in first] + [seq for seq, _ in stream.events(3)]
    finally:
        stream.close()


def resume_websocket(a, b):
    first = [e["seq"] for e in ws_receive(a.ws_url + "/ws?since=0", 3)]
    return first + [e["seq"] for e in ws_receive(b.ws_url + f"/ws?since={first[-1]}", 3)]


def resume_long_poll(a, b):
    first = curl_json(f"{a.url}/long-poll?since=0&timeout_ms=5000")
    events = [e["seq"] for e in first["events"]][:3]
    rest = curl_json(f"{b.url}/long-poll?since={events[-1]}&timeout_ms=5000")
    return events + [e["seq"] for e in rest["events"]]


@pytest.mark.parametrize("resume", [resume_sse, resume_websocket, resume_long_poll],
                         ids=["sse-last-event-id", "websocket-since", "long-poll-since"])
def test_a_cursor_from_one_node_resumes_on_another(nodes, resume):
    a, b = nodes(2)
    for i in range(6):
        (a if i % 2 else b).publish(f"e{i}")
    assert seen_everywhere([a, b], 6)
    assert resume(a, b) == [1, 2, 3, 4, 5, 6]


def test_live_events_from_any_node_reach_every_subscriber_once(nodes):
    a, b = nodes(2)
    streams = [CurlStream(f"{node.url}/sse") for node in (a, b)]
    try:
        time.sleep(0.3)  # both subscribed before the first publish
        for i in range(10):
            (a, b)[i % 2].publish(json.dumps({"i": i}))
        for stream in streams:
            assert [seq for seq, _ in stream.events(10)] == list(range(1, 11))
    finally:
        for stream in streams:
            stream.close()


def test_without_redis_the_server_says_so(redis):
    unreachable = f"redis://127.0.0.1:{free_port()}/events"
    done = subprocess.run([str(SERVER_BIN), "--technique", "all", "--port", "0", "--backplane", unreachable],
                          capture_output=True, text=True, timeout=20)
    assert done.returncode == 1 and "--backplane: cannot reach Redis" in done.stderr, done.stderr
    for bad in ("redis://127.0.0.1/events", "http://127.0.0.1:6379/e", "redis://127.0.0.1:6379/", "redis://:1/e"):
        done = subprocess.run([str(SERVER_BIN), "--technique", "all", "--backplane", bad],
                              capture_output=True, text=True, timeout=10)
        assert done.returncode == 2 and "--backplane" in done.stderr, (bad, done.stderr)


def test_a_cursor_older_than_a_nodes_log_is_served_from_the_stream(nodes):
    """The log's byte bound keeps a few events; the stream keeps --history of them: a subscriber
    from the start gets every one, from the stream and then the log, for every technique."""
    (node,) = nodes(1, "deep", "--history", "1000", "--history-bytes", "1KiB")
    for i in range(40):
        node.publish(f"event {i} " + "x" * 100)
    assert node.stats()["history_events"] < 10, "the log holds only the last few"
    polled, since = [], 0
    while since < 40:
        answer = curl_json(f"{node.url}/poll?since={since}")
        polled += [e["seq"] for e in answer["events"]]
        since = answer["next"]
    assert polled == list(range(1, 41))
    long_polled = curl_json(f"{node.url}/long-poll?since=0&timeout_ms=2000")["events"]
    assert [e["seq"] for e in long_polled] == list(range(1, len(long_polled) + 1)) and long_polled
    stream = CurlStream(f"{node.url}/sse?since=0")
    try:
        assert [seq for seq, _ in stream.events(40)] == list(range(1, 41))
    finally:
        stream.close()
    assert [e["seq"] for e in ws_receive(node.ws_url + "/ws?since=0", 40)] == list(range(1, 41))


def test_a_redis_restarted_without_its_data_numbers_on_above_the_nodes(nodes, redis):
    """Redis loses its counter and stream: the next events are numbered above what the nodes hold,
    not from 1 (which the nodes would skip as seen); a publish whose connection died is refused
    (503), never sent twice."""
    a, b = nodes(2)
    for i in range(5):
        a.publish(f"before {i}")
    assert seen_everywhere([a, b], 5)
    port = redis.rsplit(":", 1)[1]
    subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], capture_output=True, timeout=10)
    again = subprocess.Popen(["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly",
                              "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        probe = ["redis-cli", "-p", port, "ping"]
        assert wait_until(lambda: subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "PONG")
        statuses = []
        while len([s for s in statuses if s == 200]) < 3 and len(statuses) < 10:
            statuses.append(b.request("POST", "/publish", body=f"after {len(statuses)}".encode())[0])
        assert set(statuses) <= {200, 503} and statuses.count(200) == 3, statuses
        assert b.stats()["publish_failed"] == statuses.count(503), "each refused event is counted"
        assert seen_everywhere([a, b], 8)
        for node in (a, b):
            events = curl_json(f"{node.url}/poll?since=0")["events"]
            assert [e["seq"] for e in events] == list(range(1, 9))
            assert [e["data"] for e in events[5:]] == [f"after {i}" for i, s in enumerate(statuses) if s == 200]
    finally:
        again.terminate()
        again.wait(timeout=10)
