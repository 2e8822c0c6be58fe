#!/usr/bin/env bash
# The Socket.IO reference peer: installs its locked npm packages when missing, then runs
# server.js, which prints the SPEC's "listening on" line. Flags go to server.js.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "socketio/run.sh: node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
[[ -d node_modules/socket.io ]] || npm ci --no-audit --no-fund --loglevel=error >&2
exec node server.js "$@"
