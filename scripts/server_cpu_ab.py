#!/usr/bin/python3
"""Server CPU per delivered event of two pushbench-server binaries, alternated (ABBA) on this
machine: server pinned to core 0, pushbench-client to core 1, server CPU read from /proc over the
window. For before/after figures of a change to the delivery path.

  scripts/server_cpu_ab.py OLD/bin/pushbench-server build/bin/pushbench-server --connections 1000 --rate 20
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import processes  # noqa: E402

SERVER_CORE, (CLIENT_CORE,) = processes.pin_plan(True, 1)
WARMUP_S = 2.0


def cpu_per_event(server_bin, client_bin, technique, connections, rate, seconds):
    server = processes.start([server_bin, "--technique", technique, "--port", "0", "--rate", str(rate)], SERVER_CORE,
                             stdout=subprocess.PIPE)
    try:
        url = processes.read_line(server, 10).split()[-1]
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            client = processes.start([client_bin, "--technique", technique, "--url", url, "--connections",
                                      str(connections), "--warmup", f"{WARMUP_S}s", "--duration", f"{seconds}s",
                                      "--out", out.name], CLIENT_CORE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
            time.sleep(WARMUP_S + 0.3)
            begin = processes.cpu_seconds(server.pid)
            time.sleep(seconds - 0.6)
            used = processes.cpu_seconds(server.pid) - begin
            client.wait(timeout=seconds + 60)
            result = json.loads(Path(out.name).read_text())
        events = result["events_received"] * (seconds - 0.6) / result["duration_s"]
        return used * 1e6 / events
    finally:
        processes.stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="the first server binary (before)")
    parser.add_argument("b", help="the second server binary (after)")
    parser.add_argument("--techniques", default="sse,websocket")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="ABBA rounds")
    args = parser.parse_args()
    client = str(ROOT / "build" / "bin" / "pushbench-client")
    for technique in args.techniques.split(","):
        results = {"a": [], "b": []}
        for round_ in range(args.rounds):
            order = ("a", "b") if round_ % 2 == 0 else ("b", "a")
            for side in order:
                results[side].append(cpu_per_event(getattr(args, side), client, technique, args.connections,
                                                   args.rate, args.seconds))
        shown = {side: ", ".join(f"{v:.2f}" for v in values) for side, values in results.items()}
        print(f"{technique}: µs of server CPU per event: a {shown['a']}; b {shown['b']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
