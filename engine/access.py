"""Who may act on which instance and task: the unit policy every command checks inside its transaction.

Camunda's command checks, in small: a command loads what it changes, asks the :class:`AccessPolicy` (built
from :class:`~engine.settings.Settings`, replaceable on the engine), and only then changes state. Out of
reach is told as NotFound, never 403, so that a caller learns nothing of another unit's work.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from engine.errors import NotFound, PermissionDenied
from engine.identity import Actor
from engine.settings import Settings

__all__ = ["AccessPolicy", "TaskFacts", "in_units"]


class TaskFacts(Protocol):
    """What the policy reads of a task (a ``HumanTask`` row or a ``TaskView``)."""

    @property
    def id(self) -> str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def candidate_groups(self) -> list[str]: ...
    @property
    def candidate_users(self) -> list[str]: ...


class InstanceFacts(Protocol):
    """What the policy reads of a process instance."""

    @property
    def id(self) -> int: ...
    @property
    def unit(self) -> str | None: ...


class AccessPolicy:
    """The unit rule: people act in their own unit; some groups reach every unit, line agencies reach their
    groups' tasks in every unit, and the groups above a claimant may reassign a claimed task."""

    def __init__(self, settings: Settings) -> None:
        self.wide_groups = frozenset(settings.wide_groups)
        self.cross_unit_groups = frozenset(settings.cross_unit_groups)
        self.reassigner_groups = frozenset(settings.reassigner_groups)

    # -- units ------------------------------------------------------------------------------------
    def reaches_all(self, actor: Actor) -> bool:
        """Administrators and the wide groups (supervisors) act in every unit."""
        return actor.is_admin or bool(actor.groups & self.wide_groups)

    def units(self, actor: Actor) -> tuple[str | None, ...] | None:
        """The units the actor acts in (None: every unit)."""
        return None if self.reaches_all(actor) else (actor.unit,)

    def reaches_unit(self, actor: Actor, unit: str | None) -> bool:
        return self.reaches_all(actor) or unit == actor.unit

    def require_unit(self, actor: Actor, unit: str | None, what: str) -> None:
        """NotFound ("no ``what``": its existence is not told) when ``unit`` is out of the actor's reach."""
        if not self.reaches_unit(actor, unit):
            raise NotFound(f"no {what}")

    def require_instance(self, actor: Actor, instance: InstanceFacts) -> None:
        self.require_unit(actor, instance.unit, f"process instance {instance.id}")

    def require_broadcast(self, actor: Actor, what: str) -> None:
        """Sending to every match crosses units: only those who reach every unit may (PermissionDenied)."""
        if not self.reaches_all(actor):
            raise PermissionDenied(f"{actor.username} may not send {what} to every unit's instances")

    # -- tasks ------------------------------------------------------------------------------------
    def task_groups(self, actor: Actor) -> tuple[str, ...]:
        """Groups whose tasks the actor reaches in any unit: all of a line agency's groups (give a line agency
        account no unit role), none for anyone else."""
        return tuple(sorted(actor.groups)) if actor.groups & self.cross_unit_groups else ()

    def reaches_task(self, actor: Actor, task: TaskFacts) -> bool:
        """A task is reached in its unit, by its assignee, and by line agencies among its candidate groups."""
        if self.reaches_unit(actor, task.unit) or task.assignee == actor.username:
            return True
        return bool(set(self.task_groups(actor)) & set(task.candidate_groups))

    def require_task(self, actor: Actor, task: TaskFacts) -> None:
        """NotFound when the task is out of the actor's reach."""
        if not self.reaches_task(actor, task):
            raise NotFound(f"no task {task.id}")

    @staticmethod
    def is_candidate(actor: Actor, task: TaskFacts) -> bool:
        """A member of the task's candidate groups, or a user it names."""
        return bool(set(task.candidate_groups) & actor.groups) or actor.username in task.candidate_users

    def may_work(self, actor: Actor, task: TaskFacts) -> bool:
        """Whether the actor may claim the task, or complete it unclaimed: its candidates and administrators."""
        return actor.is_admin or self.is_candidate(actor, task)

    def is_above_claimants(self, actor: Actor) -> bool:
        return actor.is_admin or bool(actor.groups & self.reassigner_groups)

    def may_reassign(self, actor: Actor, task: TaskFacts) -> bool:
        """A claimed task moves only by someone above its claimant, never by a peer; an unclaimed one also by
        its candidates."""
        if self.is_above_claimants(actor):
            return True
        return task.assignee is None and self.is_candidate(actor, task)


def in_units(column: InstrumentedAttribute[str | None], units: Collection[str | None] | None) -> ColumnElement[bool]:
    """A SQL condition keeping rows of ``units`` (None: every unit; a None among them: rows of no unit)."""
    if units is None:
        return true()
    named = [u for u in units if u is not None]
    clauses = [column.in_(named)] if named else []
    if None in units:
        clauses.append(column.is_(None))
    return or_(false(), *clauses)
