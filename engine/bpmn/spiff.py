"""The adapter around SpiffWorkflow: with its helpers in this package (:mod:`engine.bpmn.blob`,
:mod:`engine.bpmn.tree`), the only code that touches its untyped API.

It parses specs (cached per set of definition versions), serializes workflows with the spec kept
*by reference* (the blob holds instance state only; specs come from the definitions), keeps the workflow
it just serialized for the next load of that blob (:mod:`engine.bpmn.recent`), makes Spiff's timers read
:mod:`engine.clock`, and reads what the engine mirrors into its tables (ready human tasks, armed timers,
awaited messages and signals, thrown events).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    SignalEventDefinition as BpmnSignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import (
    MessageEventDefinition as BpmnMessageEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition, SignalEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import clock
from engine.bpmn import blob
from engine.bpmn.parser import Parser
from engine.bpmn.recent import RecentWorkflows
from engine.bpmn.tree import WALK_DEPTH, LeanWorkflow, deepest, prune, ready_tasks

__all__ = [
    "BpmnWorkflow",
    "ReadyTask",
    "SpecSet",
    "SpecSource",
    "StartTimer",
    "StepFailure",
    "ThrownEvent",
    "WaitingTimer",
    "Workflows",
    "forget_kept_workflows",
    "install_clock",
]

SERIALIZER_VERSION = "1.5"


def install_clock(time_zone: str) -> None:
    """Make Spiff's timer module read :mod:`engine.clock`, and read a timer written without an offset in
    ``time_zone`` rather than the server's zone; the engine calls it when it starts (idempotent)."""
    spiff_timer.datetime = clock.ClockDatetime
    spiff_timer.LOCALTZ = ZoneInfo(time_zone)


#: Workflows this process serialized last, by blob (process-wide, like the spec cache of each engine).
_RECENT = RecentWorkflows()


def forget_kept_workflows() -> None:
    """Drop every kept workflow: the next load of any blob deserializes it, as in a newly started process."""
    _RECENT.clear()


@dataclass(frozen=True)
class SpecSource:
    """A deployed file the engine parses: BPMN (normalized text) or DMN."""

    key: str  # stable identity, e.g. "bpmn:12:<content hash>" (a rolled-back deployment's ids are given out again)
    kind: str  # bpmn | dmn
    text: str


@dataclass(frozen=True)
class SpecSet:
    """The parsed specs of one root process and everything it calls."""

    spec: Any
    subprocess_specs: dict[str, Any]


class StepFailure(Exception):
    """A script, expression or handler failed inside the workflow; becomes an incident."""

    def __init__(self, message: str, element_id: str | None, task_id: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id
        self.task_id = task_id


@dataclass(frozen=True)
class ReadyTask:
    """What the inbox index needs to know about a ready user or manual task."""

    id: str
    element_id: str
    name: str | None
    lane: str | None
    properties: dict[str, str]
    process_id: str
    #: the user named by the task data variable in the ``assignee_from`` property, if any
    assignee: str | None = None


@dataclass(frozen=True)
class WaitingTimer:
    """An armed timer event and its absolute due time."""

    task_id: str
    element_id: str
    due_at: datetime


@dataclass(frozen=True)
class StartTimer:
    """A timer start event as armed in a new workflow: when it is due first and, for a cycle, how often."""

    element_id: str
    due_at: datetime
    #: a cycle: occurrences after the first (-1: without end); None for a date or a duration
    cycles_left: int | None = None
    period_s: float | None = None


@dataclass(frozen=True)
class ThrownEvent:
    """A message or signal the workflow threw that nothing inside it caught."""

    kind: str  # message | signal
    name: str
    payload: Any
    correlations: dict[str, Any] = field(default_factory=dict)


class Workflows:
    """Creates, loads, saves and inspects workflows; holds the (process-wide, immutable) spec cache."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, tuple[str, ...]], SpecSet] = {}
        self._lock = threading.Lock()

    # -- specs ------------------------------------------------------------------------------------
    def specs(self, process_id: str, sources: Sequence[SpecSource]) -> SpecSet:
        """Parse (once per process, per set of sources) the spec of ``process_id`` and its callees."""
        cache_key = (process_id, tuple(s.key for s in sources))
        found = self._specs.get(cache_key)
        if found is not None:
            return found
        parser = Parser()
        for source in sources:
            if source.kind == "dmn":
                parser.add_dmn_str(source.text.encode())
            else:
                parser.add_bpmn_str(source.text.encode())
        spec_set = SpecSet(*blob.restored(parser.get_spec(process_id), parser.get_subprocess_specs(process_id)))
        with self._lock:
            self._specs[cache_key] = spec_set
        return spec_set

    @staticmethod
    def start_triggers(specs: SpecSet) -> frozenset[tuple[str, str]]:
        """The messages and signals the process's start events wait for, as ``(kind, name)``: one of them
        starts an instance."""
        return frozenset(_named_events(getattr(specs.spec, "bpmn_start_events", [])))

    @staticmethod
    def starts_on_timers_only(spec: Any) -> bool:
        """Whether every start event of the process (``SpecSet.spec``, ``workflow.spec``) is a timer start
        event (then a new workflow's first engine steps only arm them: they run nothing of the process)."""
        starts = list(getattr(spec, "bpmn_start_events", []))
        return bool(starts) and all(isinstance(s.event_definition, TimerEventDefinition) for s in starts)

    @staticmethod
    def start_timers(workflow: BpmnWorkflow) -> list[StartTimer]:
        """The timer start events of a new workflow after its first engine steps, as Spiff armed them (it
        evaluated their expressions: ISO dates, durations, cycles, or working-time helpers)."""
        found = []
        for task in _start_event_tasks(workflow):
            if not isinstance(task.task_spec.event_definition, TimerEventDefinition):
                continue
            value = task.internal_data.get("event_value")
            due = _timer_due(value)
            if due is None:
                continue
            element = task.task_spec.bpmn_id or task.task_spec.name
            if isinstance(value, dict):  # a cycle: {"cycles": n, "next": iso, "duration": seconds}
                cycles = int(value.get("cycles", 1))
                left = -1 if cycles < 0 else cycles - 1
                found.append(StartTimer(element, due, left, float(value.get("duration", 0))))
            else:
                found.append(StartTimer(element, due))
        return found

    @staticmethod
    def occur_start_timer(workflow: BpmnWorkflow, element_id: str | None, moment: datetime) -> None:
        """Make a new workflow's timer start event (``element_id``; None: every one) occur at ``moment``
        (before now: Spiff fires a timer whose time is strictly past), once: the instance was started for one
        occurrence (by the timer table, or by hand). Spiff would otherwise arm it afresh from now, and a cycle
        would put one token per cycle into this one instance."""
        now = moment.isoformat()
        for task in _start_event_tasks(workflow):
            if not isinstance(task.task_spec.event_definition, TimerEventDefinition):
                continue
            if element_id is not None and (task.task_spec.bpmn_id or task.task_spec.name) != element_id:
                continue
            value = task.internal_data.get("event_value")
            if isinstance(value, dict):
                task.internal_data["event_value"] = {"cycles": 1, "next": now, "duration": value.get("duration", 0)}
            else:
                task.internal_data["event_value"] = now

    # -- lifecycle --------------------------------------------------------------------------------
    @staticmethod
    def create(specs: SpecSet, script_engine: Any, data: dict[str, Any]) -> BpmnWorkflow:
        """A new workflow with ``data`` as its initial task data."""
        workflow = LeanWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
        return workflow

    @staticmethod
    def dump(workflow: BpmnWorkflow) -> str:
        """Serialize instance state only (no specs), finished rounds deep in its history dropped first
        (:func:`engine.bpmn.tree.prune`). The object is kept for a load of this very text: change it no more
        after its last dump (the executor saves last)."""
        prune(workflow)
        text = blob.write(workflow)
        _RECENT.remember(text, workflow)
        return text

    @staticmethod
    def load(text: str, specs: SpecSet, script_engine: Any) -> BpmnWorkflow:
        """Restore a workflow around its specs; the script engine is set here (trap 1).

        The object last serialized into exactly ``text`` is handed out instead, if it runs on these specs
        and this script engine (see :mod:`engine.bpmn.recent`)."""
        kept = _RECENT.take(text)
        if kept is not None and _runs_on(kept, specs, script_engine):
            return kept
        workflow = blob.read(text, specs.spec, specs.subprocess_specs)
        workflow.script_engine = script_engine
        return workflow

    # -- running ----------------------------------------------------------------------------------
    @staticmethod
    def run_engine_steps(workflow: BpmnWorkflow) -> None:
        """Advance to the next wait; a failure becomes :class:`StepFailure` naming the element."""
        try:
            workflow.refresh_timers()
            workflow.do_engine_steps()
        except Exception as err:  # Spiff raises many kinds; each one is an incident
            raise _failure(err) from err

    @staticmethod
    def find_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
        try:
            return workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError):
            return None

    @staticmethod
    def run_task(task: Task, data: dict[str, Any]) -> None:
        """Merge ``data`` into a task and run it: completing a user task, or retrying a failed one
        (engine steps alone skip tasks in ERROR). A failure becomes a StepFailure."""
        task.data.update(data)
        try:
            task.run()
        except Exception as err:
            raise _failure(err) from err

    @staticmethod
    def catch_message(workflow: BpmnWorkflow, name: str, payload: Any) -> None:
        workflow.catch(BpmnEvent(MessageEventDefinition(name), payload))

    @staticmethod
    def catch_signal(workflow: BpmnWorkflow, name: str, payload: Any) -> None:
        workflow.catch(BpmnEvent(SignalEventDefinition(name), payload))

    @staticmethod
    def cancel(workflow: BpmnWorkflow) -> None:
        workflow.cancel()

    # -- reading ----------------------------------------------------------------------------------
    @staticmethod
    def ready_task_ids(workflow: BpmnWorkflow) -> list[str]:
        """Ids of the ready user and manual tasks (what the inbox index holds of the workflow)."""
        return [str(t.id) for t in ready_tasks(workflow, manual=True)]

    @staticmethod
    def ready_human_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
        ready = []
        for t in ready_tasks(workflow, manual=True):
            properties = dict(t.task_spec.extensions.get("properties", {}) or {})
            assignee = t.data.get(properties["assignee_from"]) if properties.get("assignee_from") else None
            ready.append(
                ReadyTask(
                    id=str(t.id),
                    element_id=t.task_spec.bpmn_id or t.task_spec.name,
                    name=t.task_spec.bpmn_name,
                    lane=t.task_spec.lane,
                    properties=properties,
                    process_id=t.workflow.spec.name,
                    assignee=assignee if isinstance(assignee, str) and assignee else None,
                )
            )
        return ready

    @staticmethod
    def task_data(task: Task) -> dict[str, Any]:
        return dict(task.data)

    @staticmethod
    def waiting(workflow: BpmnWorkflow) -> tuple[list[WaitingTimer], list[str], list[str]]:
        """Armed timers, awaited message names and awaited signal names (event gateways included)."""
        timers: list[WaitingTimer] = []
        messages: set[str] = set()
        signals: set[str] = set()
        for task in _waiting_event_tasks(workflow):
            definition = task.task_spec.event_definition
            parts = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
            for part in parts:
                if isinstance(part, TimerEventDefinition):
                    due = _timer_due(task.internal_data.get("event_value"))
                    if due is not None:
                        timers.append(WaitingTimer(str(task.id), task.task_spec.bpmn_id or task.task_spec.name, due))
                elif isinstance(part, BpmnMessageEventDefinition) and part.name:
                    messages.add(part.name)
                elif isinstance(part, BpmnSignalEventDefinition) and part.name:  # a nameless one cannot come
                    signals.add(part.name)
        if not Workflows.is_completed(workflow):
            for kind, name in _triggers(workflow):  # event subprocesses a message or signal would start
                (messages if kind == "message" else signals).add(name)
        return timers, sorted(messages), sorted(signals)

    @staticmethod
    def thrown_events(workflow: BpmnWorkflow) -> list[ThrownEvent]:
        """Messages and signals thrown but not caught inside; taking them empties the queue."""
        events = []
        for event in workflow.get_events():
            definition = event.event_definition
            kind = "signal" if isinstance(definition, BpmnSignalEventDefinition) else "message"
            events.append(ThrownEvent(kind, definition.name, event.payload, dict(event.correlations or {})))
        return events

    @staticmethod
    def stall(workflow: BpmnWorkflow) -> tuple[str, str | None] | None:
        """Why a workflow that is not complete cannot go on by itself or by anything from outside, and the
        element it stands at; None while it can (a human task is ready, it waits for a timer, message or
        signal, or a task failed: an incident already says so). Call it after engine steps."""
        if Workflows.is_completed(workflow):
            return None
        unfinished = [
            t
            for part in (workflow, *workflow.subprocesses.values())
            for t in part.tasks.values()
            if t._state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR)
        ]
        if any(t._state == TaskState.ERROR for t in unfinished):
            return None
        depth = deepest(workflow)
        if depth >= WALK_DEPTH:
            return (
                f"the instance cannot go on: its task tree is {depth} levels deep and SpiffWorkflow looks only "
                f"{WALK_DEPTH} levels down, so it would not find its next task",
                None,
            )
        if ready_tasks(workflow, manual=True):
            return None
        timers, messages, signals = Workflows.waiting(workflow)
        if timers or messages or signals:
            return None
        leaf = next((t for t in reversed(unfinished) if not t.task_spec.manual), None)
        element = (leaf.task_spec.bpmn_id or leaf.task_spec.name) if leaf is not None else None
        names = sorted({t.task_spec.bpmn_id or t.task_spec.name for t in unfinished if t.task_spec.bpmn_id})
        return (
            "the instance cannot go on: it is not complete, no task is ready and it waits for no timer, "
            f"message or signal (unfinished: {', '.join(names) or 'none'})",
            element,
        )

    @staticmethod
    def failed_task(workflow: BpmnWorkflow) -> Task | None:
        tasks = workflow.get_tasks(state=TaskState.ERROR)
        return tasks[0] if tasks else None

    @staticmethod
    def is_completed(workflow: BpmnWorkflow) -> bool:
        """Spiff's ``is_completed`` without its tree walk (so it also sees an unfinished task deeper than the
        walk's 1000 levels), and without setting ``completed``: it is called after ``dump``, and the kept
        object must stay as that blob says."""
        return bool(workflow.completed) or not any(
            t._state & TaskState.NOT_FINISHED_MASK for t in workflow.tasks.values()
        )

    @staticmethod
    def data(workflow: BpmnWorkflow) -> dict[str, Any]:
        """The process data as users see it: the data of the last completed task, else the root's.

        A deep copy: the workflow object may be kept for the next command (see :meth:`load`)."""
        last = workflow.last_task
        data = dict(workflow.data)
        data.update(last.data if last is not None else workflow.task_tree.data)
        return copy.deepcopy(data)


def _runs_on(workflow: BpmnWorkflow, specs: SpecSet, script_engine: Any) -> bool:
    """Whether a kept workflow was built on exactly these specs (Spiff swaps ``{}`` for a new dict) and engine."""
    same_callees = workflow.subprocess_specs is specs.subprocess_specs or not (
        workflow.subprocess_specs or specs.subprocess_specs
    )
    return workflow.spec is specs.spec and same_callees and workflow.script_engine is script_engine


def _waiting_event_tasks(workflow: BpmnWorkflow) -> Iterable[Task]:
    """Catching-event tasks still waiting; the top workflow's event manager holds its subprocesses' too."""
    for task in list(workflow.event_manager.tasks.values()):
        if task.has_state(TaskState.WAITING | TaskState.READY | TaskState.STARTED):
            yield task


def _named_events(start_events: Iterable[Any]) -> set[tuple[str, str]]:
    """``(kind, name)`` of the messages and signals these start events catch."""
    found: set[tuple[str, str]] = set()
    for start in start_events:
        definition = start.event_definition
        parts = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        for part in parts:
            if isinstance(part, BpmnMessageEventDefinition) and part.name:
                found.add(("message", part.name))
            elif isinstance(part, BpmnSignalEventDefinition) and part.name:
                found.add(("signal", part.name))
    return found


def _triggers(workflow: BpmnWorkflow) -> set[tuple[str, str]]:
    """The messages and signals that start an event subprocess of the top process: SpiffWorkflow's event
    manager creates the subprocess when one is caught (``update_collaboration``), so no task waits for them."""
    found: set[tuple[str, str]] = set()
    for name in getattr(workflow.spec.start, "trigger_specs", []):
        sub_spec = workflow.subprocess_specs.get(name)
        if sub_spec is not None:
            found |= _named_events(sub_spec.bpmn_start_events)
    return found


def _start_event_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """The top workflow's start-event tasks still waiting."""
    starts = set(getattr(workflow.spec, "bpmn_start_events", []))
    return [t for t in workflow.tasks.values() if t.task_spec in starts and t.has_state(TaskState.WAITING)]


def _timer_due(value: Any) -> datetime | None:
    if isinstance(value, dict):  # a cycle timer: its next occurrence, while cycles remain
        value = value.get("next") if value.get("cycles") != 0 else None
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo else due.replace(tzinfo=spiff_timer.LOCALTZ)


def _failure(err: Exception) -> StepFailure:
    task = getattr(err, "task", None)
    element_id = getattr(getattr(task, "task_spec", None), "bpmn_id", None) if task is not None else None
    notes = [n for n in getattr(err, "__notes__", []) if n]
    message = str(err) + (" — " + "; ".join(notes) if notes else "")
    return StepFailure(message, element_id, str(task.id) if task is not None else None)
