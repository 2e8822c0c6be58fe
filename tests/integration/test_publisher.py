"""pushbench-publisher against a server that records what it is sent: the events' open-loop
schedule and body, its template, and what it counts when the server closes, refuses or is not
there."""
import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server_process import BUILD, free_port

PUBLISHER = BUILD / "bin" / "pushbench-publisher"


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as publish endpoints are
    status, close = 200, False

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.bodies.append((self.path, self.headers["Content-Type"], body.decode()))
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        if self.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    servers = []

    def start(status=200, close=False):
        handler = type("Handler", (Recorder,), {"status": status, "close": close})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.bodies = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def publish(*args):
    done = subprocess.run([str(PUBLISHER), *map(str, args), "--out", "-"], capture_output=True, text=True, timeout=30)
    return done.returncode, (json.loads(done.stdout) if done.returncode == 0 else None), done.stderr


def test_events_are_published_on_their_schedule(recorder):
    server, url = recorder()
    code, result, _ = publish("--url", url + "/pub/here", "--rate", 200, "--duration", "500ms", "--payload", 16)
    assert code == 0
    assert result["due"] == result["written"] == result["answered"] == 101 and result["lost"] == 0
    events = sorted((json.loads(body) for _, _, body in server.bodies), key=lambda e: e["seq"])
    assert [e["seq"] for e in events] == list(range(1, 102))
    # Each carries its due time: 5 ms apart exactly, whenever it was sent (open loop).
    assert all(e["ts"] - events[0]["ts"] == (e["seq"] - 1) * 5_000_000 for e in events)
    assert all(e["data"] == "x" * 16 for e in events)
    assert {(path, kind) for path, kind, _ in server.bodies} == {("/pub/here", "application/json")}
    assert result["lateness_ns"]["count"] == 101


def test_a_template_wraps_the_event(recorder, tmp_path):
    server, url = recorder()
    template = tmp_path / "body.json"
    template.write_text('{"id":"$seq","prev-id":"$prev_seq","content":$event_string}')
    code, result, _ = publish("--url", url + "/", "--rate", 100, "--duration", "30ms", "--template", template,
                              "--content-type", "text/plain")
    assert code == 0 and result["answered"] == 4
    for _, kind, body in server.bodies:
        item = json.loads(body)
        event = json.loads(item["content"])
        assert item["id"] == str(event["seq"]) and item["prev-id"] == str(event["seq"] - 1) and kind == "text/plain"


def test_a_server_that_closes_after_each_answer_loses_nothing_silently(recorder):
    _, url = recorder(close=True)
    code, result, _ = publish("--url", url + "/", "--rate", 500, "--duration", "200ms")
    assert code == 0
    # Requests pipelined behind a closing answer are never answered: counted lost, not dropped.
    assert result["answered"] + result["refused"] + result["lost"] == result["due"] == 101
    assert result["answered"] > 0


def test_refusals_are_counted(recorder):
    _, url = recorder(status=503)
    code, result, _ = publish("--url", url + "/", "--rate", 100, "--duration", "50ms")
    assert code == 0 and result["refused"] == result["due"] == 6 and result["answered"] == 0


def test_a_server_that_is_not_there(tmp_path):
    port = free_port()  # nothing listens there
    code, result, _ = publish("--url", f"http://127.0.0.1:{port}/", "--rate", 100, "--duration", "300ms")
    assert code == 0 and result["answered"] == 0 and result["lost"] == result["due"] == 31
    assert result["connection_failures"] > 0


@pytest.mark.parametrize("args,message", [
    (["--url", "http://127.0.0.1/"], "--url: 'http://127.0.0.1/' has no port"),
    (["--url", "https://127.0.0.1:1/"], "must start with http://"),
    (["--url", "http://127.0.0.1:1/", "--rate", "0"], "--rate"),
    (["--url", "http://127.0.0.1:1/", "--template", "/no/such/file"], "--template: cannot read '/no/such/file'"),
    (["--rate", "10"], "--url: required"),
])
def test_bad_flags_are_refused_naming_the_flag(args, message):
    done = subprocess.run([str(PUBLISHER), *args], capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and message in done.stderr, done.stderr
