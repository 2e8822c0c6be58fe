"""The client's latency histograms (HdrHistogram layout, sparse JSON) on the Python side: merge
the histograms of several client processes and read percentiles back, exactly as the C++ side."""
import math


class Histogram:
    def __init__(self, data=None):
        data = data or {"lowest": 1000, "highest": 3_600_000_000_000, "significant_digits": 3,
                        "total": 0, "min": 0, "max": 0, "saturated": 0, "counts": []}
        self.lowest, self.highest, self.digits = data["lowest"], data["highest"], data["significant_digits"]
        largest_single_unit = 2 * 10 ** self.digits
        self.sub_bucket_half_count_magnitude = max(math.ceil(math.log2(largest_single_unit)), 1) - 1
        self.unit_magnitude = int(math.floor(math.log2(self.lowest)))
        self.sub_bucket_half_count = 1 << self.sub_bucket_half_count_magnitude
        self.counts = {int(i): int(c) for i, c in data["counts"]}
        self.total = int(data["total"])
        self.min = int(data["min"]) if self.total else None
        self.max = int(data["max"])

    def layout(self):
        return (self.lowest, self.highest, self.digits)

    def merge(self, other):
        if other.layout() != self.layout():
            raise ValueError("histograms with different layouts cannot be merged")
        for index, count in other.counts.items():
            self.counts[index] = self.counts.get(index, 0) + count
        if other.total:
            self.min = other.min if self.min is None else min(self.min, other.min)
        self.max = max(self.max, other.max)
        self.total += other.total
        return self

    def value_from_index(self, index):
        bucket = (index >> self.sub_bucket_half_count_magnitude) - 1
        sub_bucket = (index & (self.sub_bucket_half_count - 1)) + self.sub_bucket_half_count
        if bucket < 0:
            sub_bucket -= self.sub_bucket_half_count
            bucket = 0
        return sub_bucket << (bucket + self.unit_magnitude)

    def highest_equivalent(self, index):
        bucket = max((index >> self.sub_bucket_half_count_magnitude) - 1, 0)
        return self.value_from_index(index) + (1 << (bucket + self.unit_magnitude)) - 1

    def value_at_percentile(self, percentile):
        if not self.total:
            return 0
        wanted = max(1, math.ceil(percentile / 100 * self.total))
        seen = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= wanted:
                return min(self.highest_equivalent(index), self.max)
        return self.max

    def mean(self):
        if not self.total:
            return 0
        total = 0
        for index, count in self.counts.items():
            low = self.value_from_index(index)
            total += count * (low + self.highest_equivalent(index) + 1) / 2
        return total / self.total

    def spectrum(self):
        """(value_ns, percentile) at each recorded bucket, for percentile-spectrum plots."""
        seen, out = 0, []
        for index in sorted(self.counts):
            seen += self.counts[index]
            out.append((min(self.highest_equivalent(index), self.max), 100.0 * seen / self.total))
        return out

    def summary(self):
        """The client's latency_ns / connect_ns shape."""
        return {"count": self.total, "min": self.min or 0, "mean": int(self.mean()),
                "p50": self.value_at_percentile(50), "p90": self.value_at_percentile(90),
                "p99": self.value_at_percentile(99), "p999": self.value_at_percentile(99.9), "max": self.max}

    def to_json(self):
        return {"lowest": self.lowest, "highest": self.highest, "significant_digits": self.digits, "unit": "ns",
                "total": self.total, "min": self.min or 0, "max": self.max, "saturated": 0,
                "counts": [[i, c] for i, c in sorted(self.counts.items())]}
