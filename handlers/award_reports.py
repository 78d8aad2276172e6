"""The award-report service: who the awards went to, per award type — individuals awarded, those holding no
leadership post, and women — and the awardees behind each number.

Read from the dossier records: an award is a line of a signed decision; its nominee says whether the person
is a leader or manager and their gender; the decision's signing day places it in the range. Without any award
in the range the dashboard says there is no award data rather than show numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, not_, select
from sqlalchemy.orm import Session

from engine.db import Database
from handlers import models
from handlers.timefmt import ZONE

__all__ = ["WHO", "AwardCount", "AwardReportService", "Awardee", "total"]

WHO = ("all", "individual", "non_leader", "women")


@dataclass(frozen=True)
class AwardCount:
    """Awards of one type (``award_type`` None: all types together)."""

    award_type: str | None
    name: str
    awards: int
    individuals: int
    non_leaders: int
    women: int

    @property
    def non_leader_share(self) -> float | None:
        return round(self.non_leaders / self.individuals, 4) if self.individuals else None

    @property
    def women_share(self) -> float | None:
        return round(self.women / self.individuals, 4) if self.individuals else None


@dataclass(frozen=True)
class Awardee:
    """One awarded nominee, for the drill-down list."""

    code: str
    unit: str
    award: str
    name: str
    kind: str
    gender: str | None
    position: str | None
    is_leader: bool
    decision: str
    signed_at: datetime


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), ZONE), datetime.combine(end + timedelta(days=1), time(0), ZONE)


def _awarded(start: date, end: date, unit: str | None, *columns: Any) -> Any:
    """Decision lines signed in the range (and unit), joined to their nominee, decision and dossier."""
    m = models
    low, high = _window(start, end)
    stmt = (
        select(*columns)
        .select_from(m.DecisionLine)
        .join(m.Decision, m.Decision.id == m.DecisionLine.decision_id)
        .join(m.Nominee, m.Nominee.id == m.DecisionLine.nominee_id)
        .join(m.Dossier, m.Dossier.id == m.Decision.dossier_id)
        .where(m.Decision.signed_at >= low, m.Decision.signed_at < high)
    )
    return stmt.where(m.Dossier.unit == unit) if unit else stmt


def _names(session: Session) -> dict[str, str]:
    """Award names from the rule sets (newest wins), e.g. CSTD_CS → "Chiến sĩ thi đua cơ sở"."""
    names: dict[str, str] = {}
    for content in session.scalars(select(models.RuleSet.content).order_by(models.RuleSet.effective_from)):
        for code, award in ((content or {}).get("award_types") or {}).items():
            if isinstance(award, dict) and award.get("name"):
                names[code] = str(award["name"])
    return names


class AwardReportService:
    """Reads of the award records for the supervisor's dashboard, its drill-down and exports."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def counts(self, start: date, end: date, *, unit: str | None = None) -> list[AwardCount]:
        """Per award type, awards signed from ``start`` to ``end``."""
        return _counts(self.db, start, end, unit)

    def awardees(
        self, start: date, end: date, *, unit: str | None, award_type: str | None, who: str
    ) -> list[Awardee]:
        """The awardees behind one number of :meth:`counts` (``who``: all, individual, non_leader, women)."""
        return _awardees(self.db, start, end, unit, award_type, who)


def _counts(db: Database, start: date, end: date, unit: str | None) -> list[AwardCount]:
    m = models
    person = m.Nominee.kind == "individual"

    def ones(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = _awarded(
        start,
        end,
        unit,
        m.Dossier.award_type,
        func.count(),
        ones(person),
        ones(and_(person, not_(m.Nominee.is_leader))),
        ones(and_(person, m.Nominee.gender == "nu")),
    ).group_by(m.Dossier.award_type)
    with db.reading() as session:
        names = _names(session)
        rows = session.execute(stmt.order_by(m.Dossier.award_type)).all()
        return [AwardCount(t, names.get(t, t), int(a), int(i), int(n), int(w)) for t, a, i, n, w in rows]


def total(counts: list[AwardCount]) -> AwardCount:
    """All types together."""
    sums = [sum(getattr(c, name) for c in counts) for name in ("awards", "individuals", "non_leaders", "women")]
    return AwardCount(None, "", *sums)


def _awardees(
    db: Database, start: date, end: date, unit: str | None, award_type: str | None, who: str
) -> list[Awardee]:
    m = models
    stmt = _awarded(start, end, unit, m.Dossier, m.Nominee, m.Decision)
    if award_type:
        stmt = stmt.where(m.Dossier.award_type == award_type)
    if who != "all":
        stmt = stmt.where(m.Nominee.kind == "individual")
    if who == "non_leader":
        stmt = stmt.where(not_(m.Nominee.is_leader))
    elif who == "women":
        stmt = stmt.where(m.Nominee.gender == "nu")
    with db.reading() as session:
        names = _names(session)
        rows = session.execute(stmt.order_by(m.Decision.signed_at, m.Dossier.code, m.Nominee.seq)).all()
        return [
            Awardee(
                code=dossier.code,
                unit=dossier.unit,
                award=names.get(dossier.award_type, dossier.award_type),
                name=nominee.name,
                kind=nominee.kind,
                gender=nominee.gender,
                position=nominee.position,
                is_leader=nominee.is_leader,
                decision=decision.symbol,
                signed_at=decision.signed_at,
            )
            for dossier, nominee, decision in rows
        ]
