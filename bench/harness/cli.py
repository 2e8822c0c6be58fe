"""`pushbench`: run a scenario, show progress, keep the results, judge the thresholds."""
import argparse
import contextlib
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

from . import compare, fleet, results, scenario as scenarios, techniques, verify
from .session import Run, run_micro

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "bench" / "scenarios"
# Results go to the source tree's results/; installed (no CMakeLists.txt), to results/ where it is run.
RESULTS = ROOT / "results" if (ROOT / "CMakeLists.txt").is_file() else Path("results")


class OneLineParser(argparse.ArgumentParser):
    """Bad flags: one line naming the problem, exit 2 (the contract of every pushbench program)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message}\n")


def scenario_path(name):
    path = Path(name)
    if path.is_file() or path.suffix == ".toml":  # a folder named like a scenario (servers/) is not one
        return path
    return SCENARIOS / f"{name}.toml"


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
    publishing = any("publish" in server for server in scenario.servers.values())
    for program in ("pushbench-server", "pushbench-client") + (("pushbench-publisher",) if publishing else ()):
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
    except fleet.FleetError as error:
        path = run.finish("failed")
        print(f"pushbench: hosts: {error}; the {len(run.doc['points'])} points measured are in {path}",
              file=sys.stderr)
        return 1
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


def command_ab(args):
    from . import ab  # its statistics need numpy, which no other command does

    expected = (1, 2) if args.calibrate else (2, 3)
    if not expected[0] <= len(args.revisions) <= expected[1]:
        usage = "--calibrate BASE [SCENARIO]" if args.calibrate else "BASE HEAD [SCENARIO]"
        print(f"pushbench ab: expected {usage}, got {' '.join(args.revisions)}", file=sys.stderr)
        return 2
    specs = args.revisions[:expected[0]]
    specs += specs if args.calibrate else []
    name = args.revisions[expected[0]] if len(args.revisions) > expected[0] else "ci"
    try:
        scenario = scenarios.load(scenario_path(name))
        with stop_signals_interrupt([]):
            document, folder = ab.run(*specs, scenario, args.rounds, args.threshold / 100, args.out, args.jobs,
                                      calibrate=args.calibrate)
    except (scenarios.ScenarioError, ab.AbError) as error:
        print(f"pushbench ab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\npushbench ab: interrupted; both run folders keep what was measured", file=sys.stderr)
        return 130
    text = ab.markdown(document)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    print(f"pushbench ab: {document['verdict']}; verdict.json, verdict.md and both run folders in {folder}",
          file=sys.stderr)
    if document["verdict"] == "inconclusive" and not args.calibrate:
        print("pushbench ab: warning: the runner was too noisy to judge some metrics at this threshold "
              "(see \"resolves\"); more --rounds or a quieter runner would tell", file=sys.stderr)
    return 1 if document["verdict"] == "regression" and not args.calibrate else 0


def command_verify(args):
    if args.technique not in techniques.names():
        print(f"pushbench verify: --technique: {args.technique!r} is not one of {', '.join(techniques.names())}",
              file=sys.stderr)
        return 2
    server = None
    if args.publish_url and not args.profile:
        print("pushbench verify: --publish-url: only with --profile", file=sys.stderr)
        return 2
    if args.profile:
        try:
            server = scenarios.load_profile(args.profile)
        except scenarios.ScenarioError as error:
            print(f"pushbench verify: --profile: {error}", file=sys.stderr)
            return 2
    checks = verify.verify(args.url.rstrip("/"), args.technique, server, args.publish_url)
    for check in checks:
        verdict = "SKIP" if check.skipped else "PASS" if check.ok else "FAIL"
        print(f"{verdict} {check.name}" + (f": {check.detail}" if check.detail else ""))
    failed = [c for c in checks if not c.ok]
    skipped = sum(c.skipped for c in checks)
    print(f"{len(checks) - len(failed) - skipped} passed, {len(failed)} failed"
          + (f", {skipped} skipped (do not apply to this server)" if skipped else ""))
    return 1 if failed else 0


def command_list(_args):
    for path in sorted(SCENARIOS.glob("*.toml")):
        try:
            print(f"{path.stem:<12} {scenarios.load(path).description}")
        except scenarios.ScenarioError as error:
            print(f"{path.stem:<12} INVALID: {error}")
    return 0


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return value


def main(argv=None):
    parser = OneLineParser(prog="pushbench", description="Runs push-technique benchmark scenarios.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = commands.add_parser("run", help="run a scenario (default: the 'default' scenario)")
    run.add_argument("scenario", nargs="?", default="default",
                     help="a scenario name in bench/scenarios or a .toml path")
    run.add_argument("--out", default=str(RESULTS), help="folder for the run folder (default: results/)")
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
    abing = commands.add_parser("ab", help="build two revisions and compare them on this machine, interleaved; "
                                           "exit 1 on a significant regression")
    abing.add_argument("revisions", nargs="+", metavar="ARG",
                       help="BASE HEAD [SCENARIO] (with --calibrate: BASE [SCENARIO]): git revisions or build "
                            "folders with bin/, and a scenario (default: ci)")
    abing.add_argument("--calibrate", action="store_true",
                       help="BASE against itself: the smallest change this runner can tell apart")
    abing.add_argument("--rounds", type=positive_int, default=2, help="ABBA rounds per point (default 2)")
    abing.add_argument("--threshold", type=float, default=10.0, help="percent change that may count (default 10)")
    abing.add_argument("--out", default=str(RESULTS), help="folder for the ab folder (default: results/)")
    abing.add_argument("--markdown", help="also write the table as markdown to this file (a CI step summary)")
    abing.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, help="build jobs")
    abing.set_defaults(handler=command_ab)
    checking = commands.add_parser("verify", help="check that a server speaks the SPEC for a technique")
    checking.add_argument("--technique", required=True,
                          help="a technique of the table (pushbench-server --list-techniques)")
    checking.add_argument("--build", default=str(ROOT / "build"), help="build folder with bin/ (default: build/)")
    checking.add_argument("--url", required=True, help="the server's base URL, like http://127.0.0.1:8080")
    checking.add_argument("--profile", help="a server profile (servers/peers/NAME/profile.toml): publish as it "
                          "says, and skip the checks it says do not apply")
    checking.add_argument("--publish-url", help="with --profile: where the events are published, when not at --url "
                          "(the second URL of a peer's ready line)")
    checking.set_defaults(handler=command_verify)
    listing = commands.add_parser("list", help="list the scenarios")
    listing.set_defaults(handler=command_list)
    args = parser.parse_args(argv)
    techniques.use_build(getattr(args, "build", None) or ROOT / "build")
    try:
        code = args.handler(args)
        if sys.stdout:  # None when started with stdout closed
            sys.stdout.flush()  # here, not at exit, so a reader that is gone is met below
        return code
    except techniques.TableMissing as missing:
        print(f"pushbench: {missing}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        if not reader_gone(sys.stdout):
            raise  # another pipe (an agent's, a child's): a real failure
        # `pushbench list | head`: stop as a Unix tool does, without a traceback or a second
        # error when the interpreter flushes stdout on the way out.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def reader_gone(stream):
    """Whether stream is a pipe or socket whose reader has closed it (Linux polls a pipe without
    readers as an error, a socket whose peer has closed as a hang-up)."""
    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no stream, or none with a file descriptor
        return False
