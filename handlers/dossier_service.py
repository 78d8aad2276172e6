"""The dossier service: what the desk, the API, the command line and the demo do with a dossier, each action
one unit of work.

A composite action (receive a dossier and accept it at the counter; reschedule with its apology; a
withdrawal) runs in one transaction: the engine services it calls join it, so the action with its audit
events commits whole or not at all. Reads run in a reading unit of work and never take the write lock.
The unit scope is checked inside the same unit of work as the action (the engine's access policy).
Files (papers, generated documents) are written to the store before the commit; a rolled-back action
leaves at most an unreferenced file, never a row that points nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, raiseload

from engine import Engine, clock
from engine.access import AccessPolicy
from engine.errors import InvalidInput, InvalidState, NotFound
from engine.identity import Actor, members
from engine.inbox import MAX_PAGE
from engine.models import ProcessInstance, SlaClock
from engine.sla import INTAKE_START
from engine.tasks import TaskView
from handlers import documents, numbering, papers, reading, records, rulesets
from handlers.appraisal import APPRAISER_GROUP, outcomes_for
from handlers.catalogue import Catalogue
from handlers.dossiers import validate_submission
from handlers.models import Document, Dossier, Nominee, Paper
from handlers.storage import Store
from handlers.timefmt import fmt_date, local_day
from handlers.units import Unit, proposing_units, require_unit

__all__ = ["DESK_TASKS", "SORTS", "DossierService", "PublicStatus"]

MAIN_PROCESS = "award_dossier"
SUPPLEMENT_MESSAGE = "bo_sung_ho_so"
WITHDRAW_MESSAGE = "rut_ho_so"
#: the counter a dossier code is drawn from (per year), next to the decision counters
CODE_COUNTER = "HO_SO"
#: the desk's own tasks on a dossier (intake): completeness check, the re-check after the supplement
DESK_TASKS = ("check_completeness", "recheck_completeness")
#: statuses in which a dossier has no appointment to keep (refused, withdrawn, stopped), or none yet: waiting for
#: a supplement its clock stopped, and the date is set again when the papers come
NO_APPOINTMENT = (records.REFUSED, records.WITHDRAWN, records.STOPPED, records.SUPPLEMENT)
#: codes asked for in one query of :meth:`DossierService.statuses` (well under any database's bound variables)
_CODES_PER_QUERY = 500
#: how the dossier list may be ordered (the first is the default)
SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "newest": (Dossier.id.desc(),),
    "code": (Dossier.code.asc(),),
    "due": (Dossier.due_at.is_(None), Dossier.due_at.asc(), Dossier.id.desc()),
    "status": (Dossier.status.asc(), Dossier.id.desc()),
    "unit": (Dossier.unit_name.asc(), Dossier.id.desc()),
}


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may see with a dossier code: nothing personal."""

    code: str
    status: int
    status_name: str
    appointment: str | None
    #: while waiting for papers (status 5): the papers the supplement request listed, by name
    to_bring: tuple[str, ...] = ()
    #: while waiting for papers: the day the supplement was asked for (dd/mm/yyyy)
    asked_on: str | None = None
    #: while waiting for papers: what the return does to the clock — "start" (asked at intake: the limit counts
    #: from the day the dossier is complete), "resume" (the time left is counted on) or "restart" (the whole
    #: limit again from the return), the award type's policy
    on_return: str | None = None
    #: while waiting for papers: the working days the office has from the return to the result
    days_on_return: float | None = None
    #: while waiting for papers: the last day to bring them (dd/mm/yyyy), when the rule set sets one
    bring_by: str | None = None
    #: that day has passed without the papers
    bring_by_passed: bool = False


class DossierService:
    """Dossiers at the desk and through the API. Every method is one unit of work."""

    def __init__(self, engine: Engine, store: Store) -> None:
        self.engine = engine
        self.store = store

    # -- the rules and the papers -----------------------------------------------------------------
    def load_catalogue(self) -> None:
        """Load the shipped rule sets missing from the database (at boot: reads never write)."""
        with self.engine.db.transaction() as session:
            rulesets.ensure_shipped(session)

    def catalogue(self, day: date | None = None) -> Catalogue:
        """The rule set in force on ``day`` (today by default)."""
        with self.engine.db.reading() as session:
            return rulesets.in_force(session, day or local_day(clock.now()))[1]

    def units(self) -> tuple[Unit, ...]:
        """The proposing units the desk picks from (a list kept as data)."""
        return proposing_units()

    def proposing_unit(self, code: str) -> Unit:
        """The listed unit with this code; InvalidInput for a code that is not on the list."""
        return require_unit(code)

    def upload(self, code: str, filename: str, data: bytes, rules: Catalogue | None = None) -> dict[str, Any]:
        """One paper, checked against today's limits and stored; its metadata goes into the submission.
        ``rules``: the rule set in force today, when the caller has just read it (a form sends several papers)."""
        return papers.upload(self.store, rules or self.catalogue(), code, filename, data)

    def listed_papers(self, listed: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Papers named by a code and the ``key`` an earlier upload returned, checked again from the bytes."""
        out: list[dict[str, Any]] = []
        rules = self.catalogue()
        for i, item in enumerate(listed):
            key = str(item.get("key") or "")
            if not papers.uploaded(self.store, key):
                raise InvalidInput(
                    "a listed paper was not uploaded", {f"papers[{i}].key": ["no uploaded file with this key"]}
                )
            out.append(self.upload(str(item.get("code")), str(item.get("filename") or key), self.store.get(key), rules))
        return out

    def submission_of(self, body: Mapping[str, Any], uploaded: list[dict[str, Any]]) -> dict[str, Any]:
        """The process data of a new dossier (defaults filled in, checked like ``dossier.register`` will)."""
        rules = self.catalogue()
        award = rules.award_types.get(str(body.get("award_type")))
        year = int(body.get("achievement_year") or (local_day(clock.now()).year - 1))
        submission = {
            "award_type": body.get("award_type"),
            "unit": body.get("unit"),
            "unit_name": body.get("unit_name") or body.get("unit"),
            "title": body.get("title") or f"Đề nghị khen thưởng {award.name if award else ''}".strip(),
            "achievement_year": year,
            "nominees": [_nominee(n) for n in body.get("nominees") or []],
            "papers": uploaded,
        }
        if body.get("applicant"):
            submission["applicant"] = dict(body["applicant"])
        validate_submission(rules, submission)
        papers.check_listed(self.store, rules, uploaded)
        return submission

    # -- actions ----------------------------------------------------------------------------------
    def receive(
        self,
        caller: Actor,
        submission: Mapping[str, Any],
        *,
        accept: bool = False,
        year: int | None = None,
        office: str | None = None,
    ) -> str:
        """A new dossier: its code, its process started (status 1) and, with ``accept``, the completeness check
        done at the counter (received, the receipt). ``office`` is the unit that handles it when the sender is
        not the desk itself (a cluster's proposal goes to the provincial desk); the caller's unit by default.
        One transaction; returns the code."""
        with self.engine.db.transaction() as session:
            code = _next_code(session, year)
            self.engine.runtime.start(
                MAIN_PROCESS,
                business_key=code,
                data={"submission": dict(submission)},
                actor=caller.username,
                unit=office or caller.unit,
            )
            if accept:
                self.accept(caller, code)
            return code

    def accept(self, caller: Actor, code: str, data: Mapping[str, Any] | None = None) -> TaskView:
        """The desk officer's completeness check at the counter (default: complete, received → the receipt)."""
        with self.engine.db.transaction() as session:
            row = self._reachable(session, caller, code)
            task = next((t for t in self.open_tasks(row) if t.element_id in DESK_TASKS), None)
            if task is None:
                raise NotFound(f"dossier {row.code} has no completeness check waiting")
            answer = dict(data or {"completeness" if task.element_id == DESK_TASKS[0] else "recheck": "tiep_nhan"})
            if task.assignee != caller.username:
                self.engine.tasks.claim(task.id, caller.username)
            return self.engine.tasks.complete(task.id, caller.username, answer)

    def return_supplement(self, caller: Actor, code: str, listed: Sequence[Mapping[str, Any]]) -> None:
        """The applicant brings the supplementary papers (uploaded first); InvalidState if none is awaited."""
        payload = {"papers": [dict(p) for p in listed]}
        self._deliver(caller, code, SUPPLEMENT_MESSAGE, payload, f"dossier {code} is not waiting for a supplement")

    def withdraw(self, caller: Actor, code: str, reason: str) -> None:
        """The applicant asks to stop; InvalidState once the dossier went to signing or ended."""
        self._deliver(caller, code, WITHDRAW_MESSAGE, {"reason": reason}, f"dossier {code} can no longer be withdrawn")

    def reschedule(self, caller: Actor, code: str, new_due: datetime, reason: str) -> dict[str, Any]:
        """The apology and new date (once, ≥ 1 working day before the due date); the letter is made by the
        clock's listener (:mod:`handlers.appointments`), as for every other way of moving the date."""
        with self.engine.db.transaction() as session:
            row = self._reachable(session, caller, code)
            if row.instance_id is None or row.due_at is None:
                raise InvalidState(f"dossier {code} has no appointment date yet")
            clock_row = self.engine.sla.reschedule(row.instance_id, new_due, reason, caller.username)
            letter = documents.latest(session, row.id, "apology")
            saved = [] if letter is None else [_document_ref(letter)]
            due = clock_row.due_at
            return {"due_at": due.isoformat(), "appointment": fmt_date(due), "documents": saved}

    # -- reads ------------------------------------------------------------------------------------
    def dossier(self, caller: Actor, code: str, *, parts: bool = True) -> Dossier:
        """The dossier if the caller's units reach the office handling it; NotFound otherwise (not told apart).
        Without ``parts``, its own columns only: its nominees and papers are not loaded (asking for them fails)."""
        with self.engine.db.reading() as session:
            return reachable(session, self.engine.access, caller, code, parts=parts)

    def statuses(self, caller: Actor, codes: Iterable[str]) -> dict[str, int]:
        """The status of each of ``codes`` the caller's units reach (the others are left out, as if unknown): a
        tally of many dossiers in one query per few hundred, not a read of each."""
        wanted, found = sorted(set(codes)), dict[str, int]()
        with self.engine.db.reading() as session:
            for first in range(0, len(wanted), _CODES_PER_QUERY):
                rows = session.execute(
                    select(Dossier.code, Dossier.status, ProcessInstance.unit)
                    .join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
                    .where(Dossier.code.in_(wanted[first : first + _CODES_PER_QUERY]))
                )
                found |= {r.code: r.status for r in rows if self.engine.access.reaches_unit(caller, r.unit)}
        return found

    def page(
        self,
        caller: Actor,
        *,
        status: int | None = None,
        award_type: str | None = None,
        unit: str | None = None,
        code: str | None = None,
        search: str | None = None,
        sort: str = "newest",
        page: int = 1,
        per_page: int = 50,
    ) -> tuple[list[Dossier], int]:
        """Dossiers handled by the caller's units (every unit for wide roles), ordered by ``sort`` (a key of
        :data:`SORTS`), with the total; ``search`` finds a code, a nominee's name, a unit or a status name. A page
        past :data:`~engine.inbox.MAX_PAGE` or an unknown status is refused, naming it."""
        refused: dict[str, list[str]] = {}
        if page > MAX_PAGE:
            refused["page"] = [f"must be between 1 and {MAX_PAGE}"]
        if status is not None and status not in records.STATUS_NAMES:
            refused["status"] = ["is not a dossier status"]
        if refused:
            raise InvalidInput(f"invalid dossier list query: {', '.join(refused)}", refused)
        stmt = select(Dossier).join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
        scope = self.engine.access.units(caller)
        if scope is not None:
            stmt = stmt.where(ProcessInstance.unit.in_([u for u in scope if u is not None]))
        if status is not None:
            stmt = stmt.where(Dossier.status == status)
        if award_type:
            stmt = stmt.where(Dossier.award_type == award_type)
        if unit:
            stmt = stmt.where(Dossier.unit == unit)
        if code:
            stmt = stmt.where(Dossier.code.contains(code.strip()))
        if search and search.strip():
            stmt = stmt.where(_matching(search.strip()))
        order = SORTS.get(sort, SORTS["newest"])
        with self.engine.db.reading() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(stmt.order_by(*order).offset((max(page, 1) - 1) * per_page).limit(per_page))
            return list(rows), int(total)

    def detail(self, caller: Actor, code: str) -> dict[str, Any]:
        """A dossier as the API shows it: the summary with its appointment, documents and ready tasks."""
        with self.engine.db.reading() as session:
            row = self._reachable(session, caller, code)
            out = summary(row, rulesets.by_id(session, row.rule_set_id))
            out["appointment"] = _appointment(row)
            out["documents"] = self._documents(session, row)
            out["tasks"] = self.open_tasks(row)
            return out

    def documents(self, row: Dossier) -> list[Document]:
        with self.engine.db.reading() as session:
            return self._documents(session, row)

    def document(self, row: Dossier, document_id: int) -> tuple[Document, bytes]:
        """One generated document of the dossier and its bytes."""
        with self.engine.db.reading() as session:
            found = session.get(Document, document_id)
            if found is None or found.dossier_id != row.id:
                raise NotFound(f"no document {document_id} in dossier {row.code}")
        return found, self.store.get(found.storage_key)

    def paper(self, row: Dossier, paper_id: int) -> tuple[Paper, bytes]:
        """One paper the proposing unit sent with the dossier, and its bytes."""
        with self.engine.db.reading() as session:
            found = session.get(Paper, paper_id)
            if found is None or found.dossier_id != row.id:
                raise NotFound(f"no paper {paper_id} in dossier {row.code}")
        return found, self.store.get(found.storage_key)

    def reading(self, caller: Actor, code: str) -> dict[str, Any] | None:
        """The dossier as the people working its steps read it: facts, nominees with their achievements,
        papers and generated documents; None when the code names no dossier (a process of another kind) or
        the caller's units do not reach it."""
        with self.engine.db.reading() as session:
            try:
                row = self._reachable(session, caller, code)
            except NotFound:
                return None
            rules = rulesets.by_id(session, row.rule_set_id)
            award = rules.award_types.get(row.award_type)
            return {
                "dossier": row,
                "award_name": award.name if award else row.award_type,
                "status_name": records.STATUS_NAMES[row.status],
                "nominees": [(n, reading.achievements(n.facts or {}, rules)) for n in row.nominees],
                "papers": [(p, rules.papers.get(p.code, p.code)) for p in row.papers],
                "documents": self._documents(session, row),
            }

    def choices(self, caller: Actor, code: str) -> dict[str, list[tuple[Any, str]]]:
        """What a step's form may pick from (``x-choices``): the dossier's nominees still in the running, the
        active appraisers of the unit handling it, the required papers of its award type, the appraiser's
        outcomes still open to it (the supplement only once; the form labels them). NotFound out of the
        caller's units."""
        with self.engine.db.reading() as session:
            row = self._reachable(session, caller, code)
            instance = session.get(ProcessInstance, row.instance_id) if row.instance_id else None
            unit = instance.unit if instance else None
            nominees = [(n.id, _nominee_label(n)) for n in row.nominees if n.state in ("proposed", "eligible")]
            people = [(u.username, u.display_name) for u in members(session, APPRAISER_GROUP, unit)]
            rules = rulesets.by_id(session, row.rule_set_id)
            award = rules.award_types.get(row.award_type)
            required = [(c, rules.papers.get(c, c)) for c in (award.required_papers if award else ())]
            outcomes = [(o, o) for o in outcomes_for(row)]
            return {"nominees": nominees, "appraisers": people, "papers": required, "appraisal_outcomes": outcomes}

    def open_tasks(self, row: Dossier) -> list[TaskView]:
        """The dossier's ready human tasks (its called processes run inside the same instance)."""
        if row.instance_id is None:
            return []
        return [t for t in self.engine.tasks.for_instance(row.instance_id) if t.state == "ready"]

    def lookup(self, code: str) -> PublicStatus:
        """Status and appointment date of a dossier, for the public look-up (no sign-in): the code is matched
        trimmed and in any case."""
        wanted = code.strip().upper()
        with self.engine.db.reading() as session:
            dossier = session.scalars(select(Dossier).where(func.upper(Dossier.code) == wanted)).first()
            if dossier is None:
                raise NotFound(f"no dossier {code.strip()!r}")
            on_return, days = self._on_return(session, dossier)
            awaited = on_return and dossier.supplement_returned_at is None
            due = dossier.supplement_due_at if awaited else None
            return PublicStatus(
                dossier.code,
                dossier.status,
                records.STATUS_NAMES[dossier.status],
                _appointment(dossier),
                _to_bring(dossier),
                fmt_date(dossier.supplement_requested_at) if on_return else None,
                on_return,
                days,
                fmt_date(due) if due else None,
                due is not None and local_day(clock.now()) > local_day(due),
            )

    # -- helpers ----------------------------------------------------------------------------------
    def _on_return(self, session: Session, row: Dossier) -> tuple[str | None, float | None]:
        """For a dossier waiting for its supplement: how its clock goes on when the papers come, and the
        working days the office then has (the limit, or what was left when the clock stopped)."""
        if row.status != records.SUPPLEMENT or row.supplement_requested_at is None:
            return None, None
        found = session.scalar(select(SlaClock).where(SlaClock.instance_id == row.instance_id))
        if found is None:
            return None, None
        cal = self.engine.sla.calendar_for(session, found.calendar)
        if row.received_at is None:
            how, left = INTAKE_START, cal.duration(found.limit)
        elif found.policy == "restart":
            how, left = found.policy, cal.duration(found.limit)
        else:
            how, left = "resume", cal.between(found.paused_at or clock.now(), found.due_at)
        return how, round(left / cal.day_length, 1)

    def _reachable(self, session: Session, caller: Actor, code: str) -> Dossier:
        return reachable(session, self.engine.access, caller, code)

    def _deliver(self, caller: Actor, code: str, message: str, payload: dict[str, Any], refused: str) -> None:
        with self.engine.db.transaction() as session:
            self._reachable(session, caller, code)
            try:
                self.engine.runtime.correlate(message, business_key=code, payload=payload, actor=caller.username)
            except NotFound:
                raise InvalidState(refused) from None

    @staticmethod
    def _documents(session: Session, row: Dossier) -> list[Document]:
        return list(session.scalars(select(Document).where(Document.dossier_id == row.id).order_by(Document.id)))


def reachable(session: Session, access: AccessPolicy, caller: Actor, code: str, *, parts: bool = True) -> Dossier:
    """The dossier if the caller's units reach the office handling it (its instance's unit); NotFound
    otherwise, not told apart from a dossier that does not exist. Without ``parts``: its nominees and papers
    are not loaded."""
    stmt = (  # with its instance's unit alone: not the saved workflow nor its definition
        select(Dossier, ProcessInstance.unit)
        .join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
        .where(Dossier.code == code)
    )
    if not parts:
        stmt = stmt.options(raiseload(Dossier.nominees), raiseload(Dossier.papers))
    found = session.execute(stmt).first()
    if found is None:
        raise NotFound(f"no dossier {code!r}")
    row, unit = found
    access.require_unit(caller, unit, f"dossier {code!r}")
    return row


def _matching(text: str) -> ColumnElement[bool]:
    """A dossier whose code, proposing unit, a nominee's name or status name contains ``text``."""
    like = f"%{text}%"
    wanted = text.casefold()
    statuses = [n for n, name in records.STATUS_NAMES.items() if wanted in name.casefold() or text == str(n)]
    return or_(
        Dossier.code.ilike(like),
        Dossier.unit.ilike(like),
        Dossier.unit_name.ilike(like),
        Dossier.id.in_(select(Nominee.dossier_id).where(Nominee.name.ilike(like))),
        Dossier.status.in_(statuses),
    )


def _nominee_label(n: Nominee) -> str:
    """A nominee as a person picks them from a list: the name, then the position and workplace if known."""
    return " — ".join(part for part in (n.name, n.position, n.unit) if part)


def _to_bring(row: Dossier) -> tuple[str, ...]:
    """What a dossier waiting for papers must bring: the names its supplement request listed (nothing
    personal: paper names only)."""
    if row.status != records.SUPPLEMENT:
        return ()
    return tuple(str(item.get("name") or item.get("code")) for item in row.supplement_items or [])


def _next_code(session: Session, year: int | None) -> str:
    """A new dossier code, ``HS-2026-000042``: taken for good only if the action commits (no gaps)."""
    year = year or local_day(clock.now()).year
    return f"HS-{year}-{numbering.allocate(session, CODE_COUNTER, year):06d}"


def _appointment(row: Dossier) -> str | None:
    """The appointment date, once the receipt gave one and while the dossier is still to be answered."""
    if row.received_at is None or row.due_at is None or row.status in NO_APPOINTMENT:
        return None
    return fmt_date(row.due_at)


def _document_ref(row: Document) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "format": row.format, "filename": row.filename}


def _nominee(given: Mapping[str, Any]) -> dict[str, Any]:
    """A nominee as the process data keeps it: its facts beside its fields."""
    fields = {k: v for k, v in given.items() if k != "facts" and v is not None}
    return {**dict(given.get("facts") or {}), **fields}


def summary(row: Dossier, rules: Catalogue | None = None) -> dict[str, Any]:
    """A dossier as the API and the desk list it."""
    award = rules.award_types.get(row.award_type) if rules else None
    return {
        "code": row.code,
        "award_type": row.award_type,
        "award_name": award.name if award else row.award_type,
        "rule_version": row.rule_version,
        "unit": row.unit,
        "unit_name": row.unit_name,
        "title": row.title,
        "achievement_year": row.achievement_year,
        "status": row.status,
        "status_name": records.STATUS_NAMES[row.status],
        "status_at": row.status_at,
        "submitted_at": row.submitted_at,
        "received_at": row.received_at,
        "due_at": row.due_at,
        "outcome": row.outcome,
        "outcome_reason": row.outcome_reason,
        "classification": row.classification,
        "supplement_requested_at": row.supplement_requested_at,
        "supplement_items": row.supplement_items or [],
        "instance_id": row.instance_id,
        "nominees": [
            {
                "id": n.id,
                "kind": n.kind,
                "name": n.name,
                "gender": n.gender,
                "position": n.position,
                "is_leader": n.is_leader,
                "unit": n.unit,
                "state": n.state,
                "reason": n.reason,
            }
            for n in row.nominees
        ],
        "papers": [
            {"id": p.id, "code": p.code, "filename": p.filename, "size": p.size, "supplement": p.supplement}
            for p in row.papers
        ],
    }
