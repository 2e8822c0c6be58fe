#!/usr/bin/python3
"""A reconnect storm on one server: pushbench-server on core 0, publishing at --rate, and
--connections WebSocket or SSE clients on core 1, split over --processes pushbench-client
processes. Once every client is connected the server is killed (SIGKILL), kept down --down
seconds and started again on its port; its /stats and its CPU (schedstat, all threads) are
sampled every 10 ms until every client is back. Each setting runs --repeat times.

How long the clients wait before reconnecting:
  in step  every process waits --delay (the same fixed delay pushbench-client always uses);
  spread   with --spread-to S, process i of P waits delay + i * (S - delay) / (P - 1): P groups
           of clients, evenly from --delay to S. Jitter per client would spread them evenly.
SSE clients wait the server's retry: (--sse-retry is set to --delay), the same for every stream,
so SSE can only be in step here.

What a run records (times from the kill):
  server up again    until the new server printed its "listening on" line
  first, half, all   until /stats counts 1, half, all of the clients' streams (websockets or
                     sse_streams) again
  accepted, refused  connections the new server accepted until all were back (less the script's
                     own /stats connections); connect attempts refused (the clients' connect_errors)
  storm CPU          the server's CPU from the last sample before the first accept (or from its
                     "listening on" line, if the first sample had one) to the first with all back,
                     and that divided by the clients back; it includes the publisher (delivering
                     nothing: a resumed cursor names events the new log has not reached) and the
                     sampling, whose rate before the storm is kept as quiet_cpu_ms_per_s
  a reconnection     the clients' connect times (connect to the stream's head or the upgrade's
                     answer) merged over the processes. Every connection's first connect is in the
                     histogram too, made at the gentle --connect-rate and faster than any
                     reconnection of a storm that queues, so its p75 is the median reconnection
                     ("typical") and its p99.5 the reconnections' p99 ("slowest"). A reconnection
                     refused while the server was down is timed from its last, successful attempt.
                     The client's resume_ns (a loss to the next event) is not used: a restarted
                     server's log starts again at 1, and a resumed cursor waits for the new log
                     to pass it (the restart run in docs/networks.md), seconds after reconnecting.
  TLS handshakes     the new server's, full and resumed (its ticket keys are new: none resume)

Each invocation writes one JSON file to --out-dir (the settings, the machine, the runs and their
samples); --table DIR prints a markdown summary of every such file in DIR.

  scripts/reconnect_storm.py [--technique websocket] [--tls] [--connections 2000] [--processes 8] \\
      [--delay 0.25] [--spread-to 2] [--down 0] [--repeat 3] [--out-dir results/storm]
  scripts/reconnect_storm.py --table docs/figures/storm > docs/figures/storm/summary.md
"""
import argparse
import datetime
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import environment, hdr, processes, wire  # noqa: E402

SERVER_CORE, (CLIENT_CORE,) = processes.pin_plan(True, 1)
STREAM_COUNTER = {"websocket": "websockets", "sse": "sse_streams"}
TECHNIQUE_NAME = {"websocket": "WebSocket", "sse": "SSE"}
MAX_CONNECTIONS = 20000           # the server's --max-connections: above any storm run here
SAMPLE_INTERVAL_S = 0.01          # /stats and CPU while the storm lasts
CONNECT_POLL_S = 0.1              # /stats while the clients connect
SETTLE_S = 1.0                    # all connected, then this long before the kill
CONNECT_LAG_S = 2.0               # how much later than their ramp the clients may finish connecting
STORM_BUDGET_S = 6.0              # after the longest delay, for the storm to end
WINDOW_MARGIN_S = 0.5             # sampling stops this long before the clients' window ends
SERVER_START_TIMEOUT_S = 10
RESTART_ATTEMPTS = 20             # a port still held by the killed server: try again
RESTART_RETRY_S = 0.05
STATS_TIMEOUT_S = 2
CLIENT_EXIT_TIMEOUT_S = 20        # after their window, for the clients to close and write results
TYPICAL_PERCENTILE = 75           # of the merged connect times: the median reconnection
SLOWEST_PERCENTILE = 99.5         # of the merged connect times: the reconnections' p99


class StormError(Exception):
    """A run that could not be measured (a server that did not start, clients that did not connect)."""


def seconds_flag(value):
    """A duration flag for the C++ binaries, in whole milliseconds."""
    return f"{round(value * 1000)}ms"


def process_delays(args):
    """Each client process's reconnect delay in seconds: all --delay in step, else evenly to --spread-to."""
    if args.spread_to == args.delay or args.processes == 1:
        return [args.delay] * args.processes
    step = (args.spread_to - args.delay) / (args.processes - 1)
    return [round(args.delay + i * step, 3) for i in range(args.processes)]  # the clients take whole ms


def server_cpu_ns(pid):
    """CPU time of one process, all its threads, from schedstat (nanoseconds)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # a thread that just ended
    return total


class Server:
    """pushbench-server on its core, killed and started again on the same port."""

    def __init__(self, args):
        self.args = args
        self.proc = None
        self.port = 0
        self.url = None

    def argv(self):
        """The server's command line on the current port (0 at first: the kernel picks one)."""
        return [str(self.args.build / "bin/pushbench-server"), "--technique", self.args.technique,
                "--port", str(self.port), "--rate", str(self.args.rate), "--sse-retry", seconds_flag(self.args.delay),
                "--max-connections", str(MAX_CONNECTIONS), *(["--tls", "self-signed"] if self.args.tls else [])]

    def start(self):
        """Start it and wait for its "listening on URL" line; False if it exited or said something else."""
        self.proc = processes.start(self.argv(), SERVER_CORE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = processes.read_line(self.proc, SERVER_START_TIMEOUT_S)
        if not line or not line.startswith("listening on "):
            processes.kill(self.proc)
            return False
        self.url = line.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        return True

    def restart(self):
        """Start it again on its port, retrying while the port is not free yet."""
        for _ in range(RESTART_ATTEMPTS):
            if self.start():
                return
            time.sleep(RESTART_RETRY_S)
        raise StormError(f"pushbench-server did not start again on port {self.port}")

    def kill(self):
        """SIGKILL, as a crash: no goodbye to any client."""
        os.kill(self.proc.pid, signal.SIGKILL)  # taskset execs the server: the same pid
        self.proc.wait()

    def stop(self):
        """Kill whatever is left of it (at the end, or on an error or Ctrl-C)."""
        if self.proc is not None:
            processes.kill(self.proc)


class StatsReader:
    """GET /stats on one kept-alive connection, counting the connections it had to open."""

    def __init__(self, url):
        self.host, self.port, _ = wire.address(url)
        self.tls = wire.is_tls(url)
        self.conn = None
        self.opened = 0

    def reset(self):
        """Forget the connection (the server it went to is gone); the count starts again."""
        self.close()
        self.opened = 0

    def close(self):
        """Close the connection, if any."""
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def get(self):
        """The server's /stats, or None if it did not answer (down, or too busy for STATS_TIMEOUT_S)."""
        if self.conn is None:
            if self.tls:
                self.conn = http.client.HTTPSConnection(self.host, self.port, timeout=STATS_TIMEOUT_S,
                                                        context=wire.unverified_tls())
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=STATS_TIMEOUT_S)
            self.opened += 1
        try:
            self.conn.request("GET", "/stats")
            return json.loads(self.conn.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            self.close()
            return None


def start_clients(args, url, delays, per_process, duration_s, out_dir):
    """One pushbench-client process per delay on the clients' core; their result files' paths."""
    clients, outputs = [], []
    for i, delay in enumerate(delays):
        out = out_dir / f"client{i}.json"
        argv = [str(args.build / "bin/pushbench-client"), "--technique", args.technique, "--url", url,
                "--connections", str(per_process), "--connect-rate", str(args.connect_rate / len(delays)),
                "--duration", seconds_flag(duration_s), "--reconnect-delay", seconds_flag(delay),
                "--out", str(out), *(["--tls-verify", "off"] if args.tls else [])]
        clients.append(processes.start(argv, CLIENT_CORE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        outputs.append(out)
    return clients, outputs


def wait_connected(stats, counter, want, deadline):
    """Poll /stats until `want` streams are open; False if the deadline passes first."""
    while time.monotonic() < deadline:
        sample = stats.get()
        if sample and sample[counter] >= want:
            return True
        time.sleep(CONNECT_POLL_S)
    return False


def sample_storm(server, stats, counter, want, killed_at, deadline):
    """Rows of (s since the kill, server CPU ns, streams back, connections accepted, TLS handshakes
    full, resumed), the last three less the script's own /stats connections, every
    SAMPLE_INTERVAL_S until all `want` are back or the deadline passes."""
    rows = []
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise StormError(f"pushbench-server exited during the storm ({server.proc.returncode})")
        cpu = server_cpu_ns(server.proc.pid)
        sample = stats.get()
        if sample:
            own = stats.opened
            handshakes, resumed = sample.get("tls_handshakes", 0), sample.get("tls_resumed", 0)
            full = handshakes - resumed - own if server.args.tls else 0
            rows.append([time.monotonic() - killed_at, cpu, sample[counter], sample["connections_accepted"] - own,
                         full, resumed])
            if sample[counter] >= want:
                break
        time.sleep(SAMPLE_INTERVAL_S)
    return rows


def first_row(rows, count):
    """The first sample with at least `count` streams back, or None."""
    return next((row for row in rows if row[2] >= count), None)


def storm_figures(ready, rows, want):
    """The storm's times, accepts, CPU and handshakes, from the samples after the restart. The storm
    starts at the last sample before the first client's connection was accepted, or at `ready`
    (s since the kill, CPU ns: the new server's "listening on" line) if the first sample had one."""
    first_accept = next((i for i, row in enumerate(rows) if row[3] > 0), None)
    first_back = first_row(rows, 1)
    half, full = first_row(rows, want / 2), first_row(rows, want)
    figures = {"first_accept_s": rows[first_accept][0] if first_accept is not None else None,
               "first_back_s": first_back[0] if first_back else None,
               "half_back_s": half[0] if half else None, "all_back_s": full[0] if full else None,
               "back": rows[-1][2] if rows else 0}
    if first_accept is None or full is None:
        return figures
    start = rows[first_accept - 1] if first_accept else ready
    storm_cpu_ms = (full[1] - start[1]) / 1e6
    figures.update({
        "storm_span_s": full[0] - start[0],
        "storm_cpu_ms": storm_cpu_ms,
        "cpu_per_reconnection_us": storm_cpu_ms * 1e3 / full[2],
        "quiet_cpu_ms_per_s": (start[1] - ready[1]) / 1e6 / (start[0] - ready[0]) if start[0] > ready[0] else None,
        "accepted": full[3],
        "tls_full": full[4],
        "tls_resumed": full[5],
    })
    return figures


def client_figures(outputs):
    """The clients' errors, reconnects and connect times, merged over the processes."""
    results = [json.loads(path.read_text()) for path in outputs if path.exists() and path.stat().st_size]
    if len(results) < len(outputs):
        raise StormError(f"{len(outputs) - len(results)} of {len(outputs)} client processes wrote no result")
    connect = hdr.Histogram()
    for result in results:
        connect.merge(hdr.Histogram(result["connect_histogram"]))
    kinds = results[0]["errors_by_kind"]
    return {
        "refused": sum(r["connect_errors"] for r in results),
        "reconnects": sum(r["reconnects"] for r in results),
        "errors_by_kind": {kind: sum(r["errors_by_kind"][kind] for r in results) for kind in kinds},
        "client_tls_handshakes": sum(r.get("tls_handshakes", 0) for r in results),
        "client_tls_resumed": sum(r.get("tls_resumed", 0) for r in results),
        "connects": connect.total,
        "reconnect_typical_ms": connect.value_at_percentile(TYPICAL_PERCENTILE) / 1e6,
        "reconnect_slowest_ms": connect.value_at_percentile(SLOWEST_PERCENTILE) / 1e6,
        "connect_max_ms": connect.max / 1e6,
    }


def storm(args, delays):
    """One run: connect, kill, restart, sample until all are back; its figures and samples."""
    per_process = args.connections // args.processes
    want = per_process * args.processes
    counter = STREAM_COUNTER[args.technique]
    ramp_s = want / args.connect_rate
    duration_s = CONNECT_LAG_S + SETTLE_S + args.down + max(delays) + STORM_BUDGET_S
    server, clients, stats = Server(args), [], None
    with tempfile.TemporaryDirectory(prefix="reconnect_storm.") as tmp:
        try:
            if not server.start():
                raise StormError("pushbench-server did not start")
            stats = StatsReader(server.url)
            started = time.monotonic()
            clients, outputs = start_clients(args, server.url, delays, per_process, duration_s, Path(tmp))
            window_end = started + ramp_s + duration_s
            if not wait_connected(stats, counter, want, started + ramp_s + CONNECT_LAG_S):
                raise StormError(f"the {want} clients did not connect within {ramp_s + CONNECT_LAG_S:.1f} s")
            time.sleep(SETTLE_S)
            stats.close()
            killed_at = time.monotonic()
            server.kill()
            time.sleep(args.down)
            server.restart()
            ready = (time.monotonic() - killed_at, server_cpu_ns(server.proc.pid))
            stats.reset()
            rows = sample_storm(server, stats, counter, want, killed_at, window_end - WINDOW_MARGIN_S)
            stats.close()
            for client in clients:
                try:
                    client.wait(timeout=max(0.0, window_end - time.monotonic()) + CLIENT_EXIT_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    raise StormError("a pushbench-client did not end after its window")
            figures = {"connections": want, "server_up_s": ready[0], **storm_figures(ready, rows, want),
                       **client_figures(outputs)}
        finally:
            if stats is not None:
                stats.close()
            for client in clients:
                processes.kill(client)
            server.stop()
    figures["samples"] = {"fields": ["s", "cpu_ms", "back", "accepted", "tls_full", "tls_resumed"],
                          "rows": [[round(r[0], 4), round(r[1] / 1e6, 3), *r[2:]] for r in rows]}
    return figures


def to_json(record):
    """The record as indented JSON with every list of numbers (a sample row, the delays) on one line."""
    text = json.dumps(record, indent=1)
    return re.sub(r"\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]",
                  lambda match: "[" + ", ".join(match.group(1).replace(",", " ").split()) + "]", text)


def setting_name(args):
    """A file name for the setting: technique, plain or TLS, the delays and the time down."""
    spread = "" if args.spread_to == args.delay else f"-to-{args.spread_to:g}s"
    down = f"-down{args.down:g}s" if args.down else ""
    return f"{args.technique}-{'tls' if args.tls else 'plain'}-{args.delay:g}s{spread}{down}"


def measure(args):
    """Every repetition of the setting, written to one JSON file in --out-dir."""
    delays = process_delays(args)
    if CLIENT_CORE is not None:
        os.sched_setaffinity(0, {int(CLIENT_CORE)})  # the sampling shares the clients' core, not the server's
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    record = {"script": "scripts/reconnect_storm.py", "argv": sys.argv[1:], "started": stamp,
              "settings": {"technique": args.technique, "tls": args.tls, "connections": args.connections,
                           "processes": args.processes, "delays_s": delays, "down_s": args.down, "rate": args.rate,
                           "connect_rate": args.connect_rate, "sample_interval_s": SAMPLE_INTERVAL_S},
              "environment": environment.capture(ROOT, args.build), "runs": []}
    for i in range(args.repeat):
        run = storm(args, delays)
        record["runs"].append(run)
        shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in run.items() if k != "samples"}
        print(f"  run {i + 1}/{args.repeat}: {json.dumps(shown)}", file=sys.stderr)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    path = args.out_dir / f"{setting_name(args)}-{stamp}.json"
    path.write_text(to_json(record) + "\n")
    print(path)


def seconds_text(value):
    """A delay as the docs write it: 250 ms, 2 s, 0.6 s."""
    return f"{value * 1000:g} ms" if value < 0.5 else f"{value:g} s"


def setting_label(settings):
    """The table's first column: technique, plain or TLS, the delays, the time down."""
    delays = settings["delays_s"]
    if min(delays) == max(delays):
        wait = f"{seconds_text(delays[0])} (in step)"
    else:
        wait = f"{seconds_text(delays[0])} … {seconds_text(delays[-1])} (spread)"
    down = f", down {settings['down_s']:g} s" if settings["down_s"] else ""
    return f"{TECHNIQUE_NAME[settings['technique']]}, {'TLS' if settings['tls'] else 'plain'}, {wait}{down}"


def span(values, digits=None, unit=""):
    """min–max of the runs' values, one value if they agree, '–' if none; at `digits` decimals, or
    by default none from 100 up and one below."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if digits is None:
        digits = 0 if max(values) >= 100 else 1
    low, high = f"{min(values):,.{digits}f}", f"{max(values):,.{digits}f}"
    return (low if low == high else f"{low}–{high}") + unit


def table_row(settings, runs):
    """One setting's runs as a markdown row of ranges."""
    def column(key):
        return [run.get(key) for run in runs]
    complete = sum(1 for run in runs if run.get("all_back_s") is not None)
    tls = f"{span(column('tls_full'), 0)} / {span(column('tls_resumed'), 0)}" if settings["tls"] else "–"
    cells = [setting_label(settings), f"{complete} of {len(runs)}", span(column("server_up_s"), 3, " s"),
             span(column("half_back_s"), 2, " s"), span(column("all_back_s"), 2, " s"),
             f"{span(column('accepted'), 0)} / {span(column('refused'), 0)}",
             span(column("storm_cpu_ms"), 0, " ms"), span(column("cpu_per_reconnection_us"), 0, " µs"),
             f"{span(column('reconnect_typical_ms'))} / {span(column('reconnect_slowest_ms'))} ms", tls]
    return "| " + " | ".join(cells) + " |"


def sort_key(group):
    """WebSocket before SSE, plain before TLS, never down before down, narrow spreads first."""
    settings = group[0]
    return (settings["technique"] != "websocket", settings["tls"], settings["down_s"], max(settings["delays_s"]),
            min(settings["delays_s"]))


def read_results(directory):
    """This script's records in `directory`, grouped by setting: [(settings, runs, [(file, argv)])]."""
    groups = {}
    for path in sorted(directory.glob("*.json")):
        record = json.loads(path.read_text())
        if record.get("script") != "scripts/reconnect_storm.py":
            continue
        settings = record["settings"] | {"delays_s": [round(delay, 3) for delay in record["settings"]["delays_s"]]}
        group = groups.setdefault(json.dumps(settings, sort_keys=True), (settings, [], []))
        group[1].extend(record["runs"])
        group[2].append((path.name, record["argv"], record["environment"]))
    return sorted(groups.values(), key=sort_key)


def table(directory):
    """A markdown summary of the JSON results in `directory`, the runs of one setting in one row."""
    groups = read_results(directory)
    if not groups:
        raise SystemExit(f"no reconnect_storm.py results in {directory}")
    environments = [env for _, _, files in groups for _, _, env in files]
    env = environments[0]
    commits = ", ".join(f"`{commit}`" for commit in sorted({e["git_commit"][:10] for e in environments}))
    lines = [
        "# Reconnect storms", "",
        f"Made by `scripts/reconnect_storm.py --table {directory}` from the JSON files beside it. Measured on "
        f"{env['cpu_model']} ({env['cores']} cores), Linux {env['kernel'].split()[1]}, OpenSSL {env['openssl']}, "
        f"commit {commits}, {env['build_type']} build.", "",
        "Times from the SIGKILL; ranges over the runs. *Accepted*: connections the new server accepted until all "
        "were back; *refused*: the clients' connect attempts while it was down. *Server CPU for the storm*: from "
        "the last sample before the first accept to the first with all back; *per reconnection*: that over the "
        "clients. *A reconnection took*: the clients' connect times, "
        f"p{TYPICAL_PERCENTILE} (typical) / p{SLOWEST_PERCENTILE:g} (slowest) of first connects and reconnections "
        "together, which are the median and p99 of the reconnections when these are the slower (the script's "
        "docstring says why).", "",
        "| clients wait | runs complete | server up again | half back | all back | accepted / refused "
        "| server CPU for the storm | per reconnection | a reconnection took: typical / slowest "
        "| TLS handshakes: full / resumed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [table_row(settings, runs) for settings, runs, _ in groups]
    lines += ["", "Settings and commands:", ""]
    for settings, _, files in groups:
        lines.append(f"- {setting_label(settings)}: {settings['connections']:,} clients in {settings['processes']} "
                     f"processes, {settings['rate']} events/s, first connects {settings['connect_rate']:g}/s; "
                     + "; ".join(f"`{name}`: `scripts/reconnect_storm.py {' '.join(argv)}`"
                                 for name, argv, _ in files))
    print("\n".join(lines))


def positive(kind):
    """An argparse type: a number of `kind` above zero."""
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0: {text}")
        return value
    return parse


def non_negative(kind):
    """An argparse type: a number of `kind`, zero or more."""
    def parse(text):
        value = kind(text)
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative: {text}")
        return value
    return parse


def parse_args():
    """The flags, checked against each other."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--technique", choices=sorted(STREAM_COUNTER), default="websocket")
    parser.add_argument("--tls", action="store_true", help="over TLS (the server's --tls self-signed)")
    parser.add_argument("--connections", type=positive(int), default=2000)
    parser.add_argument("--processes", type=positive(int), default=8, help="client processes, one delay each")
    parser.add_argument("--delay", type=positive(float), default=0.25,
                        help="seconds the clients wait before reconnecting (SSE: the server's retry:)")
    parser.add_argument("--spread-to", type=positive(float),
                        help="the last process's delay in seconds (default: --delay, all in step)")
    parser.add_argument("--down", type=non_negative(float), default=0.0, help="seconds the server stays down")
    parser.add_argument("--rate", type=non_negative(int), default=10, help="events/s the server publishes")
    parser.add_argument("--connect-rate", type=positive(float), default=500,
                        help="first connects per second, all processes together")
    parser.add_argument("--repeat", type=positive(int), default=3)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "results/storm")
    parser.add_argument("--table", type=Path, metavar="DIR", help="print the markdown summary of DIR's results")
    args = parser.parse_args()
    if args.table:
        return args
    args.spread_to = args.delay if args.spread_to is None else args.spread_to
    if args.spread_to < args.delay:
        parser.error("--spread-to must be at least --delay")
    if args.technique == "sse" and args.spread_to != args.delay:
        parser.error("SSE clients wait the server's retry:, the same for all: --spread-to needs --technique websocket")
    if args.connections < args.processes:
        parser.error("--connections must be at least --processes")
    if args.connections % args.processes:
        parser.error("--connections must be a multiple of --processes")
    for binary in ("pushbench-server", "pushbench-client"):
        if not (args.build / "bin" / binary).exists():
            parser.error(f"no {binary} in {args.build / 'bin'}: build first")
    return args


def main():
    args = parse_args()
    if args.table:
        table(args.table)
        return
    try:
        measure(args)
    except StormError as error:
        raise SystemExit(f"reconnect_storm.py: {error}")


if __name__ == "__main__":
    main()
