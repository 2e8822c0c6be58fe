"""What a subscriber beyond the thread-per-connection backend's pool experiences: cpp-httplib
queues its connection, unanswered, until a pool thread frees; it is not refused."""
import pytest

from peers import CurlStream

pytestmark = pytest.mark.parametrize("backend", ["httplib"], indirect=True)


def test_a_subscriber_beyond_the_pool_waits_until_a_thread_frees(start_server):
    server = start_server("--technique", "sse", "--threads", "2", "--heartbeat", "200ms")
    first, second = CurlStream(f"{server.url}/sse"), CurlStream(f"{server.url}/sse")
    third = None
    try:
        assert first.line().startswith("retry:") and second.line().startswith("retry:")
        third = CurlStream(f"{server.url}/sse")
        with pytest.raises(AssertionError, match="no line"):
            third.line(timeout=1.5)  # both threads are held by open streams: no answer at all
        first.close()  # its thread sees the closed socket at the next heartbeat and frees
        assert third.line(timeout=10).startswith("retry:")
        assert third.proc.poll() is None, "queued, then served: never refused"
    finally:
        for stream in (first, second, third):
            if stream:
                stream.close()
