"""One measured run of one point: a fresh server on a free port, checked against the SPEC
(`pushbench verify`) before it is measured, the client process(es), the server sampled over the
measured window, everything bounded in time. A server or client that
fails, crashes or hangs makes the run failed, with the reason; it never stops the whole run."""
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from . import derive, hdr, processes, verify

SERVER_START_TIMEOUT = 10.0
SETTLE = 0.3  # for the server's baseline RSS before any client connects


class RunFailed(Exception):
    pass


ROOT = Path(__file__).resolve().parents[2]


def server_argv(build, point, run, external):
    """The command that starts the point's server: pushbench-server, or a scenario's own."""
    if external is None:
        return [str(build / "bin" / "pushbench-server"), "--technique", point["technique"], "--backend",
                point["backend"], "--port", "0", "--rate", str(point["rate"]), "--payload", str(point["payload"]),
                "--max-connections", str(run["max_connections"])]
    return [arg.format(rate=point["rate"], payload=point["payload"], root=ROOT) for arg in external["command"]]


def technique_args(technique):
    """socketio-websocket -> --technique socketio --transport websocket; the rest as they are."""
    name, _, transport = technique.partition("-") if technique.startswith("socketio-") else (technique, "", "")
    return ["--technique", name] + (["--transport", transport] if transport else [])


def client_argv(build, point, run, url, connections, out):
    return [str(build / "bin" / "pushbench-client"), *technique_args(point["technique"]), "--url", url,
            "--connections", str(connections), "--duration", f"{run['duration']}s", "--warmup", f"{run['warmup']}s",
            "--poll-interval", f"{point['poll_interval']}s", "--threads", str(run["client_threads"]),
            "--connect-rate", str(run["connect_rate"] / run["client_processes"]), "--out", str(out)]


def window_times(run, connections):
    """Seconds from the clients' start to the measured window's begin and end."""
    ramp = connections / run["connect_rate"] if run["connect_rate"] else 0
    begin = ramp + run["warmup"]
    return begin, begin + run["duration"]


def merge_clients(results):
    """One result from several client processes: counters add up, histograms merge exactly."""
    if len(results) == 1:
        return results[0]
    merged = dict(results[0])
    for key in ("connections_requested", "connections_established", "connect_errors", "errors", "reconnects",
                "events_received", "gaps", "duplicates", "bytes_in", "bytes_out", "http_requests", "late_polls",
                "protocol_messages",
                "client_cpu_s"):
        merged[key] = sum(r[key] for r in results)
    merged["errors_by_kind"] = {k: sum(r["errors_by_kind"][k] for r in results) for k in results[0]["errors_by_kind"]}
    merged["duration_s"] = max(r["duration_s"] for r in results)
    merged["events_per_s"] = merged["events_received"] / merged["duration_s"] if merged["duration_s"] else 0
    merged["client_saturated"] = any(r["client_saturated"] for r in results)
    merged["client_busiest_thread_cpu"] = max(r["client_busiest_thread_cpu"] for r in results)
    merged["events_per_connection"] = {"min": min(r["events_per_connection"]["min"] for r in results),
                                       "max": max(r["events_per_connection"]["max"] for r in results)}
    for name, summary in (("latency_histogram", "latency_ns"), ("connect_histogram", "connect_ns")):
        histogram = hdr.Histogram(results[0][name])
        for r in results[1:]:
            histogram.merge(hdr.Histogram(r[name]))
        merged[name] = histogram.to_json()
        merged[summary] = histogram.summary()
    return merged


def _tail(proc):
    try:
        return proc.stderr.read().decode(errors="replace").strip().splitlines()[-1][:300]
    except (AttributeError, IndexError, OSError, ValueError):
        return ""


class FixedServer:
    """A server the scenario names by URL: already running, not ours to start, stop or sample."""
    pid = None
    returncode = None

    def poll(self):
        return None


def start_server(build, point, run, external):
    """(process, url) of a fresh server for the point, or of the scenario's fixed URL."""
    if external is not None and "url" in external:
        return FixedServer(), external["url"].rstrip("/")
    server_core, _ = processes.pin_plan(run["pin"], run["client_processes"])
    server = processes.start(server_argv(build, point, run, external), server_core, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PUSHBENCH_BUILD": str(build)})
    try:
        line = processes.read_line(server, SERVER_START_TIMEOUT)
    except BaseException:  # Ctrl-C while it starts: it must not outlive the harness
        processes.kill(server)
        raise
    if not line or not line.startswith("listening on "):
        processes.kill(server)
        raise RunFailed(f"server did not start: {_tail(server) or line or 'no listening line'}")
    return server, line.split()[-1]


def measure(build, point, run, deadline, external=None):
    """Runs the point once; returns (client result, server samples). Raises RunFailed."""
    _, client_cores = processes.pin_plan(run["pin"], run["client_processes"])
    server, url = start_server(build, point, run, external)
    sampled, clients = server.pid is not None, []
    try:  # from here on, whatever happens, the server and clients are killed at the end
        if external is None or external["verify"]:
            failed = [c for c in verify.verify(url, point["technique"]) if not c.ok]
            if failed:
                raise RunFailed("does not conform: " + "; ".join(f"{c.name}: {c.detail}" for c in failed))
        time.sleep(SETTLE)
        baseline = processes.memory(server.pid)[0] if sampled else None
        with tempfile.TemporaryDirectory(prefix="pushbench-") as tmp:
            outs = [Path(tmp) / f"client-{i}.json" for i in range(run["client_processes"])]
            share = [point["connections"] // len(outs) + (1 if i < point["connections"] % len(outs) else 0)
                     for i in range(len(outs))]
            started = time.monotonic()
            for i, out in enumerate(outs):
                if share[i]:
                    clients.append(processes.start(client_argv(build, point, run, url, share[i], out), client_cores[i],
                                                   stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.PIPE))
            begin, end = window_times(run, point["connections"])
            samples = _sample_window(server, started, begin, end) if sampled else _wait_window(started, end)
            for client in clients:
                remaining = deadline - time.monotonic()
                try:
                    code = client.wait(timeout=max(remaining, 0.1))
                except subprocess.TimeoutExpired:
                    raise RunFailed("client hung past the point's timeout; killed") from None
                if code != 0:
                    raise RunFailed(f"client exited {code}: {_tail(client)}")
            if server.poll() is not None:
                raise RunFailed(f"server died during the run (exit {server.returncode}): {_tail(server)}")
            results = [json.loads(out.read_text()) for out, n in zip(outs, share) if n]
        samples["rss_baseline"] = baseline
        samples["verified"] = external is None or external["verify"]
        if sampled:
            samples["rss_peak"] = processes.memory(server.pid)[1]
            samples["server_exit"], samples["server_stopped_in_time"] = processes.stop(server)
        return merge_clients(results), samples
    finally:
        for proc in clients + ([server] if sampled else []):
            processes.kill(proc)


def _sample_window(server, started, begin, end):
    """Server CPU over the window, and RSS at its begin and at its highest."""
    def wait_until(offset):
        delay = started + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    try:
        wait_until(begin)
        cpu_begin = processes.cpu_seconds(server.pid)
        rss_begin, _ = processes.memory(server.pid)
        rss_max = rss_begin
        while time.monotonic() < started + end:
            time.sleep(min(0.25, max(0.0, started + end - time.monotonic())))
            rss_max = max(rss_max, processes.memory(server.pid)[0])
        cpu_end = processes.cpu_seconds(server.pid)
    except (FileNotFoundError, ProcessLookupError):
        raise RunFailed(f"server died during the run (exit {server.poll()})") from None
    return {"cpu_s": cpu_end - cpu_begin, "rss_window_begin": rss_begin, "rss_window_max": rss_max}


def _wait_window(started, end):
    """A server we cannot sample: only wait out the window."""
    time.sleep(max(0.0, started + end - time.monotonic()))
    return {"cpu_s": None, "rss_window_begin": None, "rss_window_max": None, "rss_peak": None}


def run_once(build, point, run, external=None):
    """A run record: status, reason, client result, server samples, derived metrics."""
    began = time.time()
    deadline = time.monotonic() + run["point_timeout"]
    record = {"started_unix": began}
    try:
        client, server = measure(build, point, run, deadline, external)
        record.update(status="ok", client=client, server=server, metrics=derive.derive(point, client, server),
                      client_saturated=client["client_saturated"])
    except RunFailed as failure:
        record.update(status="failed", reason=str(failure))
    record["elapsed_s"] = time.time() - began
    return record
