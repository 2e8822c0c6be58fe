"""A ramp says whose limit stopped it: a stop at a step where the client was saturated is the
client's, not the server's, and the server's own ceiling comes from its CPU per event."""
import sys

from run_fixture import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from harness.session import ramp_result, ramp_stop  # noqa: E402
from harness.results import describe_ramp  # noqa: E402

RAMP = {"dimension": "rate", "steps": [1000, 3000], "stop_delivery_below": 0.9}
BASE = {"technique": "sse", "backend": "beast", "connections": 100}


def record(rate, delivered, saturated, ceiling):
    summary = {"delivery_ratio": delivered, "events_per_s": rate * 100 * delivered, "errors": 0,
               "server_ceiling_events_per_s": ceiling}
    return {"status": "ok", "rate": rate, "client_saturated": saturated,
            "summary": {key: {"median": value} for key, value in summary.items()}}


def test_a_stop_with_the_client_saturated_is_the_clients_limit():
    passed, stopping = record(1000, 1.0, False, 250_000), record(3000, 0.6, True, 240_000)
    stopped = ramp_stop(stopping, RAMP)
    assert stopped and "0.60" in stopped
    result = ramp_result(BASE, RAMP, passed, stopping, stopped)
    assert result["limited_by"] == "client"
    assert result["last_passing"] == 1000 and result["server_ceiling_events_per_s"] == 250_000
    line = describe_ramp(result)
    assert "the client's limit" in line and "250,000 deliveries/s" in line


def test_a_stop_with_the_client_not_saturated_is_the_servers_limit():
    passed, stopping = record(1000, 1.0, False, 250_000), record(3000, 0.6, False, 240_000)
    result = ramp_result(BASE, RAMP, passed, stopping, ramp_stop(stopping, RAMP))
    assert result["limited_by"] == "server"


def test_a_ramp_that_ran_out_of_steps_has_no_limit():
    passed = record(3000, 1.0, False, 250_000)
    result = ramp_result(BASE, RAMP, passed, passed, None)
    assert result["limited_by"] is None and "end of steps" in describe_ramp(result)
