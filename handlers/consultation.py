"""Public consultation handlers (Law 06/2022 art. 84): the proposed list published for comment for the working
days its rule set says, closed when the procedure's timer fires; and the appraiser's handling of one comment.

Handler names: ``consultation.open`` / ``publish`` / ``close`` in ``consultation.bpmn`` (called from the award
procedure), ``consultation.handle_comment`` in ``public_comment.bpmn`` (one instance per comment).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine import clock
from engine.errors import InvalidInput, NotFound
from engine.execution import current_execution
from engine.models import HumanTask
from handlers import records
from handlers.models import Consultation, PublicComment

__all__ = ["close", "handle_comment", "open_", "publish"]

#: the user task of public_comment.bpmn whose due time says whether a comment was handled on time
HANDLING_STEP = "handle_comment"


def open_() -> dict[str, Any]:
    """Whether the dossier's rule set publishes its award for comment, and for how many working days."""
    cur = records.current()
    rules = cur.rules.consultation
    if rules is None or not rules.applies(cur.dossier.award_type):
        return {"applies": False, "days": 0}
    return {"applies": True, "days": rules.days}


def publish(days: int, ends_at: str) -> dict[str, Any]:
    """Publish the proposed list until ``ends_at`` (the timer's own due time, computed in working time)."""
    cur = records.current()
    try:
        end = datetime.fromisoformat(ends_at)
    except (TypeError, ValueError):
        raise InvalidInput("the consultation's end is an ISO time", {"ends_at": ["ISO 8601"]}) from None
    row = cur.session.scalar(select(Consultation).where(Consultation.dossier_id == cur.dossier.id))
    if row is None:
        row = Consultation(dossier_id=cur.dossier.id, days=int(days), opened_at=clock.now(), ends_at=end)
        cur.session.add(row)
    else:  # the step run again (an instance migrated back before it): the period starts anew
        row.days, row.opened_at, row.ends_at, row.closed_at = int(days), clock.now(), end, None
    cur.session.flush()
    return {"ends_at": end.isoformat()}


def close() -> dict[str, Any]:
    """The period is over: the list leaves the public page; comments received stay with their handling."""
    cur = records.current()
    row = cur.session.scalar(select(Consultation).where(Consultation.dossier_id == cur.dossier.id))
    if row is None:
        raise NotFound(f"dossier {cur.dossier.code} was not published for comment")
    row.closed_at = clock.now()
    received = cur.session.scalar(
        select(func.count()).select_from(PublicComment).where(PublicComment.dossier_id == cur.dossier.id)
    )
    return {"comments": int(received or 0)}


def handle_comment(receipt: str, substantiated: bool, answer: str, changes_proposal: bool = False) -> dict[str, Any]:
    """The appraiser verified the comment, answered it and said whether it changes the proposal."""
    ctx = current_execution()
    row = ctx.session.scalar(select(PublicComment).where(PublicComment.receipt == receipt))
    if row is None:
        raise NotFound(f"no public comment {receipt!r}")
    now = clock.now()
    due = ctx.session.scalar(
        select(HumanTask.due_at).where(HumanTask.instance_id == ctx.instance.id, HumanTask.element_id == HANDLING_STEP)
    )
    row.state, row.substantiated, row.answer = "handled", bool(substantiated), str(answer).strip()
    row.changes_proposal = bool(changes_proposal) and bool(substantiated)
    row.handled_at, row.handled_by = now, ctx.actor
    row.handled_on_time = due is None or now <= due
    return {"receipt": receipt, "handled": True}
