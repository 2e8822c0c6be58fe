"""Raw HTTP, SSE and WebSocket on plain sockets: for conformance checks (and tests) that must
see, and sometimes send, exactly what is on the wire."""
import base64
import hashlib
import json
import os
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


def read_head(sock):
    """The response head (status line and headers) as (status, {lower name: value}, rest of bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the response head ended")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def request(url, method, path, body=b"", headers=None, timeout=10):
    """One HTTP/1.1 request on its own connection: (status, headers, body)."""
    host, port, prefix = address(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    with connect(url, timeout) as sock:
        sock.sendall(f"{method} {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
                     f"Content-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
        status, head, rest = read_head(sock)
        length = int(head.get("content-length", "-1"))
        while length < 0 or len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, head, rest[:length] if length >= 0 else rest


def get_json(url, path, timeout=10):
    status, _, body = request(url, "GET", path, timeout=timeout)
    return status, json.loads(body) if body else None


class StreamBody:
    """A response body read as it arrives, whether close-delimited or chunked (RFC 9112 7.1):
    read() gives the body's bytes with the chunk framing taken out."""

    def __init__(self, sock, head, rest):
        self.sock, self.raw = sock, rest
        self.chunked = "chunked" in head.get("transfer-encoding", "").lower()
        self.left, self.after_chunk, self.ended = None, False, False

    def _decode(self):
        if not self.chunked:
            out, self.raw = self.raw, b""
            return out
        out = b""
        while not self.ended:
            if self.after_chunk:  # the CRLF that ends a chunk's data
                if len(self.raw) < 2:
                    break
                self.raw, self.after_chunk = self.raw[2:], False
            if self.left is None:  # a chunk-size line
                line, found, rest = self.raw.partition(b"\r\n")
                if not found:
                    break
                self.left, self.raw = int(line.split(b";")[0], 16), rest
                self.ended = self.left == 0
                continue
            taken, self.raw = self.raw[:self.left], self.raw[self.left:]
            out += taken
            self.left -= len(taken)
            if self.left:
                break
            self.left, self.after_chunk = None, True
        return out

    def read(self, deadline):
        """The next bytes of the body; b"" when it ended, the connection closed or time is up."""
        while True:
            out = self._decode()
            if out or self.ended or time.monotonic() >= deadline:
                return out
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return b""
            if not chunk:
                return b""
            self.raw += chunk


def open_stream(url, path, headers=None, accept="text/event-stream"):
    """A GET whose response does not end (a stream): (socket, status, headers, StreamBody)."""
    host, port, prefix = address(url)
    sock = connect(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    sock.sendall(f"GET {prefix}{path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n{extra}\r\n".encode())
    status, head, rest = read_head(sock)
    return sock, status, head, StreamBody(sock, head, rest)


def ndjson_lines(body, until, timeout=10):
    """Reads the non-empty lines of a newline-delimited stream until `until(line)`."""
    deadline, pending, lines = time.monotonic() + timeout, b"", []
    while time.monotonic() < deadline:
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line:
                lines.append(line.decode())
                if until(lines[-1]):
                    return lines
        chunk = body.read(deadline)
        if not chunk:
            break
        pending += chunk
    return lines


def sse_events(body, pending, until, timeout=10):
    """Reads event blocks (dicts of field: value) from an LF-framed stream until `until(block)`."""
    deadline = time.monotonic() + timeout
    blocks = []
    while time.monotonic() < deadline:
        while b"\n\n" in pending:
            raw, pending = pending.split(b"\n\n", 1)
            block = {}
            for line in raw.decode().split("\n"):
                name, _, value = line.partition(":")
                block[name] = value[1:] if value.startswith(" ") else value
            blocks.append(block)
            if until(block):
                return blocks
        chunk = body.read(deadline)
        if not chunk:
            break
        pending += chunk
    return blocks


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
