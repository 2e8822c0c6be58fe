"""Fixtures: a real pushbench-server per test, which must exit 0 on SIGTERM at teardown."""
import pytest

from server_process import Server


@pytest.fixture
def start_server():
    """start_server(*flags) -> Server; each one must exit 0 on SIGTERM at teardown."""
    servers = []

    def start(*args):
        server = Server(*args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        code = server.stop()
        assert code == 0, f"server exited {code}: {server.stderr}"


@pytest.fixture
def server(start_server):
    return start_server("--technique", "all")
