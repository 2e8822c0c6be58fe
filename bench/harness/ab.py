"""`pushbench ab BASE HEAD [SCENARIO]`: two builds compared on one runner, as CI needs it.

Both revisions are built (git worktrees under build-ab/, cached by commit), then each point of
the scenario runs for both in ABBA order, several rounds, so that the runner's drift falls on
both sides alike. Times are judged by abstats (a permutation test and the median ratio with its
interval, per technique); counts that do not depend on the machine (bytes, requests and system
calls per event, micro-benchmark instructions) are compared as they are. A regression must be
significant and beyond the threshold; when the runner is too noisy to tell, the verdict says
"inconclusive" instead of guessing."""
import copy
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from . import abstats, instructions, results, session, syscalls
from .derive import METRICS

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build-ab"
COMPLETE = ".pushbench-ab-complete"  # written after a revision's build succeeded
# Judged statistically: they depend on the machine and on the moment.
TIMED = ("server_cpu_us_per_event", "latency_p50_ms", "latency_p99_ms", "events_per_s", "delivery_ratio",
         "connect_p99_ms", "memory_per_connection_bytes")
# Compared as they are, beyond their resolution: the same code gives the same count anywhere
# (bytes per event move with the number of digits in the event ids a run reaches; system calls
# with the timers that fire during the pass).
COUNTED = {"bytes_per_event": 0.01, "requests_per_event": 0.01, "protocol_messages_per_event": 0.01,
           "syscalls_per_event": 0.01}
OCCURRENCES = ("failed_runs", "errors", "gaps", "duplicates")  # should never happen: counted by runs
INSTRUCTIONS_RESOLUTION = 0.005


class AbError(Exception):
    pass


def _git(*args):
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def _step(argv, what):
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise AbError(f"{what} failed: {' | '.join(tail)}")


def build_side(spec, jobs):
    """(build folder, label, source) for a revision (built once, then cached) or an existing build
    folder (whose source is taken to be this checkout)."""
    path = Path(spec)
    if (path / "bin" / "pushbench-server").is_file():
        return path.resolve(), str(path), ROOT
    sha = _git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if not sha:
        raise AbError(f"{spec!r} is neither a git revision nor a build folder with bin/pushbench-server")
    home, label = CACHE / sha[:12], f"{spec} ({sha[:12]})"
    source, build = home / "src", home / "build"
    if (build / COMPLETE).exists():
        print(f"pushbench ab: {label}: built before, in {build}", file=sys.stderr)
        return build, label, source
    print(f"pushbench ab: {label}: building in {build}", file=sys.stderr, flush=True)
    checked_out = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True)
    if source.exists() and checked_out.stdout.strip() != sha:  # an interrupted checkout: start again
        _git("worktree", "remove", "--force", str(source))
        shutil.rmtree(source, ignore_errors=True)
    if not source.exists():
        _git("worktree", "prune")
        _step(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(source), sha],
              f"git worktree add for {label}")
    _step(["cmake", "-S", str(source), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_TESTING=OFF"],
          f"configuring {label}")
    _step(["cmake", "--build", str(build), "-j", str(jobs)], f"building {label}")
    (build / COMPLETE).touch()
    return build, label, source


def run_rounds(scenario, sides_built, rounds, out):
    """Both sides' runs of every point, ABBA per round: [{"point", "runs": (A's, B's)}], and the
    two run folders. Interrupted, both folders keep what was measured."""
    scenario = copy.copy(scenario)
    scenario.run = {**scenario.run, "repetitions": 2 * rounds}
    sides = [session.Run(scenario, build, out / name, source=source)
             for name, (build, _, source) in zip("ab", sides_built)]
    labels = [label for _, label, _ in sides_built]
    sides[1].floors = sides[0].floors  # the kernel's floor is the machine's, not the build's
    for side, name, label in zip(sides, "AB", labels):
        side.label = name
        side.doc["ab_side"] = {"side": name, "revision": label, "rounds": rounds}
    measured = []
    try:
        for base in scenario.points():
            prepared = [side.prepare(base) for side in sides]
            runs = ([], [])
            for _ in range(rounds):
                for i in (0, 1, 1, 0):
                    runs[i].append(sides[i].run_one(prepared[i], len(runs[i]) + 1))
            for i in (0, 1):
                sides[i].add_point(prepared[i], runs[i])
            measured.append({"point": prepared[0], "runs": runs})
    except KeyboardInterrupt:
        for side in sides:
            side.finish("interrupted")
        raise
    if scenario.run["micro"]:
        for side in sides:
            print(f"pushbench ab: micro-benchmark times, {side.label}", file=sys.stderr, flush=True)
            session.run_micro(side.build, side.dir, scenario.run["pin"])
    for side in sides:
        side.finish("complete")
    return measured, [side.dir for side in sides]


def _value(run, metric):
    if metric == "failed_runs":
        return int(run["status"] != "ok")
    return run["metrics"].get(metric) if run["status"] == "ok" else None


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def judge_points(measured, threshold):
    """A row per technique on a backend and timed metric (its points' pairs together), and per
    point and count."""
    groups = {}
    for entry in measured:
        point = entry["point"]
        groups.setdefault(f"{point['technique']} ({point['backend']})", []).append(entry)
    rows = []
    for group, members in groups.items():
        for metric in TIMED:
            pairs, cv_a, cv_b = [], [], []
            for runs_a, runs_b in (m["runs"] for m in members):
                values_a, values_b = [_value(r, metric) for r in runs_a], [_value(r, metric) for r in runs_b]
                pairs += zip(values_a, values_b)  # run i of A and of B ran next to each other
                cv_a.append(abstats.coefficient_of_variation(values_a))
                cv_b.append(abstats.coefficient_of_variation(values_b))
            rows.append({"group": group, "metric": metric, "kind": "time",
                         "a": _median([a for a, _ in pairs]), "b": _median([b for _, b in pairs]),
                         "cv_a": _median(cv_a), "cv_b": _median(cv_b),
                         **abstats.judge(pairs, METRICS[metric][1], threshold)})
        for metric in OCCURRENCES:
            values_a, values_b = ([_value(r, metric) for m in members for r in m["runs"][side]] for side in (0, 1))
            rows.append({"group": group, "metric": metric, "kind": "runs with it",
                         **abstats.judge_occurrences(values_a, values_b)})
    for entry in measured:  # a count is the point's own: it differs from point to point
        for metric, resolution in COUNTED.items():
            if metric == "syscalls_per_event":
                values_a, values_b = entry.get("syscalls", ([], []))
            else:
                values_a, values_b = ([_value(r, metric) for r in entry["runs"][side]] for side in (0, 1))
            judged = abstats.judge_exact(values_a, values_b, "lower", resolution)
            if judged["verdict"] != "not measured" or metric == "syscalls_per_event":
                point = " ".join(session.describe(entry["point"]).split())
                rows.append({"group": point, "metric": metric, "kind": "count", **judged})
    return rows


def judge_micro(counts_a, counts_b):
    return [{"group": "micro", "metric": f"{name} instructions", "kind": "count",
             **abstats.judge_exact([counts_a[name]], [counts_b.get(name)], "lower", INSTRUCTIONS_RESOLUTION)}
            for name in sorted(counts_a)]


def micro_times(run_dirs):
    """Each micro-benchmark's time on both sides, shown and not judged: one run each is a time on
    a shared machine, and the instructions above are what the verdict reads."""
    times = []
    for run_dir in run_dirs:
        path = Path(run_dir) / "micro.json"
        benchmarks = json.loads(path.read_text())["benchmarks"] if path.exists() else []
        times.append({b["name"]: b["real_time"] for b in benchmarks})
    return [{"group": "micro", "metric": f"{name} ns", "kind": "shown", "a": time_a, "b": times[1].get(name),
             "verdict": "not judged"} for name, time_a in times[0].items()]


def count_syscalls(measured, builds, scenario):
    """Each point's "syscalls", A's and B's: system calls per delivered event, from traced passes."""
    if not syscalls.available():
        print("pushbench ab: strace cannot trace here; system calls are not compared", file=sys.stderr)
        return
    for entry in measured:
        point = entry["point"]
        if scenario.servers.get(point["backend"]):
            continue  # a server the scenario names is not ours to trace
        entry["syscalls"] = ([], [])
        for side in (0, 1, 1, 0):  # twice each: how much the count varies between passes of one build
            print(f"pushbench ab: system calls, {'AB'[side]}: {session.describe(point)}", file=sys.stderr, flush=True)
            try:
                entry["syscalls"][side].append(syscalls.per_delivered_event(builds[side], point, scenario.run))
            except syscalls.CountFailed as failure:  # shown as not measured, never a pass
                print(f"    failed: {failure}", file=sys.stderr)


def count_instructions(builds):
    counts = []
    for side, build in enumerate(builds):
        print(f"pushbench ab: micro-benchmark instructions, {'AB'[side]} (callgrind)", file=sys.stderr, flush=True)
        try:
            counts.append(instructions.per_benchmark(build))
        except instructions.CountFailed as failure:
            print(f"    failed: {failure}", file=sys.stderr)
            return []
    return judge_micro(*counts)


def verdict_of(rows):
    """regression, else inconclusive (a row the runner could not judge, or a failed run on either
    side: a base whose programs the head's harness cannot run is no pass), else no regression."""
    if any(r["verdict"] == "regression" for r in rows):
        return "regression"
    failed = any(r["metric"] == "failed_runs" and (r["a"] or r["b"]) for r in rows)
    return "inconclusive" if failed or any(r["verdict"] == "inconclusive" for r in rows) else "no regression"


def _shown(value, digits=4):
    return "-" if value is None else f"{value:.{digits}g}"


def markdown(document):
    d = document
    calibrating = d["calibrate"]
    title = (f"## pushbench ab --calibrate: {d['a']} against itself" if calibrating else
             f"## pushbench ab: {d['verdict']} (A = {d['a']}, B = {d['b']})")
    lines = [title, "",
             f"Scenario `{d['scenario']}`, {d['rounds']} ABBA rounds, threshold {d['threshold']:.0%}, "
             f"one-sided p <= {abstats.ALPHA}; \"resolves\" is the smallest change this runner told apart here "
             f"(the half-width of the ratio's {abstats.CONFIDENCE:.0%} interval).", "",
             "| group | metric | A | B | B/A [interval] | p (worse) | CV A / B | resolves | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in d["rows"]:
        if r["kind"] == "time":
            ratio = "-" if "ratio" not in r else \
                f"{r['ratio']:.3f} [{r['interval'][0]:.3f}, {r['interval'][1]:.3f}]"
            cv = f"{_shown(r['cv_a'], 2)} / {_shown(r['cv_b'], 2)}"
            lines.append(f"| {r['group']} | {r['metric']} | {_shown(r['a'])} | {_shown(r['b'])} | {ratio} | "
                         f"{_shown(r.get('p_worse'), 2)} | {cv} | "
                         f"{'-' if 'resolvable' not in r else format(r['resolvable'], '.1%')} | {r['verdict']} |")
        elif r["kind"] == "runs with it":
            runs = r["runs"]
            lines.append(f"| {r['group']} | {r['metric']} | {r['a']} of {runs} runs | {r['b']} of {runs} runs | "
                         f"- | - | - | - | {r['verdict']} |")
        else:
            a, b = r.get("a"), r.get("b")
            shown = "-" if not a or b is None else f"{b / a:.4f}"
            kind = "shown only" if r["kind"] == "shown" else "a count"
            lines.append(f"| {r['group']} | {r['metric']} | {_shown(a, 6)} | {_shown(b, 6)} | "
                         f"{shown} | - | - | {kind} | {r['verdict']} |")
    if calibrating:
        timed = [r for r in d["rows"] if r["kind"] == "time" and "resolvable" in r]
        worst = max(timed, key=lambda r: r["resolvable"], default=None)
        if worst:
            lines += ["", f"At {d['rounds']} rounds this runner resolves changes from "
                      f"{min(r['resolvable'] for r in timed):.1%} to {worst['resolvable']:.1%} "
                      f"(the least precise: {worst['metric']}, {worst['group']}); more rounds narrow them."]
    return "\n".join(lines) + "\n"


def check(scenario, rounds):
    """AbError when the scenario cannot be compared, or `rounds` give too few pairs to be significant."""
    if scenario.ramp or scenario.soak or scenario.hosts:
        raise AbError(f"scenario '{scenario.name}': ab compares fixed points on this machine, not a ramp, a soak "
                      "or points on [hosts]")
    per_group = {}
    for point in scenario.points():
        group = (point["technique"], point["backend"])
        per_group[group] = per_group.get(group, 0) + 1
    fewest = min(per_group.values(), default=0)
    if not fewest:
        raise AbError(f"scenario '{scenario.name}' has no point to compare")
    needed = -(-abstats.MIN_PAIRS // (2 * fewest))
    if rounds < needed:
        raise AbError(f"--rounds: {rounds} rounds give {2 * rounds * fewest} pairs per technique here; "
                      f"at least {abstats.MIN_PAIRS} (--rounds {needed}) are needed for p <= {abstats.ALPHA}")


def run(spec_a, spec_b, scenario, rounds, threshold, out, jobs, calibrate=False):
    """The whole A/B: builds, runs, counts, verdict; returns the verdict document and its folder."""
    check(scenario, rounds)
    sides_built = [build_side(spec_a, jobs), build_side(spec_b, jobs)]
    (build_a, label_a, _), (build_b, label_b, _) = sides_built
    folder = results.new_run_dir(out, f"ab-{scenario.name}")
    print(f"pushbench ab: A = {label_a}, B = {label_b}; results in {folder}", file=sys.stderr, flush=True)
    builds = [build_a, build_b]
    measured, run_dirs = run_rounds(scenario, sides_built, rounds, folder)
    count_syscalls(measured, builds, scenario)
    rows = judge_points(measured, threshold)
    if scenario.run["micro"]:
        rows += count_instructions(builds) + micro_times(run_dirs)
    document = {"a": label_a, "b": label_b, "scenario": scenario.name, "rounds": rounds, "threshold": threshold,
                "alpha": abstats.ALPHA, "calibrate": calibrate, "runs": [str(p) for p in run_dirs],
                "verdict": verdict_of(rows), "rows": rows}
    (folder / "verdict.json").write_text(json.dumps(document, indent=1))
    (folder / "verdict.md").write_text(markdown(document))
    return document, folder
