"""Compares two runs point by point: a metric regressed when it moved the wrong way by more than
the threshold AND beyond the spread of the repetitions (the new runs' best is worse than the
base runs' worst), so noise inside the spread never turns a build red."""
import json
import subprocess
import sys
from pathlib import Path

from .derive import METRICS

COMPARED = ["events_per_s", "delivery_ratio", "latency_p50_ms", "latency_p99_ms", "server_cpu_us_per_event",
            "bytes_per_event", "requests_per_event", "memory_per_connection_bytes", "connect_p99_ms", "errors",
            "gaps", "duplicates"]
GBENCH_COMPARE = Path("/usr/share/benchmark/compare.py")


def run_document(path):
    """results.json of a run folder (or of the only run folder inside `path`)."""
    path = Path(path)
    if (path / "results.json").exists():
        return json.loads((path / "results.json").read_text()), path
    runs = [p for p in path.iterdir() if (p / "results.json").exists()] if path.is_dir() else []
    if len(runs) != 1:
        raise ValueError(f"'{path}' is not a run folder (no results.json)")
    return json.loads((runs[0] / "results.json").read_text()), runs[0]


def key(point):
    return (point["technique"], point["backend"], point["connections"], point["rate"], point["payload"],
            point["poll_interval_s"], point.get("network", "lan"), point.get("payload_kind", "text"),
            point.get("tls", False))


def verdict(metric, base, new, threshold):
    """(relative change, 'regression' | 'improvement' | 'same') for one metric's summaries."""
    better = METRICS[metric][1]
    if base["median"] == 0:
        change = 0.0 if new["median"] == 0 else float("inf")
    else:
        change = (new["median"] - base["median"]) / abs(base["median"])
    worse = change > threshold if better == "lower" else change < -threshold
    better_now = change < -threshold if better == "lower" else change > threshold
    beyond_spread_worse = new["min"] > base["max"] if better == "lower" else new["max"] < base["min"]
    beyond_spread_better = new["max"] < base["min"] if better == "lower" else new["min"] > base["max"]
    if worse and beyond_spread_worse:
        return change, "regression"
    if better_now and beyond_spread_better:
        return change, "improvement"
    return change, "same"


def compare(base_doc, new_doc, threshold=0.10, metrics=COMPARED):
    base_points = {key(p): p for p in base_doc["points"]}
    rows = []
    for point in new_doc["points"]:
        name = " ".join(str(v) for v in key(point)[:3]) + " conns"
        base = base_points.get(key(point))
        if base is None:
            rows.append({"point": name, "metric": "-", "verdict": "new point"})
            continue
        if point["status"] == "failed" and base["status"] != "failed":
            rows.append({"point": name, "metric": "status", "base": base["status"], "new": "failed",
                         "verdict": "regression"})
            continue
        for metric in metrics:
            b, n = base["summary"].get(metric), point["summary"].get(metric)
            if not b or not n:
                continue
            change, result = verdict(metric, b, n, threshold)
            rows.append({"point": name, "metric": metric, "base": b["median"], "new": n["median"], "change": change,
                         "verdict": result})
    return rows


def _shown(value):
    return "-" if value is None else value if isinstance(value, str) else f"{value:.4g}"


def markdown(rows, threshold):
    regressions = sum(r["verdict"] == "regression" for r in rows)
    lines = [f"## pushbench compare: {regressions} regression(s) (threshold {threshold:.0%}, beyond the spread)", "",
             "| point | metric | base | new | change | verdict |", "|---|---|---|---|---|---|"]
    for r in rows:
        change = r.get("change")
        shown_change = "-" if change is None else "inf" if change == float("inf") else f"{change:+.1%}"
        lines.append(f"| {r['point']} | {r['metric']} | {_shown(r.get('base'))} | {_shown(r.get('new'))} | "
                     f"{shown_change} | {r['verdict']} |")
    return "\n".join(lines) + "\n"


def compare_micro(base_dir, new_dir):
    """The runs' micro.json compared by Google Benchmark's compare.py (libbenchmark-tools). It needs
    SciPy, which Debian 12 cannot install beside Boost 1.81; without it, the same per-benchmark
    time change is computed here."""
    base, new = Path(base_dir) / "micro.json", Path(new_dir) / "micro.json"
    if not (base.exists() and new.exists()):
        return None
    if GBENCH_COMPARE.exists():
        done = subprocess.run([sys.executable, str(GBENCH_COMPARE), "benchmarks", str(base), str(new)],
                              capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout
    times = [{b["name"]: b["real_time"] for b in json.loads(p.read_text())["benchmarks"]} for p in (base, new)]
    lines = [f"{'Benchmark':<32} {'Time':>8} {'Old':>12} {'New':>12}  (compare.py unavailable: no SciPy)"]
    for name, old in times[0].items():
        if name in times[1] and old:
            lines.append(f"{name:<32} {times[1][name] / old - 1:+8.4f} {old:12.1f} {times[1][name]:12.1f}")
    return "\n".join(lines)
