"""Dossier lifecycle handlers: register, receive (receipt), supplement once, refuse, withdraw, conclude, close.

Each runs inside a service task (``current_execution()``), writes through the engine's session and returns a
small JSON value for the process data. Status codes follow the national list (1 Mới đăng ký … 10 Đã trả kết
quả). The clock itself belongs to the engine's ``sla.*`` handlers; these handlers read it for the papers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.db import insert_at_flush
from engine.errors import InvalidInput, InvalidState
from engine.execution import current_execution
from engine.models import SlaClock, SlaSegment
from engine.sla import clock_row
from handlers import documents, papers, records, rulesets, templates
from handlers.catalogue import Catalogue
from handlers.models import Dossier, Nominee, Paper
from handlers.records import Current
from handlers.storage import Store
from handlers.timefmt import fmt_date, local_day

__all__ = [
    "check_papers",
    "close",
    "conclude",
    "receive",
    "refuse",
    "register",
    "request_supplement",
    "start_processing",
    "supplement_refused",
    "supplement_returned",
    "validate_submission",
    "withdraw",
]

NOMINEE_FIELDS = ("kind", "name", "gender", "position", "is_leader", "unit")
#: The years an achievement may be proposed for.
ACHIEVEMENT_YEARS = range(2000, 2101)


def validate_submission(rules: Catalogue, submission: Mapping[str, Any]) -> None:
    """A dossier's data must name a known award type, its unit, a year and at least one nominee."""
    problems: dict[str, list[str]] = {}
    if submission.get("award_type") not in rules.award_types:
        problems["award_type"] = [f"one of {', '.join(sorted(rules.award_types))}"]
    for key in ("unit", "unit_name", "title"):
        if not isinstance(submission.get(key), str) or not submission[key].strip():
            problems[key] = ["required"]
    year = submission.get("achievement_year")
    if not isinstance(year, int) or isinstance(year, bool) or year not in ACHIEVEMENT_YEARS:
        problems["achievement_year"] = [f"a year from {ACHIEVEMENT_YEARS[0]} to {ACHIEVEMENT_YEARS[-1]}, e.g. 2025"]
    nominees = submission.get("nominees")
    if not isinstance(nominees, list) or not nominees:
        problems["nominees"] = ["at least one nominee"]
    else:
        for i, nominee in enumerate(nominees):
            if not isinstance(nominee, dict) or not str(nominee.get("name", "")).strip():
                problems[f"nominees[{i}]"] = ["needs a name"]
            elif nominee.get("kind", "individual") not in ("individual", "collective", "household"):
                problems[f"nominees[{i}].kind"] = ["individual, collective or household"]
            elif nominee.get("kind", "individual") == "individual" and nominee.get("gender") not in ("nam", "nu"):
                problems[f"nominees[{i}].gender"] = ["nam or nu"]
    if not isinstance(submission.get("papers", []), list):
        problems["papers"] = ["a list of uploaded papers"]
    if problems:
        raise InvalidInput("the dossier's data is not complete", problems)


def register(submission: Mapping[str, Any], *, store: Store) -> dict[str, Any]:
    """Status 1: the dossier, its nominees and papers, under the rule set in force today (its receipt day)."""
    ctx = current_execution()
    session, now = ctx.session, clock.now()
    code = ctx.instance.business_key
    if not code:
        raise InvalidInput("a dossier needs its code as the business key", {"business_key": ["required"]})
    row, rules = rulesets.in_force(session, local_day(now))  # the shipped versions were loaded at set-up
    validate_submission(rules, submission)
    papers.check_listed(store, rules, list(submission.get("papers", [])))
    award = rules.award(str(submission["award_type"]))
    dossier = Dossier(
        code=code,
        instance_id=ctx.instance.id,
        award_type=award.code,
        rule_set_id=row.id,
        rule_version=row.version,
        unit=str(submission["unit"]),
        unit_name=str(submission["unit_name"]),
        title=str(submission["title"]),
        achievement_year=int(submission["achievement_year"]),
        channel=str(submission.get("channel", "truc_tiep")),
        applicant=dict(submission.get("applicant") or {}),
        status=records.NEW,
        status_at=now,
        submitted_at=now,
    )
    session.add(dossier)
    session.flush()  # its id: the rows of its nominees and papers name it
    for seq, data in enumerate(submission["nominees"], start=1):
        facts = {k: v for k, v in data.items() if k not in NOMINEE_FIELDS}
        nominee = {
            "dossier_id": dossier.id,
            "seq": seq,
            "kind": str(data.get("kind", "individual")),
            "name": str(data["name"]),
            "gender": data.get("gender"),
            "position": data.get("position"),
            "is_leader": bool(data.get("is_leader", False)),
            "unit": data.get("unit"),
            "facts": facts,
        }
        insert_at_flush(session, Nominee, nominee)  # one statement for them all, not the unit of work's one each
    for paper in _papers(submission.get("papers", []), supplement=False):
        insert_at_flush(session, Paper, {"dossier_id": dossier.id, **paper})
    records.hold(session, dossier)
    records.set_status(session, dossier, records.NEW, ctx.actor)
    return {
        "code": code,
        "award_type": award.code,
        "award_name": award.name,
        "rule_version": row.version,
        "limit": award.limit,
        "policy": award.supplement_policy,
        "supplement_within": award.supplement_within,
        "vote": award.vote is not None,
        "agencies": list(award.agencies),
        "nominees": len(submission["nominees"]),
    }


def _papers(listed: list[Mapping[str, Any]], *, supplement: bool) -> list[dict[str, Any]]:
    """The rows of uploaded papers as listed (by column, without the dossier's id)."""
    now = clock.now()
    return [
        {
            "code": str(p["code"]),
            "filename": str(p.get("filename", p["code"]))[:255],
            "content_type": str(p["content_type"]),
            "size": int(p["size"]),
            "storage_key": str(p["key"]),
            "sha256": p.get("sha256"),
            "supplement": supplement,
            "uploaded_at": now,
        }
        for p in listed
    ]


def check_papers() -> dict[str, Any]:
    """What the desk sees: the required papers present and missing (the officer decides)."""
    cur = records.current()
    present = records.paper_codes(cur.session, cur.dossier)
    missing = papers.missing_papers(cur.rules, cur.award.required_papers, set(present))
    return {
        "complete": not missing,
        "missing": missing,
        "present": [{"code": code, "name": cur.rules.papers.get(code, code)} for code in present],
    }


def check_intake(answer: Mapping[str, Any]) -> None:
    """Before the desk's answer moves the dossier: "complete" is refused while a required paper of the award
    type is missing (the desk asks for it or refuses), so such a dossier never goes to processing; and the one
    supplement request names every missing paper at once."""
    cur = records.current()
    present = {p.code for p in cur.dossier.papers}  # loaded: the receipt that follows a "complete" lists them
    missing = papers.missing_papers(cur.rules, cur.award.required_papers, present)
    if answer.get("completeness") == "bo_sung" and "missing" in answer:
        left_out = [m for m in missing if m["code"] not in set(answer["missing"] or [])]
        if left_out:
            names = "; ".join(m["name"] for m in left_out)
            message = f"Phiếu yêu cầu bổ sung phải nêu đủ mọi giấy tờ còn thiếu (chỉ yêu cầu một lần), thiếu: {names}"
            raise InvalidInput(message, {"missing": [message]})
    if "tiep_nhan" not in (answer.get("completeness"), answer.get("recheck")):
        return
    if missing:
        names = "; ".join(m["name"] for m in missing)
        message = f"Hồ sơ còn thiếu giấy tờ bắt buộc: {names}. Hãy yêu cầu bổ sung hoặc từ chối tiếp nhận"
        field = "completeness" if "completeness" in answer else "recheck"
        raise InvalidInput(message, {field: [message], "missing": [m["code"] for m in missing]})


def _clock(session: Session, instance_id: int) -> SlaClock:
    row = clock_row(session, instance_id)
    if row is None:
        raise InvalidState("the dossier clock has not been started (sla.start_clock comes first)")
    return row


def receive(*, store: Store) -> dict[str, Any]:
    """Status 2: complete; the receipt and appointment slip with the due date of the running clock."""
    cur = records.current()
    row = _clock(cur.session, cur.ctx.instance.id)
    d = cur.dossier  # its due date follows the clock (handlers.appointments); received is a fact of the receipt
    d.received_at = row.received_at
    records.set_status(cur.session, d, records.RECEIVED, cur.actor)
    doc = templates.receipt(d, cur.rules, received_at=row.received_at, due_at=row.due_at, officer=cur.actor_name)
    saved = documents.save(cur.session, store, d, "receipt", doc, cur.actor)
    return {
        "outcome": "received",
        "due_at": row.due_at.isoformat(),
        "appointment": fmt_date(row.due_at),
        "documents": saved,
    }


def supplement_refused(d: Dossier) -> str | None:
    """Why the dossier may not be asked for a supplement, or None: it is asked once (at intake or in
    processing), listing everything missing."""
    if d.supplement_requested_at is None:
        return None
    return (
        f"Hồ sơ {d.code} đã được yêu cầu bổ sung ngày {fmt_date(d.supplement_requested_at)}; "
        "mỗi hồ sơ chỉ được yêu cầu bổ sung, hoàn thiện một lần"
    )


def request_supplement(
    missing: list[str], note: str = "", bring_by: str | None = None, *, store: Store
) -> dict[str, Any]:
    """Status 5: the one supplement request, listing everything missing; a second one is refused. ``bring_by``
    is the applicant's deadline (ISO), which the diagram computes in working time from the rule set's
    ``supplement_within`` on the office's calendar; the paper and the public look-up name it."""
    cur = records.current()
    d = cur.dossier
    refused = supplement_refused(d)
    if refused:
        raise InvalidState(refused)
    items = [{"code": c, "name": cur.rules.papers.get(c, c)} for c in missing]
    if not items and not note.strip():
        raise InvalidInput("a supplement request lists what is missing", {"missing": ["at least one paper or a note"]})
    d.supplement_requested_at, d.supplement_items = clock.now(), items
    d.supplement_due_at = _instant(bring_by, "bring_by")
    records.set_status(cur.session, d, records.SUPPLEMENT, cur.actor, note or None)
    doc = templates.supplement_request(d, cur.rules, missing=items, note=note, officer=cur.actor_name)
    return {"missing": items, "documents": documents.save(cur.session, store, d, "supplement_request", doc, cur.actor)}


def _instant(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{field} is not a date and time", {field: ["an ISO date and time"]}) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} has no time zone", {field: ["an ISO date and time with its offset"]})
    return moment


def supplement_returned(payload: Mapping[str, Any] | None = None, *, store: Store) -> dict[str, Any]:
    """The applicant came back: the supplementary papers join the dossier (checked like the first ones)."""
    cur = records.current()
    listed = list((payload or {}).get("papers", []))
    papers.check_listed(store, cur.rules, listed)
    cur.dossier.papers.extend(Paper(**row) for row in _papers(listed, supplement=True))
    cur.dossier.supplement_returned_at = clock.now()
    cur.session.flush()
    return {"papers_added": len(listed)}


def refuse(reason: str, *, store: Store) -> dict[str, Any]:
    """Status 3: the refusal slip with its reason; the dossier ends here."""
    cur = records.current()
    if not reason.strip():
        raise InvalidInput("a refusal needs a reason", {"reason": ["required"]})
    _end(cur, records.REFUSED, "refused", reason)
    doc = templates.refusal(cur.dossier, cur.rules, reason=reason, officer=cur.actor_name)
    return {
        "outcome": "refused",
        "documents": documents.save(cur.session, store, cur.dossier, "refusal", doc, cur.actor),
    }


def withdraw(payload: Mapping[str, Any] | None = None, *, store: Store) -> dict[str, Any]:
    """Status 7: the applicant asked to stop; the stop notice (Thông báo dừng giải quyết hồ sơ)."""
    cur = records.current()
    reason = str((payload or {}).get("reason") or "Đơn vị đề nghị rút hồ sơ")
    _end(cur, records.WITHDRAWN, "withdrawn", reason)
    doc = templates.stop_notice(cur.dossier, cur.rules, reason=reason, officer=cur.actor_name)
    return {
        "outcome": "withdrawn",
        "documents": documents.save(cur.session, store, cur.dossier, "stop_notice", doc, cur.actor),
    }


def _end(cur: Current, status: int, outcome: str, reason: str) -> None:
    d = cur.dossier
    d.outcome, d.outcome_reason, d.finished_at = outcome, reason, clock.now()
    records.set_status(cur.session, d, status, cur.actor, reason)


def start_processing() -> dict[str, Any]:
    """Status 4: handed from the desk to the division."""
    cur = records.current()
    records.set_status(cur.session, cur.dossier, records.PROCESSING, cur.actor)
    return {"status": records.PROCESSING}


def conclude(*, store: Store) -> dict[str, Any]:
    """Status 9 without an award: nobody was eligible or passed; the result notice gives each reason."""
    cur = records.current()
    d = cur.dossier
    d.outcome = "not_awarded"
    d.outcome_reason = "; ".join(f"{n.name}: {n.reason}" for n in d.nominees if n.reason) or None
    records.set_status(cur.session, d, records.DONE, cur.actor, "Không đủ điều kiện khen thưởng")
    reasons = [(n.name, n.reason or "") for n in d.nominees]
    doc = templates.result_notice(d, cur.rules, reasons=reasons, officer=cur.actor_name)
    return {
        "outcome": "not_awarded",
        "documents": documents.save(cur.session, store, d, "result_notice", doc, cur.actor),
    }


def close(finish: Mapping[str, Any], *, store: Store) -> dict[str, Any]:
    """Final bookkeeping after ``sla.finish``: the classification, status 10 if a result was returned,
    and the control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ)."""
    cur = records.current()
    d = cur.dossier
    d.classification = str(finish.get("classification") or "") or None
    d.finished_at = d.finished_at or clock.now()
    if d.status == records.DONE:
        records.set_status(cur.session, d, records.RETURNED, cur.actor)
    dossier_clock = _clock(cur.session, cur.ctx.instance.id)
    segments = cur.session.scalars(
        select(SlaSegment).where(SlaSegment.instance_id == cur.ctx.instance.id).order_by(SlaSegment.id)
    ).all()
    doc = templates.control_slip(d, cur.rules, clock_row=dossier_clock, segments=segments)
    saved = documents.save(cur.session, store, d, "control_slip", doc, cur.actor)
    return {"status": d.status, "classification": d.classification, "documents": saved}
