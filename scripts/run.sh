#!/usr/bin/env bash
# The README's main command. Until the harness lands: builds, starts pushbench-server with all
# four techniques and the built-in publisher, subscribes once per technique for a few seconds
# with curl and Python, and prints what each received and the server's /stats.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release >/dev/null
seconds=${PUSHBENCH_SMOKE_SECONDS:-3}

out=$(mktemp)
build/bin/pushbench-server --technique all --port 0 --rate 10 >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$out")
echo "server: $url (10 events/s)"

sse=$(timeout "$seconds" curl -sN "$url/sse" || true)
echo "sse:        $(grep -c '^id: ' <<<"$sse") events in ${seconds}s"
poll=$(curl -s "$url/poll?since=0")
echo "short-poll: $(grep -o '"seq"' <<<"$poll" | wc -l) events retained so far"
echo "long-poll:  $(curl -s "$url/long-poll?since=$(( $(grep -o '"next":[0-9]*' <<<"$poll" | cut -d: -f2) ))")"
/usr/bin/python3 - "$url" "$seconds" <<'PY'
import asyncio, sys, websockets
async def main(url, seconds):
    n = 0
    async with websockets.connect(url.replace("http", "ws") + "/ws") as ws:
        try:
            async with asyncio.timeout(seconds):
                async for _ in ws: n += 1
        except TimeoutError:
            pass
    print(f"websocket:  {n} events in {seconds}s")
asyncio.run(main(sys.argv[1], float(sys.argv[2])))
PY
echo "stats:      $(curl -s "$url/stats")"
