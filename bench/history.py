"""(8) History: what one completion costs in an instance that has already finished 10, 100 and 200 tasks.

``history_loop`` loops one user task (``again == True`` goes round once more). Instances are walked
through ``engine.tasks.complete`` on SQLite; the completion made when ``n`` tasks are already finished is
sampled for ``n`` in ``[point, point + window)``, over every instance. The same loop in bare SpiffWorkflow
(in memory, stock serializer) shows how much of any growth is the library's: Spiff keeps every finished
task in the workflow, so the blob to load and save grows with the history.
"""

from __future__ import annotations

import time
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from bench.harness import LOOP, ReadyLookup, fresh_database, prepare, user_for
from bench.library import new_blob, parse, stock_codec
from bench.sizes import Sizes
from bench.stats import ms, percentile, ratio
from engine.models import ProcessInstance


def _engine_samples(url: str, sizes: Sizes, last: int) -> tuple[dict[int, list[float]], dict[int, int]]:
    """Durations by finished-task count, and the blob size at each point."""
    engine, lookup = prepare(url), ReadyLookup(url)
    samples: dict[int, list[float]] = {}
    blob_bytes: dict[int, int] = {}
    try:
        for n in range(sizes.history_instances):
            instance_id = engine.runtime.start(
                LOOP, business_key=f"L-{n}", data={"again": True}, actor="u_appraiser"
            ).id
            for finished in range(last + 1):
                task = lookup.ready(instance_id)[0]
                if finished in sizes.history_points and n == 0:
                    with engine.db.transaction() as session:
                        blob = session.scalar(select(ProcessInstance.workflow).where(ProcessInstance.id == instance_id))
                    blob_bytes[finished] = len((blob or "").encode())
                started = time.perf_counter()
                engine.tasks.complete(task.id, user_for(task.lane), {"again": finished < last})
                samples.setdefault(finished, []).append(time.perf_counter() - started)
    finally:
        lookup.close()
        engine.close()
    return samples, blob_bytes


def _library_samples(sizes: Sizes, last: int) -> dict[int, list[float]]:
    specs = parse(LOOP, "history_loop.bpmn")
    load, dump = stock_codec()
    samples: dict[int, list[float]] = {}
    for _ in range(sizes.history_instances):
        blob = new_blob(specs, dump, {"again": True})
        for finished in range(last + 1):
            started = time.perf_counter()
            workflow = load(blob)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            task.data.update({"again": finished < last})
            task.run()
            workflow.refresh_timers()
            workflow.do_engine_steps()
            blob = dump(workflow)
            samples.setdefault(finished, []).append(time.perf_counter() - started)
    return samples


def _at(samples: dict[int, list[float]], point: int, window: int) -> list[float]:
    return [d for n in range(point, point + window) for d in samples.get(n, [])]


def measure(sizes: Sizes) -> dict[str, Any]:
    last = max(sizes.history_points) + sizes.history_window
    with fresh_database("sqlite") as url:
        engine_samples, blob_bytes = _engine_samples(url, sizes, last)
    library_samples = _library_samples(sizes, last)
    points: dict[str, Any] = {}
    for point in sizes.history_points:
        taken = _at(engine_samples, point, sizes.history_window)
        bare = _at(library_samples, point, sizes.history_window)
        points[str(point)] = {
            "samples": len(taken),
            "p50_ms": ms(percentile(taken, 50)),
            "p95_ms": ms(percentile(taken, 95)),
            "library_p50_ms": ms(percentile(bare, 50)),
            "blob_bytes": blob_bytes.get(point),
        }
    first, final = str(min(sizes.history_points)), str(max(sizes.history_points))
    return {
        "database": "sqlite",
        "process": LOOP,
        "instances": sizes.history_instances,
        "points": points,
        f"ratio_{final}_to_{first}_p50": ratio(points[final]["p50_ms"], points[first]["p50_ms"]),
        f"library_ratio_{final}_to_{first}_p50": ratio(
            points[final]["library_p50_ms"], points[first]["library_p50_ms"]
        ),
    }
