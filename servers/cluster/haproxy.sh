#!/usr/bin/env bash
# HAProxy (Debian) in front of pushbench-server nodes, from haproxy.cfg beside this script, in the
# foreground; prints the SPEC's "listening on" line once it accepts, and removes its folder on exit.
#   servers/cluster/haproxy.sh --bind ADDR:PORT NODE_ADDR:PORT...
#   servers/cluster/haproxy.sh --version
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../peers/peer.sh"
command -v haproxy >/dev/null || { echo "haproxy.sh: haproxy is not installed (apt-get install haproxy)" >&2; exit 1; }
if [[ ${1:-} == --version ]]; then
  haproxy -v | head -1
  exit 0
fi
[[ ${1:-} == --bind && $# -ge 3 ]] || { echo "haproxy.sh: usage: --bind ADDR:PORT NODE_ADDR:PORT..." >&2; exit 2; }
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
config=${config//@DIR@/$dir}
printf '%s\n' "${config//@NODES@/${nodes%$'\n'}}" >"$dir/haproxy.cfg"
haproxy -W -db -f "$dir/haproxy.cfg" 2>"$dir/haproxy.log" &
child=$!
stop() {
  kill -USR1 $child 2>/dev/null || true  # soft stop: finish what is open, then exit
  kill $child 2>/dev/null || true
  wait $child 2>/dev/null || true
  rm -rf "$dir"
}
trap 'stop; exit 0' TERM INT
if wait_listening "${bind%:*}" "${bind##*:}" $child; then
  echo "listening on http://$bind"
  wait $child || true
  rm -rf "$dir"
  exit 0
fi
echo "haproxy.sh: haproxy did not start" >&2
cat "$dir/haproxy.log" >&2
stop
exit 1
