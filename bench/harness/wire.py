"""Raw HTTP, SSE and WebSocket on plain sockets: for conformance checks (and tests) that must
see, and sometimes send, exactly what is on the wire."""
import base64
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import struct
import time
from urllib.parse import urlsplit

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def is_tls(url):
    return urlsplit(url).scheme in ("https", "wss")


def address(url):
    parts = urlsplit(url)
    return parts.hostname, parts.port or (443 if is_tls(url) else 80), parts.path.rstrip("/")


def unverified_tls():
    """TLS that accepts any certificate: the checks are of the protocol on top, and the harness's
    servers make theirs at start (--tls self-signed)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def connect(url, timeout=10):
    host, port, _ = address(url)
    sock = socket.create_connection((host, port), timeout=timeout)
    return unverified_tls().wrap_socket(sock, server_hostname=host) if is_tls(url) else sock


def _lower(headers):
    return {name.lower(): value for name, value in headers.items()}


def request(url, method, path, body=b"", headers=None, timeout=10):
    """One HTTP/1.1 request on its own connection, its answer read by http.client (Content-Length,
    chunked or close-delimited): (status, {lower name: value}, body)."""
    host, port, prefix = address(url)
    conn = (http.client.HTTPSConnection(host, port, timeout=timeout, context=unverified_tls()) if is_tls(url)
            else http.client.HTTPConnection(host, port, timeout=timeout))
    try:
        conn.request(method, prefix + path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, _lower(response.headers), response.read()
    finally:
        conn.close()


def get_json(url, path, timeout=10):
    status, _, body = request(url, "GET", path, timeout=timeout)
    return status, json.loads(body) if body else None


class Stream:
    """A GET whose response may not end (a stream), its head and body read by http.client as they
    arrive, whatever the framing (chunked, close-delimited, Content-Length)."""

    def __init__(self, url, path, headers=None, accept="text/event-stream"):
        host, port, prefix = address(url)
        self.sock = connect(url)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(f"GET {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n{extra}\r\n"
                          .encode())
        self.response = http.client.HTTPResponse(self.sock)
        try:
            self.response.begin()
        except BaseException:
            self.close()
            raise
        self.status, self.headers = self.response.status, _lower(self.response.headers)
        self.stalled = False

    def read(self, deadline):
        """The next bytes of the body; b"" when it ended, the connection closed or time is up."""
        if self.stalled or time.monotonic() >= deadline:
            return b""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            return self.response.read1(65536)
        except TimeoutError:  # http.client may hold part of a chunk's head: no read after this one
            self.stalled = True
            return b""
        except (http.client.IncompleteRead, ConnectionError):
            return b""

    def close(self):
        self.response.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def _lines(stream, pending, deadline):
    """The stream's lines as they arrive, ended by CRLF, LF or CR (as SSE allows), until it ends
    or `deadline`."""
    while True:
        *lines, rest = re.split(rb"\r\n|\r|\n", pending)
        yield from lines
        chunk = stream.read(deadline)
        if not chunk:
            return
        if pending.endswith(b"\r") and chunk.startswith(b"\n"):  # the CRLF's LF came in the next read
            chunk = chunk[1:]
        pending = rest + chunk


def ndjson_lines(stream, until, timeout=10):
    """Reads the non-empty lines of a newline-delimited stream until `until(line)`."""
    lines = []
    for line in _lines(stream, b"", time.monotonic() + timeout):
        if line:
            lines.append(line.decode())
            if until(lines[-1]):
                break
    return lines


def sse_events(stream, pending, until, timeout=10):
    """Reads SSE events (dicts of field: value; data lines joined by LF, comments left out) until
    `until(event)`, `pending` being bytes of the stream already read."""
    events, event = [], {}
    for line in _lines(stream, pending, time.monotonic() + timeout):
        if not line:
            if event:
                events.append(event)
                if until(event):
                    break
            event = {}
        elif not line.startswith(b":"):
            name, _, value = line.decode().partition(":")
            value = value[1:] if value.startswith(" ") else value
            event[name] = event[name] + "\n" + value if name == "data" and name in event else value
    return events


def ws_open(url, path):
    """A WebSocket opened by hand: (socket, response status, whether Sec-WebSocket-Accept is right)."""
    host, port, prefix = address(url)
    sock = connect(url)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:  # byte by byte: frames may follow the head at once
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        head += chunk
    status = int(head.split(b" ", 2)[1])
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest())
    accepted = b"Sec-WebSocket-Accept: " + accept in head or b"sec-websocket-accept: " + accept in head.lower()
    return sock, status, accepted


def ws_frame(opcode, payload, mask=True):
    """One client frame; mask=False breaks RFC 6455 5.1 on purpose."""
    head = bytes([0x80 | opcode])
    mask_bit = 0x80 if mask else 0
    length = len(payload)
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
    """(opcode, payload) of the next frame from the server (which never masks)."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("connection closed mid-frame")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", exactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", exactly(8))[0]
    if second & 0x80:
        raise ValueError("the server masked a frame")
    return first & 0x0F, exactly(length)


def ws_close_code(sock):
    """Reads frames until the close frame and returns its status code."""
    while True:
        opcode, payload = read_ws_frame(sock)
        if opcode == 0x8:
            return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
