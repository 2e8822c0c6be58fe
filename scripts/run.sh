#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, runs the `default` scenario
# (all four techniques side by side, a few minutes), renders the report and says where it is.
# Arguments go to `pushbench run` (a scenario name or file, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release >/dev/null
exec build/bin/pushbench run "$@"
