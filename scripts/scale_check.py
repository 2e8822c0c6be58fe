#!/usr/bin/python3
"""Scale check of pushbench-server (issue: 10,000 subscribers per technique on one process).

For each technique: start the server pinned to core 0, open N connections with pushbench-client
pinned to core 1, read the server's RSS with the connections idle (no events) and subtract its
RSS before they connected; then, in a second run, publish at --rate events/s and report what the
client received (events, gaps, duplicates, latency percentiles) and the server's CPU.

  scripts/scale_check.py --connections 10000 --rate 10 --duration 10
"""
import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import processes  # noqa: E402  (the harness's pinning, start, stop and /proc sampling)

SERVER_CORE, (CLIENT_CORE,) = processes.pin_plan(True, 1)


def start_server(build, technique, *extra):
    server = processes.start([str(build / "bin/pushbench-server"), "--technique", technique, "--port", "0",
                              "--max-connections", "20000", *extra], SERVER_CORE, stdout=subprocess.PIPE, text=True)
    line = processes.read_line(server, 10)
    if not line or not line.startswith("listening on "):
        processes.kill(server)
        raise SystemExit(f"pushbench-server did not start: {line!r}")
    return server, line.split()[-1]


def stats(url):
    with urllib.request.urlopen(url + "/stats", timeout=10) as response:
        return json.loads(response.read())


def client(build, technique, url, connections, seconds, warmup, threads):
    return processes.start([str(build / "bin/pushbench-client"), "--technique", technique, "--url", url,
                            "--connections", str(connections), "--duration", f"{seconds}s",
                            "--warmup", f"{warmup}s", "--threads", str(threads), "--out", "-",
                            "--long-poll-timeout", "120s", "--timeout", "60s"], CLIENT_CORE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def idle_memory(build, technique, connections, threads):
    server, url = start_server(build, technique)
    try:
        time.sleep(0.3)
        before = processes.memory(server.pid)[0]
        load = client(build, technique, url, connections, 30, 0, threads)
        deadline = time.monotonic() + 60
        while stats(url)["connections"] < connections and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        held = stats(url)["connections"]
        after = processes.memory(server.pid)[0]
        processes.kill(load)
        return {"held": held, "rss_before": before, "rss_with_connections": after,
                "bytes_per_connection": (after - before) / max(held, 1)}
    finally:
        processes.stop(server)


def delivery(build, technique, connections, rate, seconds, threads):
    server, url = start_server(build, technique, "--rate", str(rate))
    try:
        load = client(build, technique, url, connections, seconds, 3, threads)
        time.sleep(3)  # connecting and warm-up
        cpu_before = processes.cpu_seconds(server.pid)
        out, _ = load.communicate(timeout=seconds + 120)
        cpu = processes.cpu_seconds(server.pid) - cpu_before
        result = json.loads(out)
        result["server_cpu_s"] = cpu
        result["server_peak_rss"] = processes.memory(server.pid)[1]
        return result
    finally:
        processes.stop(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="client threads")
    parser.add_argument("--techniques", default="sse,websocket,long-poll")
    parser.add_argument("--build", default=str(ROOT / "build"))
    args = parser.parse_args()
    build = Path(args.build)
    for technique in args.techniques.split(","):
        memory = idle_memory(build, technique, args.connections, args.threads)
        run = delivery(build, technique, args.connections, args.rate, args.duration, args.threads)
        lat = run["latency_ns"]
        expected = args.connections * args.rate * args.duration
        print(f"{technique:10s} held {memory['held']:>6} idle: {memory['bytes_per_connection'] / 1024:6.2f} KiB/conn "
              f"(RSS {memory['rss_before'] / 2**20:.1f} -> {memory['rss_with_connections'] / 2**20:.1f} MiB) | "
              f"{run['connections_established']} conns, {run['events_received']} events "
              f"(~{expected:.0f} expected), gaps {run['gaps']}, dups {run['duplicates']}, errors {run['errors']}, "
              f"latency p50 {lat['p50'] / 1e6:.2f} p99 {lat['p99'] / 1e6:.2f} max {lat['max'] / 1e6:.2f} ms, "
              f"server CPU {run['server_cpu_s']:.2f}s, client saturated {run['client_saturated']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
