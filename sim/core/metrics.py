"""Counters, a bounded latency histogram and a time series for the chart.

Percentiles are nearest-rank over successful requests, read from a histogram that keeps 11
significant bits of each value: exact below 2,048 ns, and above that buckets narrower than
0.1% of their values, whose middle is reported (within 0.05% of the exact percentile). So
memory stays bounded however many requests a run makes. Only integer arithmetic decides a
bucket.
"""

from sim.core.units import to_ms

BITS = 11  # significant bits kept of each value


class Histogram:
    """Counts integer nanosecond values in log-linear buckets."""

    __slots__ = ("buckets", "count")

    def __init__(self) -> None:
        """Start empty."""
        self.buckets: dict[int, int] = {}
        self.count = 0

    def add(self, value_ns: int) -> None:
        """Count one value."""
        shift = value_ns.bit_length() - BITS
        key = (shift << BITS) | (value_ns >> shift) if shift > 0 else value_ns
        self.buckets[key] = self.buckets.get(key, 0) + 1
        self.count += 1

    def percentile_ns(self, percent: int) -> int | None:
        """Return the nearest-rank percentile (its bucket's middle), None when empty."""
        return self.percentiles_ns((percent,))[0]

    def percentiles_ns(self, percents: tuple[int, ...]) -> list[int | None]:
        """The nearest-rank percentiles, in ascending order, from one sorted walk of the buckets."""
        if not self.count:
            return [None] * len(percents)
        assert list(percents) == sorted(percents), percents
        found: list[int | None] = []
        keys = iter(sorted(self.buckets))
        seen = 0
        key = 0
        for percent in percents:
            rank = max(1, (percent * self.count + 99) // 100)
            while seen < rank:  # rank <= count, so the keys never run out
                key = next(keys)
                seen += self.buckets[key]
            shift = key >> BITS  # a bucket's middle: exact below 2**BITS
            low = (key & ((1 << BITS) - 1)) << shift
            found.append(key if shift == 0 else low + (1 << shift) // 2)
        return found


class Metrics:
    """Request outcomes and latency over a whole run."""

    __slots__ = ("failed", "latency", "lost_sessions", "ok", "requests", "retried")

    def __init__(self) -> None:
        """Start at zero."""
        self.requests = 0
        self.ok = 0
        self.failed = 0
        self.retried = 0
        self.lost_sessions = 0  # sessions whose last copy was destroyed
        self.latency = Histogram()

    def record(self, ok: bool, retried: bool, latency_ns: int) -> None:
        """Count one finished request."""
        self.requests += 1
        if retried:
            self.retried += 1
        if ok:
            self.ok += 1
            self.latency.add(latency_ns)
        else:
            self.failed += 1

    def percentiles(self) -> dict:
        """Return p50/p95/p99 in ms (None when no request succeeded)."""
        p50, p95, p99 = self.latency.percentiles_ns((50, 95, 99))
        return {"p50_ms": to_ms(p50), "p95_ms": to_ms(p95), "p99_ms": to_ms(p99)}


class Series:
    """Fixed-width buckets of simulated time, keeping only the last few for a chart."""

    __slots__ = ("buckets", "keep", "points_of", "width_ns")

    def __init__(self, width_ns: int, keep: int = 60) -> None:
        """Bucket by width_ns, keep the last `keep` buckets."""
        self.width_ns = width_ns
        self.keep = keep
        self.buckets: dict[int, list] = {}
        # Each bucket's point as last computed, with its request count then: a snapshot is made
        # ten times a second while the demo runs, and only the newest bucket changes between two.
        self.points_of: dict[int, tuple[int, dict]] = {}

    def record(self, time_ns: int, ok: bool, latency_ns: int) -> None:
        """Count one finished request in the bucket of time_ns."""
        index = time_ns // self.width_ns
        bucket = self.buckets.get(index)
        if bucket is None:
            bucket = self.buckets[index] = [0, 0, Histogram()]
            for old in [i for i in self.buckets if i <= index - self.keep]:
                del self.buckets[old]
                self.points_of.pop(old, None)
        bucket[0] += 1
        if ok:
            bucket[2].add(latency_ns)
        else:
            bucket[1] += 1

    def recent_percentile_ns(self, now_ns: int, count: int, percent: int) -> int | None:
        """The percentile over the last `count` full buckets before now (None when empty)."""
        last = now_ns // self.width_ns
        merged = Histogram()
        for index in range(last - count, last):
            bucket = self.buckets.get(index)
            if bucket is not None:
                for key, number in bucket[2].buckets.items():
                    merged.buckets[key] = merged.buckets.get(key, 0) + number
                merged.count += bucket[2].count
        return merged.percentile_ns(percent)

    def points(self, now_ns: int) -> list[dict]:
        """Return one point per bucket up to now, empty buckets included."""
        last = now_ns // self.width_ns
        out = []
        for index in range(max(0, last - self.keep + 1), last + 1):
            bucket = self.buckets.get(index)
            if bucket is None:
                out.append(
                    {
                        "t_ns": index * self.width_ns,
                        "p50_ms": None,
                        "p99_ms": None,
                        "errors": 0,
                        "requests": 0,
                    }
                )
            else:
                out.append(dict(self._point(index, bucket)))
        return out

    def _point(self, index: int, bucket: list) -> dict:
        """A bucket's point, computed again only when a request has been counted in it since."""
        known = self.points_of.get(index)
        if known is not None and known[0] == bucket[0]:
            return known[1]
        p50, p99 = bucket[2].percentiles_ns((50, 99))
        point = {
            "t_ns": index * self.width_ns,
            "p50_ms": to_ms(p50),
            "p99_ms": to_ms(p99),
            "errors": bucket[1],
            "requests": bucket[0],
        }
        self.points_of[index] = (bucket[0], point)
        return point
