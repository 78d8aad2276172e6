"""Moving a running workflow onto the specs of a newer version: SpiffWorkflow's diff, corrected by the
designer's mapping of renamed or moved activities (old element id -> new element id).

SpiffWorkflow aligns the old version's elements with the new one's by id, and otherwise by position. A task
standing on an element the new version lacks is a refusal naming it; so is one aligned only by position to an
element with another id (a guess), unless the mapping says so. Nothing is changed before everything is
known to fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import blob

if TYPE_CHECKING:
    from engine.bpmn.spiff import SpecSet

#: The states of a task that stands on its element now.
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: How Spiff names the specs it derives from an element (boundary events, multi-instance children).
_DERIVED = (".", " [")


@dataclass(frozen=True)
class Activity:
    """An element of a version a task can stand on: its id and name, and the process it belongs to."""

    id: str
    name: str | None
    process_id: str


@dataclass
class Plan:
    """The diff of a workflow against new specs, with the mapping applied: what would move where."""

    diffs: list[tuple[Any, WorkflowDiff, Any]]  # (workflow or subprocess, its diff, its new spec)
    missing: list[Activity]


def activities(specs: SpecSet) -> list[Activity]:
    """The elements of every process of a version, by process then id."""
    found = [
        Activity(name, spec.bpmn_name, process.name)
        for process in _processes(specs.spec, specs.subprocess_specs)
        for name, spec in sorted(_elements(process).items())
    ]
    return sorted(found, key=lambda a: (a.process_id != specs.spec.name, a.process_id, a.id))


def mapping_problems(workflow: BpmnWorkflow, specs: SpecSet, mapping: Mapping[str, str]) -> dict[str, list[str]]:
    """Field path -> messages for mapping entries that name no element of the old version, or name an element
    that none of the new version's processes holding the old one has."""
    old = {p.name: _elements(p) for p in _processes(workflow.spec, workflow.subprocess_specs)}
    new = {p.name: _elements(p) for p in _processes(specs.spec, specs.subprocess_specs)}
    problems: dict[str, list[str]] = {}
    for source, target in mapping.items():
        holders = [process for process, elements in old.items() if source in elements]
        if not holders:
            problems[f"mapping.{source}"] = [f"the instance's version has no element {source!r}"]
        elif not any(target in new.get(process, {}) for process in holders):
            problems[f"mapping.{source}"] = [f"the new version has no element {target!r} in {', '.join(holders)}"]
    return problems


def plan(workflow: BpmnWorkflow, specs: SpecSet, mapping: Mapping[str, str]) -> Plan:
    """Diff ``workflow`` against ``specs`` with the mapping applied (checked by :func:`mapping_problems`)."""
    registry = blob.READER.registry
    diffs: list[tuple[Any, WorkflowDiff, Any]] = []
    missing: list[Activity] = []
    parts = [(workflow, specs.spec)] + [
        (sub, specs.subprocess_specs.get(sub.spec.name)) for sub in workflow.subprocesses.values()
    ]
    for part, new_spec in parts:
        if new_spec is None:  # the process it runs is gone from the new version
            missing.extend(_activity(t) for t in part.get_tasks(state=ACTIVE, skip_subprocesses=True))
            continue
        spec_diff = SpecDiff(registry, part.spec, new_spec)
        renamed = _apply(spec_diff, part.spec, new_spec, mapping)
        diff = WorkflowDiff(part, spec_diff)
        missing.extend(_unmatched(diff, renamed))
        diffs.append((part, diff, new_spec))
    unique = {(a.process_id, a.id): a for a in missing}
    return Plan(diffs, sorted(unique.values(), key=lambda a: (a.process_id, a.id)))


def migrate(workflow: BpmnWorkflow, specs: SpecSet, mapping: Mapping[str, str]) -> list[Activity]:
    """Move ``workflow`` onto ``specs``; returns the current tasks' elements without a counterpart (then
    nothing moved)."""
    planned = plan(workflow, specs, mapping)
    if planned.missing:
        return planned.missing
    for part, diff, new_spec in planned.diffs:
        migrate_workflow(diff, part, new_spec)
    workflow.subprocess_specs = specs.subprocess_specs
    return []


def _processes(spec: Any, subprocess_specs: Mapping[str, Any]) -> list[Any]:
    return [spec, *(s for name, s in sorted(subprocess_specs.items()) if name != spec.name)]


def _elements(process: Any) -> dict[str, Any]:
    """The specs of a process that are BPMN elements (not Spiff's own joins and children)."""
    return {name: spec for name, spec in process.task_specs.items() if spec.bpmn_id == name}


def _apply(diff: SpecDiff, old: Any, new: Any, mapping: Mapping[str, str]) -> dict[Any, Any]:
    """Align the mapped elements, and the specs Spiff derives from them, with their new counterparts;
    returns old spec -> new spec for what the mapping moved."""
    renamed = {}
    for name, spec in old.task_specs.items():
        target = new.task_specs.get(_translated(name, mapping))
        if target is not None and target.name != name:
            renamed[spec] = target
    for spec, target in renamed.items():
        diff.alignment[spec] = target
        if target in diff.added:
            diff.added.remove(target)
    return renamed


def _translated(name: str, mapping: Mapping[str, str]) -> str:
    """A spec's name in the new version by the mapping: an element's own, or one Spiff derives from it."""
    if name in mapping:
        return mapping[name]
    for marker in _DERIVED:
        head, found, tail = name.rpartition(marker)
        if found and head in mapping:
            return mapping[head] + found + tail
    return name


def _unmatched(diff: WorkflowDiff, renamed: Mapping[Any, Any]) -> list[Activity]:
    """Active tasks whose element is gone, or only matched by position to an element with another id."""
    missing = [_activity(t) for t in diff.removed if t.has_state(ACTIVE)]
    for task, new_spec in diff.alignment.items():
        if not task.has_state(ACTIVE):
            continue
        expected = renamed.get(task.task_spec, task.task_spec)
        if new_spec is None or new_spec.name != expected.name:
            missing.append(_activity(task))
    return missing


def _activity(task: Any) -> Activity:
    """The element a task stands on: its own, or the one Spiff derived its spec from (a boundary event's join)."""
    spec = task.task_spec
    if spec.bpmn_id:
        return Activity(spec.bpmn_id, spec.bpmn_name, task.workflow.spec.name)
    head = next((h for h, found, _ in (spec.name.rpartition(m) for m in _DERIVED) if found), spec.name)
    element = task.workflow.spec.task_specs.get(head)
    return Activity(head, element.bpmn_name if element is not None else None, task.workflow.spec.name)
