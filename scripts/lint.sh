#!/usr/bin/env bash
# The style checks the test command runs: clang-format (.clang-format) on the C++ and flake8
# (.flake8) on the Python. Fix C++ with: clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t cpp < <(git ls-files '*.cpp' '*.hpp'; git ls-files --others --exclude-standard '*.cpp' '*.hpp')
clang-format --dry-run -Werror "${cpp[@]}"
flake8 bench scripts tests servers/peers
echo "lint: ${#cpp[@]} C++ files formatted, Python clean" >&2
