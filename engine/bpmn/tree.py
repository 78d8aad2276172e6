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

__all__ = ["KEEP_DEPTH", "PRUNE_DEPTH", "WALK_DEPTH", "LeanWorkflow", "deepest", "prune", "ready_tasks"]

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

    def do_engine_steps(self, will_complete_task: Any = None, did_complete_task: Any = None) -> None:
        """Spiff's engine steps, with finished rounds pruned between its passes (see :func:`prune`): a loop of
        automatic tasks runs its 600th round in one command as its 6th."""
        count = self._do_engine_steps(will_complete_task, did_complete_task)
        while count > 0:
            prune(self)
            count = self._do_engine_steps(will_complete_task, did_complete_task)
        self.refresh_timers()

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


# -- finished rounds ------------------------------------------------------------------------------
#: A tree whose tasks still to run sit deeper than this is pruned ...
PRUNE_DEPTH = 60
#: ... down to this many finished levels above them (what Spiff's own look-ups near running tasks see).
KEEP_DEPTH = 20
#: The first levels of a tree (Root, Start, the start event) are never pruned.
_KEEP_TOP = 3
_DONE = TaskState.COMPLETED | TaskState.CANCELLED


def prune(workflow: BpmnWorkflow) -> int:
    """Drop finished rounds deep above everything still to run, in the workflow and each subprocess; returns
    how many tasks went.

    Spiff keeps every task it ran, chained parent to child: a loop adds a level or two per round, and Spiff
    looks tasks up by walking that chain, 1000 levels at most (its recursive ancestor look-ups meet Python's
    recursion limit about as deep). So past about 500 rounds the next round was never found. The part of the
    chain that lies above the common ancestor of every unfinished task, and is finished along with everything
    hanging off it, is history only; once that common ancestor is :data:`PRUNE_DEPTH` levels down, all but
    the :data:`KEEP_DEPTH` levels nearest it are taken out (its data is whole in every task: only the blob
    stores deltas, and it computes them afresh). Tasks a subprocess hangs from and the last task stay. A tree
    shallower than :data:`PRUNE_DEPTH` is left exactly as Spiff made it."""
    anchors = {str(key) for key in workflow.subprocesses} | {
        str(sub.parent_task_id) for sub in workflow.subprocesses.values()
    }
    removed = 0
    for part in [workflow, *workflow.subprocesses.values()]:
        if len(part.tasks) > PRUNE_DEPTH:
            removed += _prune_part(part, anchors)
    return removed


def _trunk(part: Any) -> list[Task]:
    """Root → the common ancestor of every unfinished task of ``part`` (empty when all are finished)."""
    unfinished = [t for t in part.tasks.values() if not t._state & _DONE]
    if not unfinished:
        return []
    path = _path_to_root(part, unfinished[0])
    index = {task.id: i for i, task in enumerate(path)}
    lowest = len(path) - 1
    for task in unfinished[1:]:
        current: Task | None = task
        while current is not None and current.id not in index:
            current = part.tasks.get(current._parent)
        if current is None:
            return []
        lowest = min(lowest, index[current.id])
    return path[: lowest + 1]


def _path_to_root(part: Any, task: Task) -> list[Task]:
    path = []
    current: Task | None = task
    while current is not None:
        path.append(current)
        current = part.tasks.get(current._parent)
    path.reverse()
    return path


def _prune_part(part: Any, anchors: set[str]) -> int:
    trunk = _trunk(part)
    if len(trunk) <= PRUNE_DEPTH:
        return 0
    last = part.last_task.id if part.last_task is not None else None
    cut = len(trunk) - 1 - KEEP_DEPTH  # trunk[_KEEP_TOP:cut] may go
    doomed: list[Task] = []
    end = _KEEP_TOP  # trunk[_KEEP_TOP:end] go
    for position in range(_KEEP_TOP, cut):
        task, below = trunk[position], trunk[position + 1]
        side = [part.tasks[c] for c in task._children if c != below.id and c in part.tasks]
        branch = [task, *(t for s in side for t in _subtree(part, s))]
        if any(not t._state & _DONE or str(t.id) in anchors or t.id == last for t in branch):
            break
        doomed.extend(branch)
        end = position + 1
    if not doomed:
        return 0
    top, below = trunk[_KEEP_TOP - 1], trunk[end]
    top._children = [below.id if c == trunk[_KEEP_TOP].id else c for c in top._children]
    below._parent = top.id
    for task in doomed:
        del part.tasks[task.id]
    return len(doomed)


def _subtree(part: Any, task: Task) -> list[Task]:
    found, pending = [], [task]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(part.tasks[c] for c in current._children if c in part.tasks)
    return found


def deepest(workflow: BpmnWorkflow) -> int:
    """How many levels down the deepest unfinished task sits, in the workflow or a subprocess (0 for trees
    with fewer tasks than the walk's depth: none of theirs can be out of its reach)."""
    depth = 0
    for part in [workflow, *workflow.subprocesses.values()]:
        if len(part.tasks) <= WALK_DEPTH:
            continue
        for task in part.tasks.values():
            if not task._state & _DONE and not task._children:
                depth = max(depth, len(_path_to_root(part, task)) - 1)
    return depth
