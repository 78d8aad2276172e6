"""(7) Footprint: the engine process's RSS as live instances pile up, and the size of a saved instance.

A child process started with ``spawn`` (a new interpreter: nothing from the other figures is counted) opens
an engine on a new SQLite file, warms up with 10 dossiers, then starts dossiers and completes the first task
of each, so every one is a live, mid-process instance in the database. RSS (``/proc/self/statm``, after
``gc.collect()``) is read at checkpoints. RSS flat in the number of instances means no instance state stays
in memory.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import traceback
from typing import Any

from sqlalchemy import select

from bench.harness import (
    AWARD,
    MID_PROCESS_COMPLETIONS,
    ReadyLookup,
    form_for,
    fresh_database,
    prepare,
    start_data,
    user_for,
)
from bench.library import mid_process_blobs, parse
from bench.sizes import Sizes
from engine import Engine
from engine.models import ProcessInstance

WARM_UP = 10


def rss_mb() -> float:
    """Resident set size now (Linux), else the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _live_dossier(engine: Engine, lookup: ReadyLookup, n: int, completions: int = 1) -> int:
    instance_id = engine.runtime.start(AWARD, business_key=f"HS-{n:07d}", data=start_data(n), actor="u_desk").id
    for _ in range(completions):
        task = lookup.ready(instance_id)[0]
        engine.tasks.complete(task.id, user_for(task.lane), form_for(task.element_id))
    return instance_id


def _child(url: str, instances: int, results: Any) -> None:
    try:
        engine, lookup = prepare(url), ReadyLookup(url)
        for n in range(min(WARM_UP, instances)):
            _live_dossier(engine, lookup, n)
        checkpoints = sorted({max(1, instances // 10), instances // 4, instances // 2, instances} - {0})
        gc.collect()
        points = {"0": rss_mb()}
        for n in range(1, instances + 1):
            _live_dossier(engine, lookup, WARM_UP + n)
            if n in checkpoints:
                gc.collect()
                points[str(n)] = rss_mb()
        mid = _live_dossier(engine, lookup, WARM_UP + instances + 1, completions=MID_PROCESS_COMPLETIONS)
        with engine.db.transaction() as session:
            blob = session.scalar(select(ProcessInstance.workflow).where(ProcessInstance.id == mid)) or ""
        lookup.close()
        engine.close()
        results.put({"points": points, "blob": len(blob.encode())})
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


def measure(sizes: Sizes) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")  # a new interpreter: nothing inherited from the other figures
    results = ctx.Queue()
    with fresh_database("sqlite") as url:
        proc = ctx.Process(target=_child, args=(url, sizes.footprint_instances, results), daemon=True)
        proc.start()
        report = results.get(timeout=3600)
        proc.join(timeout=60)
    if "error" in report:
        raise RuntimeError(report["error"])
    points: dict[str, float] = report["points"]
    first, last = points["0"], points[str(sizes.footprint_instances)]
    stock_blob, _adapter = mid_process_blobs(parse(AWARD, "award_bench.bpmn"))
    return {
        "database": "sqlite",
        "live_instances": sizes.footprint_instances,
        "rss_mb_by_instances": points,
        "rss_mb": last,
        "rss_growth_mb_per_1000_instances": round((last - first) * 1000 / sizes.footprint_instances, 2),
        "serialized_instance_bytes": report["blob"],
        "serialized_instance_with_spec_bytes": len(stock_blob.encode()),
        "serialized_at": "council_vote (8 of 13 completions done)",
    }
