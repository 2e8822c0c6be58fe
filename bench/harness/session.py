"""A run of a scenario: its points measured one by one (or a ramp's steps, or a soak), each
point's repetitions summarised, the thresholds judged, the results kept after every point."""
import datetime
import functools
import subprocess
import sys
import time
from pathlib import Path

from . import cluster, derive, environment, fleet, floor, network, processes, results, runner, soak, techniques

ROOT = Path(__file__).resolve().parents[2]
RUN_OVERHEAD_S = 1.5  # server start, settling, stop: for the time-left estimate


def describe(point):
    return (f"{point['technique']:<10} {point['backend']:<7} {point['connections']:>6} conns "
            f"{point['rate']:g} ev/s {point['payload']} B" +
            (" binary" if point.get("payload_kind") == "binary" else "") +
            (f" poll {point['poll_interval']:g}s" if techniques.polls_on_interval(point["technique"]) else "") +
            (f" over {point['network']}" if point.get("network", "lan") != "lan" else "") +
            (" TLS" if point.get("tls") else "") +
            (f" {point['nodes']} node{'s' if point['nodes'] > 1 else ''}"
             f"{' over Redis' if point['backplane'] else ''}" if point.get("nodes", 1) > 1 or point.get("backplane")
             else ""))


def clock(seconds):
    return str(datetime.timedelta(seconds=int(seconds)))


def point_record(point, runs):
    ok = [r for r in runs if r["status"] == "ok"]
    record = {"technique": point["technique"], "backend": point["backend"], "connections": point["connections"],
              "rate": point["rate"], "payload": point["payload"], "payload_kind": point.get("payload_kind", "text"),
              "poll_interval_s": point["poll_interval"],
              "floor_us_per_event": point.get("floor_us_per_event"), "network": point["network"], "tls": point["tls"],
              "network_profile": {**point["network_profile"], "applied_by": "pushbench-relay" if network.needs_relay(
                  point["network_profile"], point["faults"]) else "nothing (loopback as it is)"},
              "faults": point["faults"], "nodes": point["nodes"], "backplane": point["backplane"],
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
    def __init__(self, scenario, build, out, source=ROOT):
        self.scenario, self.build = scenario, Path(build)
        self.dir = results.new_run_dir(out, scenario.name)
        self.started = time.monotonic()
        self.done_runs = 0
        self.label = ""  # which side of an A/B comparison, in the progress lines
        steps = len(scenario.ramp["steps"]) if scenario.ramp else 1
        self.total_runs = 1 if scenario.soak else len(list(scenario.points())) * steps * scenario.run["repetitions"]
        self.doc = {"status": "running", "run_id": self.dir.name,
                    "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "scenario": {"name": scenario.name, "path": scenario.path, "description": scenario.description,
                                 "run": scenario.run, "matrix": scenario.matrix, "ramp": scenario.ramp,
                                 "servers": scenario.servers, "networks": scenario.networks,
                                 "faults": scenario.faults, "hosts": scenario.hosts,
                                 "source": scenario.source},
                    "environment": {**environment.capture(source, self.build),
                                    "server_versions": environment.server_versions(scenario.servers, ROOT)},
                    "techniques": techniques.table(),
                    "pinning": dict(zip(("server", "clients"),
                                        processes.pin_plan(scenario.run["pin"], scenario.run["client_processes"]))),
                    "points": [], "ramps": [], "thresholds": [], "floor": []}
        self.floors = {}
        self.fleet = None  # the hosts' agents, while execute() runs
        results.write(self.dir, self.doc)

    def progress(self, point, repetition):
        elapsed = time.monotonic() - self.started
        per_run = (elapsed / self.done_runs if self.done_runs else
                   self.scenario.run["warmup"] + self.scenario.run["duration"] + RUN_OVERHEAD_S)
        left = per_run * (self.total_runs - self.done_runs)
        print(f"[{self.label}{self.done_runs + 1}/{self.total_runs}] {describe(point)} "
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

    def prepare(self, point):
        """The point as measured: with its floor, network profile and faults."""
        return {**point, "floor_us_per_event": self.floor_of(point),
                "network_profile": self.scenario.networks[point["network"]], "faults": self.scenario.faults}

    def run_one(self, point, repetition):
        """One run of a prepared point, announced and its trouble reported."""
        self.progress(point, repetition)
        record = runner.run_once(self.build, point, self.scenario.run, self.scenario.servers.get(point["backend"]),
                                 functools.partial(cluster.measure, self.fleet) if self.fleet else None)
        self.done_runs += 1
        if record["status"] != "ok":
            print(f"    failed: {record['reason']}", file=sys.stderr, flush=True)
        elif record["client_saturated"]:
            print("    note: the client was saturated; this point measures the client", file=sys.stderr)
        return record

    def add_point(self, point, runs):
        """The point's record from its runs, kept at once."""
        record = point_record(point, runs)
        self.doc["points"].append(record)
        results.write(self.dir, self.doc)
        return record

    def measure(self, point):
        point = self.prepare(point)
        return self.add_point(point, [self.run_one(point, repetition)
                                      for repetition in range(1, self.scenario.run["repetitions"] + 1)])

    def execute(self):
        if self.scenario.soak:
            return self.execute_soak()
        if not self.scenario.hosts:
            return self.execute_points()
        print(f"pushbench: hosts: {', '.join(self.scenario.hosts['nodes'])} (nodes), "
              f"{self.scenario.hosts['balancer']} (HAProxy), {self.scenario.hosts['redis']} (Redis), "
              f"{', '.join(self.scenario.hosts['clients'])} (clients)", file=sys.stderr, flush=True)
        self.fleet = fleet.Fleet(self.scenario.hosts, self.build)
        try:
            self.execute_points()
        finally:  # Ctrl-C too: every host's programs stopped, the test hosts removed
            self.fleet.close()
            self.fleet = None

    def execute_points(self):
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
