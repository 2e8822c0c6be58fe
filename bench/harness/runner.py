"""One measured run of one point: a fresh server on a free port, checked against the SPEC
(`pushbench verify`) before it is measured, the client process(es), the server sampled over the
measured window, everything bounded in time. A server or client that
fails, crashes or hangs makes the run failed, with the reason; it never stops the whole run."""
import functools
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from . import derive, hdr, network, processes, relay, techniques, verify, wire

SERVER_START_TIMEOUT = 10.0
SETTLE = 0.3  # for the server's baseline RSS before any client connects


class RunFailed(Exception):
    pass


ROOT = Path(__file__).resolve().parents[2]


def server_argv(build, point, run, external, port=0):
    """The command that starts the point's server: pushbench-server, or a scenario's own."""
    if external is None:
        return [str(build / "bin" / "pushbench-server"), "--technique", point["technique"], "--backend",
                point["backend"], "--port", str(port), "--rate", str(point["rate"]), "--payload", str(point["payload"]),
                "--payload-kind", point.get("payload_kind", "text"),
                "--max-connections", str(run["max_connections"]), "--sse-retry", f"{run['reconnect_delay']}s",
                *(["--tls", "self-signed"] if point.get("tls") else []), *point.get("server_args", [])]
    return [arg.format(rate=point["rate"], payload=point["payload"], root=ROOT) for arg in external["command"]]


def shares(total, parts):
    """`total` split into `parts` whole shares that differ by at most one and sum to it."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def client_argv(build, point, run, url, connections, out, senders=0, external=None):
    """The client's command for its share of the point's connections and of the senders, in the
    dialect of the technique that the server's profile names (client_args)."""
    sending = []
    if run["send_rate"] > 0 and senders:
        sending = ["--send-rate", str(run["send_rate"]), "--senders", str(senders),
                   "--send-size", str(run["send_size"])]
    return [str(build / "bin" / "pushbench-client"), *techniques.client_args(point["technique"]), "--url", url,
            "--connections", str(connections), "--duration", f"{run['duration']}s", "--warmup", f"{run['warmup']}s",
            "--poll-interval", f"{point['poll_interval']}s", "--threads", str(run["client_threads"]),
            "--connect-rate", str(run["connect_rate"] / run["client_processes"]),
            "--reconnect-delay", f"{run['reconnect_delay']}s", "--keep-alive", "on" if run["keep_alive"] else "off",
            "--out", str(out), *sending, *(["--drain", f"{run['drain']}s"] if run["drain"] else []),
            *(["--tls-verify", "off"] if wire.is_tls(url) else []),  # our servers' certificates are made at start
            *(external or {}).get("client_args", {}).get(point["technique"], [])]


PUBLISHER_MARGIN = 0.5  # s the publisher goes on after the window, so that its last events are in it


def start_publisher(build, point, url, external, window_end, core, out):
    """pushbench-publisher for a server without a publisher of its own: the point's rate and
    payload, POSTed as the profile says, from now until just after the window."""
    publish = external["publish"]
    template = publish.get("template")
    argv = [str(build / "bin" / "pushbench-publisher"), "--url", url + publish["path"], "--rate", str(point["rate"]),
            "--payload", str(point["payload"]), "--duration", f"{window_end + PUBLISHER_MARGIN}s",
            "--connections", str(publish.get("connections", 2)),
            "--content-type", publish.get("content_type", "application/json"), "--out", str(out),
            *(["--template", template.format(root=ROOT)] if template else [])]
    return processes.start(argv, core, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def window_times(run, connections):
    """Seconds from the clients' start to the measured window's begin and end."""
    ramp = connections / run["connect_rate"] if run["connect_rate"] else 0
    begin = ramp + run["warmup"]
    return begin, begin + run["duration"]


@functools.cache
def result_schema(build):
    """The client's result fields and how each merges (`pushbench-client --list-metrics --json`)."""
    done = subprocess.run([str(Path(build) / "bin" / "pushbench-client"), "--list-metrics", "--json"],
                          capture_output=True, text=True, timeout=10, check=True)
    return json.loads(done.stdout)["fields"]


def _merge_field(field, values, merged):
    rule = field["merge"]
    if rule == "sum":
        return sum(values)
    if rule in ("min", "max"):
        return min(values) if rule == "min" else max(values)
    if rule == "any":
        return any(values)
    if rule == "same":
        if any(v != values[0] for v in values):
            raise RunFailed(f"client processes disagree on {field['name']}: {values}")
        return values[0]
    if rule == "histogram":
        histogram = hdr.Histogram(values[0])
        for value in values[1:]:
            histogram.merge(hdr.Histogram(value))
        return histogram.to_json()
    if rule == "summary":
        return hdr.Histogram(merged[field["of"]]).summary()
    if rule == "sum_map":
        merged_counts = {}
        for counts in values:
            for name, count in counts.items():
                merged_counts[name] = merged_counts.get(name, 0) + count
        return merged_counts
    if rule == "ratio":
        numerator, denominator = (merged[name] for name in field["of"].split("/"))
        return numerator / denominator if denominator else 0
    raise RunFailed(f"the client's schema has an unknown merge rule {rule!r} for {field['name']}")


def merge_clients(results, build):
    """One result from several client processes, field by field as the client's schema says;
    a field the schema does not name is an error, never dropped."""
    if len(results) == 1:
        return results[0]
    fields = result_schema(str(build))
    known = {f["name"] for f in fields}
    groups = {name.split(".")[0] for name in known if "." in name}  # errors_by_kind.timeout, ...
    written = set()
    for key, value in results[0].items():
        written |= {f"{key}.{inner}" for inner in value} if key in groups else {key}
    unknown = written - known
    if unknown:
        raise RunFailed(f"the client wrote fields its schema does not name: {sorted(unknown)}")
    merged = {}
    # Summaries and ratios read merged fields: they come after what they read.
    for field in sorted(fields, key=lambda f: f["merge"] in ("summary", "ratio")):
        group, _, key = field["name"].partition(".")
        values = [r[group][key] if key else r[group] for r in results]
        value = _merge_field(field, values, merged)
        if key:
            merged.setdefault(group, {})[key] = value
        else:
            merged[group] = value
    return {name: merged[name] for name in results[0]}  # the client's order


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


def start_server(build, point, run, external, port=0):
    """(process, url, publish url) of a fresh server for the point, or of the scenario's fixed URL."""
    if external is not None and "url" in external:
        return FixedServer(), external["url"].rstrip("/"), external["url"].rstrip("/")
    server_core, _ = processes.pin_plan(run["pin"], run["client_processes"])
    server = processes.start(server_argv(build, point, run, external, port), server_core, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PUSHBENCH_BUILD": str(build)})
    try:
        line = processes.read_line(server, SERVER_START_TIMEOUT)
    except BaseException:  # Ctrl-C while it starts: it must not outlive the harness
        processes.kill(server)
        raise
    if not line or not line.startswith("listening on "):
        processes.kill(server)
        raise RunFailed(f"server did not start: {_tail(server) or line or 'no listening line'}")
    return (server, *ready_urls(line))


def ready_urls(line):
    """(url, publish url) from a ready line: `listening on URL`, which a server not ours may follow
    with `publish URL`, where its events go (Pushpin's backend, as an application's)."""
    words = line.split()
    return words[2], words[4] if words[3:4] == ["publish"] and len(words) > 4 else words[2]


class ServerLives:
    """The point's server, and its next life when a fault restarts it: killed (its log is lost with
    it) and started again on the same port, where the clients reconnect."""

    def __init__(self, build, point, run, external):
        self.start_args = (build, point, run, external)
        self.proc, self.url, self.publish_url = start_server(build, point, run, external)
        self.restarts = 0

    def restart(self):
        if self.start_args[3] is not None:
            raise RunFailed("faults.server_restart_at: only pushbench-server can be restarted by the harness")
        processes.kill(self.proc)
        self.proc, _, _ = start_server(*self.start_args, port=urlsplit(self.url).port)
        self.restarts += 1

    def fresh(self):
        """A new server in place of this one (on any port), without what verify published to it."""
        processes.stop(self.proc)  # as at the end of a run: its command may have files to remove
        self.proc, self.url, self.publish_url = start_server(*self.start_args)


def measure(build, point, run, deadline, external=None):
    """Runs the point once; returns (client result, server samples). Raises RunFailed."""
    _, client_cores = processes.pin_plan(run["pin"], run["client_processes"])
    server = ServerLives(build, point, run, external)
    sampled, clients, relayed, publisher = server.proc.pid is not None, [], None, None
    try:  # from here on, whatever happens, the server, relay and clients are killed at the end
        if external is None or external["verify"]:
            failed = [c for c in verify.verify(server.url, point["technique"], external, server.publish_url)
                      if not c.ok]
            if failed:
                raise RunFailed("does not conform: " + "; ".join(f"{c.name}: {c.detail}" for c in failed))
            if external is not None and "publish" in external and sampled:
                server.fresh()  # verify's events, with seqs of their own, would stay in its history
        time.sleep(SETTLE)
        baseline = processes.memory(server.proc.pid)[0] if sampled else None
        with tempfile.TemporaryDirectory(prefix="pushbench-") as tmp:
            begin, end = window_times(run, point["connections"])
            url = server.url
            if point.get("network_profile") and network.needs_relay(point["network_profile"], point["faults"]):
                try:
                    relayed = relay.Relay(build, point, run, server.url, client_cores[0], Path(tmp) / "relay.json",
                                          (begin, end - begin))
                except relay.RelayFailed as failure:
                    raise RunFailed(str(failure)) from None
                url = relayed.url
            outs = [Path(tmp) / f"client-{i}.json" for i in range(run["client_processes"])]
            share = shares(point["connections"], len(outs))
            senders = shares(min(run["senders"] or point["connections"], point["connections"]), len(outs))
            publishing = external is not None and "publish" in external and point["rate"] > 0
            if publishing:
                publisher = start_publisher(build, point, server.publish_url, external, end, client_cores[0],
                                            Path(tmp) / "publisher.json")
            cpu_at_start = processes.cpu_seconds(server.proc.pid) if sampled else None
            started = time.monotonic()
            for i, out in enumerate(outs):
                if share[i]:
                    clients.append(processes.start(client_argv(build, point, run, url, share[i], out, senders[i],
                                                               external),
                                                   client_cores[i],
                                                   stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.PIPE))
            restart_at = (point.get("faults") or {}).get("server_restart_at")
            samples = _sample_window(server, started, begin, end, relayed, restart_at, cpu_at_start) if sampled \
                else _wait_window(started, end)
            for client in clients:
                remaining = deadline - time.monotonic()
                try:
                    code = client.wait(timeout=max(remaining, 0.1))
                except subprocess.TimeoutExpired:
                    raise RunFailed("client hung past the point's timeout; killed") from None
                if code != 0:
                    raise RunFailed(f"client exited {code}: {_tail(client)}")
            if publisher:
                samples["publisher"] = _publisher_result(publisher, deadline, Path(tmp) / "publisher.json")
            if relayed:
                try:
                    samples["relay"] = relayed.stop()
                except relay.RelayFailed as failure:
                    raise RunFailed(str(failure)) from None
            if server.proc.poll() is not None:
                raise RunFailed(f"server died during the run (exit {server.proc.returncode}): {_tail(server.proc)}")
            results = [json.loads(out.read_text()) for out, n in zip(outs, share) if n]
        samples["rss_baseline"] = baseline
        samples["verified"] = external is None or external["verify"]
        samples["server_restarts"] = server.restarts
        if sampled:
            samples["rss_peak"] = processes.memory(server.proc.pid)[1]
            samples["server_exit"], samples["server_stopped_in_time"] = processes.stop(server.proc)
        return merge_clients(results, build), samples
    finally:
        for proc in clients + [p for p in (relayed and relayed.proc, publisher) if p]:
            processes.kill(proc)
        if sampled:
            processes.stop(server.proc)  # SIGTERM first, even after a failure: its command may have files to remove


def _publisher_result(publisher, deadline, out):
    """What the publisher wrote, once it has finished (its last answers drained)."""
    try:
        code = publisher.wait(timeout=max(deadline - time.monotonic(), 0.1))
    except subprocess.TimeoutExpired:
        raise RunFailed("the publisher hung past the point's timeout; killed") from None
    if code != 0:
        raise RunFailed(f"the publisher exited {code}: {_tail(publisher)}")
    try:
        result = json.loads(out.read_text())
        result.pop("lateness_histogram")  # its summary is kept; the run's record stays small
    except (OSError, ValueError, KeyError) as error:
        raise RunFailed(f"the publisher's result is unreadable: {error}") from None
    return result


COUNTERS = ("delivered", "write_calls", "published", "slow_consumers_dropped")


def server_counters(url, keys=COUNTERS):
    """pushbench-server's counters (`keys`), or None from a server without them."""
    try:
        _, stats = wire.get_json(url, "/stats", timeout=2)  # over TLS too
        return {key: stats[key] for key in keys}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _sample_window(server, started, begin, end, relayed, restart_at, cpu_at_start):
    """Server CPU over the window (and before it, from the clients' start: their connections), RSS
    at its begin and at its highest, and (from pushbench-server) its counters' growth: events
    published and delivered, the system calls that wrote them, slow subscribers cut off. A restart
    mid-window (a fault) adds the first life's share to the second's."""
    def wait_until(offset):
        delay = started + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def life_so_far():
        return processes.cpu_seconds(server.proc.pid), server_counters(server.url)

    try:
        wait_until(begin)
        if relayed:
            relayed.window_begins()
        cpu_begin, counters_begin = life_so_far()
        cpu_before = cpu_begin - cpu_at_start
        cpu_total, counters_total = 0.0, dict.fromkeys(COUNTERS, 0)
        rss_begin, _ = processes.memory(server.proc.pid)
        rss_max = rss_begin
        while time.monotonic() < started + end:
            if restart_at is not None and time.monotonic() >= started + begin + restart_at and not server.restarts:
                cpu_end, counters_end = life_so_far()
                cpu_total += cpu_end - cpu_begin
                counters_total = add_growth(counters_total, counters_begin, counters_end)
                server.restart()
                cpu_begin, counters_begin = 0.0, dict.fromkeys(COUNTERS, 0)
            time.sleep(min(0.25, max(0.0, started + end - time.monotonic())))
            rss_max = max(rss_max, processes.memory(server.proc.pid)[0])
        cpu_end, counters_end = life_so_far()
        if relayed:
            relayed.window_ends()
    except (FileNotFoundError, ProcessLookupError):
        raise RunFailed(f"server died during the run (exit {server.proc.poll()})") from None
    counters = add_growth(counters_total, counters_begin, counters_end)
    return {"cpu_s": cpu_total + cpu_end - cpu_begin, "window_s": end - begin,
            "cpu_before_window_s": cpu_before, "before_window_s": begin,
            "rss_window_begin": rss_begin, "rss_window_max": rss_max,
            **{f"server_{key}": value for key, value in counters.items()}}


def add_growth(total, begin, end):
    """`total` plus each counter's growth from `begin` to `end`; all None when either is missing."""
    if begin is None or end is None or None in total.values():
        return dict.fromkeys(total)
    return {key: total[key] + end[key] - begin[key] for key in total}


def _wait_window(started, end):
    """A server we cannot sample: only wait out the window."""
    time.sleep(max(0.0, started + end - time.monotonic()))
    return {"cpu_s": None, "window_s": None, "cpu_before_window_s": None, "before_window_s": None,
            "rss_window_begin": None, "rss_window_max": None, "rss_peak": None,
            **{f"server_{key}": None for key in COUNTERS}}


def run_once(build, point, run, external=None, fleet_measure=None):
    """A run record: status, reason, client result, server samples, derived metrics. On a fleet's
    hosts, `fleet_measure(point, run, deadline)` measures the point (cluster.measure)."""
    began = time.time()
    deadline = time.monotonic() + run["point_timeout"]
    record = {"started_unix": began}
    try:
        client, server = fleet_measure(point, run, deadline) if fleet_measure else \
            measure(build, point, run, deadline, external)
        record.update(status="ok", client=client, server=server, metrics=derive.derive(point, client, server),
                      client_saturated=client["client_saturated"])
    except RunFailed as failure:
        record.update(status="failed", reason=str(failure))
    record["elapsed_s"] = time.time() - began
    return record
