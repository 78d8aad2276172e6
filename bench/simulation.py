"""Figure 9 — what-if simulation: a year of dossiers of the shipped procedure through ``awardflow simulate``'s
run (the real engine on a scratch SQLite database and the virtual clock), timed on the wall clock.

The issue's target is 3,000 dossiers in 60 s on two cores; a full run simulates those 3,000 (``target_met``).
Smaller sizes project the time of 3,000 from their rate (said as a projection, and an overstatement: of 3,000
dossiers the demo's staff finish fewer, so a dossier costs fewer steps than in a small run). The run is dealt
out to :data:`SHARDS` processes as ``awardflow simulate`` does by default; its CPU time is theirs and the
parent's. The step completions per second of the simulation are set against the engine's own single-worker
completions per second (figure 2) of the same run.
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.sizes import Sizes
from bench.stats import ratio

TARGET_DOSSIERS, TARGET_S = 3000, 60.0
#: processes a run is dealt out to here, one per core (``awardflow simulate --shards 2``)
SHARDS = 2


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the shards)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(sizes: Sizes, completions: dict[str, Any]) -> dict[str, Any]:
    # imported here: web.cli loads the bench's command, which imports this module
    from web.simulation import demo_staff, simulate_once

    staff = demo_staff()
    with tempfile.TemporaryDirectory(prefix="awardflow-bench-sim-") as scratch:
        began, cpu = time.perf_counter(), _cpu_s()
        result = simulate_once(
            dossiers=sizes.simulation_dossiers,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            seed=2026,
            staff=staff,
            draft={},
            history={},
            workdir=Path(scratch),
            shards=SHARDS,
        )
        wall, cpu = time.perf_counter() - began, _cpu_s() - cpu
    steps = sum(s["early"] + s["on_time"] + s["late"] for s in result["steps"].values())
    per_s = steps / wall if wall else 0.0
    live = ((completions.get("sqlite") or {}).get("workers_1") or {}).get("completions_per_s")
    found = {
        "dossiers": sizes.simulation_dossiers,
        "shards": SHARDS,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "steps_finished": steps,
        "step_completions_per_s": round(per_s, 1),
        "ratio_to_live_engine_1_worker": ratio(per_s, live) if live else None,
        "target_3000_dossiers_s": TARGET_S,
        "errors": result["dossiers"]["errors"],
    }
    if sizes.simulation_dossiers == TARGET_DOSSIERS:
        return {**found, "target_met": wall <= TARGET_S}
    share = TARGET_DOSSIERS / sizes.simulation_dossiers
    return {
        **found,
        "projected_3000_dossiers_s": round(wall * share, 1),
        "projected_3000_dossiers_cpu_s": round(cpu * share, 1),
    }
