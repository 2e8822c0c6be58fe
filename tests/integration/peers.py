"""Independent protocol peers for the integration tests: curl and Python's websockets."""
import asyncio
import json
import os
import select
import socket
import subprocess
import sys
import time

import websockets

from server_process import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from harness.wire import read_ws_frame, ws_close_code, ws_frame, ws_open  # noqa: E402,F401  (re-exported for the tests)


def curl(*args, timeout=20):
    done = subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return done.stdout


def curl_json(url):
    return json.loads(curl(url))


class CurlStream:
    """`curl -N` reading an event stream line by line."""

    def __init__(self, url, *headers):
        args = ["curl", "-sSN", url]
        for header in headers:
            args += ["-H", header]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        self.pending = b""

    def line(self, timeout=10):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
            assert ready, "no line from the stream in time"
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            assert chunk, "the stream ended"
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def events(self, count, timeout=10):
        """The next `count` events as (id, parsed data), skipping retry lines, comments and blanks."""
        out = []
        current_id = None
        while len(out) < count:
            line = self.line(timeout)
            if line.startswith("id: "):
                current_id = int(line[4:])
            elif line.startswith("data: "):
                out.append((current_id, json.loads(line[6:])))
        return out

    def close(self):
        self.proc.kill()
        self.proc.wait()


def ws_receive(url, count, publish=None, timeout=10):
    """Opens a WebSocket, calls publish() once it is open, returns the next `count` events."""

    async def run():
        async with websockets.connect(url, max_size=None) as ws:
            if publish:
                await asyncio.get_running_loop().run_in_executor(None, publish)
            events = []
            async with asyncio.timeout(timeout):
                while len(events) < count:
                    events.append(json.loads(await ws.recv()))
            return events

    return asyncio.run(run())


def assert_all_delivered(server, count=3):
    """A fresh SSE subscriber (curl) and a fresh poll both see `count` new events, in order."""
    start = server.stats()["last_seq"]
    stream = CurlStream(f"{server.url}/sse?since={start}")
    try:
        for i in range(count):
            server.publish(f"check {i}")
        assert [seq for seq, _ in stream.events(count)] == list(range(start + 1, start + count + 1))
    finally:
        stream.close()
    polled = curl_json(f"{server.url}/poll?since={start}")
    assert [e["seq"] for e in polled["events"]] == list(range(start + 1, start + count + 1))


def raw_connect(server, timeout=10):
    sock = socket.create_connection((server.host, server.port), timeout=timeout)
    return sock


def read_until_closed(sock, limit=1 << 20):
    """Everything the server sends until it closes the connection."""
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def raw_websocket(server, path="/ws"):
    """A WebSocket opened by hand, so the test can send frames no library would."""
    sock, status, accepted = ws_open(server.url, path)
    assert status == 101 and accepted, "handshake refused or Sec-WebSocket-Accept wrong"
    return sock
