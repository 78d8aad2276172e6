"""Percentiles and timing helpers; every duration leaves here in milliseconds."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile by the nearest-rank method (an observed value, never interpolated)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: Sequence[float], *, prefix: str = "", pcts: Sequence[int] = (50, 95, 99)) -> dict[str, float]:
    """``{prefix}p50_ms`` ... and ``{prefix}max_ms`` of durations given in seconds."""
    out = {f"{prefix}p{p}_ms": ms(percentile(seconds, p)) for p in pcts}
    out[f"{prefix}max_ms"] = ms(max(seconds)) if seconds else math.nan
    return out


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def rate(count: int, seconds: float) -> float:
    """Events per second, rounded for reading."""
    return round(count / seconds, 1) if seconds > 0 else math.nan


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else math.nan


def repeat(call: Callable[[], object], times: int, *, budget_s: float = 20.0, at_least: int = 5) -> list[float]:
    """Durations (s) of up to ``times`` calls; stops early once ``budget_s`` is spent and ``at_least`` are in."""
    durations: list[float] = []
    began = time.perf_counter()
    for _ in range(times):
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
        if len(durations) >= at_least and time.perf_counter() - began > budget_s:
            break
    return durations


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``; perf_counter based."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
