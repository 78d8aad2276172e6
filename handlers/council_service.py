"""The council's view of a dossier for the secretary's pages: its council, candidates and the counts to reach,
counted the way :mod:`handlers.tally` counts them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from engine import Engine
from engine.errors import NotFound
from engine.identity import Actor
from engine.models import ProcessInstance
from engine.tasks import TaskView
from handlers import rulesets, tally
from handlers.catalogue import Council, Vote
from handlers.dossier_service import reachable
from handlers.models import CouncilSession, Dossier, Nominee

__all__ = ["CouncilService", "Sitting", "Waiting"]


@dataclass(frozen=True)
class Sitting:
    """What the session page needs: the dossier, its council, the candidates and the two counts to reach."""

    dossier: Dossier
    vote: Vote
    council: Council
    candidates: list[Nominee]
    quorum_needed: int
    votes_needed: int
    session: CouncilSession | None

    @property
    def members_total(self) -> int:
        return len(self.council.members)


@dataclass(frozen=True)
class Waiting:
    """A dossier on the council's list, as the secretary recognises it."""

    title: str
    unit_name: str
    award: str
    session_date: date | None


class CouncilService:
    """Reads of the council's sittings (the changes are the council tasks' completions)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, caller: Actor, task: TaskView, data: dict[str, Any]) -> TaskView:
        """Convene or record a sitting: the secretary takes the council step and completes it with the page's
        data, in one transaction (the tally and the minutes run inside it)."""
        with self.engine.db.transaction():
            if task.assignee != caller.username:
                self.engine.tasks.claim(task.id, caller.username)
            return self.engine.tasks.complete(task.id, caller.username, data)

    def waiting(self, caller: Actor, codes: Iterable[str]) -> dict[str, Waiting]:
        """What the council's list shows of each dossier the caller's units reach (title, proposing unit, award,
        latest meeting date), read at once; codes out of reach are left out."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        with self.engine.db.reading() as session:
            found = session.execute(
                select(Dossier, ProcessInstance.unit)
                .join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
                .where(Dossier.code.in_(wanted))
            ).tuples()
            rows = [d for d, unit in found if self.engine.access.reaches_unit(caller, unit)]
            meetings = dict(
                session.execute(
                    select(CouncilSession.dossier_id, CouncilSession.session_date)
                    .where(CouncilSession.dossier_id.in_([d.id for d in rows]))
                    .order_by(CouncilSession.round)
                ).tuples().all()
            )
            awards = {d.id: rulesets.by_id(session, d.rule_set_id).award(d.award_type).name for d in rows}
        return {d.code: Waiting(d.title, d.unit_name, awards[d.id], meetings.get(d.id)) for d in rows}

    def sitting(self, caller: Actor, code: str) -> Sitting:
        """The council facts of a dossier the caller's units reach (NotFound otherwise, or without a vote)."""
        with self.engine.db.reading() as session:
            d = reachable(session, self.engine.access, caller, code)
            rules = rulesets.by_id(session, d.rule_set_id)
            latest = session.scalars(
                select(CouncilSession).where(CouncilSession.dossier_id == d.id).order_by(CouncilSession.round.desc())
            ).first()
        vote = rules.award(d.award_type).vote
        if vote is None:
            raise NotFound(f"dossier {code} is not voted on by a council")
        council = rules.councils[vote.council]
        members = len(council.members)
        candidates = [n for n in d.nominees if n.state in ("eligible", "passed", "failed")]
        return Sitting(
            d,
            vote,
            council,
            candidates,
            tally.at_least(vote.quorum, members),
            tally.at_least(vote.threshold, members),
            latest,
        )
