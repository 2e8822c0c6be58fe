"""Fixtures: a real pushbench-server per test, which must exit 0 on SIGTERM at teardown."""
import pytest

from server_process import Server


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
