"""Fixtures for the report and compare tests: a results.json made by a real (tiny) run, copied
and edited per test."""
import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import os  # noqa: E402

BUILD = ROOT / os.environ.get("PUSHBENCH_BUILD", "build")

TINY = """
name = "fixture"
[run]
warmup = "300ms"
duration = "1s"
repetitions = 2
[matrix]
technique = ["short-poll", "sse"]
connections = [2, 8]
rate = [20]
poll_interval = ["100ms"]
"""


@pytest.fixture(scope="session")
def measured_run(tmp_path_factory):
    """One real run of a tiny scenario, made once for all the tests here."""
    base = tmp_path_factory.mktemp("measured")
    (base / "s.toml").write_text(TINY)
    done = subprocess.run([str(BUILD / "bin" / "pushbench"), "run", str(base / "s.toml"), "--out", str(base / "out"),
                           "--no-report"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (base / "out").iterdir()
    return run_dir


@pytest.fixture
def run_copy(measured_run, tmp_path):
    """A fresh copy of the measured run that a test may edit: copy("name") -> (folder, document)."""
    def make(name):
        target = tmp_path / name
        shutil.copytree(measured_run, target)
        return target, json.loads((target / "results.json").read_text())
    return make


def save(run_dir, doc):
    (run_dir / "results.json").write_text(json.dumps(doc))


def worsen(doc, metric, factor):
    """Every run and summary of every point gets `metric` multiplied by `factor`."""
    doc = copy.deepcopy(doc)
    for point in doc["points"]:
        for run in point["runs"]:
            if run.get("metrics", {}).get(metric) is not None:
                run["metrics"][metric] *= factor
        if metric in point["summary"]:
            point["summary"][metric] = {k: v * factor for k, v in point["summary"][metric].items()}
    return doc
