#!/usr/bin/python3
"""How fast is pushbench-client? (the figures asked for by the clients issue)

1. Short-poll requests/s of pushbench-client (closed loop, --poll-interval 0) against wrk on the
   same endpoint of the same server, one thread each, server pinned to core 0, load to core 1.
2. Events/s that one client thread absorbs for SSE and WebSocket with 1,000 connections and
   64-byte payloads, with the client's CPU use (the server is pushed as hard as it goes).

  scripts/measure_client.py [--seconds 10] [--connections 100]
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from scale_check import CLIENT_CORE, ROOT, processes, start_server


def client_run(build, technique, url, connections, seconds, *extra):
    argv = [str(build / "bin/pushbench-client"), "--technique", technique, "--url", url, "--connections",
            str(connections), "--duration", f"{seconds}s", "--warmup", "1s", "--out", "-", *extra]
    done = subprocess.run(processes.pinned(CLIENT_CORE, argv), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def wrk_requests_per_s(url, connections, seconds):
    done = subprocess.run(processes.pinned(CLIENT_CORE, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]),
                          capture_output=True, text=True, check=True)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=100, help="for the short-poll comparison")
    parser.add_argument("--build", default=str(ROOT / "build"))
    args = parser.parse_args()
    build = Path(args.build)

    if shutil.which("wrk"):
        server, url = start_server(build, "short-poll")
        try:
            wrk = wrk_requests_per_s(url + "/poll?since=0", args.connections, args.seconds)
            ours = client_run(build, "short-poll", url, args.connections, args.seconds, "--poll-interval", "0")
            ours_rps = ours["http_requests"] / ours["duration_s"]
        finally:
            processes.stop(server)
        print(f"short-poll, {args.connections} connections: pushbench-client {ours_rps:.0f} req/s, "
              f"wrk {wrk:.0f} req/s, "
              f"ratio {ours_rps / wrk:.2f} (client busiest thread {ours['client_busiest_thread_cpu'] * 100:.0f}% CPU)")
    else:
        print("wrk is not installed (apt-get install wrk): short-poll comparison skipped")

    for technique in ("sse", "websocket"):
        server, url = start_server(build, technique, "--rate", "1000", "--payload", "64")
        try:
            run = client_run(build, technique, url, 1000, args.seconds)
        finally:
            processes.stop(server)
        cpu = run["client_busiest_thread_cpu"]
        print(f"{technique}, 1000 connections, 64 B: {run['events_per_s']:.0f} events/s on one client thread at "
              f"{cpu * 100:.0f}% CPU (= {run['events_per_s'] / max(cpu, 1e-9):.0f} events/s per client core); "
              f"gaps {run['gaps']}, p50 {run['latency_ns']['p50'] / 1e6:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
