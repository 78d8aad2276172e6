"""What supervisors read about public consultation, per period and proposing unit: comments received, objections,
handled and handled within the step's budget, objections that changed the proposal, and those still open."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, case, func, select

from engine.access import in_units
from engine.calendar import DEFAULT_ZONE
from engine.db import Database
from engine.models import ProcessInstance
from handlers.models import Dossier, PublicComment

__all__ = ["CommentCounts", "comment_report"]


@dataclass(frozen=True)
class CommentCounts:
    unit_name: str
    received: int
    objections: int
    handled: int
    on_time: int
    changed: int
    open: int


def comment_report(
    db: Database, start: date, end: date, units: Collection[str | None] | None = None
) -> list[CommentCounts]:
    """Comments received from ``start`` to ``end`` (days in Vietnam, both included) per proposing unit; ``units``
    (None: all) are the handling units the reader reaches."""
    zone = ZoneInfo(DEFAULT_ZONE)
    since = datetime.combine(start, time(0), zone)
    until = datetime.combine(end + timedelta(days=1), time(0), zone)
    handled = PublicComment.state == "handled"

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)

    stmt = (
        select(
            Dossier.unit_name,
            func.count(PublicComment.id),
            count(PublicComment.kind == "phan_anh"),
            count(handled),
            count(handled & PublicComment.handled_on_time.is_(True)),
            count(handled & PublicComment.changes_proposal.is_(True)),
            count(~handled),
        )
        .join(Dossier, Dossier.id == PublicComment.dossier_id)
        .join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
        .where(PublicComment.received_at >= since, PublicComment.received_at < until)
        .where(in_units(ProcessInstance.unit, units))
        .group_by(Dossier.unit_name)
        .order_by(Dossier.unit_name)
    )
    with db.reading() as session:
        return [
            CommentCounts(unit, int(received), int(objections), int(done), int(on_time), int(changed), int(waiting))
            for unit, received, objections, done, on_time, changed, waiting in session.execute(stmt).tuples()
        ]
