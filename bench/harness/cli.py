"""`pushbench`: run a scenario, show progress, keep the results, judge the thresholds."""
import argparse
import contextlib
import datetime
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import (compare, derive, environment, floor, network, processes, results, runner, scenario as scenarios,
               soak, techniques, verify)

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "bench" / "scenarios"
RUN_OVERHEAD_S = 1.5  # server start, settling, stop: for the time-left estimate


class OneLineParser(argparse.ArgumentParser):
    """Bad flags: one line naming the problem, exit 2 (the contract of every pushbench program)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message}\n")


def describe(point):
    return (f"{point['technique']:<10} {point['backend']:<7} {point['connections']:>6} conns "
            f"{point['rate']:g} ev/s {point['payload']} B" +
            (" binary" if point.get("payload_kind") == "binary" else "") +
            (f" poll {point['poll_interval']:g}s" if techniques.polls_on_interval(point["technique"]) else "") +
            (f" over {point['network']}" if point.get("network", "lan") != "lan" else ""))


def clock(seconds):
    return str(datetime.timedelta(seconds=int(seconds)))


def scenario_path(name):
    path = Path(name)
    if path.is_file() or path.suffix == ".toml":  # a folder named like a scenario (servers/) is not one
        return path
    return SCENARIOS / f"{name}.toml"


def point_record(point, runs):
    ok = [r for r in runs if r["status"] == "ok"]
    record = {"technique": point["technique"], "backend": point["backend"], "connections": point["connections"],
              "rate": point["rate"], "payload": point["payload"], "payload_kind": point.get("payload_kind", "text"),
              "poll_interval_s": point["poll_interval"],
              "floor_us_per_event": point.get("floor_us_per_event"), "network": point["network"],
              "network_profile": {**point["network_profile"], "applied_by": "pushbench-relay" if network.needs_relay(
                  point["network_profile"], point["faults"]) else "nothing (loopback as it is)"},
              "faults": point["faults"],
              "status": "ok" if len(ok) == len(runs) else "partial" if ok else "failed",
              "failures": [r["reason"] for r in runs if r["status"] != "ok"],
              "summary": derive.summarize(runs), "runs": runs}
    if ok:
        # The SPEC's per-point fields come from the median run (by p99 latency).
        ok.sort(key=lambda r: r["metrics"]["latency_p99_ms"] or 0)
        median = ok[len(ok) // 2]
        record.update({k: v for k, v in median["client"].items() if not k.endswith("_histogram") and k not in record})
        record["server_cpu_s"] = median["server"]["cpu_s"]
        record["server_peak_rss_bytes"] = median["server"]["rss_peak"]
        record["client_saturated"] = any(r["client_saturated"] for r in ok)
    return record


def ramp_stop(record, ramp):
    """Why a ramp ends at this step, or None to go on."""
    if record["status"] != "ok":
        return "failed: " + "; ".join(record["failures"])
    median = {k: v["median"] for k, v in record["summary"].items()}
    if "stop_p99_ms" in ramp and (median.get("latency_p99_ms") or 0) > ramp["stop_p99_ms"]:
        return f"p99 {median['latency_p99_ms']:.1f} ms above the SLO of {ramp['stop_p99_ms']:g} ms"
    if "stop_round_trip_p95_ms" in ramp and median.get("messages_sent") and median.get("round_trip_p95_ms") is None:
        return "no sender's message came back"
    if "stop_round_trip_p95_ms" in ramp and (median.get("round_trip_p95_ms") or 0) > ramp["stop_round_trip_p95_ms"]:
        return (f"round trip p95 {median['round_trip_p95_ms']:.1f} ms above {ramp['stop_round_trip_p95_ms']:g} ms")
    if ramp.get("stop_on_errors", True) and median.get("errors", 0) > 0:
        return f"{median['errors']:g} errors"
    if "stop_delivery_below" in ramp and (median.get("delivery_ratio") or 0) < ramp["stop_delivery_below"]:
        return f"delivered {median.get('delivery_ratio') or 0:.2f} of the published events"
    return None


def ramp_result(base, ramp, passed, stopping, stopped):
    """What a ramp found: its last passing step, what stopped it and whose limit that was (a
    saturated client's stop says nothing of the server), and the server's own ceiling from its CPU
    per event at the last passing step, which holds even when the client was the limit."""
    median = (lambda record, key: record["summary"].get(key, {}).get("median") if record else None)
    limited_by = None if not stopped else "client" if stopping.get("client_saturated") else "server"
    return {"base": base, "dimension": ramp["dimension"], "last_passing": passed[ramp["dimension"]] if passed else None,
            "stopped_by": stopped, "limited_by": limited_by,
            "last_passing_events_per_s": median(passed, "events_per_s"),
            "server_ceiling_events_per_s": median(passed, "server_ceiling_events_per_s")}


def judge(thresholds, points):
    verdicts = []
    for threshold in thresholds:
        matched = [p for p in points if threshold.applies_to(p)]
        if not matched:
            verdicts.append({"threshold": threshold.name, "condition": f"{threshold.op} {threshold.value:g}",
                             "point": None, "measured": None, "pass": False, "note": "no point matches"})
        for p in matched:
            measured = p["summary"].get(threshold.metric, {}).get("median")
            verdicts.append({"threshold": threshold.name, "condition": f"{threshold.op} {threshold.value:g}",
                             "point": describe(p | {"poll_interval": p["poll_interval_s"]}), "measured": measured,
                             "pass": threshold.check(measured),
                             "note": "" if measured is not None else "not measured (failed point)"})
    return verdicts


class Run:
    def __init__(self, scenario, build, out):
        self.scenario, self.build = scenario, Path(build)
        self.dir = results.new_run_dir(out, scenario.name)
        self.started = time.monotonic()
        self.done_runs = 0
        steps = len(scenario.ramp["steps"]) if scenario.ramp else 1
        self.total_runs = 1 if scenario.soak else len(list(scenario.points())) * steps * scenario.run["repetitions"]
        self.doc = {"status": "running", "run_id": self.dir.name,
                    "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "scenario": {"name": scenario.name, "path": scenario.path, "description": scenario.description,
                                 "run": scenario.run, "matrix": scenario.matrix, "ramp": scenario.ramp,
                                 "servers": scenario.servers, "networks": scenario.networks,
                                 "faults": scenario.faults,
                                 "source": scenario.source},
                    "environment": environment.capture(ROOT, self.build),
                    "techniques": techniques.table(),
                    "pinning": dict(zip(("server", "clients"),
                                        processes.pin_plan(scenario.run["pin"], scenario.run["client_processes"]))),
                    "points": [], "ramps": [], "thresholds": [], "floor": []}
        self.floors = {}
        results.write(self.dir, self.doc)

    def progress(self, point, repetition):
        elapsed = time.monotonic() - self.started
        per_run = (elapsed / self.done_runs if self.done_runs else
                   self.scenario.run["warmup"] + self.scenario.run["duration"] + RUN_OVERHEAD_S)
        left = per_run * (self.total_runs - self.done_runs)
        print(f"[{self.done_runs + 1}/{self.total_runs}] {describe(point)} "
              f"rep {repetition}/{self.scenario.run['repetitions']} | elapsed {clock(elapsed)}, ~{clock(left)} left",
              file=sys.stderr, flush=True)

    def floor_of(self, point):
        """pushbench-floor's CPU per event for the point's setting, measured once per run."""
        key = (point["connections"], point["rate"], point["payload"])
        if key not in self.floors and point["rate"]:
            print(f"    floor: pushbench-floor at {key[0]} connections, {key[1]:g} events/s, {key[2]} B",
                  file=sys.stderr, flush=True)
        if key not in self.floors:
            self.floors[key] = floor.measure(self.build, point, self.scenario.run)
            if self.floors[key] is not None:
                self.doc["floor"].append(self.floors[key])
        result = self.floors[key]
        return result.get("cpu_us_per_event") if result else None

    def measure(self, point):
        point = {**point, "floor_us_per_event": self.floor_of(point),
                 "network_profile": self.scenario.networks[point["network"]], "faults": self.scenario.faults}
        runs = []
        for repetition in range(1, self.scenario.run["repetitions"] + 1):
            self.progress(point, repetition)
            record = runner.run_once(self.build, point, self.scenario.run, self.scenario.servers.get(point["backend"]))
            self.done_runs += 1
            if record["status"] != "ok":
                print(f"    failed: {record['reason']}", file=sys.stderr, flush=True)
            elif record["client_saturated"]:
                print("    note: the client was saturated; this point measures the client", file=sys.stderr)
            runs.append(record)
        record = point_record(point, runs)
        self.doc["points"].append(record)
        results.write(self.dir, self.doc)
        return record

    def execute(self):
        if self.scenario.soak:
            return self.execute_soak()
        ramp = self.scenario.ramp
        for base in self.scenario.points():
            if not ramp:
                self.measure(base)
                continue
            passed, record, stopped = None, None, None
            for done, step in enumerate(ramp["steps"], start=1):
                value = int(step) if ramp["dimension"] == "connections" else float(step)
                record = self.measure({**base, ramp["dimension"]: value})
                stopped = ramp_stop(record, ramp)
                if stopped:  # the steps not taken leave the estimate
                    self.total_runs -= (len(ramp["steps"]) - done) * self.scenario.run["repetitions"]
                    break
                passed = record
            self.doc["ramps"].append(ramp_result(base, ramp, passed, record, stopped))
            results.write(self.dir, self.doc)

    def execute_soak(self):
        run = self.scenario.run
        print(f"pushbench: soak of {', '.join(self.scenario.matrix['technique'])} for "
              f"{clock(run['warmup'] + run['duration'])}", file=sys.stderr, flush=True)
        try:
            self.doc["soak"] = soak.run(self.build, self.scenario, self.dir)
        except runner.RunFailed as failure:
            self.doc["soak"] = {"status": "failed", "reason": str(failure)}
        results.write(self.dir, self.doc)
        record = self.doc["soak"]
        if record["status"] == "ok":
            print(f"pushbench: RSS slope {record['rss']['slope_per_s'] / 1024:+.2f} KiB/s "
                  f"({'flat' if record['rss']['flat'] else 'NOT flat'}), "
                  f"fd slope {record['fds']['slope_per_s']:+.4f}/s "
                  f"({'flat' if record['fds']['flat'] else 'NOT flat'}), every event delivered: "
                  f"{record['every_event_delivered']}", file=sys.stderr)

    def finish(self, status):
        self.doc["status"] = status
        self.doc["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        self.doc["thresholds"] = judge(self.scenario.thresholds, self.doc["points"])
        return results.write(self.dir, self.doc)


def run_micro(build, run_dir, pin):
    """Google Benchmark micro-benchmarks, their JSON kept with the run."""
    binary = Path(build) / "bin" / "pushbench-micro"
    core, _ = processes.pin_plan(pin, 1)
    proc = processes.start([str(binary), f"--benchmark_out={run_dir / 'micro.json'}", "--benchmark_out_format=json",
                            "--benchmark_min_time=0.1"], core, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        code = proc.wait(timeout=600)
    finally:
        processes.kill(proc)
    return code == 0


def render_report(run_dir):
    report = ROOT / "scripts" / "report.py"
    if not report.exists():
        return None
    done = subprocess.run([sys.executable, str(report), str(run_dir)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"pushbench: the report failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    return Path(run_dir) / "report.html"


@contextlib.contextmanager
def stop_signals_interrupt(received):
    """SIGTERM (a CI timeout, kill) and SIGHUP (a closed terminal) do what Ctrl-C does: the
    current point's server and client are stopped, the points measured are kept. The first
    signal's number goes into `received`; later ones wait for the clean-up to finish."""
    def interrupt(signum, _frame):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        received.append(signum)
        raise KeyboardInterrupt
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def command_run(args):
    try:
        scenario = scenarios.load(scenario_path(args.scenario))
    except scenarios.ScenarioError as error:
        print(error, file=sys.stderr)
        return 2
    for program in ("pushbench-server", "pushbench-client"):
        if not (Path(args.build) / "bin" / program).exists():
            print(f"pushbench: --build: {args.build}/bin/{program} is missing (build first: scripts/setup.sh)",
                  file=sys.stderr)
            return 2
    run = Run(scenario, args.build, args.out)
    print(f"pushbench: scenario '{scenario.name}', {run.total_runs} runs, results in {run.dir}", file=sys.stderr)
    stopped_by = []
    try:
        with stop_signals_interrupt(stopped_by):
            run.execute()
    except KeyboardInterrupt:
        signum = stopped_by[0] if stopped_by else signal.SIGINT
        run.doc["interrupted_by"] = signal.Signals(signum).name
        path = run.finish("interrupted")
        print(f"\npushbench: interrupted ({signal.Signals(signum).name}); the {len(run.doc['points'])} points "
              f"measured are in {path}", file=sys.stderr)
        return 128 + signum
    if scenario.run["micro"]:
        print("pushbench: micro-benchmarks", file=sys.stderr)
        if not run_micro(args.build, run.dir, scenario.run["pin"]):
            print("pushbench: the micro-benchmarks failed", file=sys.stderr)
    path = run.finish("complete")
    if not args.no_report:
        report = render_report(run.dir)
        if report:
            print(f"pushbench: report: {report}", file=sys.stderr)
    if scenario.soak:
        record = run.doc["soak"]
        passed = record["status"] == "ok" and record["rss"]["flat"] and record["fds"]["flat"] and \
            record["every_event_delivered"]
        print(f"pushbench: soak {'passed' if passed else 'FAILED'}; results in {path}", file=sys.stderr)
        return 0 if passed else 1
    failed = [p for p in run.doc["points"] if p["status"] != "ok"]
    print(f"pushbench: {len(run.doc['points'])} points ({len(failed)} failed) in {path}", file=sys.stderr)
    for ramp in run.doc["ramps"]:
        print("  ramp " + results.describe_ramp(ramp), file=sys.stderr)
    verdicts = run.doc["thresholds"]
    for v in verdicts:
        shown = "-" if v["measured"] is None else f"{v['measured']:.4g}"
        print(f"  {'PASS' if v['pass'] else 'FAIL'} {v['threshold']} {v['condition']}: {shown} "
              f"{v['point'] or ''} {v['note']}".rstrip(), file=sys.stderr)
    return 1 if any(not v["pass"] for v in verdicts) else 0


def command_compare(args):
    try:
        base_doc, base_dir = compare.run_document(args.base)
        new_doc, new_dir = compare.run_document(args.new)
    except (ValueError, OSError) as error:
        print(f"pushbench compare: {error}", file=sys.stderr)
        return 2
    rows = compare.compare(base_doc, new_doc, args.threshold / 100)
    text = compare.markdown(rows, args.threshold / 100)
    shown = rows if args.all else [r for r in rows if r["verdict"] != "same"]
    print(compare.markdown(shown, args.threshold / 100) if shown else
          f"pushbench compare: no change beyond {args.threshold:g}% and the spread in {len(rows)} comparisons")
    if args.markdown:
        Path(args.markdown).write_text(text)
    micro = compare.compare_micro(base_dir, new_dir)
    if micro:
        print("\nmicro-benchmarks (Google Benchmark compare.py):\n" + micro)
    return 1 if any(r["verdict"] == "regression" for r in rows) else 0


def command_verify(args):
    if args.technique not in techniques.names():
        print(f"pushbench verify: --technique: {args.technique!r} is not one of {', '.join(techniques.names())}",
              file=sys.stderr)
        return 2
    checks = verify.verify(args.url.rstrip("/"), args.technique)
    for check in checks:
        print(f"{'PASS' if check.ok else 'FAIL'} {check.name}" + (f": {check.detail}" if check.detail else ""))
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def command_list(_args):
    for path in sorted(SCENARIOS.glob("*.toml")):
        try:
            print(f"{path.stem:<12} {scenarios.load(path).description}")
        except scenarios.ScenarioError as error:
            print(f"{path.stem:<12} INVALID: {error}")
    return 0


def main(argv=None):
    parser = OneLineParser(prog="pushbench", description="Runs push-technique benchmark scenarios.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = commands.add_parser("run", help="run a scenario (default: the 'default' scenario)")
    run.add_argument("scenario", nargs="?", default="default",
                     help="a scenario name in bench/scenarios or a .toml path")
    run.add_argument("--out", default=str(ROOT / "results"), help="folder for the run folder (default: results/)")
    run.add_argument("--build", default=str(ROOT / "build"), help="build folder with bin/ (default: build/)")
    run.add_argument("--no-report", action="store_true", help="do not render the report")
    run.set_defaults(handler=command_run)
    comparing = commands.add_parser("compare", help="compare two runs; exit 1 on a regression")
    comparing.add_argument("base", help="the base run folder (results/baseline)")
    comparing.add_argument("new", help="the new run folder")
    comparing.add_argument("--threshold", type=float, default=10.0, help="percent change that may count (default 10)")
    comparing.add_argument("--markdown", help="also write the whole table as markdown to this file")
    comparing.add_argument("--all", action="store_true", help="print unchanged metrics too")
    comparing.set_defaults(handler=command_compare)
    checking = commands.add_parser("verify", help="check that a server speaks the SPEC for a technique")
    checking.add_argument("--technique", required=True,
                          help="a technique of the table (pushbench-server --list-techniques)")
    checking.add_argument("--build", default=str(ROOT / "build"), help="build folder with bin/ (default: build/)")
    checking.add_argument("--url", required=True, help="the server's base URL, like http://127.0.0.1:8080")
    checking.set_defaults(handler=command_verify)
    listing = commands.add_parser("list", help="list the scenarios")
    listing.set_defaults(handler=command_list)
    args = parser.parse_args(argv)
    techniques.use_build(getattr(args, "build", None) or ROOT / "build")
    try:
        return args.handler(args)
    except techniques.TableMissing as missing:
        print(f"pushbench: {missing}", file=sys.stderr)
        return 2
