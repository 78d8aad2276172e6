"""The decisions published after issue (công khai kết quả khen thưởng): who was awarded what, by which decision.

Only what the law makes public leaves here: the awardee's name and unit, the award, the decision's number and
date, and the dossier code for the status look-up; never gender, position, facts or bonus amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from engine.db import Database
from handlers import rulesets
from handlers.models import Decision, DecisionLine, Dossier

__all__ = ["Awarded", "PublishedDecisions"]

PAGE = 50


@dataclass(frozen=True)
class Awarded:
    name: str
    unit: str
    award_name: str
    decision: str
    signed_at: datetime
    code: str


class PublishedDecisions:
    """Search the issued decisions' awardees, newest decision first."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, query: str = "", page: int = 1) -> tuple[list[Awarded], bool]:
        """One page of awardees matching ``query`` (name, unit, decision number or dossier code, any case);
        the flag says whether another page follows."""
        wanted = f"%{query.strip().lower()}%"
        with self.db.reading() as session:
            stmt = (
                select(DecisionLine, Decision, Dossier)
                .join(Decision, Decision.id == DecisionLine.decision_id)
                .join(Dossier, Dossier.id == Decision.dossier_id)
                .order_by(Decision.signed_at.desc(), Decision.id.desc(), DecisionLine.seq)
                .offset((page - 1) * PAGE)
                .limit(PAGE + 1)
            )
            if query.strip():
                stmt = stmt.where(
                    or_(
                        func.lower(DecisionLine.name).like(wanted),
                        func.lower(func.coalesce(DecisionLine.unit, "")).like(wanted),
                        func.lower(Decision.symbol).like(wanted),
                        func.lower(Dossier.code).like(wanted),
                    )
                )
            found = []
            for line, decision, dossier in session.execute(stmt).tuples():
                award = rulesets.by_id(session, dossier.rule_set_id).award_types.get(dossier.award_type)
                found.append(
                    Awarded(
                        line.name,
                        line.unit or dossier.unit_name,
                        award.name if award else dossier.award_type,
                        decision.symbol,
                        decision.signed_at,
                        dossier.code,
                    )
                )
            return found[:PAGE], len(found) > PAGE
