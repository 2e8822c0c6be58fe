"""Child processes of a run: started pinned to a core, in their own session (so Ctrl-C reaches
only the harness, which then stops them), sampled from /proc, and always killed in the end."""
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pin_plan(pin, processes):
    """Cores for the server and for each client process: server on core 0, clients on the rest."""
    cores = os.cpu_count() or 1
    if not pin or cores < 2 or not shutil.which("taskset"):
        return None, [None] * processes
    return "0", [str(1 + i % (cores - 1)) for i in range(processes)]


def pinned(core, argv):
    """The command run on `core` (a pin_plan core; None: anywhere)."""
    return ["taskset", "-c", core, *argv] if core is not None else list(argv)


def start(argv, core=None, **kwargs):
    return subprocess.Popen(pinned(core, argv), start_new_session=True, **kwargs)


def read_line(proc, timeout):
    """The first line the process prints to stdout, or None if it exits or says nothing in time."""
    deadline = time.monotonic() + timeout
    buffered = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buffered += chunk
        if b"\n" in buffered:
            return buffered.split(b"\n", 1)[0].decode(errors="replace")
    return None


def _signal_group(proc, sig):
    """To the process and everything it started: its own session's process group, and every
    descendant, found before any dies (a server's children may make groups of their own, as
    Pushpin's runner does, and would outlive a signal to the group)."""
    members = tree(proc.pid) if proc.poll() is None else []  # a reaped pid may be another process's now
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    for member in members:
        try:
            os.kill(member, sig)
        except ProcessLookupError:
            pass


def stop(proc, grace=5.0):
    """SIGTERM, then SIGKILL after `grace`; returns (exit code, whether it stopped in time)."""
    if proc.poll() is not None:
        _signal_group(proc, signal.SIGKILL)
        return proc.returncode, True
    _signal_group(proc, signal.SIGTERM)
    try:
        return proc.wait(timeout=grace), True
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        return proc.wait(), False


def stop_all(procs, grace):
    """SIGTERM to all at once, `grace` for all to exit, then SIGKILL to every group: a child that
    ignored SIGTERM goes too, even when its parent exited in time."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for proc in procs:
        kill(proc)


def kill(proc):
    _signal_group(proc, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def tree(pid):
    """The process and all its descendants (a server that forks per connection counts whole)."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def _process_cpu(pid):
    """CPU time of one process, all its threads: from schedstat in nanoseconds where the kernel
    has it, else utime + stime in clock ticks (10 ms steps, too coarse for short windows)."""
    try:
        return sum(int((task / "schedstat").read_text().split()[0])
                   for task in Path(f"/proc/{pid}/task").iterdir()) / 1e9
    except (FileNotFoundError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _process_memory(pid):
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _sum_over_tree(pid, measure, width):
    total = [0] * width
    for member in tree(pid):
        try:
            values = measure(member)
        except (FileNotFoundError, ProcessLookupError):
            if member == pid:
                raise
            continue  # a child that just exited
        values = values if isinstance(values, tuple) else (values,)
        total = [t + v for t, v in zip(total, values)]
    return total


def cpu_seconds(pid):
    """CPU time of the process and its descendants."""
    return _sum_over_tree(pid, _process_cpu, 1)[0]


def memory(pid):
    """(VmRSS, VmHWM) in bytes, summed over the process and its descendants."""
    rss, hwm = _sum_over_tree(pid, _process_memory, 2)
    return rss, hwm
