"""System calls per delivered event: a point's server run once more under `strace -f -c`, a short
pass apart from the timed runs (tracing slows the server, so nothing it measures is a time).
The calls of the server's life that did work (see working_calls), over every event it delivered:
a count that the same code makes on any machine, so a change in it is a change in the code."""
import json
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from . import processes, runner

PASS = {"warmup": 0.5, "duration": 2.0}  # the client's run in the pass: long enough for the startup's calls to be few
START_TIMEOUT = 30.0                       # a traced server starts slowly


class CountFailed(Exception):
    pass


# The event loop's waiting: how often it waits, and for which sockets, depends on whether the
# other side was quicker, which is the runner's timing, not the code.
WAITING = {"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl"}


def working_calls(summary):
    """From strace -c's table: the calls that did their work, all but the waiting ones and those
    that failed (mostly EAGAIN: a read that came before the data, tried again when it is there)."""
    calls = None
    for line in summary.splitlines():
        fields = line.split()
        if len(fields) not in (5, 6) or not fields[3].isdigit():
            continue  # the header, the rule, a line strace did not count
        if fields[-1] == "total":
            return calls
        errors = int(fields[4]) if len(fields) == 6 else 0
        if fields[-1] not in WAITING:
            calls = (calls or 0) + int(fields[3]) - errors
    raise CountFailed("strace -c printed no total")


def per_delivered_event(build, point, run):
    """The server's system calls per event it delivered, for one point (pushbench-server only)."""
    server_core, client_cores = processes.pin_plan(run["pin"], 1)
    with tempfile.TemporaryDirectory(prefix="pushbench-strace-") as tmp:
        summary = Path(tmp) / "strace.txt"
        argv = ["strace", "-f", "-c", "-q", "-o", str(summary), *runner.server_argv(build, point, run, None)]
        server = processes.start(argv, server_core, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        client = None
        try:
            line = processes.read_line(server, START_TIMEOUT)
            if not line or not line.startswith("listening on "):
                raise CountFailed(f"the traced server did not start: {line or 'no listening line'}")
            url = line.split()[-1]
            out = Path(tmp) / "client.json"
            client = processes.start(runner.client_argv(build, point, {**run, **PASS}, url, point["connections"], out),
                                     client_cores[0], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if client.wait(timeout=PASS["warmup"] + PASS["duration"] + 60) != 0:
                raise CountFailed("the client of the traced pass failed")
            with urllib.request.urlopen(url + "/stats", timeout=10) as response:
                delivered = json.loads(response.read())["delivered"]
            processes.stop(server, grace=15.0)  # strace writes its summary when the server has exited
            deadline = time.monotonic() + 10
            while not summary.exists() or "total" not in summary.read_text():
                if time.monotonic() > deadline:
                    raise CountFailed("strace wrote no summary")
                time.sleep(0.05)
        except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as problem:  # URLError is an OSError
            raise CountFailed(f"the traced pass failed: {problem}") from None
        finally:
            for proc in (client, server):
                if proc is not None:
                    processes.kill(proc)
        if not delivered:
            raise CountFailed("the traced server delivered nothing")
        return working_calls(summary.read_text()) / delivered


def available():
    """strace is installed and may trace here (a container may forbid ptrace)."""
    try:
        return subprocess.run(["strace", "-f", "-c", "-q", "-o", "/dev/null", "true"], capture_output=True,
                              timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
