"""The report counts, made in SQL, against the same counts made row by row in Python: open work by due time
now, and finished work per local month, quarter or year (periods cut at local midnight)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import Engine
from engine.models import HumanTask, ProcessInstance, SlaClock, SlaSegment
from engine.reports import GROUPS

UNITS = ("so-noi-vu", "so-tai-chinh", None)
PEOPLE = ("an", "binh", None)
STEPS = ("receive", "appraise", "sign")
RESULTS = ("truoc_han", "dung_han", "qua_han")
VN = ZoneInfo("Asia/Ho_Chi_Minh")  # the engine's default time zone


@pytest.fixture
def instances(engine: Engine, deploy: Callable[..., Any]) -> list[int]:
    deploy("user_task.bpmn", "review.schema.json", "manual_task.bpmn")
    keys = ("user_task", "manual_task") * 3
    return [engine.runtime.start(key, business_key=f"R-{n}", actor="chi").id for n, key in enumerate(keys)]


def test_pending_counts_open_work_by_due_time_as_the_rows_say(engine: Engine, instances, vclock) -> None:
    rng, now = random.Random(5), vclock.now()
    with engine.db.transaction() as session:
        for _ in range(300):
            session.add(
                HumanTask(
                    id=str(uuid.UUID(int=rng.getrandbits(128))),
                    instance_id=rng.choice(instances),
                    process_key=rng.choice(("user_task", "manual_task")),
                    unit=rng.choice(UNITS),
                    element_id=rng.choice(STEPS),
                    assignee=rng.choice(PEOPLE),
                    state=rng.choices(("ready", "completed", "cancelled"), (6, 3, 1))[0],
                    created_at=now - timedelta(days=3),
                    due_at=rng.choice((None, now, *(now + timedelta(hours=h) for h in range(-30, 40, 7)))),
                )
            )
    with engine.db.reading() as session:
        rows = [r for r in session.scalars(select(HumanTask)) if r.state == "ready" and r.due_at is not None]
    keys = {"unit": "unit", "step": "element_id", "person": "assignee", "process": "process_key"}
    for group_by in GROUPS:
        for unit in (None, "so-noi-vu"):
            for soon in (timedelta(days=1), timedelta(hours=3)):
                counts: dict[str | None, Counter[str]] = {}
                for r in rows:
                    if unit and r.unit != unit:
                        continue
                    found = counts.setdefault(getattr(r, keys[group_by]) if group_by in keys else None, Counter())
                    found["overdue" if r.due_at < now else "within"] += 1
                    found["due_soon"] += now <= r.due_at < now + soon
                wanted = sorted(
                    ((g, c["within"], c["due_soon"], c["overdue"]) for g, c in counts.items()),
                    key=lambda p: (-p[3], p[0] or ""),
                )
                got = engine.reports.pending(group_by=group_by, soon=soon, unit=unit)
                assert [(p.group, p.within, p.due_soon, p.overdue) for p in got] == wanted, (group_by, unit, soon)


def _local(day: int, month: int, year: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


#: Moments either side of local midnight at month, quarter and year ends (UTC is 7 hours behind).
EDGES = (
    _local(31, 12, 2025, 23, 59), _local(1, 1, 2026, 0, 0), _local(31, 1, 2026, 23, 30), _local(1, 2, 2026, 6, 59),
    _local(31, 3, 2026, 23, 59), _local(1, 4, 2026, 0, 1), _local(30, 4, 2026, 12), _local(1, 5, 2026, 0),
)  # fmt: skip


@pytest.fixture
def finished(engine: Engine, instances: list[int]) -> None:
    """Slip rows and dossier clocks finished from November 2025 to May 2026, some right at period edges."""
    rng = random.Random(9)
    moments = [*EDGES, *(_local(1, 11, 2025, 0) + timedelta(hours=rng.randrange(24 * 200)) for _ in range(400))]
    with engine.db.transaction() as session:
        for n, at in enumerate(moments):
            session.add(
                SlaSegment(
                    instance_id=rng.choice(instances),
                    element_id=rng.choice(STEPS),
                    unit=rng.choice(UNITS),
                    received_at=at - timedelta(days=2),
                    finished_at=at if n % 11 else None,
                    finished_by=rng.choice(PEOPLE),
                    sla_state="met",
                    classification=rng.choice((*RESULTS, "trong_han", None)),
                )
            )
        for instance_id, at in zip(instances, moments, strict=False):
            session.add(
                SlaClock(
                    instance_id=instance_id,
                    unit=rng.choice(UNITS),
                    calendar="default",
                    calendar_revision=1,
                    limit="20WD",
                    policy="resume",
                    received_at=at - timedelta(days=20),
                    started_at=at - timedelta(days=20),
                    due_at=at,
                    original_due_at=at,
                    finished_at=at,
                    classification=rng.choice(RESULTS),
                )
            )


def _rates(engine: Engine, start: date, end: date, period: str, group_by: str, level: str, unit: str | None):
    table = SlaSegment if level == "step" else SlaClock
    column = {"unit": "unit", "step": "element_id", "person": "finished_by"}.get(group_by)
    counts: Counter[tuple[str, str | None, str]] = Counter()
    with engine.db.reading() as session:
        processes = dict(session.execute(select(ProcessInstance.id, ProcessInstance.process_key)).all())
        for row in session.scalars(select(table)):
            if row.finished_at is None or row.classification not in RESULTS or (unit and row.unit != unit):
                continue
            day = row.finished_at.astimezone(VN).date()
            if not start <= day <= end:
                continue
            label = {"month": f"{day:%Y-%m}", "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}"}.get(
                period, f"{day.year}"
            )
            group = processes[row.instance_id] if group_by == "process" else getattr(row, column) if column else None
            counts[(label, group, row.classification)] += 1
    keys = sorted({(label, group) for label, group, _ in counts}, key=lambda k: (k[0], k[1] or ""))
    return [(label, group, *(counts[(label, group, r)] for r in RESULTS)) for label, group in keys]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2025, 12, 15), date(2026, 4, 10)),
        (date(2026, 4, 1), date(2026, 4, 1)),
    ],
)
def test_on_time_counts_each_local_period_as_the_rows_say(engine: Engine, finished, start: date, end: date) -> None:
    for level, groups in (("step", GROUPS), ("dossier", ("unit", "process", "none"))):
        for period in ("month", "quarter", "year"):
            for group_by in groups:
                for unit in (None, "so-tai-chinh"):
                    got = engine.reports.on_time(start, end, period=period, group_by=group_by, level=level, unit=unit)
                    wanted = _rates(engine, start, end, period, group_by, level, unit)
                    assert [(r.period, r.group, r.early, r.on_time, r.late) for r in got] == wanted, (
                        level, period, group_by, unit,
                    )  # fmt: skip
