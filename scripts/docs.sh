#!/usr/bin/env bash
# Regenerates everything in docs/ that comes from running the code, so the pages stay true to it:
#   docs/traces/<technique>.txt   the raw exchange of one connection (pushbench-client --trace)
#   docs/figures/timeline.png      the traces' requests, answers and frames around one event
#   docs/traces/sse-parsing.txt    a hand-made stream that shows SSE's parsing rules, and protocol.md's
#                                  table of what Chromium dispatched of it
#   docs/figures/                  the plots and key numbers of a `default` run (or of RUN_DIR)
#   docs/figures/frameworks/       the same of a `frameworks` run (or of FRAMEWORKS_RUN_DIR)
#   docs/figures/servers/          the same of a `servers` run (or of SERVERS_RUN_DIR)
# (each with the run's results.json.gz), and then every excerpt the pages quote (scripts/excerpts.py).
# Usage: scripts/docs.sh [RUN_DIR [FRAMEWORKS_RUN_DIR [SERVERS_RUN_DIR]]]   (`keep`: leave those figures)
#        scripts/docs.sh --cluster [CLUSTER_RUN_DIR [FAILOVER_RUN_DIR [50K_RUN_DIR]]]   (runs on test hosts)
#        scripts/docs.sh --traces      the traces and the excerpts only
set -euo pipefail
cd "$(dirname "$0")/.."

# The figures of a run of `scenario` (made now unless given) into `target`.
figures() {
  local scenario=$1 run_dir=$2 target=$3
  [[ $run_dir == keep ]] && return
  if [[ -z $run_dir ]]; then
    build/bin/pushbench run "$scenario" --out results
    run_dir=$(ls -d results/*-"$scenario" | tail -1)
  fi
  /usr/bin/python3 scripts/report.py "$run_dir" >/dev/null
  mkdir -p "$target"
  cp "$run_dir"/*.png "$run_dir/summary.md" "$target/"
  gzip -c "$run_dir/results.json" > "$target/results.json.gz"  # the run the figures come from, kept
  echo "docs: figures from $run_dir in $target"
}
if [[ ${1:-} == --cluster ]]; then  # runs on test hosts (root; about 15 minutes)
  shift
  for scenario in cluster cluster-failover cluster-50k; do
    figures "$scenario" "${1:-}" "docs/figures/$scenario"
    shift || true
  done
  scripts/excerpts.py
  exit 0
fi
scripts/setup.sh release >/dev/null
mkdir -p docs/traces docs/figures

# Quiet enough to show heartbeats and pings between events: an event every 2 s, an SSE
# comment after 1 s of quiet, a WebSocket ping after 0.75 s.
out=$(mktemp)
build/bin/pushbench-server --technique all --port 0 --rate 0.5 --payload 16 --heartbeat 1s --ws-idle-timeout 1500ms >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$out")
# All at once, so the same events cross every technique's trace (scripts/timeline.py lines them up).
clients=()
for technique in $(build/bin/pushbench-server --list-techniques | cut -f1); do
  build/bin/pushbench-client --technique "$technique" --url "$url" --duration 5s --poll-interval 1s \
    --trace "docs/traces/$technique.txt" --out /dev/null 2>/dev/null &
  clients+=($!)
done
wait "${clients[@]}"
for technique in $(build/bin/pushbench-server --list-techniques | cut -f1); do
  sed -i -E "s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g" "docs/traces/$technique.txt"  # a new port each run
done

# An SSE reconnect: the server stops mid-stream and comes back on the same port; the client
# waits the announced retry and asks again with Last-Event-ID.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sse_server() { build/bin/pushbench-server --technique sse --port "$port" --rate 2 --payload 16 --sse-retry 500ms >/dev/null & }
sse_server
first=$!
sleep 0.3
build/bin/pushbench-client --technique sse --url "http://127.0.0.1:$port" --duration 4s \
  --trace docs/traces/sse-reconnect.txt --out /dev/null 2>/dev/null &
client=$!
sleep 2
kill -TERM "$first"
wait "$first" || true
sse_server
second=$!
wait "$client" || true
kill -TERM "$second"
sed -i -E "s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g" docs/traces/sse-reconnect.txt

# One event's timeline through each technique, drawn from the traces above.
/usr/bin/python3 scripts/timeline.py

# The SSE parsing rules on the wire, and what Chromium's EventSource dispatched of them.
/usr/bin/python3 scripts/sse_parsing_trace.py

if [[ ${1:-} == --traces ]]; then
  scripts/excerpts.py
  echo "docs: traces in docs/traces, excerpts made again"
  exit 0
fi

figures default "${1:-}" docs/figures
figures frameworks "${2:-}" docs/figures/frameworks
figures servers "${3:-}" docs/figures/servers
scripts/excerpts.py
echo "docs: traces in docs/traces, excerpts made again"
