"""A soak: one server with every technique at once for a long window, long-lived subscribers of
each technique, connections opening and closing all the while, bad requests mixed in, and the
server's RSS and open file descriptors sampled. Memory and descriptors must be flat after the
warm-up (the slope of a least-squares line, against the noise around it), and every long-lived
subscriber must have every event."""
import json
import random
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from . import processes, techniques, wire
from .runner import RunFailed, client_argv, start_server


def bad_requests(path):
    """Requests a client gets wrong at a technique's endpoint, each answered 4xx by the server."""
    return [
        b"GARBAGE\r\n\r\n",
        f"GET {path}?since=abc HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        b"GET /no-such-path HTTP/1.1\r\nHost: x\r\n\r\n",
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode(),
        f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Big: {'b' * 16384}\r\n\r\n".encode(),
    ]


def _churn_once(url, technique, rng):
    """Opens a connection of `technique`, takes its first answer or stream head, and leaves."""
    query = "" if techniques.polls_on_interval(technique) else "?timeout_ms=0"
    path = techniques.path(technique)
    stream = wire.Stream(url, path + query)
    sock, status = stream.sock, stream.status
    if status == 426:  # an endpoint that needs an upgrade
        stream.close()
        sock, status, _ = wire.ws_open(url, path)
        status = 200 if status == 101 else status
    if rng.random() < 0.5:  # half leave with a reset, as a crashed or roaming client does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    stream.close()  # http.client's reader keeps the socket open until it is closed too
    return status == 200


def _bad_once(url, technique, rng):
    host, port, _ = wire.address(url)
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(rng.choice(bad_requests(techniques.path(technique))))
        sock.settimeout(5)
        try:
            return sock.recv(64).startswith(b"HTTP/1.1 4")
        except OSError:
            return False


class Load(threading.Thread):
    """Churn and bad requests, each open loop at its rate, until stopped; counts what it did."""

    def __init__(self, url, soak, names):
        super().__init__(daemon=True)
        self.url, self.soak, self.names = url, soak, names
        self.stop = threading.Event()
        self.counts = {"churned": 0, "churn_failed": 0, "bad_requests": 0, "bad_not_refused": 0}

    def churn(self, rng, n):
        try:
            ok = _churn_once(self.url, self.names[n % len(self.names)], rng)
        except OSError:
            ok = False
        self.counts["churned" if ok else "churn_failed"] += 1

    def bad(self, rng, n):
        try:
            refused = _bad_once(self.url, self.names[n % len(self.names)], rng)
        except OSError:
            refused = False
        self.counts["bad_requests"] += 1
        self.counts["bad_not_refused"] += not refused

    def run(self):
        rng = random.Random(1)
        kinds = [(1 / self.soak["churn_per_s"], self.churn), (1 / self.soak["bad_requests_per_s"], self.bad)]
        done, start = [0, 0], time.monotonic()
        while True:
            i = min(range(len(kinds)), key=lambda k: (done[k] + 1) * kinds[k][0])  # the next one due
            if self.stop.wait(max(0.0, start + (done[i] + 1) * kinds[i][0] - time.monotonic())):
                return
            kinds[i][1](rng, done[i])
            done[i] += 1


def slope(samples, key):
    """Least-squares slope of samples[key] against time (per second) and the residuals' spread."""
    ts = [s["t"] for s in samples]
    ys = [s[key] for s in samples]
    n = len(ts)
    if n < 3:
        return 0.0, 0.0
    mt, my = sum(ts) / n, sum(ys) / n
    var = sum((t - mt) ** 2 for t in ts)
    b = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var if var else 0.0
    residuals = [y - (my + b * (t - mt)) for t, y in zip(ts, ys)]
    return b, (sum(r * r for r in residuals) / (n - 2)) ** 0.5


def verdict(samples, key, floor):
    """Flat when the fitted drift over the window is within the noise (3 sigma of the residuals,
    and at least `floor`: allocator granularity, a descriptor in flight)."""
    b, noise = slope(samples, key)
    window = samples[-1]["t"] - samples[0]["t"] if samples else 0
    drift = b * window
    return {"slope_per_s": b, "drift_over_window": drift, "noise": noise,
            "flat": abs(drift) <= max(3 * noise, floor)}


def run(build, scenario, run_dir):
    """Runs the soak; returns its record (samples, clients' results, load counts, verdicts)."""
    soak, run_cfg = scenario.soak, scenario.run
    backend = scenario.matrix["backend"][0]
    names = [name for name in scenario.matrix["technique"] if techniques.served_on(name, backend)]
    point = {"technique": "all", "backend": backend, "rate": scenario.matrix["rate"][0],
             "payload": scenario.matrix["payload"][0], "connections": soak["subscribers"] * len(names),
             "poll_interval": scenario.matrix["poll_interval"][0],
             # A history that is full before the warm-up ends: its filling is not a leak.
             "server_args": ["--history", str(soak["history"])]}
    server, url, _ = start_server(build, point, run_cfg, None)
    clients, load = [], Load(url, soak, names)
    _, client_cores = processes.pin_plan(run_cfg["pin"], 1)
    try:
        with tempfile.TemporaryDirectory(prefix="pushbench-soak-") as tmp:
            outs = {name: Path(tmp) / f"{name}.json" for name in names}
            for name in names:
                argv = client_argv(build, {**point, "technique": name}, run_cfg, url, soak["subscribers"], outs[name])
                clients.append(processes.start(argv, client_cores[0], stdout=subprocess.DEVNULL,
                                               stderr=subprocess.PIPE))
            load.start()
            samples = _sample(server, url, run_cfg, soak)
            load.stop.set()
            load.join(10)
            results = {}
            for name, client in zip(names, clients):
                if client.wait(timeout=run_cfg["point_timeout"]) != 0:
                    raise RunFailed(f"the {name} client exited {client.returncode}")
                results[name] = _client_summary(outs[name])
        warm = [s for s in samples if s["t"] >= run_cfg["warmup"]]
        expected = point["rate"] * run_cfg["duration"]
        return {"status": "ok", "point": point, "samples": samples, "clients": results,
                "load": load.counts,
                "rss": verdict(warm, "rss_bytes", soak["rss_noise_floor"]),
                "fds": verdict(warm, "fds", 2),
                "every_event_delivered": all(delivered(name, r, expected, point) for name, r in results.items()),
                "expected_events_per_subscriber": expected}
    finally:
        load.stop.set()
        for proc in clients + [server]:
            processes.kill(proc)


def delivered(name, result, expected, point):
    """No event missing or repeated on any long-lived subscriber, and each got the window's events
    (give or take the window's edges, and one interval for the techniques that poll on one)."""
    slack = 2 + (point["rate"] * point["poll_interval"] if techniques.polls_on_interval(name) else 0)
    return (result["gaps"] == 0 and result["duplicates"] == 0 and result["errors"] == 0
            and result["events_per_connection"]["min"] >= expected - slack)


def _sample(server, url, run_cfg, soak):
    samples, started = [], time.monotonic()
    end = started + run_cfg["warmup"] + run_cfg["duration"]
    while time.monotonic() < end:
        try:
            rss, _ = processes.memory(server.pid)
            fds = len(list(Path(f"/proc/{server.pid}/fd").iterdir()))
            _, stats = wire.get_json(url, "/stats")
        except (OSError, ValueError):
            raise RunFailed(f"the server died during the soak (exit {server.poll()})") from None
        samples.append({"t": time.monotonic() - started, "rss_bytes": rss, "fds": fds,
                        "connections": stats["connections"], "published": stats["published"]})
        time.sleep(min(soak["sample_every"], max(0.0, end - time.monotonic())))
    return samples


def _client_summary(path):
    result = json.loads(path.read_text())
    return {k: result[k] for k in ("connections_established", "events_received", "gaps", "duplicates", "errors",
                                   "reconnects", "events_per_connection", "latency_ns", "client_saturated")}
