"""pushbench ab's judgement on known samples: no change is "same", a planted slowdown is a
regression only when it is significant and beyond the threshold, a noisy runner is
"inconclusive", and counts are compared as they are."""
import sys

import numpy as np
import pytest

from run_fixture import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from harness import abstats, instructions, scenario  # noqa: E402
from harness.ab import AbError, check, verdict_of  # noqa: E402


def pairs(factor, noise, n=8, seed=1):
    """n (A, B) pairs around 100 with relative noise, B scaled by `factor`."""
    rng = np.random.default_rng(seed)
    a = 100 * (1 + noise * rng.standard_normal(n))
    b = 100 * factor * (1 + noise * rng.standard_normal(n))
    return list(zip(a, b))


@pytest.mark.parametrize("seed", range(20))
def test_no_change_on_a_quiet_runner_is_same(seed):
    assert abstats.judge(pairs(1.0, 0.03, seed=seed), "lower", 0.10)["verdict"] == "same"


def test_a_planted_slowdown_is_a_regression_and_a_speedup_an_improvement():
    slower = abstats.judge(pairs(1.5, 0.03), "lower", 0.10)
    assert slower["verdict"] == "regression" and slower["p_worse"] <= abstats.ALPHA
    assert 1.4 < slower["ratio"] < 1.6 and slower["interval"][0] > 1.1
    assert abstats.judge(pairs(0.6, 0.03), "lower", 0.10)["verdict"] == "improvement"
    # Higher is better (events/s): fewer is the regression.
    assert abstats.judge(pairs(0.6, 0.03), "higher", 0.10)["verdict"] == "regression"


def test_a_significant_change_inside_the_threshold_is_not_a_regression():
    judged = abstats.judge(pairs(1.05, 0.005), "lower", 0.10)
    assert judged["p_worse"] <= abstats.ALPHA and judged["verdict"] == "same"


def test_a_noisy_runner_is_inconclusive_unless_the_change_dwarfs_the_noise():
    assert abstats.judge(pairs(1.15, 0.4), "lower", 0.10)["verdict"] == "inconclusive"
    assert abstats.judge(pairs(4.0, 0.2), "lower", 0.10)["verdict"] == "regression"


def test_too_few_pairs_can_never_be_significant():
    every_one_worse = [(100, 200)] * (abstats.MIN_PAIRS - 1)
    judged = abstats.judge(every_one_worse, "lower", 0.10)
    assert judged["p_worse"] > abstats.ALPHA and judged["verdict"] != "regression"
    assert abstats.judge([(100, 200)] * abstats.MIN_PAIRS, "lower", 0.10)["verdict"] == "regression"


def test_the_sign_flip_test_is_exact():
    assert abstats.sign_flip_p(np.array([1.0, 2.0, 3.0])) == 1 / 8
    # Sums of ±1 ±2 ±3 at least the observed 2: 1+2+3, -1+2+3 and 1-2+3.
    assert abstats.sign_flip_p(np.array([1.0, -2.0, 3.0])) == 3 / 8


def test_counts_are_compared_as_they_are():
    assert abstats.judge_exact([1000.0, 1001.0], [1002.0, 1000.0], "lower", 0.01)["verdict"] == "same"
    assert abstats.judge_exact([1000.0], [1050.0], "lower", 0.01)["verdict"] == "regression"
    # A count that varies between runs of one build by more than its resolution: not judged.
    assert abstats.judge_exact([100.0, 108.0], [130.0, 131.0], "lower", 0.02)["verdict"] == "inconclusive"


def test_what_should_never_happen_counts_by_the_runs_it_happened_in():
    assert abstats.judge_occurrences([0, 0, 0, 0], [0, 3, 1, 0])["verdict"] == "regression"
    assert abstats.judge_occurrences([0, 0, 0, 0], [0, 0, 1, 0])["verdict"] == "inconclusive"
    assert abstats.judge_occurrences([0, None, 0, 0], [0, None, 0, 0])["verdict"] == "same"
    assert abstats.judge_occurrences([1, 1, 0, 0], [0, 0, 0, 0])["verdict"] == "improvement"


def test_a_side_that_measured_nothing_is_a_thousandfold_change_not_a_dropped_pair():
    judged = abstats.judge([(2000.0, 0.0)] * 8, "higher", 0.10)
    assert judged["verdict"] == "regression" and judged["ratio"] < 0.01
    assert abstats.judge([(2000.0, None)] * 8, "higher", 0.10)["verdict"] == "not measured"
    assert abstats.judge_exact([None], [5.0], "lower", 0.0)["verdict"] == "not measured"


def test_rounds_too_few_for_significance_are_refused(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text('name = "one"\n[matrix]\ntechnique = ["sse"]\nconnections = [10]\n')
    one_point = scenario.load(path)
    with pytest.raises(AbError, match=r"--rounds: 2 rounds give 4 pairs .* \(--rounds 4\)"):
        check(one_point, 2)
    check(one_point, 4)


def test_callgrind_annotate_lines_are_read_per_benchmark_function():
    annotated = """\
1,134,045,526 (100.0%)  PROGRAM TOTALS
  844,740,317 (74.49%)  ???:pushbench::(anonymous namespace)::BM_EventLogReadSince(benchmark::State&) [/b/micro]
  762,846,964 (67.27%)  ???:pushbench::encode_event(unsigned long, long) [/b/micro]
    2,017,108 ( 0.18%)  ???:pushbench::(anonymous namespace)::BM_EncodeEvent(benchmark::State&) [/b/micro]
"""
    assert instructions.parse(annotated) == {"BM_EventLogReadSince": 844_740_317, "BM_EncodeEvent": 2_017_108}


def test_failed_runs_of_the_base_are_no_pass():
    failed_base = abstats.judge_occurrences([1] * 8, [0] * 8)
    rows = [{"metric": "failed_runs", **failed_base}, {"metric": "latency_p50_ms", "verdict": "not measured"}]
    assert failed_base["verdict"] == "improvement" and verdict_of(rows) == "inconclusive"
    rows[0] = {"metric": "failed_runs", **abstats.judge_occurrences([0] * 8, [0] * 8)}
    assert verdict_of(rows) == "no regression"
