"""What supervisors read: on-time rates per period and per unit, step, person or process; work overdue and
due soon now; late dossiers with the step that made them late. Aggregates run in SQL over the SLA tables
(stored classifications, never recomputed), each period (month, quarter, year in local time) a range of
``finished_at``; open work counted by due time in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.db import Database
from engine.errors import InvalidInput
from engine.inbox import READY
from engine.models import HumanTask, ProcessInstance, SlaClock, SlaSegment

GROUPS = ("unit", "step", "person", "process", "none")
PERIODS = ("month", "quarter", "year")
#: Open work by its state now (drill-down of :meth:`ReportService.pending`); "open" is all of it.
STATUSES = ("overdue", "due_soon", "within", "open")
#: Finished work by its result (drill-down of :meth:`ReportService.on_time`); None is all of it.
RESULTS = {"early": "truoc_han", "on_time": "dung_han", "late": "qua_han"}
#: The days a report may name: the working calendar's holiday tables span these years, and a range must leave
#: room for its end's next day (9999-12-31 + 1 day overflows).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)
#: The longest range one report covers: ten years, i.e. 120 monthly periods, one query each.
MAX_RANGE_DAYS = 3653


@dataclass
class Rate:
    """Finished work in one period and group: early + on time against late."""

    period: str
    group: str | None
    early: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def finished(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        """Share finished early or on time; None when nothing finished."""
        return round((self.early + self.on_time) / self.finished, 4) if self.finished else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "group": self.group,
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
            "finished": self.finished,
            "on_time_rate": self.on_time_rate,
        }


@dataclass
class Pending:
    """Open work now in one group: within time (of which due soon) and overdue."""

    group: str | None
    within: int = 0
    due_soon: int = 0
    overdue: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "within": self.within, "due_soon": self.due_soon, "overdue": self.overdue}


@dataclass(frozen=True)
class Item:
    """One step (or dossier) behind a number of a report: a drill-down row.

    ``holder`` is whom the work was handed to (the assignee, else the candidate groups); ``person`` is who
    finished it. ``classification`` is trong_han / qua_han for open work (as of now), else the stored result.
    """

    instance_id: int
    business_key: str | None
    unit: str | None
    process_key: str | None
    task_id: str | None
    element_id: str | None
    step: str | None
    holder: str | None
    person: str | None
    due_at: datetime | None
    finished_at: datetime | None
    classification: str | None
    due_soon: bool = False


@dataclass(frozen=True)
class ElementHeat:
    """One element of a diagram as a live map shows it: work waiting there now (and how much is overdue), and
    the steps finished there in a window with the share late and the working time they used."""

    element_id: str
    waiting: int = 0
    overdue: int = 0
    finished: int = 0
    late: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None

    @property
    def late_share(self) -> float | None:
        return self.late / self.finished if self.finished else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "element_id": self.element_id,
            "waiting": self.waiting,
            "overdue": self.overdue,
            "finished": self.finished,
            "late": self.late,
            "late_share": self.late_share,
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
        }


@dataclass
class HeatParts:
    """Per element: (open, overdue) now, the working hours of each finished step, and how many were late."""

    open_now: dict[str, tuple[int, int]] = field(default_factory=dict)
    used: dict[str, list[float]] = field(default_factory=dict)
    late: dict[str, int] = field(default_factory=dict)

    def add(self, other: HeatParts) -> None:
        """Count ``other``'s work in too (another database's)."""
        for element, (n, overdue) in other.open_now.items():
            was = self.open_now.get(element, (0, 0))
            self.open_now[element] = (was[0] + n, was[1] + overdue)
        for element, hours in other.used.items():
            self.used.setdefault(element, []).extend(hours)
        for element, count in other.late.items():
            self.late[element] = self.late.get(element, 0) + count

    def summary(self) -> dict[str, ElementHeat]:
        return {
            element: ElementHeat(
                element,
                *self.open_now.get(element, (0, 0)),
                len(self.used.get(element, [])),
                self.late.get(element, 0),
                percentile(self.used.get(element, []), 0.5),
                percentile(self.used.get(element, []), 0.9),
            )
            for element in sorted(set(self.open_now) | set(self.used))
        }


class ReportService:
    """Read-only reports over steps (the control slip) and dossiers (their clocks)."""

    def __init__(self, db: Database, time_zone: str) -> None:
        self.db = db
        self.zone = ZoneInfo(time_zone)

    def on_time(
        self,
        start: date,
        end: date,
        *,
        period: str = "month",
        group_by: str = "none",
        level: str = "step",
        unit: str | None = None,
    ) -> list[Rate]:
        """On-time rate of steps (``level="step"``) or dossiers finished from ``start`` to ``end`` inclusive."""
        _check(period=(period, PERIODS), group_by=(group_by, GROUPS), level=(level, ("step", "dossier")))
        check_range(start, end)
        table = SlaSegment if level == "step" else SlaClock
        key = self._group_column(group_by, level)
        counts = (func.count().filter(table.classification == result) for result in RESULTS.values())
        stmt = select(key, *counts).where(table.classification.in_(tuple(RESULTS.values()))).group_by(key)
        if unit:
            stmt = stmt.where(table.unit == unit)
        if group_by == "process":
            stmt = stmt.join(ProcessInstance, ProcessInstance.id == table.instance_id)
        rates: list[Rate] = []
        with self.db.reading() as session:
            for label, since, until in self._periods(start, end, period):
                in_period = stmt.where(table.finished_at >= since, table.finished_at < until)
                rates.extend(Rate(label, *row) for row in session.execute(in_period))
        return sorted(rates, key=lambda r: (r.period, r.group or ""))

    def received(self, start: date, end: date, *, unit: str | None = None) -> int:
        """Dossiers received (their clock started) from ``start`` to ``end`` inclusive: the ISO report's intake."""
        check_range(start, end)
        stmt = select(func.count()).select_from(SlaClock)
        stmt = stmt.where(
            SlaClock.received_at >= self._utc(start), SlaClock.received_at < self._utc(end + timedelta(days=1))
        )
        if unit:
            stmt = stmt.where(SlaClock.unit == unit)
        with self.db.reading() as session:
            return int(session.scalar(stmt) or 0)

    def pending(
        self, *, group_by: str = "unit", soon: timedelta = timedelta(days=1), unit: str | None = None
    ) -> list[Pending]:
        """Open steps now by group: within time, due within ``soon`` (wall time), overdue; counted in SQL."""
        _check(group_by=(group_by, GROUPS))
        now = clock.now()
        key = _PENDING_KEYS.get(group_by, cast(None, String))
        due = HumanTask.due_at
        stmt = (
            select(
                key,
                func.count().filter(due >= now),
                func.count().filter(due >= now, due < now + soon),
                func.count().filter(due < now),
            )
            .where(READY, due.is_not(None))
            .group_by(key)
        )
        if unit:
            stmt = stmt.where(HumanTask.unit == unit)
        with self.db.reading() as session:
            found = [Pending(*row) for row in session.execute(stmt)]
        return sorted(found, key=lambda p: (-p.overdue, p.group or ""))

    def pending_items(
        self,
        *,
        group_by: str = "none",
        group: str | None = None,
        status: str = "open",
        soon: timedelta = timedelta(days=1),
        unit: str | None = None,
    ) -> list[Item]:
        """The open steps behind one number of :meth:`pending` (``group`` None: those without a group)."""
        _check(group_by=(group_by, GROUPS), status=(status, STATUSES))
        now = clock.now()
        stmt = select(HumanTask).where(READY, HumanTask.due_at.is_not(None))
        if group_by != "none":
            column = _PENDING_KEYS[group_by]
            stmt = stmt.where(column.is_(None) if group is None else column == group)
        if unit:
            stmt = stmt.where(HumanTask.unit == unit)
        if status == "overdue":
            stmt = stmt.where(HumanTask.due_at < now)
        elif status in ("within", "due_soon"):
            stmt = stmt.where(HumanTask.due_at >= now)
        if status == "due_soon":
            stmt = stmt.where(HumanTask.due_at < now + soon)
        with self.db.reading() as session:
            rows = session.scalars(stmt.order_by(HumanTask.due_at, HumanTask.business_key, HumanTask.id))
            return [_open_item(row, now, soon) for row in rows]

    def finished_items(
        self,
        start: date,
        end: date,
        *,
        group_by: str = "none",
        group: str | None = None,
        level: str = "step",
        result: str | None = None,
        unit: str | None = None,
    ) -> list[Item]:
        """The steps or dossiers behind one number of :meth:`on_time` (same window, group and result)."""
        _check(group_by=(group_by, GROUPS), level=(level, ("step", "dossier")))
        if result is not None:
            _check(result=(result, tuple(RESULTS)))
        table = SlaSegment if level == "step" else SlaClock
        wanted = [RESULTS[result]] if result else list(RESULTS.values())
        stmt = (
            select(table, ProcessInstance.business_key, ProcessInstance.process_key)
            .join(ProcessInstance, ProcessInstance.id == table.instance_id)
            .where(table.finished_at >= self._utc(start), table.finished_at < self._utc(end + timedelta(days=1)))
            .where(table.classification.in_(wanted))
        )
        if group_by != "none":
            column = self._group_column(group_by, level)
            stmt = stmt.where(column.is_(None) if group is None else column == group)
        if unit:
            stmt = stmt.where(table.unit == unit)
        with self.db.reading() as session:
            rows = session.execute(stmt.order_by(table.finished_at, table.id))
            return [_finished_item(row, key, process) for row, key, process in rows]

    def heat(self, start: date, end: date, *, unit: str | None = None) -> dict[str, ElementHeat]:
        """Per element (step id): open work now and overdue among it; steps finished from ``start`` to ``end``
        with how many late and the median and 90th percentile of working hours used (the control slip's)."""
        return self.heat_parts(start, end, unit=unit).summary()

    def heat_parts(self, start: date, end: date, *, unit: str | None = None) -> HeatParts:
        """What :meth:`heat` is made of, before the percentiles: the parts of several databases add up (a
        simulation's shards), their percentiles do not."""
        check_range(start, end)
        now = clock.now()
        waiting = select(HumanTask.element_id, func.count(), func.count().filter(HumanTask.due_at < now)).where(READY)
        finished = select(SlaSegment.element_id, SlaSegment.classification, SlaSegment.used_s).where(
            SlaSegment.finished_at >= self._utc(start),
            SlaSegment.finished_at < self._utc(end + timedelta(days=1)),
            SlaSegment.classification.in_(tuple(RESULTS.values())),
        )
        if unit:
            waiting, finished = waiting.where(HumanTask.unit == unit), finished.where(SlaSegment.unit == unit)
        parts = HeatParts()
        with self.db.reading() as session:
            parts.open_now = {e: (n, o) for e, n, o in session.execute(waiting.group_by(HumanTask.element_id))}
            for element, result, seconds in session.execute(finished):
                parts.used.setdefault(element, []).append((seconds or 0.0) / 3600)
                parts.late[element] = parts.late.get(element, 0) + (result == RESULTS["late"])
        return parts

    def step_hours(self) -> dict[str, list[float]]:
        """The working hours each finished step took, per element: what a simulation draws step times from."""
        stmt = select(SlaSegment.element_id, SlaSegment.used_s).where(SlaSegment.used_s.is_not(None))
        found: dict[str, list[float]] = {}
        with self.db.reading() as session:
            for element, seconds in session.execute(stmt):
                found.setdefault(element, []).append(seconds / 3600)
        return found

    def dossier_spans(self, start: date, end: date) -> list[tuple[datetime, datetime]]:
        """(received, finished) of the dossiers finished from ``start`` to ``end``: their throughput times."""
        check_range(start, end)
        stmt = select(SlaClock.received_at, SlaClock.finished_at).where(
            SlaClock.finished_at >= self._utc(start), SlaClock.finished_at < self._utc(end + timedelta(days=1))
        )
        with self.db.reading() as session:
            return [(received, finished) for received, finished in session.execute(stmt) if finished is not None]

    def step_names(self, element_ids: Iterable[str]) -> dict[str, str]:
        """The names the control slip shows for these step ids (for report labels)."""
        wanted = sorted(set(element_ids))
        if not wanted:
            return {}
        stmt = (
            select(SlaSegment.element_id, func.max(SlaSegment.step))
            .where(SlaSegment.element_id.in_(wanted))
            .group_by(SlaSegment.element_id)
        )
        with self.db.reading() as session:
            return {element: name for element, name in session.execute(stmt) if name}

    def late_dossiers(self, start: date, end: date, *, unit: str | None = None) -> list[dict[str, Any]]:
        """Dossiers finished late (or overdue and open) with the first step that ran late: the ISO
        corrective-action input."""
        check_range(start, end)
        with self.db.reading() as session:
            stmt = select(SlaClock).where(SlaClock.classification == "qua_han")
            stmt = stmt.where(SlaClock.received_at < self._utc(end + timedelta(days=1)))
            stmt = stmt.where((SlaClock.finished_at.is_(None)) | (SlaClock.finished_at >= self._utc(start)))
            if unit:
                stmt = stmt.where(SlaClock.unit == unit)
            return [self._late(session, row) for row in session.scalars(stmt.order_by(SlaClock.due_at))]

    def _late(self, session: Session, row: SlaClock) -> dict[str, Any]:
        first_late = session.scalars(
            select(SlaSegment)
            .where(SlaSegment.instance_id == row.instance_id, SlaSegment.classification == "qua_han")
            .order_by(SlaSegment.id)
            .limit(1)
        ).first()
        return {
            "instance_id": row.instance_id,
            "business_key": row.business_key,
            "unit": row.unit,
            "due_at": row.due_at.astimezone(self.zone).isoformat(),
            "finished_at": row.finished_at.astimezone(self.zone).isoformat() if row.finished_at else None,
            "late_step": first_late.step if first_late else None,
            "late_step_person": (first_late.finished_by or first_late.to_actor) if first_late else None,
            "reason": row.reschedule_reason,
        }

    def _utc(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone)

    def _periods(self, start: date, end: date, period: str) -> list[tuple[str, datetime, datetime]]:
        """The periods (months, quarters or years, local time) that the days ``start``..``end`` cover: each
        label with the instants its part of the window starts and ends. A query per period counts a range of
        the ``finished_at`` index; no month is computed row by row."""
        periods: list[tuple[str, datetime, datetime]] = []
        day, stop = start, end + timedelta(days=1)
        while day < stop:
            label = _period(f"{day:%Y-%m}", period)
            following = min(date(day.year + day.month // 12, day.month % 12 + 1, 1), stop)
            if periods and periods[-1][0] == label:
                periods[-1] = (label, periods[-1][1], self._utc(following))
            else:
                periods.append((label, self._utc(day), self._utc(following)))
            day = following
        return periods

    @staticmethod
    def _group_column(group_by: str, level: str) -> Any:
        if level == "dossier":
            return {"unit": SlaClock.unit, "process": ProcessInstance.process_key}.get(group_by, cast(None, String))
        return {
            "unit": SlaSegment.unit,
            "step": SlaSegment.element_id,
            "person": SlaSegment.finished_by,
            "process": ProcessInstance.process_key,
            "none": cast(None, String),
        }[group_by]


_PENDING_KEYS: dict[str, Any] = {
    "unit": HumanTask.unit,
    "step": HumanTask.element_id,
    "person": HumanTask.assignee,
    "process": HumanTask.process_key,
}


def _open_item(row: HumanTask, now: datetime, soon: timedelta) -> Item:
    due = row.due_at
    late = due is not None and due < now
    return Item(
        instance_id=row.instance_id,
        business_key=row.business_key,
        unit=row.unit,
        process_key=row.process_key,
        task_id=row.id,
        element_id=row.element_id,
        step=row.name or row.element_id,
        holder=row.assignee or ", ".join(row.candidate_groups + row.candidate_users) or None,
        person=row.assignee,
        due_at=due,
        finished_at=None,
        classification="qua_han" if late else "trong_han",
        due_soon=not late and due is not None and due < now + soon,
    )


def _finished_item(row: SlaSegment | SlaClock, business_key: str | None, process_key: str) -> Item:
    common: dict[str, Any] = {
        "instance_id": row.instance_id,
        "business_key": business_key,
        "unit": row.unit,
        "process_key": process_key,
        "due_at": row.due_at,
        "finished_at": row.finished_at,
        "classification": row.classification,
    }
    if isinstance(row, SlaClock):
        return Item(**common, task_id=None, element_id=None, step=None, holder=None, person=None)
    return Item(
        **common,
        task_id=row.task_id,
        element_id=row.element_id,
        step=row.step,
        holder=row.to_actor,
        person=row.finished_by,
    )


def period_range(label: str) -> tuple[date, date]:
    """The first and last day of a period label of :meth:`ReportService.on_time` ("2026-03", "2026-Q1", "2026")."""
    try:
        if len(label) == 4:
            year = int(label)
            return date(year, 1, 1), date(year, 12, 31)
        year_text, part = label.split("-")
        year = int(year_text)
        if part.startswith("Q"):
            quarter = int(part[1:])
            if not 1 <= quarter <= 4:
                raise ValueError(label)
            first, last = 3 * quarter - 2, 3 * quarter
        else:
            first = last = int(part)
        start = date(year, first, 1)
        end = date(year + last // 12, last % 12 + 1, 1) - timedelta(days=1)
        return start, end
    except ValueError:
        raise InvalidInput(f"unknown period {label!r}", {"period": ["e.g. 2026-03, 2026-Q1 or 2026"]}) from None


def _period(month: str, period: str) -> str:
    if period == "month":
        return month
    year, mon = month.split("-")
    return year if period == "year" else f"{year}-Q{(int(mon) - 1) // 3 + 1}"


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (the value at least ``share`` of them do not exceed); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(len(ordered) * share)) - 1], 2)


def check_range(start: date, end: date) -> None:
    """Refuse a report range outside FIRST_DAY..LAST_DAY, reversed, or longer than MAX_RANGE_DAYS."""
    fields: dict[str, list[str]] = {}
    for name, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            fields.setdefault(name, []).append(f"must be between {FIRST_DAY} and {LAST_DAY}")
    if end < start:
        fields.setdefault("end", []).append("must not be before start")
    elif (end - start).days >= MAX_RANGE_DAYS:
        fields.setdefault("end", []).append(f"the range may cover at most {MAX_RANGE_DAYS} days (ten years)")
    if fields:
        raise InvalidInput("invalid report range", fields)


def _check(**values: tuple[str, tuple[str, ...]]) -> None:
    fields = {
        name: [f"one of {', '.join(allowed)}"] for name, (value, allowed) in values.items() if value not in allowed
    }
    if fields:
        raise InvalidInput("invalid report parameters", fields)
