#!/usr/bin/env bash
# Pushpin (Debian) as a pushbench peer: zurl and Pushpin from the configs beside this script, in a
# fresh folder, and backend.js, the application behind it (the event log, GRIP holds, publishing
# to Pushpin's control API), all children of this script so that the harness samples them all.
# Prints the SPEC's "listening on" line once a stream goes through Pushpin and is held by it (a
# hold needs pushpin-handler, which may be up after the proxy), with the backend's URL after it:
# the events are published to the backend, as to an application, not through Pushpin's proxy.
#   servers/peers/pushpin/run.sh [--port P]
#   servers/peers/pushpin/run.sh --version
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for program in pushpin zurl node; do
  command -v $program >/dev/null || { echo "pushpin/run.sh: $program is not installed (apt-get install pushpin nodejs)" >&2; exit 1; }
done
if [[ ${1:-} == --version ]]; then
  echo "pushpin $(dpkg-query -W -f='${Version}' pushpin), zurl $(dpkg-query -W -f='${Version}' zurl), node $(node --version)"
  exit 0
fi
source "$here/../peer.sh"
port_flag pushpin/run.sh "$@"
control=$(free_port) backend=$(free_port)
dir=$(mktemp -d /tmp/pushbench-pushpin.XXXXXX)
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@CONTROL@|$control|g" "$here/pushpin.conf" > "$dir/pushpin.conf"
sed -e "s|@DIR@|$dir|g" "$here/zurl.conf" > "$dir/zurl.conf"
echo "* 127.0.0.1:$backend,over_http" > "$dir/routes"  # over_http: WebSocket reaches the backend as HTTP

zurl --config="$dir/zurl.conf" > "$dir/zurl.log" 2>&1 &
children=($!)
node "$here/backend.js" --port "$backend" --control-port "$control" > "$dir/backend.log" 2>&1 &
children+=($!)
pushpin --config "$dir/pushpin.conf" --merge-output > "$dir/pushpin.log" 2>&1 &
children+=($!)
stop() {
  kill -TERM "${children[@]}" 2>/dev/null || true
  wait "${children[@]}" 2>/dev/null || true
  rm -rf "$dir"
}
trap 'stop; exit 0' TERM INT
ready=false
deadline=$((SECONDS + 8))  # within the harness's 10 s
while ((SECONDS < deadline)); do
  [[ $(curl -s -m 0.5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/sse" 2>/dev/null) == 200 ]] && { ready=true; break; }
  for child in "${children[@]}"; do
    kill -0 "$child" 2>/dev/null || break 2
  done
  sleep 0.05
done
if ! $ready; then
  echo "pushpin/run.sh: no stream was held within 8 s" >&2
  tail -5 "$dir"/*.log >&2
  stop
  exit 1
fi
echo "listening on http://127.0.0.1:$port publish http://127.0.0.1:$backend"  # events go to the application
wait -n "${children[@]}" || true  # one of them ended: the server is broken
echo "pushpin/run.sh: a process ended; the others are stopped" >&2
tail -5 "$dir"/*.log >&2
stop
exit 1
