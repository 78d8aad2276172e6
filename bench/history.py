"""(8) History: what one completion costs in an instance that has already finished 10, 100 and 200 tasks.

``history_loop`` loops one user task (``again == True`` goes round once more). Instances are walked
through ``engine.tasks.complete`` on SQLite; the completion made when ``n`` tasks are already finished is
sampled for ``n`` in ``[point, point + window)``, over every instance, in wall time (``p50_ms``) and in
this process's CPU time (``cpu_p50_ms``: less swayed by whatever else runs on the machine). The same loop
in bare SpiffWorkflow (in memory, stock serializer) shows how much of any growth is the library's: Spiff
keeps every finished task in the workflow, so the blob to load and save grows with the history. The loop
through our adapter in memory (``adapter_p50_ms``: load, complete, engine steps, save) shows what is left
of that growth once the adapter keeps the saved workflow and finished tasks' JSON.
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
from engine.bpmn.spiff import Workflows
from engine.models import ProcessInstance
from engine.scripting import SandboxEnvironment, ScriptEngine

Samples = dict[int, list[float]]


def _engine_samples(url: str, sizes: Sizes, last: int) -> tuple[Samples, Samples, dict[int, int]]:
    """Wall and CPU durations by finished-task count, and the blob size at each point."""
    engine, lookup = prepare(url), ReadyLookup(url)
    samples: Samples = {}
    cpu: Samples = {}
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
                started, started_cpu = time.perf_counter(), time.process_time()
                engine.tasks.complete(task.id, user_for(task.lane), {"again": finished < last})
                samples.setdefault(finished, []).append(time.perf_counter() - started)
                cpu.setdefault(finished, []).append(time.process_time() - started_cpu)
    finally:
        lookup.close()
        engine.close()
    return samples, cpu, blob_bytes


def _library_samples(sizes: Sizes, last: int) -> Samples:
    specs = parse(LOOP, "history_loop.bpmn")
    load, dump = stock_codec()
    samples: Samples = {}
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


def _adapter_samples(sizes: Sizes, last: int) -> Samples:
    """The library loop through ``engine.bpmn.spiff``, as the engine calls it (no database)."""
    specs = parse(LOOP, "history_loop.bpmn")
    script_engine = ScriptEngine(SandboxEnvironment())
    samples: Samples = {}
    for _ in range(sizes.history_instances):
        workflow = Workflows.create(specs, script_engine, {"again": True})
        Workflows.run_engine_steps(workflow)
        blob = Workflows.dump(workflow)
        for finished in range(last + 1):
            started = time.perf_counter()
            workflow = Workflows.load(blob, specs, script_engine)
            task = Workflows.find_task(workflow, Workflows.ready_task_ids(workflow)[0])
            assert task is not None
            Workflows.run_task(task, {"again": finished < last})
            Workflows.run_engine_steps(workflow)
            blob = Workflows.dump(workflow)
            samples.setdefault(finished, []).append(time.perf_counter() - started)
    return samples


def _at(samples: Samples, point: int, window: int) -> list[float]:
    return [d for n in range(point, point + window) for d in samples.get(n, [])]


def measure(sizes: Sizes) -> dict[str, Any]:
    last = max(sizes.history_points) + sizes.history_window
    with fresh_database("sqlite") as url:
        engine_samples, cpu_samples, blob_bytes = _engine_samples(url, sizes, last)
    library_samples = _library_samples(sizes, last)
    adapter_samples = _adapter_samples(sizes, last)
    points: dict[str, Any] = {}
    for point in sizes.history_points:
        taken = _at(engine_samples, point, sizes.history_window)
        points[str(point)] = {
            "samples": len(taken),
            "p50_ms": ms(percentile(taken, 50)),
            "p95_ms": ms(percentile(taken, 95)),
            "cpu_p50_ms": ms(percentile(_at(cpu_samples, point, sizes.history_window), 50)),
            "library_p50_ms": ms(percentile(_at(library_samples, point, sizes.history_window), 50)),
            "adapter_p50_ms": ms(percentile(_at(adapter_samples, point, sizes.history_window), 50)),
            "blob_bytes": blob_bytes.get(point),
        }
    first, final = str(min(sizes.history_points)), str(max(sizes.history_points))
    return {
        "database": "sqlite",
        "process": LOOP,
        "instances": sizes.history_instances,
        "points": points,
        f"ratio_{final}_to_{first}_p50": ratio(points[final]["p50_ms"], points[first]["p50_ms"]),
        f"cpu_ratio_{final}_to_{first}_p50": ratio(points[final]["cpu_p50_ms"], points[first]["cpu_p50_ms"]),
        f"library_ratio_{final}_to_{first}_p50": ratio(
            points[final]["library_p50_ms"], points[first]["library_p50_ms"]
        ),
        f"adapter_ratio_{final}_to_{first}_p50": ratio(
            points[final]["adapter_p50_ms"], points[first]["adapter_p50_ms"]
        ),
    }
