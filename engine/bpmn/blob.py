"""The workflow blob: SpiffWorkflow's JSON of one instance, its specs kept out (by reference).

Spiff keeps every task it ever ran in the workflow, so an instance that looped 200 times holds 400
finished tasks, and converting all of them on every save made a save cost grow with the history. The
writer keeps each finished task's JSON on the task and reuses it while nothing that JSON was made from
has changed. The text is byte for byte what ``json.dumps`` of Spiff's ``to_dict`` gives (the tests
compare the two at every step of real runs); reading is Spiff's own.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from operator import is_
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.tree import LeanWorkflow

__all__ = ["READER", "called_processes", "has_entered", "read", "restored", "write"]


class _SpecByReference(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Leaves specs out of the blob and restores a workflow around specs the caller already holds.

    Registered for Spiff's ``BpmnWorkflow`` and our :class:`LeanWorkflow` alike, under Spiff's typename;
    blobs restore as the latter."""

    def __init__(self, target_class: type, registry: Any) -> None:
        super().__init__(target_class, registry, typename="BpmnWorkflow")

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        workflow = self.target_class(dct.pop("spec"), dct.pop("subprocess_specs"), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _configure() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpecByReference
    config[LeanWorkflow] = _SpecByReference  # registered last: it is what blobs restore as
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


#: Reads blobs; its registry also serves spec diffs (migration).
READER = _configure()
#: Writes blobs. Its registry stays in Spiff's "encoder mode" (what ``serialize_json`` and our old ``dump``
#: switched on around each call) for good, so concurrent writers never flip a shared flag under each other.
_WRITER = _configure()
_WRITER.registry._encoder_mode = True
_JSON = _WRITER._encoder_cls(separators=(",", ":"))  # what json.dumps(..., cls=, separators=) builds
_FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
#: The attribute on a Spiff task that holds its :class:`_Frozen` JSON.
_FROZEN = "_awardflow_frozen"
#: The attribute on a workflow saying it was written before.
_WRITTEN = "_awardflow_written"
#: Values that cannot change in place: the same object always writes the same JSON.
_ATOMS = frozenset({str, int, float, bool, type(None), datetime, timedelta, UUID})
#: A parent whose JSON was not (or not yet) checked in this write: its children are written afresh.
_UNCHECKED = object()
#: Between the sections of a task's inputs: a section that changes length puts one out of line.
_SEP = object()


def restored(spec: Any, subprocess_specs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Parsed specs as SpiffWorkflow's serializer restores them, so that a blob read around them is wired up
    exactly as one Spiff deserializes with its specs.

    Restoring a spec does more than parsing it: it connects each loop's and multi-instance's inner task
    to the loop's ``merge_child`` (``BpmnProcessSpecConverter.from_dict``). Parsing leaves that to the loop's
    first round, so in a process that only loads a running loop (a worker, a restarted server) nothing told the
    loop its round had ended: it stopped after its first round. Taking the specs through the converter once,
    when they are parsed, gives every wiring Spiff makes on restore, now and in later versions."""
    registry = READER.registry
    top = registry.restore(registry.convert(spec))
    subs = {name: registry.restore(registry.convert(sub)) for name, sub in subprocess_specs.items()}
    for process_spec in (top, *subs.values()):
        _wire_triggered_subprocesses(process_spec)
    return top, subs


def _wire_triggered_subprocesses(spec: Any) -> None:
    """Wire each event subprocess as SpiffWorkflow's ``BpmnStartTask.trigger_wf`` does when its event first
    comes, but once, here, and without making it an output of Start.

    ``trigger_wf`` connects Start → the event subprocess → End on the *shared spec*, at run time. Specs kept by
    reference lose that wiring in another process (the triggered subprocess then fails SpiffWorkflow's "no input
    task connected" check), and in this process it leaks into every later instance of the same spec: Start
    then has the event subprocess among its outputs, so it ran at every new instance's start. Here the event
    subprocess gets Start among its inputs (all ``trigger_wf`` checks, so it connects nothing more) and End
    among its outputs, and Start's outputs stay as parsed."""
    start: Any = spec.start
    for name in getattr(start, "trigger_specs", []):
        triggered = spec.task_specs.get(name)
        if triggered is None:
            continue
        if start.name not in triggered._inputs:
            triggered._inputs.append(start.name)
        if spec.end.name not in triggered._outputs:
            triggered.connect(spec.end)


def read(text: str, spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """A workflow restored from ``text`` around specs the caller holds (no script engine yet)."""
    dct = json.loads(text, cls=READER.json_decoder_cls)
    READER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    workflow: BpmnWorkflow = READER.from_dict(dct)
    return workflow


def write(workflow: BpmnWorkflow) -> str:
    """``json.dumps(to_dict(workflow), separators=(",", ":"))`` plus the serializer version, byte for byte.

    The fields are those of Spiff 3.2's ``WorkflowConverter``, ``BpmnSubWorkflowConverter`` and
    ``_SpecByReference.to_dict``, in their order; only the tasks are written differently. An object's
    first write is Spiff's own (most objects are written once: keeping tasks' JSON would only cost)."""
    if not getattr(workflow, _WRITTEN, False):
        setattr(workflow, _WRITTEN, True)
        dct = _WRITER.to_dict(workflow)
        dct[_WRITER.VERSION_KEY] = _WRITER.VERSION
        return json.dumps(dct, cls=_WRITER._encoder_cls, separators=(",", ":"))
    registry = _WRITER.registry
    dct = _workflow_fields(workflow)
    dct["subprocesses"] = _Parts(
        (
            str(key),
            _workflow_fields(
                sub,
                parent_task_id=str(sub.parent_task_id),
                spec=sub.spec.name,
                typename=registry.typenames[type(sub)],
            ),
        )
        for key, sub in workflow.subprocesses.items()
    )
    dct["bpmn_events"] = registry.convert(workflow.bpmn_events)
    dct["typename"] = registry.typenames[type(workflow)]
    dct[_WRITER.VERSION_KEY] = _WRITER.VERSION
    out: list[str] = []
    _emit(dct, out)
    return "".join(out)


class _Tasks:
    """A workflow's tasks, to be written by :func:`_write_tasks`."""

    __slots__ = ("tasks",)

    def __init__(self, tasks: dict[UUID, Task]) -> None:
        self.tasks = tasks


class _Parts(dict[str, Any]):
    """A dict on the way to :class:`_Tasks`: written key by key (everything else goes to json whole)."""


def _workflow_fields(workflow: Any, **extra: str) -> _Parts:
    """What ``WorkflowConverter.to_dict`` gives (then ``extra``), with the tasks as JSON text."""
    registry = _WRITER.registry
    return _Parts(
        data=registry.convert(registry.clean(workflow.data)),
        correlations=workflow.correlations,
        last_task=str(workflow.last_task.id) if workflow.last_task is not None else None,
        success=workflow.success,
        completed=workflow.completed,
        tasks=_Tasks(workflow.tasks),
        root=str(workflow.task_tree.id),
        **extra,
    )


def _emit(value: Any, out: list[str]) -> None:
    """Append the JSON of ``value`` to ``out``, as ``json.dumps`` writes it inside a document."""
    if isinstance(value, _Tasks):
        _write_tasks(value.tasks, out)
    elif isinstance(value, _Parts):
        separator = "{"
        for key, item in value.items():
            out.append(f"{separator}{encode_basestring_ascii(key)}:")
            _emit(item, out)
            separator = ","
        out.append("}" if value else "{}")
    else:
        out.append(_JSON.encode(value))


class _Frozen:
    """A finished task's JSON and everything Spiff's ``TaskConverter.to_dict`` made it from.

    ``inputs`` are the objects it read of the task (see :func:`_write_tasks`), compared by identity: a new
    object, even an equal one, makes the JSON anew. ``mutable`` are those data values that can change in
    place, so their ``repr`` is compared too (exact about types and key order, unlike ``==``; it shows the
    content of every value a blob can hold): a script may change a nested value an old task shares with a
    live one (trap 3), and the JSON must follow. ``parent`` stands for the parent's data (the delta is
    taken against them): the parent's own ``_Frozen`` when this one was made."""

    __slots__ = ("inputs", "mutable", "mutable_repr", "parent", "text")

    def __init__(self, task: Task, inputs: tuple[Any, ...], parent: object, text: str) -> None:
        self.inputs = inputs
        self.mutable = tuple(v for v in (*task.data.values(), *task.internal_data.values()) if type(v) not in _ATOMS)
        self.mutable_repr = repr(self.mutable) if self.mutable else ""
        self.parent = parent
        self.text = text


def _write_tasks(tasks: dict[UUID, Task], out: list[str]) -> None:
    """The ``tasks`` object of a blob; a finished task's JSON is reused while nothing it depends on changed.

    This loop runs over all of history on every save, so it is written for speed."""
    checked: dict[int, _Frozen] = {}  # id(task) → its JSON, found still right (or made) in this call
    separator = "{"
    for key, task in tasks.items():
        out.append(separator)
        separator = ","
        if not task._state & _FINISHED:
            out.append(_task_json(key, task))
            continue
        parent = task.parent
        parent_frozen = None if parent is None else checked.get(id(parent), _UNCHECKED)
        data, internal = task.data, task.internal_data
        # what TaskConverter.to_dict reads of the task, in sections that cannot shift into one another
        inputs = (
            task._state,
            task.last_state_change,
            task.task_spec,
            task.triggered,
            task._parent,
            _SEP,
            *task._children,
            _SEP,
            *data,
            _SEP,
            *data.values(),
            _SEP,
            *internal,
            _SEP,
            *internal.values(),
        )
        frozen: _Frozen | None = getattr(task, _FROZEN, None)
        if (
            frozen is None
            or parent_frozen is not frozen.parent
            or parent_frozen is _UNCHECKED
            or len(inputs) != len(frozen.inputs)
            or not all(map(is_, inputs, frozen.inputs))
            or (frozen.mutable and repr(frozen.mutable) != frozen.mutable_repr)
        ):
            frozen = _Frozen(task, inputs, parent_frozen, _task_json(key, task))
            setattr(task, _FROZEN, frozen)
        checked[id(task)] = frozen
        out.append(frozen.text)
    out.append("}" if tasks else "{}")


def _task_json(key: UUID, task: Task) -> str:
    return f"{encode_basestring_ascii(str(key))}:{_JSON.encode(_WRITER.registry.convert(task))}"


def called_processes(text: str) -> dict[str, bool]:
    """The processes an instance has entered through call activities (and embedded subprocesses), by spec name:
    True once that subprocess completed. Read from the blob's ``subprocesses`` without building the workflow."""
    subprocesses: dict[str, Any] = json.loads(text).get("subprocesses") or {}
    entered: dict[str, bool] = {}
    for sub in subprocesses.values():
        name = sub.get("spec")
        if isinstance(name, str):
            entered[name] = entered.get(name, True) and bool(sub.get("completed"))
    return entered


def has_entered(text: str, name: str) -> bool:
    """Whether the instance ever entered subprocess ``name``, without parsing the blob (a finished instance's
    history can be long): :func:`write` emits compact ``json.dumps`` text, where a subprocess names its spec as
    ``"spec":"<name>"`` and nothing else does (tasks say ``"task_spec"``)."""
    return f'"spec":{_JSON.encode(name)}' in text
