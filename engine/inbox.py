"""The inbox query: ready tasks a user may work on, filtered, sorted and paged, straight from the task index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    cast,
    event,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import InvalidInput
from engine.identity import Actor
from engine.models import HumanTask

SCOPES = ("all", "mine", "claimable")
#: The inbox counts matches up to this many (or to the end of a deeper page); past it, the total says "more".
#: Counting walks about 3 rows per match when a group holds a third of the unassigned tasks, at about 2 µs a
#: row on SQLite: 1,000 would cost 4–5 ms more per view than 500 at 100,000 open tasks.
COUNT_LIMIT = 500
#: The last page any list serves: pages past it would skip 50 million rows (none exist), and a larger offset
#: overflows the database's integers (a 500 on SQLite, an error on PostgreSQL).
MAX_PAGE = 100_000
#: Open tasks; a literal, so that both databases may use the indexes kept for open tasks only.
READY = HumanTask.state == literal_column("'ready'")
SORTS = {"due": HumanTask.due_at, "created": HumanTask.created_at, "name": HumanTask.name}
#: The order of the inbox's indexes. The count walks it too, whatever the sort: then both databases count
#: along the index the page uses, and SQLite (which keeps no statistics) does not take another index with as
#: many equalities, such as (state, assignee, due_at) for a unit's claimable tasks, which holds every unit's.
INDEX_ORDER = (HumanTask.due_at, HumanTask.created_at, HumanTask.id)
#: PostgreSQL statistics the inbox's plans need (migration 0003 creates them too). Without them the planner
#: takes open and unassigned as independent (finished tasks keep their assignee) and guesses 1 % for a group's
#: share of the tasks; it then expects a handful of rows, sorts every claimable task instead of walking the
#: partial index in due order, and a page costs 10–90 ms instead of 1 ms at 100,000 open tasks.
STATISTICS = {
    "st_human_task_state_assignee": "(mcv) ON state, assignee FROM human_task",
    "st_human_task_candidate_groups": "ON ((candidate_groups::jsonb)) FROM human_task",  # PostgreSQL 14+
}


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
    branch walks one index in the sort order and stops after the page, and the count stops at the limit. The
    page and its total come in one statement; a page past the end asks for the total alone.
    """
    dialect = session.get_bind().dialect.name
    branches = [_filtered(clauses, q) for clauses in _branches(actor, q, dialect)]
    limit = count_limit(q)
    walks = (select(HumanTask.id).where(*where).order_by(*INDEX_ORDER).limit(limit + 1) for where in branches)
    counted = union_all(*(_wrapped(walk) for walk in walks)).subquery()  # branch after branch, to the limit
    total = select(func.count()).select_from(select(counted.c.id).limit(limit + 1).subquery()).scalar_subquery()
    ids = union_all(*(part for where in branches for part in _ordered_ids(where, q)))
    stmt = select(HumanTask, total).where(HumanTask.id.in_(ids)).order_by(*_order(q))
    rows = session.execute(stmt.offset((q.page - 1) * q.per_page).limit(q.per_page)).all()
    if not rows:
        return [], session.scalar(select(total)) or 0
    return [task for task, _total in rows], rows[0][1]


def count_limit(q: InboxQuery) -> int:
    """How far :func:`inbox_page` counts: :data:`COUNT_LIMIT` matches, or to the end of a deeper page."""
    return max(COUNT_LIMIT, q.page * q.per_page)


def check_query(q: InboxQuery) -> None:
    fields: dict[str, list[str]] = {}
    if q.scope not in SCOPES:
        fields["scope"] = [f"must be one of {', '.join(SCOPES)}"]
    if q.sort not in SORTS:
        fields["sort"] = [f"must be one of {', '.join(SORTS)}"]
    if not 1 <= q.page <= MAX_PAGE:
        fields["page"] = [f"must be between 1 and {MAX_PAGE}"]
    if not 1 <= q.per_page <= 500:
        fields["per_page"] = ["must be between 1 and 500"]
    if fields:
        raise InvalidInput("invalid inbox query", fields)


def _branches(actor: Actor, q: InboxQuery, dialect: str) -> list[list[ColumnElement[bool]]]:
    """The scope as disjoint conditions: assigned to the actor (in every unit), and unassigned and claimable."""
    mine = [READY, HumanTask.assignee == actor.username]
    claimable = [READY, HumanTask.assignee.is_(None)]
    if not actor.is_admin:  # the administrator may act on any task, so every unassigned task is claimable
        claimable.append(_candidate(actor, dialect))
    if q.units is not None:
        claimable.append(_in_units(q, dialect))
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


def _candidate(actor: Actor, dialect: str) -> ColumnElement[bool]:
    """The actor may claim the task: one of their groups or they themselves are among its candidates."""
    who = _listed(HumanTask.candidate_users, [actor.username], dialect)
    if actor.groups:
        who = or_(_listed(HumanTask.candidate_groups, sorted(actor.groups), dialect), who)
    return who


def _in_units(q: InboxQuery, dialect: str) -> ColumnElement[bool]:
    """The unit scope of unassigned tasks: the allowed units, or a candidate group that works across units."""
    units = q.units or ()
    clauses: list[ColumnElement[bool]] = [HumanTask.unit.in_([u for u in units if u is not None])]
    if None in units:
        clauses.append(HumanTask.unit.is_(None))
    if q.cross_unit_groups:
        clauses.append(_listed(HumanTask.candidate_groups, sorted(q.cross_unit_groups), dialect))
    return or_(*clauses)


def _listed(column: Any, names: list[str], dialect: str) -> ColumnElement[bool]:
    """The task row's JSON list ``column`` holds one of ``names`` (whole names only).

    Tested on the row the walk has read anyway: a probe into a candidate table cost about 6 µs a row on
    PostgreSQL, several times this test, and its selectivity cannot be estimated."""
    if dialect == "postgresql":
        has_any: ColumnElement[bool] = cast(column, JSONB).has_any(postgresql.array(names))
        return has_any
    element = func.json_each(column).table_valued("value")
    return exists().where(element.c.value.in_(names))


@event.listens_for(HumanTask.__table__, "after_create")
def _create_statistics(_table: Any, connection: Connection, **_kw: Any) -> None:
    """``create_all`` builds what the migrations build: the inbox's statistics on PostgreSQL 14+."""
    version = connection.dialect.server_version_info
    if connection.dialect.name == "postgresql" and version is not None and version >= (14,):
        for name, definition in STATISTICS.items():
            connection.exec_driver_sql(f"CREATE STATISTICS IF NOT EXISTS {name} {definition}")
