"""(1) The library limit: bare SpiffWorkflow on the award process, in memory, per completion.

A completion is: deserialize the workflow, complete one ready user task with its form data, refresh
timers, run engine steps, serialize. That is what the engine has to do at least once per completion, so
every other figure is given as a ratio to it.

``completions_per_s`` uses SpiffWorkflow exactly as shipped (``BpmnWorkflowSerializer`` with
``SPIFF_CONFIG``, the spec inside every blob, the stock script engine). ``adapter_*`` repeats the loop
through the engine's own adapter (:mod:`engine.bpmn.spiff`: spec by reference, the sandboxed script
engine), still in memory, to show what the adapter alone adds or saves before any database is involved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from bench.harness import AWARD, MID_PROCESS_COMPLETIONS, PROCESSES, form_for, start_data
from bench.sizes import Sizes
from bench.stats import rate, summary_ms
from engine.bpmn.spiff import SpecSet, Workflows
from engine.scripting import SandboxEnvironment, ScriptEngine

Load = Callable[[str], BpmnWorkflow]
Dump = Callable[[BpmnWorkflow], str]


def parse(process_id: str, file_name: str) -> SpecSet:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(PROCESSES / file_name))
    return SpecSet(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


def stock_codec() -> tuple[Load, Dump]:
    """SpiffWorkflow's own serializer, as its documentation shows it."""
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return serializer.deserialize_json, serializer.serialize_json


def adapter_codec(specs: SpecSet) -> tuple[Load, Dump]:
    """The engine's adapter: spec by reference and the sandboxed script engine."""
    script_engine = ScriptEngine(SandboxEnvironment())
    return (lambda text: Workflows.load(text, specs, script_engine)), Workflows.dump


def complete_one(load: Load, dump: Dump, blob: str, pick: Callable[[Any], Any] | None = None) -> tuple[str, bool]:
    """One completion in memory; returns the new blob and whether a task was completed."""
    workflow = load(blob)
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if not ready:
        return blob, False
    task = pick(ready) if pick else ready[0]
    task.data.update(form_for(task.task_spec.bpmn_id or task.task_spec.name))
    task.run()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    return dump(workflow), True


def new_blob(specs: SpecSet, dump: Dump, data: dict[str, Any], script_engine: Any = None) -> str:
    workflow = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return dump(workflow)


def run_dossiers(specs: SpecSet, load: Load, dump: Dump, dossiers: int) -> list[float]:
    """Per-completion durations (s) over ``dossiers`` whole dossiers."""
    durations: list[float] = []
    for n in range(dossiers):
        blob = new_blob(specs, dump, start_data(n))
        while True:
            started = time.perf_counter()
            blob, done = complete_one(load, dump, blob)
            if not done:
                break
            durations.append(time.perf_counter() - started)
    return durations


def measure(sizes: Sizes) -> dict[str, Any]:
    specs = parse(AWARD, "award_bench.bpmn")
    stock_load, stock_dump = stock_codec()
    adapter_load, adapter_dump = adapter_codec(specs)
    run_dossiers(specs, stock_load, stock_dump, 1)  # warm-up (imports, caches)
    run_dossiers(specs, adapter_load, adapter_dump, 1)
    stock = run_dossiers(specs, stock_load, stock_dump, sizes.library_dossiers)
    adapter = run_dossiers(specs, adapter_load, adapter_dump, sizes.library_dossiers)
    mid_stock, mid_adapter = mid_process_blobs(specs)
    return {
        "process": AWARD,
        "dossiers": sizes.library_dossiers,
        "completions": len(stock),
        "completions_per_s": rate(len(stock), sum(stock)),
        **summary_ms(stock),
        "blob_bytes_mid_process": len(mid_stock.encode()),
        "adapter_completions_per_s": rate(len(adapter), sum(adapter)),
        **summary_ms(adapter, prefix="adapter_"),
        "adapter_blob_bytes_mid_process": len(mid_adapter.encode()),
        "note": "stock: SpiffWorkflow serializer (spec in every blob), stock script engine; "
        "adapter: engine.bpmn.spiff (spec by reference), sandboxed script engine; both in memory, one core",
    }


def mid_process_blobs(specs: SpecSet) -> tuple[str, str]:
    """The same dossier, stopped at the council vote, serialized both ways."""
    stock_load, stock_dump = stock_codec()
    blob = new_blob(specs, stock_dump, start_data(0))
    for _ in range(MID_PROCESS_COMPLETIONS):
        blob, _done = complete_one(stock_load, stock_dump, blob)
    return blob, Workflows.dump(stock_load(blob))
