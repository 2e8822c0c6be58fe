"""pushbench-relay in front of a point's server: started on the load side's first core before the
clients, stopped after them, its record (resets, stuck readers, its own lateness and CPU) kept
with the point's samples."""
import json
import subprocess
from urllib.parse import urlsplit

from . import network, processes, techniques

START_TIMEOUT = 5.0


class RelayFailed(Exception):
    pass


class Relay:
    def __init__(self, build, point, run, server_url, core, out, window):
        target = urlsplit(server_url).netloc
        self.out = out
        noticed_within = point["poll_interval"] if techniques.polls_on_interval(point["technique"]) else 0.0
        argv = network.relay_argv(build, point["network_profile"], point["faults"], target, *window, out,
                                  noticed_within)
        argv += ["--threads", str(run["relay_threads"])]
        self.proc = processes.start(argv, core, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = processes.read_line(self.proc, START_TIMEOUT)
        if not line or not line.startswith("listening on "):
            processes.kill(self.proc)
            raise RelayFailed(f"the relay did not start: {line or 'no listening line'}")
        self.url = line.split()[-1]
        self.cpu_begin = 0.0

    def window_begins(self):
        self.cpu_begin = processes.cpu_seconds(self.proc.pid)

    def window_ends(self):
        self.cpu_window = processes.cpu_seconds(self.proc.pid) - self.cpu_begin

    def stop(self):
        """The relay's record: what it did over its whole run, and its CPU over the window."""
        code, in_time = processes.stop(self.proc)
        if code != 0 or not in_time:
            raise RelayFailed(f"the relay exited {code}" + ("" if in_time else " after being killed"))
        record = json.loads(self.out.read_text())
        record.pop("lateness_ns", None)  # the percentiles are kept; the buckets are not needed
        record["cpu_window_s"] = getattr(self, "cpu_window", None)
        return record

    def kill(self):
        processes.kill(self.proc)
