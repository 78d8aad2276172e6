"""What the engine announces inside the transaction that caused it, and who listens.

The executor and the services announce facts (a task became ready, changed hands or closed; an instance
ended; a dossier clock started, paused, resumed, was moved or finished); listeners subscribe by the fact's
type. The SLA service is one listener (budgets, timers, the control slip), the award domain another (the
dossier record follows its clock, the apology letter is made when the date moves). Listeners run in the
announcing transaction, so what they write commits or rolls back with the action: nothing copies a value by
hand at each entry point, and a failing listener fails the action.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessDefinition, ProcessInstance, SlaClock

__all__ = [
    "ClockChanged",
    "Deployed",
    "InstanceEnded",
    "Listeners",
    "TaskClaimed",
    "TaskClosed",
    "TaskReady",
]


@dataclass(frozen=True)
class TaskReady:
    """A human task entered the inbox (its row is new and not yet flushed)."""

    session: Session
    instance: ProcessInstance
    row: HumanTask
    actor: str


@dataclass(frozen=True)
class TaskClaimed:
    """A task's assignee changed (claim, unclaim, assign, delegate, resolve)."""

    session: Session
    row: HumanTask


@dataclass(frozen=True)
class TaskClosed:
    """A task left the inbox: completed by ``actor``, or cancelled (``aborted``)."""

    session: Session
    row: HumanTask
    actor: str | None
    aborted: bool


@dataclass(frozen=True)
class InstanceEnded:
    """An instance reached its end (``completed``) or was cancelled."""

    session: Session
    instance: ProcessInstance
    state: str
    actor: str


#: What a clock change was: the kinds :class:`ClockChanged` carries.
CLOCK_CHANGES = ("started", "paused", "resumed", "rescheduled", "finished")


@dataclass(frozen=True)
class ClockChanged:
    """A dossier clock changed (``change`` is one of :data:`CLOCK_CHANGES`); ``previous_due`` is its due time
    before the change. The clock row is the one source of the due date and the appointment."""

    session: Session
    instance: ProcessInstance
    clock: SlaClock
    change: str
    actor: str
    previous_due: datetime
    reason: str | None = None


@dataclass(frozen=True)
class Deployed:
    """New versions of process definitions were deployed (the timer start events are scheduled on it)."""

    session: Session
    definitions: tuple[ProcessDefinition, ...]
    actor: str


Event = TaskReady | TaskClaimed | TaskClosed | InstanceEnded | ClockChanged | Deployed
E = TypeVar("E", TaskReady, TaskClaimed, TaskClosed, InstanceEnded, ClockChanged, Deployed)


class Listeners:
    """Subscriptions by event type; :meth:`announce` calls them in the order they subscribed."""

    def __init__(self) -> None:
        self._by_type: defaultdict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)

    def subscribe(self, kind: type[E], listener: Callable[[E], None]) -> None:
        self._by_type[kind].append(listener)

    def announce(self, event: Event) -> None:
        for listener in self._by_type.get(type(event), ()):
            listener(event)
