#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test: the linters
# (scripts/lint.sh), unit tests (GoogleTest through CTest), integration tests (pytest against the
# real programs, with curl and Python websockets as peers), report and compare tests, the demo in
# Chromium (the browser test installs Chromium and the locked playwright-core itself), each fuzz
# target for 5 seconds (clang, ASan, UBSan), then the unit and integration tests again under
# ThreadSanitizer with 2 server threads.
# PUSHBENCH_SKIP_TSAN=1 skips the sanitizer pass (a quicker local loop).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3  # Debian's, which sees python3-pytest and python3-websockets

scripts/setup.sh release
scripts/lint.sh
ctest --preset release
PUSHBENCH_BUILD=build "$PY" -m pytest -q tests/integration tests/reports
PUSHBENCH_BUILD=build scripts/browser_test.sh  # the live demo in Debian's Chromium
scripts/fuzz.sh 5  # every libFuzzer target for a few seconds (clang, ASan, UBSan)

if [[ ${PUSHBENCH_SKIP_TSAN:-0} != 1 ]]; then
  echo "== ThreadSanitizer build (server with --threads 2) ==" >&2
  scripts/setup.sh tsan
  ctest --preset tsan
  # Not again: the harness on one machine and on test hosts, and the test hosts' script (Python
  # and shell; the servers' and clients' threads, which this pass is for, are tested elsewhere).
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" PUSHBENCH_BUILD=build-tsan PUSHBENCH_THREADS=2 \
    "$PY" -m pytest -q tests/integration --ignore=tests/integration/test_harness.py \
    --ignore=tests/integration/test_fleet.py --ignore=tests/integration/test_testhosts.py
fi
