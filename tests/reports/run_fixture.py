"""A tiny real run for the report and compare tests, and ways to edit its results.json."""
import copy
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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
