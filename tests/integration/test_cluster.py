"""Nodes over one backplane behind HAProxy (servers/cluster/haproxy.sh): when a node dies, its
subscribers come back through the load balancer to the others and resume from their cursors,
losing and repeating nothing."""
import json
import shutil
import signal
import subprocess
import http.client
import time
import urllib.parse
import urllib.request
from collections import Counter, namedtuple
from pathlib import Path

import pytest

from server_process import BUILD, ROOT, free_port

HAPROXY = ROOT / "servers" / "cluster" / "haproxy.sh"
RATE, CONNECTIONS, DURATION_S = 50, 20, 4


@pytest.fixture
def balancer():
    """balancer(nodes) -> the URL of HAProxy in front of them; stopped (and its folder gone) after."""
    assert shutil.which("haproxy"), "haproxy is missing: scripts/setup.sh installs it"
    started = []

    def start(nodes):
        bind = f"127.0.0.1:{free_port()}"
        proc = subprocess.Popen([str(HAPROXY), "--bind", bind, *(f"{n.host}:{n.port}" for n in nodes)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(proc)
        line = proc.stdout.readline()
        assert line == f"listening on http://{bind}\n", proc.stderr.read()
        return f"http://{bind}"

    yield start
    for proc in started:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert not list(Path("/tmp").glob("pushbench-haproxy.*/haproxy.pid")), "haproxy.sh removes its folder"


# A node that answers every request with its name (and /healthz with ok), for seeing where
# HAProxy sends a request.
NAMED_NODE = """
import http.server, sys
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok" if self.path == "/healthz" else sys.argv[2].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Answer).serve_forever()
"""


@pytest.fixture
def named_nodes():
    """Three nodes that answer with their name ("node0".."node2"): [(address, process)]."""
    Node = namedtuple("Node", "host port")
    nodes = [Node("127.0.0.1", free_port()) for _ in range(3)]
    named = [subprocess.Popen(["/usr/bin/python3", "-c", NAMED_NODE, str(n.port), f"node{i}"])
             for i, n in enumerate(nodes)]
    yield list(zip(nodes, named))
    for proc in named:
        proc.kill()
        proc.wait()


def socket_io_node(url, source):
    """The node that answers a Socket.IO poll from the client address `source`, or None."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5, source_address=(source, 0))
    try:
        conn.request("GET", "/socket.io/?EIO=4&transport=polling")
        answer = conn.getresponse()
        return answer.read().decode() if answer.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()


def test_a_dead_nodes_socket_io_clients_move_and_no_one_elses(balancer, named_nodes):
    """balance source with consistent hashing: clients (by address) keep their node when another dies."""
    url = balancer([node for node, _ in named_nodes])
    clients = [f"127.0.0.{i}" for i in range(10, 40)]
    before = {c: socket_io_node(url, c) for c in clients}
    assert set(before.values()) == {"node0", "node1", "node2"}, before
    named_nodes[0][1].kill()
    deadline = time.monotonic() + 10
    after = {}
    while time.monotonic() < deadline:  # until HAProxy's checks mark it down and every poll is answered
        after = {c: socket_io_node(url, c) for c in clients}
        if None not in after.values() and "node0" not in after.values():
            break
        time.sleep(0.2)
    assert None not in after.values() and "node0" not in after.values(), after
    assert {c: n for c, n in after.items() if before[c] != "node0"} == \
        {c: n for c, n in before.items() if n != "node0"}, "only the dead node's clients moved"


def test_streams_and_polls_go_round_robin_and_socket_io_polling_to_one_node(balancer, named_nodes):
    url = balancer([node for node, _ in named_nodes])

    def served(path, times):
        names = []
        for _ in range(times):  # a connection each, as separate clients make
            with urllib.request.urlopen(url + path, timeout=5) as answer:
                names.append(answer.read().decode())
        return Counter(names)

    deadline = time.monotonic() + 10
    while len(served("/events", 3)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # until every node passes its health check
    assert served("/events?since=5", 12) == {"node0": 4, "node1": 4, "node2": 4}
    assert served("/poll?since=5", 12) == {"node0": 4, "node1": 4, "node2": 4}
    assert len(served("/socket.io/?EIO=4&transport=polling", 12)) == 1, "one client, one node"


@pytest.mark.parametrize("technique", ["sse", "websocket", "long-poll"])
def test_a_dead_nodes_subscribers_resume_on_the_others(nodes, balancer, technique, tmp_path):
    serving = nodes(2)
    nodes(1, "events", "--rate", str(RATE))  # the publisher, not behind the balancer
    url = balancer(serving)
    out = tmp_path / "client.json"
    client = subprocess.Popen([str(BUILD / "bin" / "pushbench-client"), "--technique", technique, "--url", url,
                               "--connections", str(CONNECTIONS), "--warmup", "500ms", "--duration",
                               f"{DURATION_S}s", "--reconnect-delay", "100ms", "--drain", "3s", "--out", str(out)],
                              stderr=subprocess.PIPE)
    time.sleep(1.5)  # 1 s into the window: every subscription is in place before it (the warmup)
    serving[0].proc.send_signal(signal.SIGKILL)  # no goodbye: its clients find out by a dead connection
    assert client.wait(timeout=60) == 0, client.stderr.read()
    result = json.loads(out.read_text())
    assert result["gaps"] == 0 and result["duplicates"] == 0, result
    # Round robin put half the streams on the dead node; a long poll fails only if held there then.
    assert result["reconnects"] >= (CONNECTIONS // 2 if technique != "long-poll" else 1), result
    # Every subscriber got every event of the window (with the drain, also those that came late):
    # one number for all, what the publisher made in the window.
    per_connection = result["events_per_connection"]
    assert per_connection["min"] == per_connection["max"], result
    assert result["events_received"] == CONNECTIONS * per_connection["min"]
    assert abs(per_connection["min"] - RATE * DURATION_S) <= 2, result
