"""Units: simulated time is integer nanoseconds; rates and added latencies are thousandths."""

US = 1_000
MS = 1_000_000
S = 1_000_000_000


def to_ms(value_ns: int | None) -> float | None:
    """Return milliseconds rounded to the microsecond, or None."""
    return None if value_ns is None else round(value_ns / MS, 3)


def from_thousandths(value_milli: int) -> int | float:
    """Return a count of thousandths as a number, an int when whole: 4000 -> 4, 2500 -> 2.5."""
    return value_milli // 1000 if value_milli % 1000 == 0 else value_milli / 1000


def to_thousandths(value: int | float) -> int:
    """Return a number in thousandths, rounded: 2.5 -> 2500."""
    return round(value * 1000)
