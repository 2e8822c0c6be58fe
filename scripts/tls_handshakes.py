#!/usr/bin/python3
"""What a TLS handshake costs the server, full and resumed: pushbench-server --tls self-signed on
core 0; on core 1, short polls without keep-alive (--keep-alive off), so that every poll opens a
connection and shakes hands, with the client's session resumption on, then off. Server CPU over
the polling, divided by the handshakes /stats counted; the client's handshake time beside it.
Rounds alternate on and off; the medians are printed as JSON.

  scripts/tls_handshakes.py [--rounds 3] [--seconds 5] [--connections 50] [--interval 0.1]
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import processes, wire  # noqa: E402

SERVER_CORE, (CLIENT_CORE,) = processes.pin_plan(True, 1)


def handshakes(url):
    _, stats = wire.get_json(url, "/stats", timeout=2)
    return stats["tls_handshakes"], stats["tls_resumed"]


def measure(server, url, resumption, args):
    """Server µs per handshake and the client's handshake p50 with the client's resumption on or off."""
    cpu_before, (done_before, resumed_before) = processes.cpu_seconds(server.pid), handshakes(url)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(processes.pinned(CLIENT_CORE, [
            str(ROOT / "build/bin/pushbench-client"), "--technique", "short-poll", "--url", url, "--tls-verify", "off",
            "--keep-alive", "off", "--tls-resumption", resumption, "--connections", str(args.connections),
            "--poll-interval", f"{args.interval}s", "--duration", f"{args.seconds}s", "--out", out.name]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        result = json.loads(Path(out.name).read_text())
    cpu = processes.cpu_seconds(server.pid) - cpu_before
    done, resumed = handshakes(url)
    count = done - done_before - 1  # less the /stats request's own
    return {"server_us_per_handshake": cpu * 1e6 / count, "handshakes": count,
            "resumed": resumed - resumed_before, "client_handshake_p50_ms": result["tls_handshake_ns"]["p50"] / 1e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between one connection's polls")
    args = parser.parse_args()
    server = processes.start([str(ROOT / "build/bin/pushbench-server"), "--technique", "short-poll", "--port", "0",
                              "--rate", "10", "--tls", "self-signed"], SERVER_CORE, stdout=subprocess.PIPE)
    try:
        url = processes.read_line(server, 10).split()[-1]
        rounds = {"on": [], "off": []}
        for i in range(args.rounds):
            for resumption in (("on", "off") if i % 2 == 0 else ("off", "on")):
                rounds[resumption].append(measure(server, url, resumption, args))
                print(f"  round {i + 1}, resumption {resumption}: {rounds[resumption][-1]}", file=sys.stderr)
    finally:
        processes.kill(server)
    print(json.dumps({resumption: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                      for resumption, runs in rounds.items()} | {"settings": vars(args)}, indent=1))


if __name__ == "__main__":
    main()
