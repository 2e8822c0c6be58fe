#!/usr/bin/env bash
# HAProxy (Debian) in front of pushbench-server nodes, from haproxy.cfg beside this script, in the
# foreground; prints the SPEC's "listening on" line once it accepts, and removes its folder on exit.
#   servers/cluster/haproxy.sh [--instances K] --bind ADDR:PORT NODE_ADDR:PORT...
# K HAProxy processes share the address (SO_REUSEPORT, HAProxy's default on Linux) and the kernel
# spreads connections among them: one process holds about 9,900 under a 20,000 descriptor cap.
#   servers/cluster/haproxy.sh --version
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../peers/peer.sh"
command -v haproxy >/dev/null || { echo "haproxy.sh: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }
if [[ ${1:-} == --version ]]; then
  haproxy -v | head -1
  exit 0
fi
instances=1
if [[ ${1:-} == --instances ]]; then
  [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || { echo "haproxy.sh: --instances: ${2:-} is not 1 to 99" >&2; exit 2; }
  instances=$2
  shift 2
fi
[[ ${1:-} == --bind && $# -ge 3 ]] || { echo "haproxy.sh: usage: [--instances K] --bind ADDR:PORT NODE_ADDR:PORT..." >&2; exit 2; }
bind=$2
shift 2
nodes="" i=0
for node in "$@"; do
  [[ $node =~ ^[0-9a-zA-Z.-]+:[0-9]+$ ]] || { echo "haproxy.sh: $node: not ADDR:PORT" >&2; exit 2; }
  i=$((i + 1))
  nodes+="    server node$i $node"$'\n'
done
dir=$(mktemp -d /tmp/pushbench-haproxy.XXXXXX)
config=$(<"$here/haproxy.cfg")
config=${config//@BIND@/$bind}
children=()
for ((k = 1; k <= instances; k++)); do
  mkdir "$dir/$k"
  instance=${config//@DIR@/$dir/$k}
  printf '%s\n' "${instance//@NODES@/${nodes%$'\n'}}" >"$dir/$k/haproxy.cfg"
  haproxy -W -db -f "$dir/$k/haproxy.cfg" 2>"$dir/$k/haproxy.log" &
  children+=($!)
done
stop() {
  kill -USR1 "${children[@]}" 2>/dev/null || true  # soft stop: finish what is open, then exit
  kill "${children[@]}" 2>/dev/null || true
  wait "${children[@]}" 2>/dev/null || true
  rm -rf "$dir"
}
trap 'stop; exit 0' TERM INT
alive() { sleep 0.2; for c in "${children[@]}"; do kill -0 "$c" 2>/dev/null || return 1; done; }
if wait_listening "${bind%:*}" "${bind##*:}" "${children[0]}" && alive; then
  echo "listening on http://$bind"
  wait "${children[@]}" || true
  rm -rf "$dir"
  exit 0
fi
echo "haproxy.sh: haproxy did not start" >&2
cat "$dir"/*/haproxy.log >&2
stop
exit 1
