"""The harness's hand on a host: started over SSH (or directly, for this machine), it runs the
programs the harness asks for, samples them from /proc, answers clock probes and reads result
files, one JSON request per line on stdin and one JSON answer per line on stdout. When its stdin
closes (the harness finished, died or lost the SSH connection) it stops all it started and
removes its folder, so nothing outlives the run on any host.

Requests: {"start": argv, "core": "0"|null, "ready": "line"|"port"|null, "address": where "port" listens}
          {"sample": id} {"poll": id} {"stop": id} {"kill": id} {"read": path} {"clock": true}
A "{port}" in argv is a free TCP port of this host. Answers carry "error" when a request fails."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import processes  # noqa: E402  (this file runs as a script on the host, outside the package)

READY_TIMEOUT_S = 15.0
CLOSING_GRACE_S = 2.0  # for a program to exit on SIGTERM before it gets SIGKILL


def free_port():
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def port_open(address, port):
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        return True
    except OSError:
        return False


class Agent:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="pushbench-host-"))
        self.procs = {}

    def start(self, request):
        port = free_port() if any("{port}" in arg for arg in request["start"]) else None
        argv = [arg.replace("{port}", str(port)) for arg in request["start"]]
        name = str(len(self.procs))
        out, err = self.dir / f"{name}.out", self.dir / f"{name}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = processes.start(argv, request.get("core"), stdin=subprocess.DEVNULL, stdout=stdout,
                                   stderr=stderr, cwd=self.dir)
        self.procs[name] = proc
        answer = {"id": name, "pid": proc.pid, "port": port, "dir": str(self.dir)}
        deadline = time.monotonic() + READY_TIMEOUT_S
        while request.get("ready") and time.monotonic() < deadline:
            if request["ready"] == "line" and b"\n" in out.read_bytes():
                return {**answer, "line": out.read_bytes().split(b"\n", 1)[0].decode(errors="replace")}
            if request["ready"] == "port" and port_open(request.get("address", "127.0.0.1"), port):
                return answer
            if proc.poll() is not None:
                return {**answer, "error": f"exited {proc.returncode} before it was ready: {self.tail(name)}"}
            time.sleep(0.02)
        if request.get("ready"):
            processes.stop(proc, CLOSING_GRACE_S)  # not ready: it must not run on unseen
            return {**answer, "error": f"not ready in {READY_TIMEOUT_S:g} s: {self.tail(name)}"}
        return answer

    def tail(self, name):
        lines = (self.dir / f"{name}.err").read_text(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    def handle(self, request):
        if "start" in request:
            return self.start(request)
        if "clock" in request:
            return {"ns": time.time_ns()}
        if "read" in request:
            return {"text": (self.dir / request["read"]).read_text()}  # relative: in the agent's folder
        proc = self.procs[request.get("sample") or request.get("poll") or request.get("stop") or request["kill"]]
        if "sample" in request:
            cpu, (rss, hwm) = processes.cpu_seconds(proc.pid), processes.memory(proc.pid)
            return {"cpu_s": cpu, "rss": rss, "hwm": hwm}
        if "poll" in request:
            code = proc.poll()
            return {"exit": code, "tail": self.tail(request["poll"]) if code not in (None, 0) else ""}
        if "stop" in request:
            code, in_time = processes.stop(proc)
            return {"exit": code, "in_time": in_time}
        processes.kill(proc)
        return {"exit": proc.returncode}

    def serve(self):
        try:
            for line in sys.stdin:
                try:
                    answer = self.handle(json.loads(line))
                except (OSError, KeyError, ValueError, ProcessLookupError) as error:
                    answer = {"error": f"{type(error).__name__}: {error}"}
                print(json.dumps(answer), flush=True)
        finally:  # SIGTERM first: a program's own clean-up (haproxy.sh's folder) runs
            processes.stop_all(list(self.procs.values()), CLOSING_GRACE_S)
            shutil.rmtree(self.dir, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps({"ready": True, "python": sys.version.split()[0], "pid": os.getpid()}), flush=True)
    Agent().serve()
