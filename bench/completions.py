"""(2) Engine completions: the library's completions through ``engine.tasks.complete``, with 1, 2 and 4
worker processes, each on its own dossiers, on SQLite and on PostgreSQL.

The dossiers are started beforehand (not timed). Each worker then walks its dossiers to the end: look up
the ready tasks (one plain query outside the engine, see :class:`~bench.harness.ReadyLookup`), complete
the first as its lane's user. ``completions_per_s`` is all workers' completions over the wall time from
the common start (a barrier) to the last worker's end; ``p50_ms``… are single ``complete`` calls. On SQLite a
completion takes the write lock only to write; ``restarts`` counts those that found a row they had read
changed when they took it, and started again (:meth:`engine.db.Database.command`).
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from bench.harness import (
    COMPLETIONS_PER_DOSSIER,
    ReadyLookup,
    form_for,
    fresh_database,
    mp_context,
    open_engine,
    prepare,
    start_dossiers,
    user_for,
)
from bench.sizes import Sizes
from bench.stats import rate, ratio, summary_ms
from engine.errors import ConcurrentModification


def _worker(url: str, instance_ids: list[int], barrier: Any, results: Any) -> None:
    """One worker process: complete every task of its dossiers; report durations and wall times."""
    try:
        engine, lookup = open_engine(url), ReadyLookup(url)
        durations: list[float] = []
        conflicts = 0
        barrier.wait()
        began = time.time()
        for instance_id in instance_ids:
            while ready := lookup.ready(instance_id):
                task = ready[0]
                started = time.perf_counter()
                try:
                    engine.tasks.complete(task.id, user_for(task.lane), form_for(task.element_id))
                except ConcurrentModification:
                    conflicts += 1
                    continue
                durations.append(time.perf_counter() - started)
        ended = time.time()
        restarts = engine.db.restarts
        lookup.close()
        engine.close()
        results.put(
            {"durations": durations, "began": began, "ended": ended, "conflicts": conflicts, "restarts": restarts}
        )
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


def run_workers(url: str, workers: int, dossiers_per_worker: int) -> dict[str, Any]:
    """Start the dossiers, then let ``workers`` processes complete them; the merged measurements."""
    engine = prepare(url)
    ids = start_dossiers(engine, workers * dossiers_per_worker)
    engine.close()  # nothing open when the workers fork
    ctx = mp_context()
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, ids[i::workers], barrier, results), daemon=True) for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=900) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise RuntimeError(errors[0])
    durations = [d for r in reports for d in r["durations"]]
    wall = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    expected = len(ids) * COMPLETIONS_PER_DOSSIER
    return {
        "workers": workers,
        "dossiers": len(ids),
        "completions": len(durations),
        "expected_completions": expected,
        "conflicts": sum(r["conflicts"] for r in reports),
        "restarts": sum(r["restarts"] for r in reports),
        "wall_s": round(wall, 3),
        "completions_per_s": rate(len(durations), wall),
        "per_worker_completions_per_s": rate(len(durations), wall * workers),
        **summary_ms(durations),
    }


def measure(sizes: Sizes, library: dict[str, Any], pg_url: str | None) -> dict[str, Any]:
    baseline = library.get("completions_per_s") or 0.0
    adapter = library.get("adapter_completions_per_s") or 0.0
    out: dict[str, Any] = {"library_completions_per_s": baseline}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not pg_url:
            out[kind] = {
                "skipped": "no PostgreSQL: set AWARDFLOW_BENCH_PG_URL (or a postgresql AWARDFLOW_DATABASE_URL)"
            }
            continue
        per_kind: dict[str, Any] = {}
        for workers in sizes.worker_counts:
            with fresh_database(kind, pg_url) as url:
                figures = run_workers(url, workers, sizes.dossiers_per_worker)
            figures["ratio_to_library"] = ratio(figures["completions_per_s"], baseline)
            figures["per_worker_ratio_to_library"] = ratio(figures["per_worker_completions_per_s"], baseline)
            figures["per_worker_ratio_to_adapter"] = ratio(figures["per_worker_completions_per_s"], adapter)
            per_kind[f"workers_{workers}"] = figures
        out[kind] = per_kind
    return out
