"""Differential runs: one diagram, one script of outside actions, through bare SpiffWorkflow and through
awardflow's persisted engine, compared.

Bare SpiffWorkflow is the oracle for BPMN semantics (docs: the SpiffWorkflow notes, trap 9). It runs the
diagram in memory, the way its own documentation does: parse, ``do_engine_steps``, complete a ready task,
``do_engine_steps`` again. The engine runs the same diagram as it runs in production: every action is one
command (one transaction) that loads the workflow from the database and saves it again, and before every
action the engine is built anew, so nothing survives in memory between steps (no kept workflow, no spec
cache): each step is what a freshly started worker process would do.

A run gives a :class:`Trace`: the element ids of the ready human tasks before each action (in the order the
engine lists them: SpiffWorkflow's), whether the instance ended complete, and its final data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine import Engine, Settings, clock
from engine.bpmn.spiff import StepFailure, forget_kept_workflows
from engine.clock import ClockDatetime
from engine.db import Database


@dataclass(frozen=True)
class Complete:
    """Complete the ``index``-th ready human task with ``data``."""

    index: int = 0
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    name: str
    payload: Any = None


@dataclass(frozen=True)
class Signal:
    name: str
    payload: Any = None


@dataclass(frozen=True)
class Advance:
    """Move the clock on and fire what fell due."""

    seconds: float


Action = Complete | Message | Signal | Advance


@dataclass
class Trace:
    ready: list[list[str]] = field(default_factory=list)
    completed: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    #: the element whose failure stopped the run (bare: the exception's task; engine: the incident's element)
    failed_at: str | None = None


#: ``failed_at`` of a failure that names no element
NO_ELEMENT = "(no element)"

#: Until no human task is ready, complete the first one with no data (at most this many times).
DEFAULT_ROUNDS = 60


def default_script() -> list[Action]:
    return [Complete() for _ in range(DEFAULT_ROUNDS)]


def _element(task: Any) -> str:
    spec = task.task_spec
    return str(spec.bpmn_id or spec.name)


def _final_data(last: Any, workflow_data: Mapping[str, Any], root_data: Mapping[str, Any]) -> dict[str, Any]:
    """What :meth:`engine.bpmn.spiff.Workflows.data` reads: workflow data, then the last task's data."""
    data = dict(workflow_data)
    data.update(last.data if last is not None else root_data)
    return copy.deepcopy(data)


def run_bare(
    files: Sequence[Path],
    process_id: str,
    data: Mapping[str, Any],
    script: Sequence[Action],
    vclock: Any,
    parser_class: type = SpiffBpmnParser,
) -> Trace:
    """The oracle: the diagram in bare SpiffWorkflow, in memory, with its default script engine (and its own
    parser, unless ``parser_class`` says otherwise)."""
    parser = parser_class()
    for path in files:
        if path.suffix == ".dmn":
            parser.add_dmn_file(str(path))
        else:
            parser.add_bpmn_file(str(path))
    workflow = BpmnWorkflow(
        parser.get_spec(process_id), parser.get_subprocess_specs(process_id), script_engine=_bare_script_engine()
    )
    workflow.task_tree.data.update(copy.deepcopy(dict(data)))
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(copy.deepcopy(dict(data)))
    trace = Trace()
    try:
        workflow.do_engine_steps()
        _bare_actions(workflow, script, trace, vclock)
    except Exception as err:  # the oracle's failure: the engine must stop at the same element
        task = getattr(err, "task", None)
        trace.failed_at = _element(task) if task is not None else NO_ELEMENT
    if trace.failed_at is None:  # (after a failure Spiff leaves the task in ERROR, the engine refused the command)
        trace.ready.append([_element(t) for t in workflow.get_tasks(state=TaskState.READY, manual=True)])
    trace.completed = workflow.is_completed()
    trace.data = _final_data(workflow.last_task, workflow.data, workflow.task_tree.data)
    return trace


def _bare_actions(workflow: BpmnWorkflow, script: Sequence[Action], trace: Trace, vclock: Any) -> None:
    for action in script:
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if isinstance(action, Complete):
            if not ready:
                break
            trace.ready.append([_element(t) for t in ready])
            task = ready[action.index]
            task.data.update(copy.deepcopy(dict(action.data)))
            task.run()
        else:
            trace.ready.append([_element(t) for t in ready])
            if isinstance(action, Message):
                workflow.catch(BpmnEvent(MessageEventDefinition(action.name), action.payload))
            elif isinstance(action, Signal):
                workflow.catch(BpmnEvent(SignalEventDefinition(action.name), action.payload))
            else:
                vclock.advance(timedelta(seconds=action.seconds))
                workflow.refresh_timers()
        workflow.do_engine_steps()


def _bare_script_engine() -> PythonScriptEngine:
    """Spiff's own script engine, given the date and time names the engine's sandbox gives scripts (its
    ``datetime`` reads the engine clock, as the sandbox's does), so both run the same scripts."""
    names = {"datetime": ClockDatetime, "date": date, "timedelta": timedelta, "timezone": timezone}
    return PythonScriptEngine(environment=TaskDataEnvironment(names))


EngineFactory = Callable[[], Engine]


def engine_factory(database: Database, **settings: Any) -> EngineFactory:
    """Engines on ``database`` that remember nothing of earlier ones: a new process each time."""

    def build() -> Engine:
        forget_kept_workflows()
        engine = Engine(Settings(database_url=database.url, **settings), database=database)
        return engine

    return build


def ready_elements(engine: Engine, instance_id: int) -> list[tuple[str, str]]:
    """(task id, element id) of the instance's ready human tasks, in the order its stored workflow gives."""
    with engine.db.reading() as session:
        loaded = engine.executor.load(session, instance_id)
        return [(t.id, t.element_id) for t in engine.executor.workflows.ready_human_tasks(loaded.workflow)]


def run_engine(
    new_engine: EngineFactory,
    files: Sequence[Path],
    process_id: str,
    data: Mapping[str, Any],
    script: Sequence[Action],
    vclock: Any,
) -> tuple[Trace, int]:
    """The same diagram and actions through the persisted engine, a new engine before every command."""
    engine = new_engine()
    engine.ensure_admin()
    engine.repository.deploy({p.name: p.read_bytes() for p in files}, actor="admin")
    instance_id = new_engine().runtime.start(process_id, data=copy.deepcopy(dict(data)), actor="admin").id
    trace = Trace()
    for action in script:
        engine = new_engine()
        if engine.runtime.find(instance_id).state == "error":
            break
        ready = ready_elements(engine, instance_id)
        if isinstance(action, Complete) and not ready:
            break
        trace.ready.append([element for _, element in ready])
        if isinstance(action, Complete):
            try:
                engine.tasks.complete(ready[action.index][0], "admin", copy.deepcopy(dict(action.data)))
            except StepFailure as failure:  # the completion is refused, the instance stays as it was
                trace.failed_at = failure.element_id or NO_ELEMENT
                break
        elif isinstance(action, Message):
            engine.runtime.correlate(action.name, business_key=None, payload=action.payload, actor="admin")
        elif isinstance(action, Signal):
            engine.runtime.signal(action.name, payload=action.payload, actor="admin")
        else:
            vclock.advance(timedelta(seconds=action.seconds))
            engine.timers.fire_due()
    engine = new_engine()
    view = engine.runtime.get(instance_id)
    if view.incidents and trace.failed_at is None:
        trace.failed_at = view.incidents[0]["element_id"] or NO_ELEMENT
    if trace.failed_at is None:
        trace.ready.append([element for _, element in ready_elements(engine, instance_id)])
    trace.completed = view.state == "completed"
    trace.data = view.data
    return trace, instance_id


def compare(
    database: Database,
    files: Sequence[Path],
    process_id: str,
    data: Mapping[str, Any],
    script: Sequence[Action],
    parser_class: type = SpiffBpmnParser,
) -> tuple[Trace, Trace]:
    """(engine's trace, bare SpiffWorkflow's): each run on its own virtual clock from the same moment (the
    current one), installed while it runs and put back afterwards. ``parser_class`` parses for the oracle."""
    start = clock.now()
    previous = clock.current()
    traces = []
    try:
        for run in ("bare", "engine"):
            virtual = clock.VirtualClock(start)
            clock.install(virtual)
            if run == "bare":
                traces.append(run_bare(files, process_id, data, script, virtual, parser_class))
            else:
                traces.append(run_engine(engine_factory(database), files, process_id, data, script, virtual)[0])
    finally:
        clock.install(previous)
    oracle, trace = traces
    return trace, oracle


__all__ = [
    "Advance",
    "Complete",
    "Message",
    "Signal",
    "Trace",
    "default_script",
    "compare",
    "engine_factory",
    "ready_elements",
    "run_bare",
    "run_engine",
]
