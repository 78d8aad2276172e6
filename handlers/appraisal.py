"""Appraisal handlers: the appraiser's assignment, the eligibility view, the appraiser's conclusion, the line
agencies' concurrence (hiệp y), rework and the drafts (Tờ trình and draft decision, in Word to edit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from engine import clock
from engine.errors import InvalidInput
from engine.identity import members
from handlers import decisions, documents, dossiers, eligibility, records, templates
from handlers.models import CrossCheck, Dossier, Nominee
from handlers.storage import Store
from handlers.timefmt import local_day

__all__ = [
    "APPRAISER_GROUP",
    "OUTCOMES",
    "SUPPLEMENT",
    "apply_cross_checks",
    "assign",
    "check_appraisal",
    "check_assignment",
    "check_exclusions",
    "check_eligibility",
    "conclude",
    "draft",
    "outcomes_for",
    "record_cross_check",
    "rework",
]


#: the group whose active members in the dossier's unit may be named to appraise it
APPRAISER_GROUP = "appraiser"
#: the appraiser's outcomes (``appraisal_outcome`` of appraise.schema.json): done, or the one supplement request
OUTCOMES = ("tham_dinh", "bo_sung")
SUPPLEMENT = "bo_sung"


def check_assignment(answer: Mapping[str, Any]) -> None:
    """Before the division head's choice moves the dossier: only an active appraiser of the unit handling it,
    never a name nobody answers to (the dossier would wait in no real inbox)."""
    cur = records.current()
    _require_appraiser(cur, str(answer.get("appraiser") or ""))


def _require_appraiser(cur: records.Current, username: str) -> str:
    allowed = {u.username for u in members(cur.session, APPRAISER_GROUP, cur.ctx.instance.unit)}
    chosen = username.strip()
    if chosen not in allowed:
        message = "Người được chọn không phải chuyên viên thẩm định đang làm việc tại đơn vị xử lý hồ sơ"
        raise InvalidInput(message, {"appraiser": [f"{message}: {chosen or '(trống)'}"]})
    return chosen


def assign(appraiser: str) -> dict[str, Any]:
    """The division head names the appraiser (kept on the dossier for reports and the inbox)."""
    cur = records.current()
    cur.dossier.appraiser = _require_appraiser(cur, appraiser)
    return {"appraiser": cur.dossier.appraiser}


def check_exclusions(answer: Mapping[str, Any]) -> None:
    """Before the appraiser's conclusion moves the dossier: whoever she leaves out is a nominee of this
    dossier (an unknown id would be silently ignored otherwise)."""
    cur = records.current()
    known = _nominees(cur)
    problems = {
        f"excluded.{i}.nominee": [f"Không có đối tượng này trong hồ sơ: {item.get('nominee')}"]
        for i, item in enumerate(answer.get("excluded") or [])
        if _nominee_id(item) not in known
    }
    if problems:
        raise InvalidInput("Đối tượng không đề nghị phải được chọn trong danh sách của hồ sơ", problems)


def check_appraisal(answer: Mapping[str, Any]) -> None:
    """Before the appraiser's answer moves the dossier: the nominees she leaves out (:func:`check_exclusions`)
    and, when she asks for a supplement, that it is the dossier's first (asked once, at intake or here) and
    names papers of its rule set."""
    check_exclusions(answer)
    if answer.get("appraisal_outcome") != SUPPLEMENT:
        return
    cur = records.current()
    refused = dossiers.supplement_refused(cur.dossier)
    if refused:
        raise InvalidInput(refused, {"appraisal_outcome": [refused]})
    problems = {
        f"supplement_missing.{i}": [f"Không có loại giấy tờ này trong bộ quy tắc của hồ sơ: {code}"]
        for i, code in enumerate(answer.get("supplement_missing") or [])
        if code not in cur.rules.papers
    }
    if problems:
        raise InvalidInput("Giấy tờ cần bổ sung phải được chọn trong danh sách", problems)


def outcomes_for(dossier: Dossier) -> tuple[str, ...]:
    """The outcomes the appraiser may still choose: the supplement only while the dossier has not had one."""
    return tuple(o for o in OUTCOMES if o != SUPPLEMENT or dossiers.supplement_refused(dossier) is None)


def _nominee_id(item: Mapping[str, Any]) -> int | None:
    try:
        return int(item.get("nominee") or 0)
    except (TypeError, ValueError):
        return None


def check_eligibility() -> dict[str, Any]:
    """Every rule of the award type applied to every nominee: shown to the appraiser, who decides."""
    cur = records.current()
    result = []
    for nominee in cur.dossier.nominees:
        facts = {**nominee.facts, "kind": nominee.kind, "gender": nominee.gender}
        checks = eligibility.evaluate(facts, cur.award, cur.rules, cur.dossier.achievement_year)
        result.append(
            {
                "id": nominee.id,
                "name": nominee.name,
                "kind": nominee.kind,
                "suggestion": eligibility.verdict(checks),
                "checks": [c.to_dict() for c in checks],
            }
        )
    return {"nominees": result}


def _nominees(cur: records.Current) -> dict[int, Nominee]:
    return {n.id: n for n in cur.dossier.nominees}


def _exclude(nominees: dict[int, Nominee], excluded: Sequence[Mapping[str, Any]], prefix: str) -> None:
    problems: dict[str, list[str]] = {}
    for i, item in enumerate(excluded):
        nominee = nominees.get(_nominee_id(item) or 0)
        if nominee is None:
            problems[f"excluded[{i}].nominee"] = [f"not a nominee of this dossier: {item.get('nominee')}"]
            continue
        nominee.state, nominee.reason = "excluded", f"{prefix}: {item.get('reason') or 'không đủ tiêu chuẩn'}"
    if problems:
        raise InvalidInput("unknown nominees", problems)


def conclude(excluded: Sequence[Mapping[str, Any]] | None = None, note: str = "") -> dict[str, Any]:
    """The appraiser's decision: who is out (with the reason); everyone else is eligible so far."""
    cur = records.current()
    nominees = _nominees(cur)
    for nominee in nominees.values():
        if nominee.state in ("proposed", "eligible"):
            nominee.state, nominee.reason = "eligible", None
    _exclude(nominees, excluded or [], "Không đạt khi thẩm định")
    return {"eligible": sum(n.state == "eligible" for n in nominees.values()), "note": note}


def record_cross_check(
    agency: str, answer: str, objections: Sequence[Mapping[str, Any]] | None = None, note: str = ""
) -> dict[str, Any]:
    """One line agency's answer; objections name nominees and why (they leave at ``apply_cross_checks``)."""
    cur = records.current()
    if agency not in cur.rules.agencies:
        raise InvalidInput(f"unknown agency {agency!r}", {"agency": [", ".join(cur.rules.agencies)]})
    if answer not in ("dong_y", "khong_dong_y"):
        raise InvalidInput("answer dong_y or khong_dong_y", {"answer": ["dong_y or khong_dong_y"]})
    row = cur.session.scalars(
        select(CrossCheck).where(CrossCheck.dossier_id == cur.dossier.id, CrossCheck.agency == agency)
    ).first()
    if row is None:
        row = CrossCheck(dossier_id=cur.dossier.id, agency=agency)
        cur.session.add(row)
    row.answer, row.objections, row.note = answer, [dict(o) for o in objections or []], note or None
    row.answered_at, row.answered_by = clock.now(), cur.actor
    return {"agency": agency, "answer": answer}


def apply_cross_checks() -> dict[str, Any]:
    """After every agency answered: nominees an agency objected to leave the dossier with its reason."""
    cur = records.current()
    nominees = _nominees(cur)
    checks = cur.session.scalars(select(CrossCheck).where(CrossCheck.dossier_id == cur.dossier.id)).all()
    for check in checks:
        name = cur.rules.agencies[check.agency]["name"]
        objected = [o for o in check.objections if nominees.get(int(o.get("nominee", 0))) is not None]
        if check.answer == "khong_dong_y" and not check.objections:
            objected = [{"nominee": n.id, "reason": check.note or ""} for n in nominees.values()]
        eligible = [o for o in objected if nominees[int(o["nominee"])].state == "eligible"]
        _exclude(nominees, eligible, f"{name} không hiệp y")
    return {"eligible": sum(n.state == "eligible" for n in nominees.values()), "agencies": len(checks)}


def rework(note: str = "") -> dict[str, Any]:
    """The division head returns the draft to the appraiser."""
    cur = records.current()
    cur.dossier.rework_count += 1
    return {"rework": cur.dossier.rework_count, "note": note}


def draft(summary: str = "", *, store: Store) -> dict[str, Any]:
    """The Tờ trình and the draft decision, as Word files to edit, for the eligible nominees."""
    cur = records.current()
    eligible = [n for n in cur.dossier.nominees if n.state == "eligible"]
    base = cur.rules.base_salary_on(local_day(clock.now()))
    lines = [(n.name, n.unit or cur.dossier.unit_name, *decisions.bonus_of(cur, n, base)) for n in eligible]
    saved = documents.save(
        cur.session,
        store,
        cur.dossier,
        "draft_submission",
        templates.draft_submission(cur.dossier, cur.rules, summary=summary, names=[n.name for n in eligible]),
        cur.actor,
        ("docx",),
    )
    saved += documents.save(
        cur.session,
        store,
        cur.dossier,
        "draft_decision",
        templates.draft_decision(cur.dossier, cur.rules, lines=[(a, b, str(c), d) for a, b, c, d in lines]),
        cur.actor,
        ("docx",),
    )
    return {"documents": saved, "eligible": len(eligible)}
