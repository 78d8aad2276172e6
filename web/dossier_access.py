"""What the dossier API and the desk pages share: the file store, unit-scoped reads of dossier records, the
submission built from what a desk officer sends, and the desk's own completeness check at the counter.

Reads are plain queries on the handlers' records; every change goes through ``handlers.desk`` or the engine's
task service, so it is one engine transaction with its audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from engine import Engine, clock
from engine.errors import InvalidInput, NotFound
from engine.identity import Actor
from engine.models import ProcessInstance
from engine.tasks import TaskView
from handlers import desk, papers, records
from handlers.catalogue import Catalogue
from handlers.dossiers import validate_submission
from handlers.models import Document, Dossier
from handlers.storage import LocalStore, Store, default_root
from web.auth import require_unit, unit_scope

__all__ = [
    "DESK_TASKS",
    "accept",
    "document",
    "documents",
    "dossier",
    "dossier_page",
    "listed_papers",
    "open_tasks",
    "store",
    "submission_of",
    "summary",
]

#: the desk's own tasks on a dossier (intake): completeness check, the re-check after the supplement
DESK_TASKS = ("check_completeness", "recheck_completeness")
STORE_KEY = "awardflow_store"


def store() -> Store:
    """The file store the handlers write to (``app.extensions["awardflow_store"]``, else the storage dir)."""
    found = current_app.extensions.get(STORE_KEY)
    if found is None:
        found = current_app.extensions[STORE_KEY] = LocalStore(default_root())
    return found


def _instance_unit(engine: Engine, row: Dossier) -> str | None:
    if row.instance_id is None:
        return row.unit
    return engine.runtime.find(row.instance_id).unit


def dossier(engine: Engine, caller: Actor, code: str) -> Dossier:
    """The dossier if the caller's units reach the office handling it; NotFound otherwise (not told apart)."""
    with engine.db.reading() as session:
        row = session.scalars(select(Dossier).where(Dossier.code == code)).first()
    if row is None:
        raise NotFound(f"no dossier {code!r}")
    require_unit(caller, _instance_unit(engine, row), f"dossier {code!r}")
    return row


def dossier_page(
    engine: Engine,
    caller: Actor,
    *,
    status: int | None = None,
    award_type: str | None = None,
    unit: str | None = None,
    code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Dossier], int]:
    """Dossiers handled by the caller's units (every unit for wide roles), newest first, with the total."""
    stmt = select(Dossier).join(ProcessInstance, ProcessInstance.id == Dossier.instance_id)
    scope = unit_scope(caller)
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
    with engine.db.reading() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(Dossier.id.desc()).offset((page - 1) * per_page).limit(per_page))
        return list(rows), int(total)


def summary(row: Dossier, rules: Catalogue | None = None) -> dict[str, Any]:
    """A dossier as the API and the desk show it."""
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


def documents(engine: Engine, row: Dossier) -> list[Document]:
    with engine.db.reading() as session:
        stmt = select(Document).where(Document.dossier_id == row.id).order_by(Document.id)
        return list(session.scalars(stmt))


def document(engine: Engine, row: Dossier, document_id: int) -> tuple[Document, bytes]:
    """One generated document of the dossier and its bytes."""
    with engine.db.reading() as session:
        found = session.get(Document, document_id)
        if found is None or found.dossier_id != row.id:
            raise NotFound(f"no document {document_id} in dossier {row.code}")
    return found, store().get(found.storage_key)


def listed_papers(engine: Engine, listed: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Papers named by a code and the ``key`` an earlier upload returned, checked again from the stored bytes."""
    out: list[dict[str, Any]] = []
    files = store()
    for i, item in enumerate(listed):
        key = str(item.get("key") or "")
        try:
            present = bool(key) and files.exists(key)
        except ValueError:
            present = False
        if not present:
            raise InvalidInput(
                "a listed paper was not uploaded", {f"papers[{i}].key": ["no uploaded file with this key"]}
            )
        data = files.get(key)
        out.append(desk.upload(engine, files, str(item.get("code")), str(item.get("filename") or key), data))
    return out


def submission_of(engine: Engine, body: Mapping[str, Any], uploaded: list[dict[str, Any]]) -> dict[str, Any]:
    """The process data of a new dossier (defaults filled in, checked like ``dossier.register`` will)."""
    rules = desk.rules_on(engine)
    award = rules.award_types.get(str(body.get("award_type")))
    year = int(body.get("achievement_year") or (clock.now().year - 1))
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
    papers.check_listed(store(), rules, uploaded)
    return submission


def _nominee(given: Mapping[str, Any]) -> dict[str, Any]:
    """A nominee as the process data keeps it: its facts beside its fields."""
    fields = {k: v for k, v in given.items() if k != "facts" and v is not None}
    return {**dict(given.get("facts") or {}), **fields}


def open_tasks(engine: Engine, row: Dossier) -> list[TaskView]:
    """The dossier's ready human tasks (its called processes run inside the same instance)."""
    if row.instance_id is None:
        return []
    return [t for t in engine.tasks.for_instance(row.instance_id) if t.state == "ready"]


def accept(engine: Engine, row: Dossier, username: str, data: Mapping[str, Any] | None = None) -> TaskView:
    """The desk officer's completeness check at the counter (default: complete, received → the receipt)."""
    task = next((t for t in open_tasks(engine, row) if t.element_id in DESK_TASKS), None)
    if task is None:
        raise NotFound(f"dossier {row.code} has no completeness check waiting")
    answer = dict(data or {"completeness" if task.element_id == DESK_TASKS[0] else "recheck": "tiep_nhan"})
    if task.assignee != username:
        engine.tasks.claim(task.id, username)
    return engine.tasks.complete(task.id, username, answer)
