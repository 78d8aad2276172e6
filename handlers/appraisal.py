"""Appraisal handlers: the appraiser's assignment, the eligibility view, the appraiser's conclusion, the line
agencies' concurrence (hiệp y), rework and the drafts (Tờ trình and draft decision, in Word to edit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from engine import clock
from engine.errors import InvalidInput
from handlers import decisions, documents, eligibility, records, templates
from handlers.models import CrossCheck, Nominee
from handlers.storage import Store
from handlers.timefmt import local_day

__all__ = [
    "apply_cross_checks",
    "assign",
    "check_eligibility",
    "conclude",
    "draft",
    "record_cross_check",
    "rework",
]


def assign(appraiser: str) -> dict[str, Any]:
    """The division head names the appraiser (kept on the dossier for reports and the inbox)."""
    cur = records.current()
    if not appraiser.strip():
        raise InvalidInput("name the appraiser", {"appraiser": ["required"]})
    cur.dossier.appraiser = appraiser.strip()
    return {"appraiser": cur.dossier.appraiser}


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
        nominee = nominees.get(int(item.get("nominee", 0)))
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
