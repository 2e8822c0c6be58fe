"""The numbers of a point on hosts from known samples: a host's clock from its quickest probe, the
clocks between two hosts (signs and uncertainties), the 10 % rule that marks latency unreliable,
and the balancer's and backplane's CPU per delivery."""
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


def cluster(uncertainty_ms, killed=False, offset_ms=0.01):
    clock = {"offset_ms": offset_ms, "uncertainty_ms": uncertainty_ms}
    return {"programs": [{"role": "node", "cpu_s": 1.0}, {"role": "node", "cpu_s": 1.0},
                         {"role": "balancer", "cpu_s": 3.0}, {"role": "redis", "cpu_s": 0.2},
                         {"role": "publisher", "cpu_s": 0.1}],
            "client_hosts": [{"clock": {"before": {"offset_ms": -0.5, "uncertainty_ms": 0.1}, "after": clock}}],
            "killed_node": {"host": "ssh://h3", "at_s": 5.0} if killed else None}


def client(p50_ms):
    summary = {"count": 10, "p50": int(p50_ms * 1e6), "max": int(900e6)}
    return {"events_received": 1_000_000, "latency_ns": summary, "resume_ns": summary}


def test_the_probe_with_the_shortest_round_trip_gives_the_offset(monkeypatch):
    """16 probes: one with a 100 ns round trip and the remote clock 7 us ahead, the others slower
    and further off; the quick one is kept, its uncertainty half its round trip."""
    times, remotes = [], []
    for k in range(fleet.CLOCK_PROBES):
        sent, round_trip, offset = k * 10_000, (100 if k == 5 else 1_000 + k), (7_000 if k == 5 else -50_000)
        times += [sent, sent + round_trip]
        remotes.append(sent + round_trip // 2 + offset)
    clock = iter(times)
    monkeypatch.setattr(fleet.time, "time_ns", lambda: next(clock))
    host = object.__new__(fleet.Host)
    answers = iter(remotes)
    host.call = lambda **request: {"ns": next(answers)}
    assert host.clock_offset() == (7_000, 50)


@pytest.mark.parametrize("uncertainty_ms,reliable", [(1.5, 1), (1.98, 1), (2.1, 0)])
def test_latency_is_unreliable_when_a_clocks_error_exceeds_a_tenth_of_p50(uncertainty_ms, reliable):
    """p50 20 ms: a clock's error, its offset (0.01 ms) plus its uncertainty, may be 2 ms."""
    metrics = derive._cluster(client(20.0), cluster(uncertainty_ms))
    assert metrics["latency_reliable"] == reliable
    assert metrics["clock_uncertainty_ms"] == max(uncertainty_ms, 0.1)
    assert metrics["clock_offset_ms"] == -0.5, "the largest offset, with its sign"


def test_an_uncorrected_offset_makes_latency_unreliable_however_certain():
    metrics = derive._cluster(client(50.0), cluster(0.1, offset_ms=6.0))
    assert metrics["clock_uncertainty_ms"] == 0.1 and metrics["latency_reliable"] == 0


def test_the_balancers_and_backplanes_cpu_per_delivery_and_the_recovery_of_a_killed_node():
    metrics = derive._cluster(client(5.0), cluster(0.1, killed=True))
    assert metrics["balancer_cpu_us_per_event"] == pytest.approx(3.0)
    assert metrics["backplane_cpu_us_per_event"] == pytest.approx(0.3)
    assert metrics["recovery_ms"] == 900.0
    assert derive._cluster(client(5.0), cluster(0.1))["recovery_ms"] is None, "no node killed, no recovery"


def test_a_local_point_has_none_of_them():
    assert set(derive._cluster(client(5.0), None).values()) == {None}
