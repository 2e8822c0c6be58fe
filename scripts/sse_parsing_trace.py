#!/usr/bin/python3
"""The WHATWG event-stream parsing rules on the wire, and what a browser makes of them.

A tiny loopback HTTP server (stdlib, port 0) sends a hand-made text/event-stream that covers a
leading BOM, LF, CRLF and CR line ends, comments, `event:` names, multi-line `data:`, `id:` (one
holding a NUL), `retry:` (one not all digits), an unknown field, a field without a colon, an event
without data, and a last event without its blank line; then it closes the stream. A client that
reconnects gets a second stream that stays open with nothing in it.

1. pushbench-client --technique sse reads it and writes the raw bytes to docs/traces/sse-parsing.txt
   (the port replaced with PORT). Its events are not the SPEC's JSON, so it counts them as protocol
   errors: the trace is what this step is for. Its count of them and the Last-Event-ID of its
   reconnect are checked against the reference parser below.
2. Headless Chromium (playwright-core from tests/browser/node_modules) opens an EventSource on the
   same stream and records every event it dispatches (type, data, lastEventId), the Last-Event-ID
   of its reconnect and how long after the end of the stream it came. Those are checked against a
   reference parser written from the spec (below), and the table between the markers in
   docs/protocol.md is rewritten from what Chromium dispatched.

  /usr/bin/python3 scripts/sse_parsing_trace.py [--build build] [--no-browser]

Without Node, Chromium or playwright-core (or with --no-browser), step 2 is skipped with a
warning and the page's table is left as it was. Exits 1 when a check fails (the table then says so).
"""
import argparse
import json
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACE = ROOT / "docs/traces/sse-parsing.txt"
PAGE = ROOT / "docs/protocol.md"
BEGIN, END = "<!-- sse-parsing-table:begin -->", "<!-- sse-parsing-table:end -->"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PLAYWRIGHT = ROOT / "tests/browser/node_modules/playwright-core"
RETRY_MS = 300

HEAD = (b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/event-stream\r\n"
        b"Cache-Control: no-store\r\n"
        b"Connection: close\r\n"
        b"\r\n")

# The first stream, one write per piece, a little apart so the trace shows them one by one.
# No Content-Length and no chunking: the body ends when the server closes the connection.
PIECES = [
    b"\xef\xbb\xbf: the BOM before this comment is dropped\nretry: 300\n\n",
    b"id: 1\ndata: first line\ndata: second line\n\n",
    b"event: greeting\r\ndata:no space after the colon\r\ndata:  two spaces, one kept\r\n\r\n",
    b"id: 2\rcolour: an unknown field, ignored\rdata: lines ended by CR alone\r\r",
    b"id: bad\x00id\nretry: 1s\ndata: the id with a NUL and retry: 1s were both ignored\n\n",
    b"data\n\n",
    b": a comment between events\nevent: nothing\nid: 3\n\n",
    b"data: the event before had no data: not dispatched, but its id counts\n\n",
    b"id: 4\ndata: no blank line follows: never dispatched\n",
]
# What a reconnecting client gets: a stream with one comment, held open.
SECOND = b": second connection\n\n"
EVENT_TYPES = ["message", "greeting", "nothing"]  # every name the stream uses, to listen for

PAGE_HTML = b"""<!doctype html><meta charset="utf-8"><title>sse parsing</title><script>
window.got = []; window.opens = 0;
const source = new EventSource("/sse");
for (const name of %s)
  source.addEventListener(name, (e) => window.got.push({type: e.type, data: e.data, lastEventId: e.lastEventId}));
source.onopen = () => { if (++window.opens === 2) { source.close(); window.done = true; } };
</script>"""


def reference_parse(stream: bytes):
    """The WHATWG HTML "interpreting an event stream" steps, written out from the spec: what an
    EventSource dispatches, the source's last event ID string at the end, and the retry it keeps."""
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]  # one leading BOM is dropped by UTF-8 decode
    lines = re.split(r"\r\n|\r|\n", text)
    lines.pop()  # after the last line end: an unfinished line (or nothing); the stream's end discards it
    events, data, event_type, id_buffer, last_event_id, retry = [], "", "", "", "", None
    for line in lines:
        if line == "":  # dispatch
            last_event_id = id_buffer
            if data == "":
                data, event_type = "", ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            events.append({"type": event_type or "message", "data": data, "lastEventId": last_event_id})
            data, event_type = "", ""
            continue
        if line.startswith(":"):
            continue  # a comment
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "event":
            event_type = value
        elif field == "data":
            data += value + "\n"
        elif field == "id":
            if "\0" not in value:
                id_buffer = value
        elif field == "retry":
            if value and all("0" <= c <= "9" for c in value):
                retry = int(value)
        # any other field is ignored
    return events, last_event_id, retry  # pending data and an unterminated event are discarded


class Stream(socketserver.BaseRequestHandler):
    """One connection: reads the request head, answers / (the test page), /sse, or 404."""

    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        request_line, *header_lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        path = request_line.split(" ")[1]
        state = self.server.state
        if path == "/":
            body = PAGE_HTML % json.dumps(EVENT_TYPES).encode()
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                 b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            return
        if not path.startswith("/sse"):
            self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        with state["lock"]:
            state["requests"].append({"at": time.monotonic(), "last_event_id": headers.get("last-event-id")})
            first = len(state["requests"]) == 1
        if first:
            self.request.sendall(HEAD)
            for piece in PIECES:
                time.sleep(0.05)
                self.request.sendall(piece)
            time.sleep(0.05)
            state["first_closed_at"] = time.monotonic()
            self.request.shutdown(socket.SHUT_WR)
            return
        self.request.sendall(HEAD + SECOND)
        self.request.settimeout(10)
        try:
            while self.request.recv(4096):  # held open until the client goes
                pass
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Stream)
        self.state = {"lock": threading.Lock(), "requests": [], "first_closed_at": None}
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]


def run_client(build: Path):
    """Traces pushbench-client on the stream; returns (the Last-Event-ID of its reconnect, its errors by kind)."""
    with Server() as server, tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([str(build / "bin/pushbench-client"), "--technique", "sse", "--url", server.url,
                        "--duration", "2s", "--trace", str(TRACE), "--out", out.name],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        server.shutdown()
        requests = server.state["requests"]
        errors = json.loads(Path(out.name).read_text() or "{}").get("errors_by_kind", {})
    text = re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:PORT", TRACE.read_text())
    TRACE.write_text(text)
    last_event_id = requests[1]["last_event_id"] if len(requests) > 1 else None
    print(f"sse-parsing: trace in {TRACE.relative_to(ROOT)} ({len(requests)} requests, "
          f"reconnect Last-Event-ID {last_event_id})")
    return last_event_id, errors


NODE = r"""
const [playwright, executablePath, url] = process.argv.slice(2);
const { chromium } = require(playwright);
(async () => {
  const browser = await chromium.launch({ executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const page = await browser.newPage();
    await page.goto(url + "/");
    await page.waitForFunction(() => window.done === true, null, { timeout: 15000 });
    const got = await page.evaluate(() => window.got);
    console.log(JSON.stringify({ version: browser.version(), events: got }));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
"""


def run_browser():
    node = shutil.which("node")
    if not node or not Path(CHROMIUM).exists() or not PLAYWRIGHT.exists():
        return None, "no node, Chromium or playwright-core"
    with Server() as server, tempfile.NamedTemporaryFile("w", suffix=".cjs") as script:
        script.write(NODE)
        script.flush()
        done = subprocess.run([node, script.name, str(PLAYWRIGHT), CHROMIUM, server.url],
                              capture_output=True, text=True, timeout=60)
        server.shutdown()
        if done.returncode != 0:
            return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "node failed"
        result = json.loads(done.stdout)
        requests = server.state["requests"]
        closed = server.state["first_closed_at"]
    result["requests"] = len(requests)
    result["reconnect_last_event_id"] = requests[1]["last_event_id"] if len(requests) > 1 else None
    result["reconnect_after_ms"] = (requests[1]["at"] - closed) * 1000 if len(requests) > 1 and closed else None
    return result, None


def show(s):
    return "`" + json.dumps(s)[1:-1].replace("`", "\\`") + "`" if s else "(empty)"


def table(result, agrees):
    rows = ["| # | type | data | lastEventId |", "| --- | --- | --- | --- |"]
    for i, e in enumerate(result["events"], 1):
        rows.append(f"| {i} | `{e['type']}` | {show(e['data'])} | {show(e['lastEventId'])} |")
    version = result["version"].split(".")[0]
    verdict = "the spec's steps give the same (checked)" if agrees else "**not** what the spec's steps give"
    after = result["reconnect_after_ms"]
    note = (f"Generated by `scripts/sse_parsing_trace.py` from headless Chromium {version}: "
            f"{len(result['events'])} events; {verdict}. It reconnected "
            f"{'?' if after is None else f'{round(after / 10) * 10:.0f}'} ms after the stream ended "
            f"(`retry: {RETRY_MS}`; `retry: 1s` ignored) with `Last-Event-ID: {result['reconnect_last_event_id']}`.")
    return "\n".join(rows + ["", textwrap.fill(note, width=100, break_on_hyphens=False)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    expected, expected_id, expected_retry = reference_parse(b"".join(PIECES))
    assert expected_retry == RETRY_MS
    problems = []
    client_id, client_errors = run_client(Path(args.build))
    if client_id != expected_id:
        problems.append(f"pushbench-client reconnected with Last-Event-ID {client_id!r}, "
                        f"the spec's steps give {expected_id!r}")
    if client_errors.get("protocol") != len(expected):
        problems.append(f"pushbench-client counted {client_errors.get('protocol')} events (as protocol errors: "
                        f"they are not the SPEC's JSON), the spec's steps give {len(expected)}")
    result, why = (None, "--no-browser") if args.no_browser else run_browser()
    if result is None:
        print(f"sse-parsing: WARNING: no browser check ({why}); the table in {PAGE.name} is unchanged",
              file=sys.stderr)
    else:
        browser_problems = []
        if result["events"] != expected:
            browser_problems.append(f"Chromium dispatched {result['events']}, the spec's steps give {expected}")
        if result["reconnect_last_event_id"] != expected_id:
            browser_problems.append(f"Chromium reconnected with Last-Event-ID {result['reconnect_last_event_id']!r}, "
                                    f"the spec's steps give {expected_id!r}")
        after = result["reconnect_after_ms"]
        if after is None or not RETRY_MS * 0.8 <= after <= RETRY_MS + 1000:
            browser_problems.append(f"Chromium reconnected {after} ms after the end, retry was {RETRY_MS} ms")
        problems += browser_problems
        page = PAGE.read_text() if PAGE.exists() else ""
        if BEGIN in page and END in page:
            before, rest = page.split(BEGIN, 1)
            PAGE.write_text(before + BEGIN + "\n" + table(result, not browser_problems) + "\n" + END
                            + rest.split(END, 1)[1])
            print(f"sse-parsing: table in {PAGE.relative_to(ROOT)} from Chromium {result['version']}")
        else:
            print(f"sse-parsing: no table markers in {PAGE.name}; table:\n" + table(result, not browser_problems))
    for problem in problems:
        print("sse-parsing: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
