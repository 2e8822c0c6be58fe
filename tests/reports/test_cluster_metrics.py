"""The numbers of a point on hosts from known samples: the clocks between two hosts (signs and
uncertainties), the 10 % rule that marks latency unreliable, and the balancer's and backplane's
CPU per delivery."""
import sys

import pytest

from run_fixture import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from harness import derive, fleet  # noqa: E402


class FakeHost:
    def __init__(self, offset_ns, uncertainty_ns):
        self.measured = (offset_ns, uncertainty_ns)

    def clock_offset(self):
        return self.measured


def test_a_client_hosts_offset_is_against_the_publishing_host_and_the_uncertainties_add():
    clock = fleet.clock_between(FakeHost(3_000_000, 100_000), FakeHost(1_000_000, 50_000))
    assert clock == {"offset_ms": 2.0, "uncertainty_ms": 0.15}  # the client's clock runs 2 ms ahead


def cluster(uncertainty_ms, killed=False):
    clock = {"offset_ms": 0.01, "uncertainty_ms": uncertainty_ms}
    return {"programs": [{"role": "node", "cpu_s": 1.0}, {"role": "node", "cpu_s": 1.0},
                         {"role": "balancer", "cpu_s": 3.0}, {"role": "redis", "cpu_s": 0.2},
                         {"role": "publisher", "cpu_s": 0.1}],
            "client_hosts": [{"clock": {"before": {"offset_ms": -0.5, "uncertainty_ms": 0.1}, "after": clock}}],
            "killed_node": {"host": "ssh://h3", "at_s": 5.0} if killed else None}


def client(p50_ms):
    summary = {"count": 10, "p50": int(p50_ms * 1e6), "max": int(900e6)}
    return {"events_received": 1_000_000, "latency_ns": summary, "resume_ns": summary}


@pytest.mark.parametrize("uncertainty_ms,reliable", [(0.4, 1), (0.5, 1), (0.6, 0)])
def test_latency_is_unreliable_when_a_clocks_uncertainty_exceeds_a_tenth_of_p50(uncertainty_ms, reliable):
    metrics = derive._cluster(client(5.0), cluster(uncertainty_ms))
    assert metrics["latency_reliable"] == reliable
    assert metrics["clock_uncertainty_ms"] == max(uncertainty_ms, 0.1)
    assert metrics["clock_offset_ms"] == -0.5, "the largest offset, with its sign"


def test_the_balancers_and_backplanes_cpu_per_delivery_and_the_recovery_of_a_killed_node():
    metrics = derive._cluster(client(5.0), cluster(0.1, killed=True))
    assert metrics["balancer_cpu_us_per_event"] == pytest.approx(3.0)
    assert metrics["backplane_cpu_us_per_event"] == pytest.approx(0.3)
    assert metrics["recovery_ms"] == 900.0
    assert derive._cluster(client(5.0), cluster(0.1))["recovery_ms"] is None, "no node killed, no recovery"


def test_a_local_point_has_none_of_them():
    assert set(derive._cluster(client(5.0), None).values()) == {None}
