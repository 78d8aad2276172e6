"""A sitting is recorded only from its meeting's date, and no vote is taken on a proposal while an objection a
citizen sent in its public consultation is not handled: listeners, whatever completes the council step.

The secretary's page, the task API, the command line and the demo all complete ``record_session`` through
the engine; the engine announces the closed task inside that transaction, and this listener refuses it (the
whole action rolls back) while the meeting's date has not come yet in the users' time zone.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine import clock
from engine.errors import InvalidInput
from engine.events import Listeners, TaskClosed
from engine.models import ProcessInstance
from handlers.consultation_service import unresolved_objections
from handlers.models import CouncilSession, Dossier

__all__ = ["DECIDING_STEPS", "RECORDING_STEPS", "subscribe"]

#: the council steps that record what happened at the sitting (attendance, votes, the chair's order)
RECORDING_STEPS = ("record_session", "chair_tiebreak")
#: the steps that decide on the proposal: the council's vote, or the standing body's review where none is held
DECIDING_STEPS = ("record_session", "standing_review")


def subscribe(listeners: Listeners, time_zone: str) -> None:
    """Refuse a sitting's record before its meeting's date (``time_zone``: where the council meets)."""
    zone = ZoneInfo(time_zone)
    listeners.subscribe(TaskClosed, lambda event: refuse_early(event, zone))
    listeners.subscribe(TaskClosed, refuse_unhandled_objections)


def refuse_unhandled_objections(event: TaskClosed) -> None:
    """InvalidInput (in Vietnamese) when a deciding step closes while a citizen's objection awaits handling."""
    row = event.row
    if event.aborted or row.element_id not in DECIDING_STEPS:
        return
    session = event.session
    code = session.scalar(select(ProcessInstance.business_key).where(ProcessInstance.id == row.instance_id))
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).first() if code else None
    waiting = unresolved_objections(session, dossier.id) if dossier is not None else 0
    if waiting:
        message = (
            f"Chưa thể biểu quyết: còn {waiting} ý kiến phản ánh của nhân dân về danh sách đề nghị chưa được "
            "xác minh, trả lời. Chuyên viên thẩm định cần xử lý trước."
        )
        raise InvalidInput(message, {"public_comments": [message]})


def refuse_early(event: TaskClosed, zone: ZoneInfo) -> None:
    """InvalidInput (in Vietnamese, naming the meeting's date) when a recording step closes too early."""
    row = event.row
    if event.aborted or row.element_id not in RECORDING_STEPS:
        return
    session = event.session
    code = session.scalar(select(ProcessInstance.business_key).where(ProcessInstance.id == row.instance_id))
    if not code:
        return
    meeting = session.scalar(
        select(CouncilSession.session_date)
        .join(Dossier, Dossier.id == CouncilSession.dossier_id)
        .where(Dossier.code == code)
        .order_by(CouncilSession.round.desc())
        .limit(1)
    )
    today = clock.now().astimezone(zone).date()
    if meeting is not None and today < meeting:
        message = f"Chưa đến ngày họp ({meeting:%d/%m/%Y}): chỉ ghi điểm danh và kết quả biểu quyết từ ngày họp."
        raise InvalidInput(message, {"session_date": [message]})
