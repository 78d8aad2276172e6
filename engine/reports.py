"""What supervisors read: on-time rates per period and per unit, step, person or process; work overdue and
due soon now; late dossiers with the step that made them late. Aggregates run in SQL over the SLA tables
(stored classifications, never recomputed), grouped by month in local time; quarters and years are sums of
months.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.db import Database
from engine.errors import InvalidInput
from engine.models import HumanTask, ProcessInstance, SlaClock, SlaSegment

GROUPS = ("unit", "step", "person", "process", "none")
PERIODS = ("month", "quarter", "year")


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
    task_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "within": self.within, "due_soon": self.due_soon, "overdue": self.overdue}


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
        table = SlaSegment if level == "step" else SlaClock
        month = self._month(table.finished_at)
        key = self._group_column(group_by, level)
        stmt = (
            select(month, key, table.classification, func.count())
            .where(table.finished_at >= self._utc(start), table.finished_at < self._utc(end + timedelta(days=1)))
            .where(table.classification.in_(("truoc_han", "dung_han", "qua_han")))
            .group_by(month, key, table.classification)
        )
        if unit:
            stmt = stmt.where(table.unit == unit)
        if group_by == "process":
            stmt = stmt.join(ProcessInstance, ProcessInstance.id == table.instance_id)
        rates: dict[tuple[str, str | None], Rate] = {}
        with self.db.transaction() as session:
            for month_key, group, classification, count in session.execute(stmt):
                label = _period(str(month_key), period)
                rate = rates.setdefault((label, group), Rate(label, group))
                attribute = {"truoc_han": "early", "dung_han": "on_time", "qua_han": "late"}[classification]
                setattr(rate, attribute, getattr(rate, attribute) + count)
        return sorted(rates.values(), key=lambda r: (r.period, r.group or ""))

    def pending(
        self, *, group_by: str = "unit", soon: timedelta = timedelta(days=1), unit: str | None = None
    ) -> list[Pending]:
        """Open steps now by group: within time, due within ``soon`` (wall time), overdue."""
        _check(group_by=(group_by, GROUPS))
        now = clock.now()
        key = {
            "unit": HumanTask.unit,
            "step": HumanTask.element_id,
            "person": HumanTask.assignee,
            "process": HumanTask.process_key,
            "none": cast(None, String),
        }[group_by]
        stmt = select(key, HumanTask.id, HumanTask.due_at).where(
            HumanTask.state == "ready", HumanTask.due_at.is_not(None)
        )
        if unit:
            stmt = stmt.where(HumanTask.unit == unit)
        groups: dict[str | None, Pending] = defaultdict(lambda: Pending(None))
        with self.db.transaction() as session:
            for group, task_id, due in session.execute(stmt):
                entry = groups[group]
                entry.group = group
                entry.task_ids.append(task_id)
                if due < now:
                    entry.overdue += 1
                else:
                    entry.within += 1
                    entry.due_soon += due < now + soon
        return sorted(groups.values(), key=lambda p: -p.overdue)

    def late_dossiers(self, start: date, end: date, *, unit: str | None = None) -> list[dict[str, Any]]:
        """Dossiers finished late (or overdue and open) with the first step that ran late: the ISO
        corrective-action input."""
        with self.db.transaction() as session:
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

    def _month(self, column: Any) -> ColumnElement[str]:
        """The local-time month ("2026-03") of a UTC timestamp, in the database's own dialect."""
        if self.db.dialect == "postgresql":
            return func.to_char(func.timezone(str(self.zone), column), "YYYY-MM")
        offset = datetime(2000, 1, 1, tzinfo=self.zone).utcoffset() or timedelta()  # zones without DST only
        return func.strftime("%Y-%m", func.datetime(column, f"{int(offset.total_seconds())} seconds"))

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


def _period(month: str, period: str) -> str:
    if period == "month":
        return month
    year, mon = month.split("-")
    return year if period == "year" else f"{year}-Q{(int(mon) - 1) // 3 + 1}"


def _check(**values: tuple[str, tuple[str, ...]]) -> None:
    fields = {
        name: [f"one of {', '.join(allowed)}"] for name, (value, allowed) in values.items() if value not in allowed
    }
    if fields:
        raise InvalidInput("invalid report parameters", fields)
