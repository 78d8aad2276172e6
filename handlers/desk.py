"""What the web layer (and the demo) call around a dossier's process: codes, uploads, submit, supplement,
withdrawal, the apology with a new date, and the public look-up by code (status and appointment only).

These are service calls with their own transactions, not BPMN handlers; they go through the engine's
services (runtime, sla) so that everything they change is audited like any other action.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine import Engine, clock
from engine.errors import InvalidState, NotFound
from engine.runtime import InstanceView
from handlers import documents, numbering, papers, records, rulesets, templates
from handlers.catalogue import Catalogue
from handlers.models import Dossier
from handlers.storage import Store
from handlers.timefmt import fmt_date, local_day

__all__ = ["PublicStatus", "lookup", "next_code", "reschedule", "return_supplement", "rules_on", "submit", "upload"]

MAIN_PROCESS = "award_dossier"
SUPPLEMENT_MESSAGE = "bo_sung_ho_so"
WITHDRAW_MESSAGE = "rut_ho_so"
#: the counter a dossier code is drawn from (per year), next to the decision counters
CODE_COUNTER = "HO_SO"


def rules_on(engine: Engine, day: date | None = None) -> Catalogue:
    """The rule set in force on ``day`` (today by default), loading the shipped catalogue if needed."""
    with engine.db.transaction() as session:
        rulesets.ensure_shipped(session)
        return rulesets.in_force(session, day or local_day(clock.now()))[1]


def next_code(engine: Engine, year: int | None = None) -> str:
    """A new dossier code, ``HS-2026-000042`` (a number taken in its own transaction)."""
    year = year or local_day(clock.now()).year
    with engine.db.transaction() as session:
        number = numbering.allocate(session, CODE_COUNTER, year)
    return f"HS-{year}-{number:06d}"


def upload(engine: Engine, store: Store, code: str, filename: str, data: bytes) -> dict[str, Any]:
    """One paper, checked against today's limits and stored; its metadata goes into the submission."""
    return papers.upload(store, rules_on(engine), code, filename, data)


def submit(
    engine: Engine, submission: Mapping[str, Any], *, code: str, actor: str, unit: str | None = None
) -> InstanceView:
    """Start the dossier's process (status 1, then the desk's completeness check)."""
    return engine.runtime.start(
        MAIN_PROCESS, business_key=code, data={"submission": dict(submission)}, actor=actor, unit=unit
    )


def return_supplement(engine: Engine, code: str, listed: Sequence[Mapping[str, Any]], actor: str) -> None:
    """The applicant brings the supplementary papers (uploaded first with :func:`upload`)."""
    engine.runtime.correlate(
        SUPPLEMENT_MESSAGE, business_key=code, payload={"papers": [dict(p) for p in listed]}, actor=actor
    )


def withdraw(engine: Engine, code: str, reason: str, actor: str) -> None:
    """The applicant asks to stop; refused (NotFound) once the dossier went to signing or ended."""
    engine.runtime.correlate(WITHDRAW_MESSAGE, business_key=code, payload={"reason": reason}, actor=actor)


def reschedule(engine: Engine, store: Store, code: str, new_due: datetime, reason: str, actor: str) -> dict[str, Any]:
    """The apology and new date (once, ≥ 1 working day before the due date), with its letter."""
    with engine.db.transaction() as session:
        dossier = records.by_code(session, code)
        old_due, instance_id = dossier.due_at, dossier.instance_id
    if instance_id is None or old_due is None:
        raise InvalidState(f"dossier {code} has no appointment date yet")
    row = engine.sla.reschedule(instance_id, new_due, reason, actor)
    with engine.db.transaction() as session:
        dossier = records.by_code(session, code)
        dossier.due_at = row.due_at
        rules = rulesets.by_id(session, dossier.rule_set_id)
        doc = templates.apology(
            dossier,
            rules,
            old_due=old_due,
            new_due=row.due_at,
            reason=reason,
            officer=records.display_name(session, actor),
        )
        saved = documents.save(session, store, dossier, "apology", doc, actor)
    return {"due_at": row.due_at.isoformat(), "appointment": fmt_date(row.due_at), "documents": saved}


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may see with a dossier code: nothing personal."""

    code: str
    status: int
    status_name: str
    appointment: str | None


def lookup(engine: Engine, code: str) -> PublicStatus:
    """Status and appointment date of a dossier, for the public look-up (no login)."""
    with engine.db.transaction() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code.strip())).first()
        if dossier is None:
            raise NotFound(f"no dossier {code!r}")
        appointment = fmt_date(dossier.due_at) if dossier.due_at and dossier.status not in (3, 7, 8) else None
        return PublicStatus(dossier.code, dossier.status, records.STATUS_NAMES[dossier.status], appointment)
