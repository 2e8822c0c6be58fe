#!/usr/bin/env bash
# The websocketd reference peer: websocketd on a free loopback port, running pushbench-emitter
# (SPEC events at --rate) for each WebSocket connection. Prints the SPEC's "listening on" line,
# as pushbench-server does, so the harness can run it as an external server.
#   servers/peers/websocketd/run.sh [--rate R] [--payload B] [--port P]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
emitter=${PUSHBENCH_BUILD:-$here/../../../build}/bin/pushbench-emitter
rate=10 payload=64 port=0
while (($#)); do
  case $1 in
    --rate) rate=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "websocketd/run.sh: $1: unknown flag" >&2; exit 2 ;;
  esac
done
command -v websocketd >/dev/null || { echo "websocketd/run.sh: websocketd is not installed (apt-get install websocketd)" >&2; exit 1; }
[[ -x $emitter ]] || { echo "websocketd/run.sh: $emitter is missing (build first)" >&2; exit 1; }
source "$here/../peer.sh"
[[ $port != 0 ]] || port=$(free_port)
websocketd --address 127.0.0.1 --port "$port" --loglevel error --maxforks 20000 "$emitter" --rate "$rate" --payload "$payload" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
wait_listening 127.0.0.1 "$port" $child || true
echo "listening on http://127.0.0.1:$port"
wait $child
