"""Independent protocol peers for the integration tests: curl and Python's websockets."""
import asyncio
import base64
import hashlib
import json
import os
import select
import socket
import struct
import subprocess
import time

import websockets


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
    sock = raw_connect(server)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "closed during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    assert b"Sec-WebSocket-Accept: " + accept in head
    return sock


def ws_frame(opcode, payload, mask=True):
    """One client frame; mask=False breaks RFC 6455 5.1 on purpose."""
    head = bytes([0x80 | opcode])
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([mask_bit | length])
    elif length < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_ws_frame(sock):
    """(opcode, payload) of the next server frame."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "connection closed mid-frame"
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    assert not second & 0x80, "server frames are never masked"
    return first & 0x0F, exactly(length)


def ws_close_code(sock):
    """Reads frames until the close frame and returns its status code."""
    while True:
        opcode, payload = read_ws_frame(sock)
        if opcode == 0x8:
            return struct.unpack("!H", payload[:2])[0]
