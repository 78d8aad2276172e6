"""Council handlers: convene a sitting, record and tally it, the chair's tie-break, the standing body's review
where no vote is held, and the minutes (Biên bản kiểm phiếu). The arithmetic is in :mod:`handlers.tally`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from engine import clock
from engine.errors import InvalidInput, InvalidState
from handlers import documents, records, tally, templates
from handlers.catalogue import Council, Vote, format_ratio
from handlers.consultation_service import comments_of
from handlers.models import CouncilSession, CouncilVote, Nominee
from handlers.records import Current
from handlers.storage import Store

__all__ = ["chair_decides", "convene", "minutes", "record", "standing_review"]


def _vote(cur: Current) -> tuple[Vote, Council]:
    vote = cur.award.vote
    if vote is None:
        raise InvalidState(f"{cur.award.name} is not voted on by a council")
    return vote, cur.rules.councils[vote.council]


def _candidates(cur: Current) -> list[Nominee]:
    return [n for n in cur.dossier.nominees if n.state in ("eligible", "passed", "failed")]


def _women_priority(cur: Current, nominee: Nominee) -> bool:
    if nominee.kind == "individual":
        return nominee.gender == "nu"
    women, total = nominee.facts.get("women_members"), nominee.facts.get("members_total")
    if not isinstance(women, int) or not isinstance(total, int) or total <= 0:
        return False
    return women * cur.rules.women_priority_ratio.denominator >= cur.rules.women_priority_ratio.numerator * total


def _latest(cur: Current) -> CouncilSession:
    row = cur.session.scalars(
        select(CouncilSession).where(CouncilSession.dossier_id == cur.dossier.id).order_by(CouncilSession.round.desc())
    ).first()
    if row is None:
        raise InvalidState(f"no council sitting was convened for dossier {cur.dossier.code}")
    return row


def convene(session_date: str | None = None, quota: int | None = None) -> dict[str, Any]:
    """A sitting (another round when the last one missed its quorum): members, quorum, votes needed."""
    cur = records.current()
    vote, council = _vote(cur)
    rounds = cur.session.scalar(
        select(func.count()).select_from(CouncilSession).where(CouncilSession.dossier_id == cur.dossier.id)
    )
    members = len(council.members)
    try:
        day = date.fromisoformat(session_date) if session_date else None
    except ValueError:
        raise InvalidInput("the session date is YYYY-MM-DD", {"session_date": ["YYYY-MM-DD"]}) from None
    row = CouncilSession(
        dossier_id=cur.dossier.id,
        round=int(rounds or 0) + 1,
        council=council.code,
        session_date=day,
        members_total=members,
        present=[],
        quorum=format_ratio(vote.quorum),
        threshold=format_ratio(vote.threshold),
        quota=quota if quota is not None else cur.award.quota,
        convened_at=clock.now(),
    )
    cur.session.add(row)
    cur.session.flush()
    for nominee in _candidates(cur):
        nominee.state, nominee.reason = "eligible", None
    return {
        "session": row.id,
        "round": row.round,
        "council": council.name,
        "members": [{"code": m.code, "name": m.name, "role": m.role} for m in council.members],
        "quorum_needed": tally.at_least(vote.quorum, members),
        "votes_needed": tally.at_least(vote.threshold, members),
        "quota": row.quota,
        "candidates": [{"id": n.id, "name": n.name} for n in _candidates(cur)],
    }


def record(
    present: Sequence[str],
    ballots: Sequence[Mapping[str, Any]],
    written_votes: Sequence[Mapping[str, Any]] | None = None,
    chair_order: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The secretary's record of the sitting: attendance, ballot count, absentees' written votes; tallied."""
    cur = records.current()
    row = _latest(cur)
    row.present = [str(code) for code in present]
    row.ballots = {str(int(b["nominee"])): int(b["approve"]) for b in ballots}
    row.written_votes = {str(w["member"]): [int(x) for x in w.get("approve", [])] for w in written_votes or []}
    row.chair_order = [int(x) for x in chair_order] if chair_order else None
    return _tally(cur, row)


def chair_decides(chair_order: Sequence[int]) -> dict[str, Any]:
    """The chair's order for candidates tied across the quota line; the same sitting is tallied again."""
    cur = records.current()
    row = _latest(cur)
    row.chair_order = [int(x) for x in chair_order]
    return _tally(cur, row)


def _tally(cur: Current, row: CouncilSession) -> dict[str, Any]:
    vote, council = _vote(cur)
    nominees = {n.id: n for n in _candidates(cur)}
    candidates = [tally.Candidate(n.id, n.name, _women_priority(cur, n)) for n in nominees.values()]
    sitting = tally.Sitting(
        council.codes(),
        row.present,
        {int(k): v for k, v in row.ballots.items()},
        row.written_votes,
        row.chair_order,
    )
    result = tally.count(candidates, sitting, threshold=vote.threshold, quorum=vote.quorum, quota=row.quota)
    row.quorum_met, row.tallied_at = result.quorum_met, clock.now()
    if not result.quorum_met:
        return {
            "quorum_met": False,
            "needs_chair": [],
            "present": result.present,
            "quorum_needed": result.quorum_needed,
        }
    by_id = {v.nominee_id: v for v in row.votes}
    for outcome in result.outcomes:
        vote_row = by_id.get(outcome.candidate.id)
        if vote_row is None:
            vote_row = CouncilVote(nominee_id=outcome.candidate.id)
            row.votes.append(vote_row)
        vote_row.ballots, vote_row.written = outcome.ballots, outcome.written
        vote_row.total, vote_row.passed = outcome.total, outcome.passed
        vote_row.rank, vote_row.selected, vote_row.reason = outcome.rank, outcome.selected, outcome.reason
        nominee = nominees[outcome.candidate.id]
        undecided = outcome.candidate.id in result.needs_chair
        nominee.state = "passed" if outcome.selected else "eligible" if undecided else "failed"
        nominee.reason = None if outcome.selected or undecided else outcome.reason
    cur.session.flush()
    return {
        "quorum_met": True,
        "needs_chair": list(result.needs_chair),
        "selected": len(result.selected),
        "votes_needed": result.votes_needed,
    }


def standing_review(excluded: Sequence[Mapping[str, Any]] | None = None, note: str = "") -> dict[str, Any]:
    """Where no vote is held, the council's standing body reviews: everyone it does not exclude passes."""
    cur = records.current()
    out = {int(item.get("nominee", 0)): str(item.get("reason") or "") for item in excluded or []}
    unknown = sorted(set(out) - {n.id for n in cur.dossier.nominees})
    if unknown:
        raise InvalidInput("unknown nominees", {"excluded": [f"not a nominee of this dossier: {unknown}"]})
    for nominee in _candidates(cur):
        if nominee.id in out:
            nominee.state = "failed"
            nominee.reason = f"Thường trực Hội đồng không thống nhất: {out[nominee.id] or note or 'không đề nghị'}"
        else:
            nominee.state, nominee.reason = "passed", None
    return {"quorum_met": True, "needs_chair": [], "selected": sum(n.state == "passed" for n in cur.dossier.nominees)}


def minutes(*, store: Store) -> dict[str, Any]:
    """The Biên bản kiểm phiếu of the sitting that decided."""
    cur = records.current()
    _, council = _vote(cur)
    row = _latest(cur)
    names = {n.id: n.name for n in cur.dossier.nominees}
    doc = templates.minutes(
        cur.dossier,
        cur.rules,
        session=row,
        names=names,
        council_name=council.name,
        comments=comments_of(cur.session, cur.dossier),
    )
    return {"documents": documents.save(cur.session, store, cur.dossier, "minutes", doc, cur.actor)}
