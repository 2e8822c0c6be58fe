"""Pass/fail thresholds on results, as k6 has them:

    [thresholds]
    "latency_p99_ms{technique=websocket}" = "< 20"
    "errors" = "== 0"

A threshold applies to every point matching its filters, on the median of the repetitions."""
import operator
import re
from dataclasses import dataclass

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
             "!=": operator.ne}
FILTER_KEYS = ("technique", "backend", "connections", "rate", "payload", "tls")


@dataclass
class Threshold:
    name: str
    metric: str
    filters: dict
    op: str
    value: float

    def applies_to(self, point):
        return all(_text(point.get(k)) == v or _same_number(point.get(k), v) for k, v in self.filters.items())

    def check(self, measured):
        return measured is not None and OPERATORS[self.op](measured, self.value)


def _text(value):
    """A point's setting as a filter writes it: tls=true, not True."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _same_number(a, b):
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def parse(name, condition, known_metrics=None):
    from .derive import METRICS

    known = known_metrics or METRICS
    match = re.fullmatch(r"([a-z0-9_]+)(?:\{([^}]*)\})?", name)
    if not match:
        raise ValueError("a threshold is named like latency_p99_ms or latency_p99_ms{technique=sse}")
    metric, filter_text = match.groups()
    if metric not in known:
        raise ValueError(f"unknown metric '{metric}' (known: {', '.join(sorted(known))})")
    filters = {}
    for part in filter(None, (filter_text or "").split(",")):
        key, _, value = part.partition("=")
        if key.strip() not in FILTER_KEYS or not value:
            raise ValueError(f"filter '{part}' must be KEY=VALUE with KEY one of {', '.join(FILTER_KEYS)}")
        filters[key.strip()] = value.strip()
    if not isinstance(condition, str):
        raise ValueError(f"{condition!r} is not a condition like \"< 20\"")
    cond = re.fullmatch(r"\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*", condition)
    if not cond:
        raise ValueError(f"'{condition}' is not a condition like \"< 20\" or \"== 0\"")
    return Threshold(name, metric, filters, cond.group(1), float(cond.group(2)))
