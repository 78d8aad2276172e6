"""The inbox query against a plain reading of its rules, over many tasks: scopes, candidates, unit scope,
filters, sort (empty values last, ties oldest first), pages, and the total counted up to a limit."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from engine import Engine
from engine.clock import VirtualClock
from engine.identity import Actor
from engine.inbox import COUNT_LIMIT, STATISTICS, InboxQuery, count_limit
from engine.models import HumanTask

#: Group names that contain one another, with and without diacritics: a candidate check must match whole names.
GROUPS = ("appraiser", "appraiser-lead", "thẩm-định", "thẩm", "desk", "thue")
UNITS = ("so-noi-vu", "so-tai-chinh", None)
PEOPLE = ("an", "binh", "dung", "vy", None)


@pytest.fixture
def instance_id(engine: Engine, deploy: Callable[..., Any]) -> int:
    deploy("user_task.bpmn", "review.schema.json")
    engine.identity.ensure_user("vy", groups=["thẩm-định", "thue"], unit="so-tai-chinh")
    return engine.runtime.start("user_task", business_key="HS-0", actor="chi").id


@pytest.fixture
def add_tasks(engine: Engine, instance_id: int, vclock: VirtualClock) -> Callable[..., None]:
    """Add task rows as the engine writes them (candidate lists on the row, index rows while open)."""

    def add(count: int, *, seed: int = 1, **fixed: Any) -> None:
        rng = random.Random(seed)
        now = vclock.now()
        rows = []
        for n in range(count):
            values: dict[str, Any] = {
                "state": rng.choices(("ready", "completed", "cancelled"), (8, 1, 1))[0],
                "assignee": rng.choice(PEOPLE),
                "unit": rng.choice(UNITS),
                "process_key": rng.choice(("user_task", "other")),
                "element_id": rng.choice(("review", "check")),
                "business_key": f"HS-{n % 7}",
                "name": rng.choice(("Thẩm định", "Kiểm tra", None)),
                "created_at": now - timedelta(hours=rng.randrange(6)),  # ties on purpose
                "due_at": rng.choice((None, *(now + timedelta(hours=h) for h in range(-3, 4)))),
                **fixed,
            }
            groups = rng.sample(GROUPS, rng.randrange(3))
            users = rng.sample([p for p in PEOPLE if p], rng.randrange(2))
            row = HumanTask(id=str(uuid.UUID(int=rng.getrandbits(128))), instance_id=instance_id, **values)
            if row.state == "ready":
                row.set_candidates(groups, users)
            else:
                row.candidate_groups, row.candidate_users = sorted(groups), sorted(users)
            rows.append(row)
        with engine.db.transaction() as session:
            session.add_all(rows)

    return add


def expected(engine: Engine, actor: Actor, q: InboxQuery, now: datetime) -> tuple[list[str], int]:
    """The inbox's rules read plainly, row by row, in Python."""
    with engine.db.reading() as session:
        rows = [r for r in session.scalars(select(HumanTask)) if _matches(r, actor, q, now)]
    column = {"due": "due_at", "created": "created_at", "name": "name"}[q.sort]
    rows.sort(key=lambda r: (r.created_at, r.id))  # ties: oldest first, in both directions (sorts are stable)
    present = [r for r in rows if getattr(r, column) is not None]
    present.sort(key=lambda r: getattr(r, column), reverse=q.descending)
    ordered = present + [r for r in rows if getattr(r, column) is None]  # empty values last
    start = (q.page - 1) * q.per_page
    return [r.id for r in ordered[start : start + q.per_page]], len(ordered)


def _matches(row: HumanTask, actor: Actor, q: InboxQuery, now: datetime) -> bool:
    if row.state != "ready":
        return False
    mine = row.assignee == actor.username
    claimable = row.assignee is None and (
        actor.is_admin or bool(actor.groups & set(row.candidate_groups)) or actor.username in row.candidate_users
    )
    if not {"mine": mine, "claimable": claimable, "all": mine or claimable}[q.scope]:
        return False
    if q.units is not None and not (
        row.unit in q.units or mine or set(q.cross_unit_groups) & set(row.candidate_groups)
    ):
        return False
    due = row.due_at
    return all(
        (
            not q.process_key or row.process_key == q.process_key,
            not q.element_id or row.element_id == q.element_id,
            not q.business_key or row.business_key == q.business_key,
            not q.unit or row.unit == q.unit,
            not q.due_before or (due is not None and due < q.due_before),
            not q.due_after or (due is not None and due >= q.due_after),
            not q.overdue or (due is not None and due < now),
        )
    )


def check(engine: Engine, username: str, queries: Iterable[InboxQuery], now: datetime) -> int:
    """Every query gives the expected page and total; how many queries were checked."""
    actor = engine.identity.actor(username)
    checked = 0
    for q in queries:
        page = engine.tasks.inbox(username, q)
        ids, total = expected(engine, actor, q, now)
        assert ([t.id for t in page.items], page.total) == (ids, total), (username, q)
        checked += 1
    return checked


def test_the_inbox_follows_its_rules_for_every_scope_filter_and_sort(engine: Engine, add_tasks, vclock) -> None:
    add_tasks(240)
    now = vclock.now()
    base = InboxQuery(per_page=9)
    variants = [
        base,
        replace(base, scope="mine"),
        replace(base, scope="claimable"),
        replace(base, descending=True),
        replace(base, scope="claimable", descending=True, page=2),
        replace(base, sort="created", descending=True),
        replace(base, sort="name"),
        replace(base, sort="name", descending=True, page=3),
        replace(base, process_key="user_task"),
        replace(base, element_id="check", business_key="HS-3"),
        replace(base, unit="so-noi-vu"),
        replace(base, overdue=True),
        replace(base, due_before=now + timedelta(hours=1), due_after=now - timedelta(hours=2)),
        replace(base, units=("so-noi-vu",)),
        replace(base, units=("so-tai-chinh", None), scope="claimable"),
        replace(base, units=("so-noi-vu",), cross_unit_groups=("thue",)),
        replace(base, page=40),
    ]
    checked = sum(check(engine, user, variants, now) for user in ("an", "dung", "vy", "chi", "admin"))
    assert checked == 5 * len(variants)


def test_pages_follow_one_another_without_gaps_or_repeats(engine: Engine, add_tasks, vclock) -> None:
    add_tasks(120, seed=2)
    for sort, descending in (("due", False), ("due", True), ("name", False)):
        query = InboxQuery(sort=sort, descending=descending, per_page=7)
        first = engine.tasks.inbox("dung", replace(query, per_page=500))
        pages = [engine.tasks.inbox("dung", replace(query, page=n)) for n in range(1, first.total // 7 + 2)]
        paged = [task.id for page in pages for task in page.items]
        assert paged == [t.id for t in first.items] and len(paged) == first.total > 7


def test_the_total_is_counted_up_to_a_limit(engine: Engine, add_tasks, vclock) -> None:
    add_tasks(COUNT_LIMIT + 3, state="ready", assignee=None, unit="so-noi-vu", seed=3)
    claimable = InboxQuery(scope="claimable", unit="so-noi-vu")
    _, matching = expected(engine, engine.identity.actor("admin"), claimable, vclock.now())
    assert matching > COUNT_LIMIT
    page = engine.tasks.inbox("admin", claimable)
    assert count_limit(claimable) == COUNT_LIMIT
    assert page.total == COUNT_LIMIT + 1, "more than the limit: the limit + 1"
    assert len(page.items) == claimable.per_page
    last = replace(claimable, page=COUNT_LIMIT // claimable.per_page + 1)
    assert count_limit(last) == COUNT_LIMIT + claimable.per_page, "a deeper page counts to its own end"
    deep = engine.tasks.inbox("admin", last)
    assert deep.total == matching and len(deep.items) == matching - COUNT_LIMIT
    assert engine.tasks.inbox("admin", replace(claimable, per_page=500, page=3)).total == matching


def test_postgresql_keeps_the_statistics_the_inbox_plans_need(engine: Engine) -> None:
    if engine.db.dialect != "postgresql" or engine.db.engine.dialect.server_version_info < (14,):
        pytest.skip("PostgreSQL 14+ only")
    with engine.db.engine.connect() as conn:
        found = set(conn.scalars(text("SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'human_task'::regclass")))
    assert set(STATISTICS) <= found
