"""Runs the figures in order and assembles the JSON document ``awardflow bench`` prints.

Every figure gets a fresh database; a figure that fails is reported as ``{"error": ...}`` and the
others still run. The library baseline (figure 1) is measured first, in the same run as the ratios.
"""

from __future__ import annotations

import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Collection
from typing import Any

from bench import completions, footprint, history, inbox, library, lifecycle, reports, scaleout, simulation, timers
from bench.machine import machine
from bench.sizes import QUICK, Sizes

FIGURES = (
    "library",
    "completions",
    "lifecycle",
    "inbox",
    "reports",
    "timers",
    "footprint",
    "history",
    "simulation",
    "scaleout",
)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(
    sizes: Sizes = QUICK,
    *,
    pg_url: str | None = None,
    only: Collection[str] | None = None,
    log: Callable[[str], None] = _stderr,
) -> dict[str, Any]:
    """Measure the figures (all, or ``only`` these) and return the document, ready for ``json.dumps``."""
    unknown = set(only or ()) - set(FIGURES)
    if unknown:
        raise ValueError(f"unknown figure(s): {', '.join(sorted(unknown))}; known: {', '.join(FIGURES)}")
    began = time.perf_counter()
    doc: dict[str, Any] = {"machine": {**machine(pg_url), "sizes": sizes.name}}
    baseline: dict[str, Any] = {}
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "library": lambda: library.measure(sizes),
        "completions": lambda: completions.measure(sizes, baseline, pg_url),
        "lifecycle": lambda: lifecycle.measure(sizes, pg_url),
        "inbox": lambda: inbox.measure(sizes, pg_url),
        "reports": lambda: reports.measure(sizes, pg_url),
        "timers": lambda: timers.measure(sizes, pg_url),
        "footprint": lambda: footprint.measure(sizes),
        "history": lambda: history.measure(sizes),
        "simulation": lambda: simulation.measure(sizes, doc.get("completions") or {}),
        "scaleout": lambda: scaleout.measure(sizes, pg_url),
    }
    for name in FIGURES:
        if only and name not in only:
            doc[name] = {"skipped": "not selected"}
            continue
        log(f"bench: {name} …")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        started = time.perf_counter()
        try:
            result = steps[name]()
        except Exception as err:  # one broken figure must not hide the others
            log(traceback.format_exc())
            result = {"error": f"{type(err).__name__}: {err}".splitlines()[0][:500]}
        result["elapsed_s"] = round(time.perf_counter() - started, 1)
        result["load_average_1m_before"] = round(load, 2) if load is not None else None
        if name == "library":
            baseline.update(result)
        doc[name] = result
        log(f"bench: {name} done in {result['elapsed_s']} s")
    doc["machine"]["elapsed_s"] = round(time.perf_counter() - began, 1)
    return _finite(doc)


def _finite(value: Any) -> Any:
    """NaN and infinities (a figure with no samples) become null, so the output is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
