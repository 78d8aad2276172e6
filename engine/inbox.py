"""The inbox query: ready tasks a user may work on, filtered, sorted and paged, straight from the task index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, union_all
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import InvalidInput
from engine.identity import Actor
from engine.models import HumanTask, TaskCandidate

SCOPES = ("all", "mine", "claimable")
#: The inbox counts matches up to this many (or to the end of a deeper page); past it, the total says "more".
COUNT_LIMIT = 1000
SORTS = {"due": HumanTask.due_at, "created": HumanTask.created_at, "name": HumanTask.name}


@dataclass(frozen=True)
class InboxQuery:
    """Filters of the inbox; ``scope`` is mine (assigned to me), claimable (my groups', unassigned) or all."""

    scope: str = "all"
    process_key: str | None = None
    element_id: str | None = None
    business_key: str | None = None
    unit: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    overdue: bool = False
    sort: str = "due"
    descending: bool = False
    page: int = 1
    per_page: int = 50
    #: Unit scope set by the caller's policy: None sees every unit; else only tasks of these units, plus tasks
    #: assigned to the user and tasks of the ``cross_unit_groups`` (e.g. a line agency's), whatever their unit.
    units: tuple[str | None, ...] | None = None
    cross_unit_groups: tuple[str, ...] = ()


def inbox_page(session: Session, actor: Actor, q: InboxQuery) -> tuple[list[HumanTask], int]:
    """One page of the actor's ready tasks matching ``q``, and how many match: exactly up to
    :func:`count_limit`, else that limit + 1 ("more than").

    The visible tasks are split into disjoint branches (assigned to me; unassigned and claimable), so that each
    branch walks one index in the sort order and stops after the page, and the count stops at the limit.
    """
    branches = [_filtered(clauses, q) for clauses in _branches(actor, q)]
    limit = count_limit(q)
    counted = union_all(*(_wrapped(select(HumanTask.id).where(*where).limit(limit + 1)) for where in branches))
    total = min(session.scalar(select(func.count()).select_from(counted.subquery())) or 0, limit + 1)
    if total <= (q.page - 1) * q.per_page:
        return [], total
    ids = union_all(*(part for where in branches for part in _ordered_ids(where, q)))
    stmt = select(HumanTask).where(HumanTask.id.in_(ids)).order_by(*_order(q))
    return list(session.scalars(stmt.offset((q.page - 1) * q.per_page).limit(q.per_page))), total


def count_limit(q: InboxQuery) -> int:
    """How far :func:`inbox_page` counts: 1,000 matches, or to the end of the page asked for if deeper."""
    return max(COUNT_LIMIT, q.page * q.per_page)


def check_query(q: InboxQuery) -> None:
    fields: dict[str, list[str]] = {}
    if q.scope not in SCOPES:
        fields["scope"] = [f"must be one of {', '.join(SCOPES)}"]
    if q.sort not in SORTS:
        fields["sort"] = [f"must be one of {', '.join(SORTS)}"]
    if q.page < 1:
        fields["page"] = ["must be at least 1"]
    if not 1 <= q.per_page <= 500:
        fields["per_page"] = ["must be between 1 and 500"]
    if fields:
        raise InvalidInput("invalid inbox query", fields)


def _branches(actor: Actor, q: InboxQuery) -> list[list[ColumnElement[bool]]]:
    """The scope as disjoint conditions: assigned to the actor (in every unit), and unassigned and claimable."""
    ready = HumanTask.state == "ready"
    mine = [ready, HumanTask.assignee == actor.username]
    claimable = [ready, HumanTask.assignee.is_(None)]
    if not actor.is_admin:  # the administrator may act on any task, so every unassigned task is claimable
        claimable.append(_candidate(actor))
    if q.units is not None:
        claimable.append(_in_units(q))
    return {"mine": [mine], "claimable": [claimable], "all": [mine, claimable]}[q.scope]


def _filtered(clauses: list[ColumnElement[bool]], q: InboxQuery) -> list[ColumnElement[bool]]:
    where = list(clauses)
    if q.process_key:
        where.append(HumanTask.process_key == q.process_key)
    if q.element_id:
        where.append(HumanTask.element_id == q.element_id)
    if q.business_key:
        where.append(HumanTask.business_key == q.business_key)
    if q.unit:
        where.append(HumanTask.unit == q.unit)
    if q.due_before:
        where.append(HumanTask.due_at < q.due_before)
    if q.due_after:
        where.append(HumanTask.due_at >= q.due_after)
    if q.overdue:
        where.append(HumanTask.due_at < clock.now())
    return where


def _order(q: InboxQuery) -> list[Any]:
    """The inbox's order: the sort column (empty values last), then oldest first."""
    column = SORTS[q.sort]
    return [column.is_(None), column.desc() if q.descending else column.asc(), HumanTask.created_at, HumanTask.id]


def _ordered_ids(where: list[ColumnElement[bool]], q: InboxQuery) -> list[Select[Any]]:
    """The ids of one branch up to the end of the page, in order. A column that may be empty is read in two
    parts, values then empties, so that each part can follow an index on the column in either direction."""
    column, limit = SORTS[q.sort], q.page * q.per_page
    _empty, *order = _order(q)
    if not column.nullable:
        return [_wrapped(select(HumanTask.id).where(*where).order_by(*order).limit(limit))]
    return [
        _wrapped(select(HumanTask.id).where(*where, column.is_not(None)).order_by(*order).limit(limit)),
        _wrapped(select(HumanTask.id).where(*where, column.is_(None)).order_by(*order[1:]).limit(limit)),
    ]


def _wrapped(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` as a subquery, so that its ORDER BY / LIMIT may stand in a UNION (SQLite needs this)."""
    return select(stmt.subquery().c.id)


def _candidate(actor: Actor) -> ColumnElement[bool]:
    """The actor may claim the task: one of their groups or they themselves are among its candidates."""
    who = and_(TaskCandidate.kind == "user", TaskCandidate.name == actor.username)
    if actor.groups:
        who = or_(and_(TaskCandidate.kind == "group", TaskCandidate.name.in_(sorted(actor.groups))), who)
    return exists().where(TaskCandidate.task_id == HumanTask.id, who)


def _in_units(q: InboxQuery) -> ColumnElement[bool]:
    """The unit scope of unassigned tasks: the allowed units, or a candidate group that works across units."""
    units = q.units or ()
    clauses = [HumanTask.unit.in_([u for u in units if u is not None])]
    if None in units:
        clauses.append(HumanTask.unit.is_(None))
    if q.cross_unit_groups:
        clauses.append(
            exists().where(
                TaskCandidate.task_id == HumanTask.id,
                TaskCandidate.kind == "group",
                TaskCandidate.name.in_(q.cross_unit_groups),
            )
        )
    return or_(*clauses)
