#!/usr/bin/python3
"""Short polling at the reference tools' speed, alternated on this machine (server on core 0, load
on core 1), the median ratio over rounds:

- server: pushbench-server's /poll?since=0 against nginx (one worker, `return 200` of the same
  22-byte JSON body), both under `wrk -t1 -cC`;
- client: pushbench-client --poll-interval 0 --connections C --threads 1 against wrk -t1 -cC, both
  polling pushbench-server.

  scripts/reference_tools.py [--rounds 5] [--seconds 5] [--connections 64]

With --ceiling C1,C2,..., it measures instead the most requests/s the reference pair (wrk against
nginx's constant answer, no event logic on either side) reaches here at each connection count: the
bound on any polling technique's request rate on this machine.

Needs wrk and nginx (Debian's wrk and nginx-light).
"""
import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from harness import processes  # noqa: E402

SERVER_CORE, (LOAD_CORE,) = processes.pin_plan(True, 1)
BODY = '{"events":[],"next":0}'  # what pushbench-server answers /poll?since=0 with nothing published
NGINX_CONF = """worker_processes 1;
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 20000; }}
http {{
  access_log off;
  client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir}; uwsgi_temp_path {dir};
  scgi_temp_path {dir};
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
    location /poll {{ default_type application/json; add_header Cache-Control no-store; return 200 '{body}'; }}
  }}
}}
"""


def wrk(url, connections, seconds):
    out = subprocess.run(processes.pinned(LOAD_CORE, ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]),
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def pushbench_client(url, connections, seconds):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(processes.pinned(LOAD_CORE, [str(ROOT / "build/bin/pushbench-client"), "--technique",
                                                    "short-poll", "--url", url, "--poll-interval", "0", "--connections",
                                                    str(connections), "--threads", "1", "--duration", f"{seconds}s",
                                                    "--out", out.name]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        result = json.loads(Path(out.name).read_text())
    if result["errors"]:
        sys.exit(f"reference_tools: pushbench-client saw {result['errors']} errors")
    return result["http_requests"] / result["duration_s"]


def start_pushbench():
    server = processes.start([str(ROOT / "build/bin/pushbench-server"), "--technique", "short-poll", "--port", "0",
                              "--rate", "0"], SERVER_CORE, stdout=subprocess.PIPE)
    return server, processes.read_line(server, 10).split()[-1]


def start_nginx(folder, port=18481):
    conf = Path(folder) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=port, body=BODY))
    nginx = processes.start(["nginx", "-c", str(conf)], SERVER_CORE)
    time.sleep(0.5)
    return nginx, f"http://127.0.0.1:{port}"


def alternate(rounds, measure_a, measure_b):
    """ABBA rounds; returns the ratios b/a, one per round."""
    ratios = []
    for i in range(rounds):
        if i % 2 == 0:
            a, b = measure_a(), measure_b()
        else:
            b, a = measure_b(), measure_a()
        print(f"  round {i + 1}: {a:,.0f} vs {b:,.0f} requests/s, ratio {b / a:.3f}", file=sys.stderr)
        ratios.append(b / a)
    return ratios


def ceiling(counts, seconds):
    """wrk -t1 -cC against nginx at each count C: requests/s and wrk's mean latency."""
    with tempfile.TemporaryDirectory(prefix="pushbench-nginx-") as folder:
        nginx, url = start_nginx(folder)
        try:
            return {c: wrk(url + "/poll?since=0", c, seconds) for c in counts}
        finally:
            processes.stop(nginx)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--ceiling", type=lambda text: [int(c) for c in text.split(",")],
                        help="connection counts: the reference pair's own requests/s at each, then exit")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"reference_tools: {tool} is not installed (apt-get install wrk nginx-light)")
    if args.ceiling:
        print(json.dumps({"wrk_vs_nginx_requests_per_s": ceiling(args.ceiling, args.seconds),
                          "seconds": args.seconds}, indent=1))
        return
    server, url = start_pushbench()
    with tempfile.TemporaryDirectory(prefix="pushbench-nginx-") as folder:
        nginx, nginx_url = start_nginx(folder)
        try:
            target = "/poll?since=0"
            print("server: nginx (a), pushbench-server (b), both under wrk", file=sys.stderr)
            servers = alternate(args.rounds, lambda: wrk(nginx_url + target, args.connections, args.seconds),
                                lambda: wrk(url + target, args.connections, args.seconds))
            print("client: wrk (a), pushbench-client (b), both against pushbench-server", file=sys.stderr)
            clients = alternate(args.rounds, lambda: wrk(url + target, args.connections, args.seconds),
                                lambda: pushbench_client(url, args.connections, args.seconds))
        finally:
            processes.stop(nginx)
            processes.stop(server)
    print(json.dumps({"server_x_nginx": statistics.median(servers), "client_x_wrk": statistics.median(clients),
                      "rounds": args.rounds, "seconds": args.seconds, "connections": args.connections,
                      "server_ratios": servers, "client_ratios": clients}, indent=1))


if __name__ == "__main__":
    main()
