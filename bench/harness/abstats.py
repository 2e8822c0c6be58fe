"""The statistics of `pushbench ab`: is B worse than A, by how much, and can this runner tell?

Samples come in pairs of neighbouring runs (A then B, B then A: the ABBA order), so that a drift
of the machine over the session shifts both sides alike. Each pair gives the log of B over A; a
metric's pairs over the points of a group (a technique on a backend) and the rounds are:
- tested with an exact sign-flip permutation test (no distribution assumed: under "no change",
  each pair's sign is a coin toss), one-sided towards worse;
- summarised by their median as a ratio, with a bootstrap confidence interval;
- judged: a regression must be significant AND beyond the threshold; when the interval is wider
  than the threshold the runner cannot tell, and says so ("inconclusive") rather than guess."""
import itertools
import math

import numpy as np

ALPHA = 0.01          # one-sided significance
MIN_PAIRS = math.ceil(math.log2(1 / ALPHA))  # fewer pairs cannot reach ALPHA: all signs alike is 1/2^n
CONFIDENCE = 0.95     # of the bootstrap interval of the median ratio
BOOTSTRAP_SAMPLES = 4000
EXACT_UP_TO = 16      # pairs; beyond, the sign flips are sampled
SAMPLED_FLIPS = 50_000
SEED = 20261130       # the same samples always give the same verdict
NOTHING = math.log(1000)  # a zero against a value: counted as a thousandfold change, not dropped


def log_ratio(a, b):
    if a > 0 and b > 0:
        return math.log(b / a)
    return 0.0 if a == b else NOTHING if a == 0 else -NOTHING


def log_ratios(pairs):
    """log(B / A) of each (a, b) pair that both sides measured."""
    return np.array([log_ratio(a, b) for a, b in pairs if a is not None and b is not None])


def sign_flip_p(values):
    """One-sided p-value that the mean of `values` is this high by chance (each sign a coin toss)."""
    n = len(values)
    if n == 0:
        return 1.0
    observed = values.mean()
    if n <= EXACT_UP_TO:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=n)))
    else:
        signs = np.random.default_rng(SEED).choice((1.0, -1.0), size=(SAMPLED_FLIPS, n))
    means = (signs * np.abs(values)).mean(axis=1)
    return float((means >= observed - 1e-12).mean())


def bootstrap_interval(values):
    """(low, high) of the median of `values`, resampled with replacement."""
    rng = np.random.default_rng(SEED)
    medians = np.median(rng.choice(values, size=(BOOTSTRAP_SAMPLES, len(values))), axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    return float(np.percentile(medians, tail)), float(np.percentile(medians, 100 - tail))


def coefficient_of_variation(samples):
    """Standard deviation over mean of one side's samples of one point (None below two)."""
    values = np.array([s for s in samples if s is not None], dtype=float)
    if len(values) < 2 or values.mean() == 0:
        return None
    return float(values.std(ddof=1) / abs(values.mean()))


def judge(pairs, better, threshold):
    """The verdict on one metric of one group from its (A, B) pairs.

    `better` is "lower" or "higher"; `threshold` a fraction (0.10 = 10 %). Returns a dict with
    the median ratio B/A, its interval, the p-values each way, the smallest change this runner
    resolves here (the interval's half-width) and the verdict."""
    logs = log_ratios(pairs)
    if len(logs) == 0:
        return {"verdict": "not measured", "pairs": 0}
    worse_sign = 1.0 if better == "lower" else -1.0
    worse = logs * worse_sign  # positive = worse
    low, high = bootstrap_interval(logs)
    p_worse, p_better = sign_flip_p(worse), sign_flip_p(-worse)
    resolvable = math.expm1((high - low) / 2)
    bound = math.log1p(threshold)
    median = float(np.median(worse))
    worse_low, worse_high = sorted((low * worse_sign, high * worse_sign))
    if len(logs) < MIN_PAIRS:
        verdict = "inconclusive"     # too few pairs (failed runs) for any p-value to reach ALPHA
    elif worse_low > bound and p_worse <= ALPHA:
        verdict = "regression"       # the whole interval beyond the threshold, even on a noisy runner
    elif -worse_high > bound and p_better <= ALPHA:
        verdict = "improvement"
    elif resolvable > threshold:
        verdict = "inconclusive"     # this runner cannot resolve a change of the threshold's size here
    elif median > bound and p_worse <= ALPHA and worse_low > 0:
        verdict = "regression"
    elif -median > bound and p_better <= ALPHA and worse_high < 0:
        verdict = "improvement"
    else:
        verdict = "same"
    return {"verdict": verdict, "pairs": len(logs), "ratio": math.exp(float(np.median(logs))),
            "interval": [math.exp(low), math.exp(high)], "p_worse": p_worse, "p_better": p_better,
            "resolvable": resolvable}


def judge_exact(a_values, b_values, better, resolution):
    """A count that does not depend on the machine (bytes, requests, system calls per event, a
    micro-benchmark's instructions): a change of the medians beyond `resolution` is real. A count
    whose runs of one build differ by more than the resolution depends on timing here, and is
    not judged ("inconclusive")."""
    a = [v for v in a_values if v is not None]
    b = [v for v in b_values if v is not None]
    if not a or not b:
        return {"verdict": "not measured"}
    a_median, b_median = float(np.median(a)), float(np.median(b))
    change = (b_median - a_median) / a_median if a_median else (0.0 if b_median == 0 else math.inf)
    worse = change if better == "lower" else -change
    varies = any(max(side) - min(side) > resolution * abs(float(np.median(side))) for side in (a, b))
    if varies:
        verdict = "inconclusive"
    elif abs(worse) <= resolution:
        verdict = "same"
    else:
        verdict = "regression" if worse > 0 else "improvement"
    return {"verdict": verdict, "a": a_median, "b": b_median, "change": change,
            "spread_a": [min(a), max(a)], "spread_b": [min(b), max(b)]}


def judge_occurrences(a_values, b_values):
    """Something that should never happen (errors, gaps, a failed run): counted by the runs it
    happened in. More of B's runs than A's, and at least half of them, is a regression; more of
    B's but fewer than half, inconclusive (it may be the runner's)."""
    a, b = (sum(1 for v in values if v) for values in (a_values, b_values))
    half = len(b_values) / 2
    if b > a:
        verdict = "regression" if b >= half else "inconclusive"
    elif a > b:
        verdict = "improvement" if a >= half else "same"
    else:
        verdict = "same"
    return {"verdict": verdict, "a": a, "b": b, "runs": len(b_values)}
