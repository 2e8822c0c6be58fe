#!/usr/bin/python3
"""Server RSS per idle connection when clients connect in bursts: pushbench-server on core 0 with
nothing published, then BURSTS client processes of BURST connections each, started GAP apart, all
at once within a burst (--connect-rate 0), on core 1; RSS (VmRSS) before and once every connection
is open. Memory a burst's handshakes leave behind in the heap shows here and not with a gentle ramp.

  scripts/idle_memory.py [--server build/bin/pushbench-server] [--techniques sse,websocket] \\
      [--burst 500] [--bursts 20] [--gap 0.2] [--tls]

With --tls, the server runs --tls self-signed and the clients connect over https.

Socket buffers are the kernel's and are not in RSS.
"""
import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import processes, wire  # noqa: E402

SERVER_CORE, (CLIENT_CORE,) = processes.pin_plan(True, 1)
OPEN_TIMEOUT_S = 30


def open_streams(url):
    _, stats = wire.get_json(url, "/stats", timeout=2)
    return stats["sse_streams"] + stats["websockets"] + stats["other_streams"] + stats["long_polls_waiting"]


def measure(server_bin, technique, burst, bursts, gap, tls):
    server = processes.start([server_bin, "--technique", technique, "--port", "0", "--rate", "0",
                              *(["--tls", "self-signed"] if tls else [])], SERVER_CORE, stdout=subprocess.PIPE)
    clients = []
    try:
        url = processes.read_line(server, 10).split()[-1]
        time.sleep(0.5)
        before = processes.memory(server.pid)[0]
        for _ in range(bursts):
            clients.append(processes.start([str(ROOT / "build/bin/pushbench-client"), "--technique", technique,
                                            "--url", url, "--connections", str(burst), "--connect-rate", "0",
                                            "--duration", f"{OPEN_TIMEOUT_S + bursts * gap + 10}s", "--out",
                                            "/dev/null", "--tls-verify", "off"], CLIENT_CORE, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
            time.sleep(gap)
        deadline = time.monotonic() + OPEN_TIMEOUT_S
        while open_streams(url) < burst * bursts and time.monotonic() < deadline:
            time.sleep(0.2)
        opened = open_streams(url)
        time.sleep(1)
        after = processes.memory(server.pid)[0]
        return {"technique": technique, "tls": tls, "connections": opened, "rss_before": before, "rss_after": after,
                "bytes_per_connection": (after - before) / opened if opened else None}
    finally:
        for proc in clients + [server]:
            processes.kill(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=str(ROOT / "build/bin/pushbench-server"))
    parser.add_argument("--techniques", default="sse,websocket")
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between bursts")
    parser.add_argument("--tls", action="store_true", help="over TLS (https, wss)")
    args = parser.parse_args()
    for technique in args.techniques.split(","):
        result = measure(args.server, technique, args.burst, args.bursts, args.gap, args.tls)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
