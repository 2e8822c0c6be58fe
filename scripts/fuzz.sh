#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan, UBSan) and runs each for SECONDS
# (default 10), seeded from tests/fuzz/corpus/<what>/. New inputs go to a scratch corpus, not the
# repo; a crash, leak or sanitizer report is kept in results/fuzz/ and fails the run.
#   scripts/fuzz.sh [SECONDS [TARGET...]]      e.g. scripts/fuzz.sh 600 request
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(sse_parser ws_frame ws_reader engine_io query flags request)

command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing (apt-get install clang)" >&2; exit 2; }
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

mkdir -p results/fuzz
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for what in "${targets[@]}"; do
  mkdir -p "$scratch/$what"
  log="results/fuzz/$what.log"
  if ! build-fuzz/bin/fuzz_"$what" "$scratch/$what" "tests/fuzz/corpus/$what" -max_total_time="$seconds" \
      -artifact_prefix="results/fuzz/$what-" -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz: fuzz_$what found a problem; see $log and results/fuzz/$what-*" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: fuzz_$what: ${runs:-?} runs in ${seconds}s, corpus $(ls "$scratch/$what" | wc -l) new + $(ls "tests/fuzz/corpus/$what" | wc -l) seeds, no findings" >&2
done
