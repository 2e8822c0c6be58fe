"""delivery_ratio counts whole events: a measured window a few milliseconds longer than asked
holds no fraction of an event, so every event delivered is 100 %, and one missing is not."""
import json
import sys

from run_fixture import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from harness import derive  # noqa: E402


def test_a_window_a_little_long_still_expects_whole_events(measured_run):
    point = json.loads((measured_run / "results.json").read_text())["points"][0]
    (record,) = point["runs"][:1]
    point = {**point, "rate": 10}
    client = {**record["client"], "duration_s": 15.004}
    connections = point["connections"]
    every = derive.derive(point, {**client, "events_received": 150 * connections}, record["server"])
    assert every["delivery_ratio"] == 1.0
    short = derive.derive(point, {**client, "events_received": 150 * connections - 1}, record["server"])
    assert short["delivery_ratio"] < 1.0
