#!/usr/bin/python3
"""Compares two pushbench runs; exits 1 when a metric regressed (see bench/harness/compare.py).

  scripts/compare.py results/baseline results/20261128T181500Z-ci [--threshold 10] [--markdown FILE]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from harness.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["compare", *sys.argv[1:]]))
