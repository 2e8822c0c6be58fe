#!/usr/bin/env bash
# nchan (nginx with libnginx-mod-nchan, from Debian) as a pushbench peer: nginx.conf beside this
# script in a fresh folder, nginx in the foreground (a master and one worker), the SPEC's
# "listening on" line once it accepts. Events come from pushbench-publisher (POST /publish).
#   servers/peers/nchan/run.sh [--port P]
#   servers/peers/nchan/run.sh --version
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
module=/usr/lib/nginx/modules/ngx_nchan_module.so
[[ -f $module ]] || { echo "nchan/run.sh: libnginx-mod-nchan is not installed (apt-get install libnginx-mod-nchan)" >&2; exit 1; }
if [[ ${1:-} == --version ]]; then
  echo "nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan), nginx $(nginx -v 2>&1 | cut -d/ -f2)"
  exit 0
fi
source "$here/../peer.sh"
port_flag nchan/run.sh "$@"
dir=$(mktemp -d /tmp/pushbench-nchan.XXXXXX)
sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" "$here/nginx.conf" > "$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log" &
child=$!
stop() {
  kill -QUIT $child 2>/dev/null || true
  wait $child 2>/dev/null || true
  rm -rf "$dir"
}
trap 'stop; exit 0' TERM INT
if ! wait_listening 127.0.0.1 "$port" $child; then
  echo "nchan/run.sh: nginx did not start" >&2
  cat "$dir/error.log" >&2
  stop
  exit 1
fi
echo "listening on http://127.0.0.1:$port"
wait $child || true
echo "nchan/run.sh: nginx ended" >&2
stop
exit 1
