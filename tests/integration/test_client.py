"""pushbench-client against our server (1,000 connections per technique) and against servers
that are not ours: other framings, closes mid-stream, garbage, silence."""
import json
import subprocess
import time

import pytest

from server_process import BUILD, SANITIZED, TECHNIQUES, free_port
from foreign_servers import (ForeignWebSocketServer, garbage, silent, slow_polls, sse_closing_mid_stream,
                             sse_with_cr_comments_multiline)

CLIENT_BIN = BUILD / "bin" / "pushbench-client"


def run_client(*args, timeout=120):
    started = time.monotonic()
    done = subprocess.run([str(CLIENT_BIN), *args, "--out", "-"], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    result["_elapsed"] = time.monotonic() - started
    result["_summary"] = done.stderr
    return result


SPEC_FIELDS = ["technique", "connections_requested", "connections_established", "connect_errors", "errors",
               "events_received", "gaps", "duplicates", "bytes_in", "bytes_out", "http_requests", "duration_s"]
DISTRIBUTION = ["count", "min", "mean", "p50", "p90", "p99", "p999", "max"]


# ThreadSanitizer slows both programs tenfold; there the same checks run on fewer connections.
CONNECTIONS = 100 if SANITIZED else 1000


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_thousand_connections_get_every_event_without_gaps(start_server, technique):
    rate, seconds, interval = 20, 2, 0.1
    server = start_server("--technique", technique, "--rate", str(rate), "--max-connections", "5000")
    result = run_client("--technique", technique, "--url", server.url, "--connections", str(CONNECTIONS),
                        "--threads", "2", "--warmup", "4s" if SANITIZED else "1s", "--duration", f"{seconds}s",
                        "--poll-interval", f"{int(interval * 1000)}ms")
    for field in SPEC_FIELDS:
        assert field in result, field
    for field in DISTRIBUTION:
        assert field in result["latency_ns"] and field in result["connect_ns"], field
    assert result["connections_established"] == CONNECTIONS
    assert result["errors"] == 0 and result["connect_errors"] == 0
    assert result["gaps"] == 0 and result["duplicates"] == 0
    # Every connection got every event published in the window: rate * seconds, give or take
    # the events at its edges (and, for short polls, one poll interval's worth).
    slack = 2 + (rate * interval if technique == "short-poll" else 0)
    per_connection = result["events_per_connection"]
    assert rate * seconds - slack <= per_connection["min"] <= per_connection["max"] <= rate * seconds + slack, \
        result["_summary"] + json.dumps({k: v for k, v in result.items() if not k.endswith("histogram")})
    assert result["latency_ns"]["count"] == result["events_received"]
    assert 0 < result["latency_ns"]["min"] <= result["latency_ns"]["p50"] <= result["latency_ns"]["max"]
    assert result["connect_ns"]["count"] >= CONNECTIONS
    assert result["bytes_in"] > result["events_received"] * 64  # each event carries a 64-byte payload
    if technique in ("short-poll", "long-poll"):
        assert result["http_requests"] > 0 and result["bytes_out"] > 0


def test_short_poll_is_open_loop_and_spread(start_server):
    server = start_server("--technique", "short-poll")
    result = run_client("--technique", "short-poll", "--url", server.url, "--connections", "50",
                        "--duration", "2s", "--poll-interval", "200ms")
    # 50 connections x 10 polls in 2 s, each on its own schedule: no more, no fewer (give or take one each).
    assert 450 <= result["http_requests"] <= 550
    assert result["late_polls"] == 0


def test_late_short_polls_are_counted_not_skipped():
    server = slow_polls(0.3)
    try:
        result = run_client("--technique", "short-poll", "--url", server.url, "--duration", "2s",
                            "--poll-interval", "100ms")
    finally:
        server.close()
    assert result["late_polls"] >= 4
    assert 5 <= result["http_requests"] <= 8, "every answer is followed by a poll at once"


def test_closed_loop_polling_with_zero_interval(start_server):
    server = start_server("--technique", "short-poll")
    result = run_client("--technique", "short-poll", "--url", server.url, "--duration", "1s", "--poll-interval", "0")
    assert result["http_requests"] > 200 and result["late_polls"] == 0


def test_sse_with_cr_line_ends_comments_and_multiline_data():
    server = sse_with_cr_comments_multiline(40)
    try:
        result = run_client("--technique", "sse", "--url", server.url, "--duration", "2s")
    finally:
        server.close()
    assert result["events_received"] == 40
    assert result["gaps"] == 0 and result["duplicates"] == 0 and result["errors"] == 0


def test_sse_reconnects_with_last_event_id_when_the_server_closes():
    server = sse_closing_mid_stream(per_connection=5, connections_to_serve=3)
    try:
        result = run_client("--technique", "sse", "--url", server.url, "--duration", "2s")
    finally:
        server.close()
    assert result["events_received"] == 15 and result["gaps"] == 0 and result["duplicates"] == 0
    assert result["reconnects"] >= 3 and result["errors_by_kind"]["closed"] >= 3
    sent_ids = [line.split(":", 1)[1].strip() for head in server.requests for line in head.split("\r\n")
                if line.lower().startswith("last-event-id:")]
    assert sent_ids[:3] == ["5", "10", "15"]


def test_websocket_against_python_websockets_server():
    server = ForeignWebSocketServer(30)
    try:
        result = run_client("--technique", "websocket", "--url", server.url, "--connections", "5", "--duration", "2s")
    finally:
        server.close()
    assert result["events_received"] == 150 and result["gaps"] == 0 and result["errors"] == 0


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_garbage_is_counted_and_the_client_ends_on_time(technique):
    server = garbage()
    try:
        result = run_client("--technique", technique, "--url", server.url, "--duration", "1500ms",
                            "--reconnect-delay", "100ms")
    finally:
        server.close()
    assert result["events_received"] == 0 and result["errors"] > 0
    assert result["_elapsed"] < 10


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_a_server_that_never_answers_is_timed_out(technique):
    server = silent()
    try:
        result = run_client("--technique", technique, "--url", server.url, "--duration", "2s", "--timeout", "300ms",
                            "--reconnect-delay", "100ms")
    finally:
        server.close()
    assert result["errors_by_kind"]["timeout"] >= 2
    assert result["connections_established"] == 0
    assert result["_elapsed"] < 10


def test_refused_connections_are_counted():
    port = free_port()  # nothing listens there
    result = run_client("--technique", "sse", "--url", f"http://127.0.0.1:{port}", "--duration", "1s",
                        "--warmup", "300ms", "--reconnect-delay", "100ms")
    refused = result["errors_by_kind"]["connect_refused"]
    assert refused >= 5 and result["errors"] == refused
    # connect_errors covers the run (spec: connection counts), errors_by_kind the window: the warmup's
    # attempts, at most one per reconnect delay, are in the first only.
    assert 1 <= result["connect_errors"] - refused <= 300 // 100 + 1


def test_hgrm_and_trace_files(start_server, tmp_path):
    server = start_server("--technique", "all", "--rate", "50")
    hgrm, trace = tmp_path / "latency.hgrm", tmp_path / "trace.txt"
    run_client("--technique", "websocket", "--url", server.url, "--connections", "3", "--duration", "1s",
               "--hgrm", str(hgrm), "--trace", str(trace))
    text = hgrm.read_text()
    assert text.startswith("       Value     Percentile TotalCount 1/(1-Percentile)")
    assert "#[Mean" in text and "#[Max" in text and "1.000000000000" in text
    traced = trace.read_text()
    assert ">>>" in traced and "<<<" in traced
    assert "GET /ws HTTP/1.1" in traced and "101 Switching Protocols" in traced and '"seq"' in traced


def test_client_flags_are_checked():
    done = subprocess.run([str(CLIENT_BIN), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--connections" in done.stdout
    for args, needle in ((["--technique", "sse"], "--url"),
                         (["--technique", "carrier-pigeon", "--url", "http://x"], "--technique"),
                         (["--technique", "sse", "--url", "https://x"], "--url"),
                         (["--technique", "sse", "--url", "http://127.0.0.1:1", "--duration", "soon"], "--duration"),
                         (["--technique", "sse", "--url", "http://127.0.0.1:1", "--connections", "0"],
                          "--connections")):
        done = subprocess.run([str(CLIENT_BIN), *args], capture_output=True, text=True)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr


def test_http_status_errors_are_counted(start_server):
    server = start_server("--technique", "sse")  # no /poll here: 404
    result = run_client("--technique", "short-poll", "--url", server.url, "--duration", "1s",
                        "--reconnect-delay", "100ms")
    assert result["errors_by_kind"]["http_status"] >= 3 and result["connections_established"] == 0


def test_connect_rate_ramps_the_connections_before_the_window(start_server):
    server = start_server("--technique", "sse")
    ramped = run_client("--technique", "sse", "--url", server.url, "--connections", "10", "--connect-rate", "10",
                        "--duration", "500ms")
    assert ramped["connections_established"] == 10
    assert ramped["_elapsed"] >= 1.4, "10 connections at 10/s take a second before the 0.5 s window"
    assert server.stats()["connections_accepted"] >= 10
