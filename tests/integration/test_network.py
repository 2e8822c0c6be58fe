"""pushbench-relay and the harness's network profiles and faults: the relay's delay, bandwidth and
shutdown measured with real sockets and the real server and client; each fault run end to end."""
import asyncio
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from server_process import BUILD, ROOT, SANITIZED

sys.path.insert(0, str(ROOT / "bench"))
from harness import network  # noqa: E402

RELAY_BIN = BUILD / "bin" / "pushbench-relay"
CLIENT_BIN = BUILD / "bin" / "pushbench-client"
PUSHBENCH = BUILD / "bin" / "pushbench"


class Relay:
    def __init__(self, target_port, *flags):
        self.proc = subprocess.Popen([str(RELAY_BIN), "--target", f"127.0.0.1:{target_port}", *flags],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + self.proc.stderr.read()
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self):
        """SIGTERM: the relay closes everything and prints its record."""
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=10)
        assert self.proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])


def client(technique, url, connections, duration="3s"):
    done = subprocess.run([str(CLIENT_BIN), "--technique", technique, "--url", url, "--connections",
                           str(connections), "--warmup", "1s", "--duration", duration, "--out", "-"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def echo_round_trips(port, connections, pings, spread_s):
    """Round trips of small messages on `connections` connections to an echo peer, each sending
    `pings` at random moments over `spread_s`: load spread in time, as a network sees it."""
    async def one():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        times = []
        for _ in range(pings):
            await asyncio.sleep(random.uniform(0, 2 * spread_s / pings))
            started = time.monotonic()
            writer.write(b"ping\n")
            await reader.readline()
            times.append(time.monotonic() - started)
        writer.close()
        return times

    results = await asyncio.gather(*(one() for _ in range(connections)))
    return sorted(t for times in results for t in times)


def echo_server():
    async def echo(reader, writer):
        while line := await reader.readline():
            writer.write(line)
        writer.close()

    ready, holder = threading.Event(), {}

    def serve():
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(echo, "127.0.0.1", 0, backlog=2048))
        holder.update(port=server.sockets[0].getsockname()[1], loop=loop)
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(5)
    return holder["port"], holder["loop"]


@pytest.mark.skipif(SANITIZED, reason="a timing check; ThreadSanitizer slows the relay tenfold")
def test_relay_adds_the_rtt_within_2ms_at_1000_connections():
    port, loop = echo_server()
    direct = asyncio.run(echo_round_trips(port, 1000, 3, 3.0))
    relay = Relay(port, "--rtt", "40ms")
    relayed = asyncio.run(echo_round_trips(relay.port, 1000, 3, 3.0))
    record = relay.stop()
    loop.call_soon_threadsafe(loop.stop)
    median = (lambda times: times[len(times) // 2])
    added_ms = (median(relayed) - median(direct)) * 1e3
    assert relayed[0] >= 0.040, "never early"
    assert 38 <= added_ms <= 42, f"the median round trip grew by {added_ms:.2f} ms, not 40 ± 2"
    # The relay's own lateness: its 99th percentile within a tenth of the 40 ms it adds (a CI run on
    # a busy scheduler saw 2.7 ms; the median above holds the 2 ms).
    assert record["accepted"] == 1000 and record["lateness_p99_ns"] < 4e6, record


@pytest.mark.skipif(SANITIZED, reason="a timing check; ThreadSanitizer slows the relay tenfold")
def test_relay_jitters_each_chunk_and_keeps_the_order():
    port, loop = echo_server()
    relay = Relay(port, "--rtt", "40ms", "--jitter", "10ms")
    times = asyncio.run(echo_round_trips(relay.port, 50, 10, 2.0))
    relay.stop()
    loop.call_soon_threadsafe(loop.stop)
    # Each way 20 ms ± 10 ms: round trips from 20 to 60 ms (echo lines come back whole and in order).
    # Never quicker than the least delay; the slowest 2 % may meet a busy scheduler (one took 93 ms).
    assert times[0] >= 0.020 and times[int(len(times) * 0.98)] < 0.080
    assert times[int(len(times) * 0.9)] - times[int(len(times) * 0.1)] > 0.010, "no jitter applied"


@pytest.mark.skipif(SANITIZED, reason="a timing check; ThreadSanitizer slows the relay tenfold")
def test_relay_stalls_pause_both_directions():
    port, loop = echo_server()
    relay = Relay(port, "--stall-length", "300ms", "--stall-every", "500ms")
    times = asyncio.run(echo_round_trips(relay.port, 20, 10, 3.0))
    record = relay.stop()
    loop.call_soon_threadsafe(loop.stop)
    assert record["stalls"] >= 20, record
    assert times[-1] >= 0.2, "a round trip caught in a stall waits for its end"
    assert times[0] < 0.01, "outside a stall nothing is held"


def bulk_server(payload):
    """A listening socket that sends `payload` to its first client, and records what it is sent."""
    listener = socket.create_server(("127.0.0.1", 0))
    received = bytearray()

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(payload)
            conn.shutdown(socket.SHUT_WR)
            while chunk := conn.recv(65536):
                received.extend(chunk)
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener.getsockname()[1], received, thread


def test_relay_paces_each_direction_to_its_bandwidth_within_5_percent():
    down, up = 400_000, 200_000  # bytes/s
    port, received, thread = bulk_server(b"d" * (down * 2))
    relay = Relay(port, "--down-bytes-per-s", str(down), "--up-bytes-per-s", str(up))
    with socket.create_connection(("127.0.0.1", relay.port)) as conn:
        sending = threading.Thread(target=lambda: (conn.sendall(b"u" * (up * 2)), conn.shutdown(socket.SHUT_WR)))
        started = time.monotonic()
        sending.start()
        got, first, last = 0, None, None
        while chunk := conn.recv(65536):
            now = time.monotonic()
            first = first or now
            got, last = got + len(chunk), now
        sending.join()
    thread.join(timeout=10)
    up_done = time.monotonic()
    record = relay.stop()
    assert got == down * 2 and len(received) == up * 2
    # The first chunk leaves when the link has sent it; from there on, the rate is the bandwidth.
    assert (got - 0) / (last - started) == pytest.approx(down, rel=0.05)
    assert len(received) / (up_done - started) == pytest.approx(up, rel=0.05)
    assert record["bytes_down"] == down * 2 and record["bytes_up"] == up * 2


def test_relay_stops_cleanly_with_connections_open(start_server):
    server = start_server("--technique", "all", "--rate", "50")
    relay = Relay(server.port, "--rtt", "10ms")
    held = [socket.create_connection(("127.0.0.1", relay.port)) for _ in range(50)]
    for conn in held:
        conn.sendall(b"GET /sse HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.5)
    started = time.monotonic()
    record = relay.stop()
    assert time.monotonic() - started < 5 and record["accepted"] == 50 and record["bytes_down"] > 0
    for conn in held:  # every client sees its connection end
        conn.settimeout(5)
        while conn.recv(65536):
            pass
        conn.close()
    assert server.get_json("/stats")["connections"] <= 1, "the relay's server side closed too"


@pytest.mark.parametrize("flags,message", [
    ([], "--target: required"),
    (["--target", "nowhere"], "--target: 'nowhere' is not HOST:PORT"),
    (["--target", "127.0.0.1:1", "--rtt", "10ms", "--jitter", "6ms"], "--jitter: larger than half of --rtt"),
    (["--target", "127.0.0.1:1", "--rtt", "-5ms"], "--rtt"),
    (["--target", "127.0.0.1:1", "--stall-every", "1s"], "give both or neither"),
    (["--target", "127.0.0.1:1", "--stuck-readers", "1.5"], "--stuck-readers"),
])
def test_relay_refuses_bad_flags_naming_them(flags, message):
    done = subprocess.run([str(RELAY_BIN), *flags], capture_output=True, text=True, timeout=10)
    assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_built_in_profiles_name_their_source():
    for name, profile in network.BUILT_IN.items():
        assert profile["source"], name
        assert profile["jitter"] <= profile["rtt"] / 2


# The harness's fault runs measure behaviour, not thread safety: the plain build runs them (as the
# sanitizer pass leaves out test_harness.py).
harness_only = pytest.mark.skipif(SANITIZED, reason="harness runs are for the plain build")


def run_scenario(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    out = tmp_path / "results"
    done = subprocess.run([str(PUSHBENCH), "run", str(path), "--out", str(out), "--no-report"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    points = json.loads((run_dir / "results.json").read_text())["points"]
    assert all(p["status"] == "ok" for p in points), [p["failures"] for p in points]
    return {p["technique"]: p for p in points}


def median(point, metric):
    return point["summary"][metric]["median"]


FAULTS = """
[run]
warmup = "1s"
duration = "4s"
reconnect_delay = "100ms"
[matrix]
technique = ["sse", "websocket", "long-poll", "short-poll"]
connections = [40]
rate = [20]
poll_interval = ["250ms"]
"""


@harness_only
def test_resets_lose_and_repeat_nothing_and_every_reset_is_counted(tmp_path):
    points = run_scenario(tmp_path, FAULTS + '[faults]\nreset_every = "150ms"\n')
    for technique, point in points.items():
        resets = point["runs"][0]["server"]["relay"]["resets"]
        assert resets >= 5, (technique, resets)
        assert point["gaps"] == 0 and point["duplicates"] == 0, technique
        # Each reset is one lost connection, noticed in the window (the relay stops resetting one
        # poll interval before its end, so that an idle poll connection notices at its next poll).
        assert point["errors"] == resets, (technique, resets, point["errors"])
        # Two resets before the next event, or one at the window's end, make one resume or none.
        assert point["resume_ns"]["count"] > resets // 2 and median(point, "resume_p50_ms") >= 100
        assert point["network_profile"]["applied_by"] == "pushbench-relay"


@harness_only
def test_a_server_restart_loses_the_history_and_the_run_shows_it(tmp_path):
    text = FAULTS.replace('["sse", "websocket", "long-poll", "short-poll"]', '["sse"]')
    point = run_scenario(tmp_path, text + '[faults]\nserver_restart_at = "1s"\n')["sse"]
    assert median(point, "server_restarts") == 1 and point["reconnects"] >= 40
    # The clients resume with cursors the new log has not reached: what it publishes before then is lost.
    assert median(point, "events_lost") > 0 and median(point, "delivery_ratio") < 0.95


@harness_only
def test_stuck_readers_are_counted_and_catch_up(tmp_path):
    text = FAULTS.replace('["sse", "websocket", "long-poll", "short-poll"]', '["sse", "websocket"]')
    points = run_scenario(tmp_path, text + '[faults]\nstuck_readers = 0.25\nstuck_for = "1s"\n')
    for technique, point in points.items():
        assert median(point, "stuck_connections") == 10, technique
        assert point["gaps"] == 0 and median(point, "latency_max_ms") >= 900, technique
        assert median(point, "slow_consumers_dropped") == 0  # 1 s of 64 B events fits in the kernel's buffers


@harness_only
def test_a_40ms_round_trip_shows_in_each_technique(tmp_path):
    text = """
[run]
warmup = "1s"
duration = "3s"
[network.rtt40]
rtt = "40ms"
[matrix]
technique = ["sse", "websocket", "long-poll"]
connections = [50]
rate = [50]
network = ["rtt40"]
"""
    points = run_scenario(tmp_path, text)
    for technique in ("sse", "websocket"):
        assert 20 <= median(points[technique], "latency_p50_ms") <= 60, technique
    # 20 ms between events, 40 ms per round trip: some events wait for the next poll.
    assert median(points["long-poll"], "latency_p50_ms") >= median(points["sse"], "latency_p50_ms")
    for point in points.values():
        assert point["network"] == "rtt40" and point["network_profile"]["rtt"] == 0.040
        assert median(point, "relay_cpu_us_per_event") > 0 and median(point, "relay_lateness_p99_ms") is not None


def test_a_drain_counts_the_windows_late_events_and_ends_once_every_connection_caught_up():
    """The relay is stopped (SIGSTOP) over the window's last second, so the events published then
    arrive after it: without a drain they are not counted, nor their latency; with one they are,
    and the client stops as soon as every connection has an event published after the window,
    long before the drain's limit."""
    from server_process import Server

    server = Server("--technique", "sse", "--rate", "20")
    relay = Relay(int(server.url.rsplit(":", 1)[1]))
    warmup, duration = 1.5, 2.0

    def run(*flags):
        started = time.monotonic()
        client = subprocess.Popen([str(CLIENT_BIN), "--technique", "sse", "--url", relay.url, "--connections", "5",
                                   "--warmup", f"{warmup}s", "--duration", f"{duration}s", "--out", "-", *flags],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(warmup + duration - 1.0)
        relay.proc.send_signal(signal.SIGSTOP)
        time.sleep(1.3)
        relay.proc.send_signal(signal.SIGCONT)
        out, err = client.communicate(timeout=60)
        assert client.returncode == 0, err
        return json.loads(out), time.monotonic() - started

    try:
        plain, _ = run()
        drained, took = run("--drain", "20s")
    finally:
        relay.stop()
        server.stop()
    window_events = 20 * duration * 5
    assert plain["events_received"] <= window_events * 0.7, "the last second's events came after the window"
    assert plain["latency_ns"]["max"] < 0.5e9, plain["latency_ns"]
    assert abs(drained["events_received"] - window_events) <= 5, drained["events_received"]
    assert drained["latency_ns"]["max"] > 1e9, "the late events count with their latency"
    assert drained["gaps"] == 0 and drained["duplicates"] == 0
    assert took < warmup + duration + 3, "the drain ended when every connection had caught up, not at its limit"
