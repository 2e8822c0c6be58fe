"""Servers that are not ours, for testing pushbench-client against other implementations and
against misbehaviour: Python's standard library (and Debian's websockets for WebSocket)."""
import asyncio
import json
import random
import socket
import socketserver
import threading
import time

import websockets


def event(seq):
    return {"seq": seq, "ts": time.time_ns(), "data": f"foreign {seq}"}


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False


class ForeignServer:
    """Runs handle(sock, server) in a thread per connection on a free loopback port."""

    def __init__(self, handle):
        outer = self
        self.requests = []  # the request heads received, in order

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    handle(self.request, outer)
                except OSError:
                    pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def read_head(self, sock):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                return None
            head += chunk
        self.requests.append(head.decode(errors="replace"))
        return head.decode(errors="replace")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"


def sse_with_cr_comments_multiline(count, interval=0.02):
    """CR line ends, comments, each event's JSON split over two data lines."""
    def handle(sock, server):
        server.read_head(sock)
        sock.sendall(SSE_HEAD + b":welcome\r\rretry: 100\r\r")
        for seq in range(1, count + 1):
            text = json.dumps(event(seq))
            half = text.index('"ts"')
            sock.sendall(f": comment {seq}\rid: {seq}\rdata: {text[:half]}\rdata: {text[half:]}\r\r".encode())
            time.sleep(interval)
        time.sleep(60)
    return ForeignServer(handle)


def sse_closing_mid_stream(per_connection, connections_to_serve):
    """Sends `per_connection` events, closes; resumes after the Last-Event-ID it is sent."""
    def handle(sock, server):
        head = server.read_head(sock)
        if head is None:
            return
        last = 0
        for line in head.split("\r\n"):
            if line.lower().startswith("last-event-id:"):
                last = int(line.split(":", 1)[1])
        sock.sendall(SSE_HEAD + b"retry: 50\n\n")
        if last >= per_connection * connections_to_serve:
            time.sleep(60)
            return
        for seq in range(last + 1, last + per_connection + 1):
            sock.sendall(f"id: {seq}\ndata: {json.dumps(event(seq))}\n\n".encode())
        sock.shutdown(socket.SHUT_RDWR)
    return ForeignServer(handle)


def garbage():
    """Answers anything with random bytes, then closes."""
    rng = random.Random(3)

    def handle(sock, server):
        sock.recv(4096)
        sock.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000))))
    return ForeignServer(handle)


def silent():
    """Accepts and never answers."""
    def handle(sock, server):
        time.sleep(30)
    return ForeignServer(handle)


def slow_polls(delay):
    """A short-poll server that takes `delay` seconds to answer each poll."""
    def handle(sock, server):
        while server.read_head(sock) is not None:
            time.sleep(delay)
            body = json.dumps({"events": [], "next": 0}).encode()
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\n\r\n" + body)
    return ForeignServer(handle)


class ForeignWebSocketServer:
    """Debian's websockets serving `count` events per connection on any path."""

    def __init__(self, count, interval=0.01):
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve(ws, path=None):
            for seq in range(1, count + 1):
                await ws.send(json.dumps(event(seq)))
                await asyncio.sleep(interval)
            await ws.wait_closed()

        async def main():
            self.server = await websockets.serve(serve, "127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
            ready.set()
            await self.server.wait_closed()

        threading.Thread(target=self.loop.run_until_complete, args=(main(),), daemon=True).start()
        ready.wait(10)

    def close(self):
        self.loop.call_soon_threadsafe(self.server.close)
