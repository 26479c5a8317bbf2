"""Small pieces of wording shared by everything the story says."""


def plural(count: int, noun: str) -> str:
    """Return '1 item', '4 items'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def seconds(ns: int) -> str:
    """Return a duration for people: '850 µs', '1.2 ms', '4.0 s'."""
    if ns < 1_000_000:
        return f"{ns // 1_000} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.1f} ms"
    return f"{ns / 1_000_000_000:.1f} s"
