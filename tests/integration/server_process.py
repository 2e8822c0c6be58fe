"""The real pushbench-server as a test peer: started on a free port, stopped with a signal.

PUSHBENCH_BUILD picks the build folder (build, build-tsan); PUSHBENCH_THREADS the server's
--threads, so the same tests run single-threaded and, under ThreadSanitizer, multi-threaded.
"""
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from harness.runner import ready_urls  # noqa: E402
from harness.wire import unverified_tls  # noqa: E402,F401  (re-exported for the tests)
BUILD = ROOT / os.environ.get("PUSHBENCH_BUILD", "build")
SERVER_BIN = BUILD / "bin" / "pushbench-server"
THREADS = os.environ.get("PUSHBENCH_THREADS", "1")
SANITIZED = "tsan" in os.environ.get("PUSHBENCH_BUILD", "")
# The technique table as the server declares it, so every test over "each technique" covers a new one.
TABLE = json.loads(subprocess.run([str(SERVER_BIN), "--list-techniques", "--json"], capture_output=True, text=True,
                                  check=True).stdout)["techniques"]
TECHNIQUES = [t["name"] for t in TABLE]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_on(technique, backend):
    return any(t["name"] == technique and backend in t["backends"] for t in TABLE)


class Server:
    def __init__(self, *args, command=None, env=None):
        """pushbench-server with `args`, or `command` (a peer that prints the same listening line)."""
        # PUSHBENCH_THREADS is for the event loop; the thread-per-connection pool keeps its default.
        threads = [] if "httplib" in args else ["--threads", THREADS]
        self.args = command or [str(SERVER_BIN), "--port", "0", *threads, *args]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith(("listening on http://", "listening on https://")):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.proc.stderr.read().decode()}")
        self.url, self.publish_url = ready_urls(line)
        self.tls = self.url.startswith("https://")
        self.host, port = self.url.split("://", 1)[1].rsplit(":", 1)
        self.port = int(port)
        self.ws_url = self.url.replace("http", "ws", 1)

    def connection(self, timeout=10):
        """An HTTP connection to the server; over TLS (certificate not checked) when it serves https."""
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=unverified_tls())
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        assert status == 200, body
        return json.loads(body)

    def publish(self, data):
        status, _, body = self.request("POST", "/publish", body=data.encode() if isinstance(data, str) else data)
        assert status == 200, body
        return json.loads(body)["seq"]

    def stats(self):
        return self.get_json("/stats")

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.stderr = self.proc.stderr.read().decode()
        return code


def wait_until(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
