"""pushbench verify: our server passes for every technique on both backends; a deliberately
broken server fails, and the failure names the check."""
import json
import subprocess
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from server_process import BUILD, TECHNIQUES, served_on

PUSHBENCH = BUILD / "bin" / "pushbench"


def verify(technique, url):
    done = subprocess.run([str(PUSHBENCH), "verify", "--technique", technique, "--url", url],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout


@pytest.mark.parametrize("backend", ["beast", "httplib"], indirect=True)
@pytest.mark.parametrize("technique", TECHNIQUES)
def test_pushbench_server_conforms(start_server, backend, technique):
    if not served_on(technique, backend):
        pytest.skip(f"the {backend} backend does not serve {technique}")
    server = start_server("--technique", technique, "--rate", "20")
    code, out = verify(technique, server.url)
    assert code == 0, out
    assert "FAIL" not in out and " 0 failed" in out


class BrokenPolls(BaseHTTPRequestHandler):
    """Speaks the endpoints, but its events have no "ts" and its 404s are 200s."""
    seq = 0

    def reply(self, status, body, kind="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, "ok", "text/plain")
        if self.path == "/stats":
            counters = {"connections": 1, "published": self.seq, "delivered": 0, "bytes_out": 0}
            return self.reply(200, json.dumps(counters))
        if self.path.startswith("/poll?since=abc"):
            return self.reply(400, json.dumps({"error": "since"}))
        if self.path.startswith("/poll"):
            query = parse_qs(urlsplit(self.path).query)
            since = int(query["since"][0]) if "since" in query else BrokenPolls.seq
            events = [{"seq": s, "data": "verify poll"} for s in range(since + 1, BrokenPolls.seq + 1)]
            return self.reply(200, json.dumps({"events": events, "next": BrokenPolls.seq}))
        self.reply(200, "{}")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        BrokenPolls.seq += 1
        self.reply(200, json.dumps({"seq": BrokenPolls.seq}))

    def log_message(self, *args):
        pass


def test_a_broken_server_fails_naming_the_check():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenPolls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code, out = verify("short-poll", f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert code == 1
    assert "FAIL an unknown path is 404" in out and "answered 200, expected 404" in out
    assert "FAIL /poll?since=N returns the events after N" in out and "seq, ts (ns), data" in out
    assert "PASS GET /healthz is 200 ok" in out


# How a server may send HTTP (RFC 9112 6.3) and end SSE lines (WHATWG 9.2.5): verify reads each.
NODE_FRAMINGS = [("sse", framing, eol) for framing in ("chunked", "close") for eol in ("crlf", "lf", "cr")] + [
    (technique, framing, "lf") for technique in ("short-poll", "long-poll")
    for framing in ("chunked", "close", "length")]


@pytest.mark.parametrize("technique,framing,line_end", NODE_FRAMINGS)
def test_a_node_server_passes_however_it_frames(technique, framing, line_end):
    """Node.js's http module streams chunked by default; the same server close-delimited, with
    Content-Length answers, and with every SSE line end."""
    node = subprocess.Popen(["node", str(Path(__file__).with_name("node_spec_server.js")), "--framing", framing,
                             "--line-end", line_end], stdout=subprocess.PIPE, text=True)
    try:
        url = node.stdout.readline().split()[-1]
        code, out = verify(technique, url)
    finally:
        node.kill()
        node.wait()
    assert code == 0, out
    assert "FAIL" not in out
