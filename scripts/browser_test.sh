#!/usr/bin/env bash
# The live demo's browser test: installs Debian's Chromium (and Node.js) when missing and the
# locked playwright-core from npm, then runs tests/browser with Node's test runner against
# build/ (or $PUSHBENCH_BUILD).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "browser_test: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cd tests/browser
[[ -d node_modules/playwright-core ]] || npm ci --no-audit --no-fund --loglevel=error
node --test
