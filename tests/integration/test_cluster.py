"""Nodes over one backplane behind HAProxy (servers/cluster/haproxy.sh): when a node dies, its
subscribers come back through the load balancer to the others and resume from their cursors,
losing and repeating nothing."""
import json
import shutil
import signal
import subprocess
import time
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


@pytest.mark.parametrize("technique", ["sse", "websocket", "long-poll"])
def test_a_dead_nodes_subscribers_resume_on_the_others(nodes, balancer, technique, tmp_path):
    serving = nodes(2)
    nodes(1, "events", "--rate", str(RATE))  # the publisher, not behind the balancer
    url = balancer(serving)
    out = tmp_path / "client.json"
    client = subprocess.Popen([str(BUILD / "bin" / "pushbench-client"), "--technique", technique, "--url", url,
                               "--connections", str(CONNECTIONS), "--duration", f"{DURATION_S}s",
                               "--reconnect-delay", "100ms", "--out", str(out)], stderr=subprocess.PIPE)
    time.sleep(1.5)
    serving[0].proc.send_signal(signal.SIGKILL)  # no goodbye: its clients find out by a dead connection
    assert client.wait(timeout=60) == 0, client.stderr.read()
    result = json.loads(out.read_text())
    assert result["gaps"] == 0 and result["duplicates"] == 0, result
    assert result["reconnects"] >= 1, "some subscribers were on the dead node"
    # Every subscriber got every event of the window: what the publisher made, to each connection.
    expected = RATE * DURATION_S * CONNECTIONS
    assert abs(result["events_received"] - expected) <= 2 * CONNECTIONS, result
