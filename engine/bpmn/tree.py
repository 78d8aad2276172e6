"""Finding tasks without walking a workflow's whole task tree.

Spiff keeps every task it ever ran, and looks tasks up by walking the tree from its root: in an instance
that looped 200 times, each lookup visits some 400 finished tasks, and each completion makes several
(engine steps look for READY tasks twice, every completed task makes Spiff update the WAITING ones).
A scan of the task dicts finds the same tasks in a fraction of the time. Where the two could differ, the
walk answers: when several tasks match (the walk gives them in tree order), and in trees too big for the
walk's depth limit, which hides tasks deeper than 1000 levels.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

__all__ = ["WALK_DEPTH", "LeanWorkflow", "ready_tasks"]

# Scans read Task._state, behind Spiff's ``state`` property: they run over all of history.
_READY, _WAITING = TaskState.READY, TaskState.WAITING
#: The walk's depth limit (``TaskIterator(max_depth=1000)``); a tree with no more tasks is walked whole.
WALK_DEPTH = 1000


class LeanWorkflow(BpmnWorkflow):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Spiff's ``BpmnWorkflow``, with the lookups engine steps make on every completion answered by scans."""

    def get_tasks(self, first_task: Task | None = None, **kwargs: Any) -> list[Task]:
        if first_task is None and kwargs.get("state") == TaskState.READY and kwargs.keys() <= {"state", "manual"}:
            found = _scan_ready(self, kwargs.get("manual"))
            if found is not None:
                return found
        tasks: list[Task] = super().get_tasks(first_task, **kwargs)
        return tasks

    def update_waiting_tasks(self) -> None:
        """Spiff's update of the WAITING tasks of the top tree, skipped when it has none to update."""
        if any(task._state == _WAITING for task in self.tasks.values()):
            super().update_waiting_tasks()


def ready_tasks(workflow: BpmnWorkflow, manual: bool | None = None) -> list[Task]:
    """``workflow.get_tasks(state=READY)``, or with ``manual=...``, for any BPMN workflow."""
    found = _scan_ready(workflow, manual)
    if found is not None:
        return found
    filters: dict[str, Any] = {} if manual is None else {"manual": manual}
    tasks: list[Task] = BpmnWorkflow.get_tasks(workflow, state=TaskState.READY, **filters)
    return tasks


def _tree_workflows(workflow: BpmnWorkflow) -> list[Any]:
    """The workflow and the subprocesses hanging off its task tree: those ``get_tasks`` descends into."""
    found, pending = [workflow], list(workflow.subprocesses.values())
    while attached := [sub for sub in pending if any(sub.parent_task_id in part.tasks for part in found)]:
        found.extend(attached)
        pending = [sub for sub in pending if sub not in attached]
    return found


def _scan_ready(workflow: BpmnWorkflow, manual: bool | None) -> list[Task] | None:
    """The READY tasks (of this ``manual``-ness) if a scan can tell the walk's answer, else None."""
    parts = _tree_workflows(workflow)
    if sum(len(part.tasks) for part in parts) > WALK_DEPTH:
        return None
    found = [
        task
        for part in parts
        for task in part.tasks.values()
        if task._state == _READY and (manual is None or task.task_spec.manual == manual)
    ]
    return found if len(found) < 2 else None
