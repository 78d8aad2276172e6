"""The dossier's appointment follows its clock: one listener, whatever moved the clock.

The engine's dossier clock (``sla_clock``) is the one source of the due date. The dossier record keeps a
copy for its reports and the public look-up, and this listener is the only place that writes it: when the
clock starts, resumes or restarts after a supplement, is moved by the apology, or
finishes. A move by the apology also makes the letter (Văn bản xin lỗi và hẹn lại ngày trả kết quả), so
the page, the API and the command line give the same slip, look-up, appointment and letter.
"""

from __future__ import annotations

from engine.events import ClockChanged, Listeners
from handlers import documents, records, rulesets, templates
from handlers.storage import Store

__all__ = ["subscribe"]


def subscribe(listeners: Listeners, store: Store) -> None:
    """Have the dossier records follow their clocks (the letters go to ``store``)."""
    listeners.subscribe(ClockChanged, lambda event: follow(event, store))


def follow(event: ClockChanged, store: Store) -> None:
    """Copy the clock's dates to the dossier of its instance; write the apology when the date was moved."""
    session, clock_row = event.session, event.clock
    code = event.instance.business_key
    dossier = records.find(session, code) if code else None
    if dossier is None:  # a clock on a process that keeps no dossier record
        return
    dossier.due_at = clock_row.due_at
    if event.change == "rescheduled":
        doc = templates.apology(
            dossier,
            rulesets.by_id(session, dossier.rule_set_id),
            old_due=event.previous_due,
            new_due=clock_row.due_at,
            reason=event.reason or "",
            officer=records.display_name(session, event.actor),
        )
        documents.save(session, store, dossier, "apology", doc, event.actor)
