"""Fixtures: a real pushbench-server per test, which must exit 0 on SIGTERM at teardown; and for
the cluster tests, a real redis-server and nodes over it."""
import shutil
import subprocess

import pytest

from server_process import Server, free_port, wait_until


@pytest.fixture(params=["beast"])
def backend(request):
    """The server architecture under test; a module parametrises it to run on both."""
    return request.param


@pytest.fixture
def start_server(backend):
    """start_server(*flags) -> Server of the backend under test; each must exit 0 on SIGTERM."""
    servers = []

    def start(*args):
        server = Server("--backend", backend, *args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        code = server.stop()
        assert code == 0, f"server exited {code}: {server.stderr}"


@pytest.fixture
def server(start_server):
    return start_server("--technique", "all")


@pytest.fixture
def redis():
    """A redis-server of our own on a free loopback port, nothing saved: redis://127.0.0.1:PORT."""
    assert shutil.which("redis-server"), "redis-server is missing: scripts/setup.sh installs it"
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = ["redis-cli", "-p", str(port), "ping"]
    assert wait_until(lambda: subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "PONG")
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def nodes(redis):
    """nodes(n, stream, *flags) -> n servers (every technique) over the stream; stopped after the
    test, each of those still running with exit 0."""
    started = []

    def start(count, stream="events", *args):
        for _ in range(count):
            started.append(Server("--technique", "all", "--backplane", f"{redis}/{stream}", *args))
        return started[-count:]

    yield start
    for node in started:
        if node.alive():
            assert node.stop() == 0, node.stderr
