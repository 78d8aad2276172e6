"""The handlers of ``emulation_year.bpmn``: the year's phases, and the ``check`` handlers of the head's steps,
which refuse an answer the cluster's records do not allow (the step stays open, nothing changes).

Every handler finds its cluster year by the instance's business key (``CUM-<cluster>-<year>``), the one value
the process carries (``cluster_key``). The meeting's count is the council's (:mod:`handlers.tally`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import InvalidInput
from engine.execution import current_execution
from handlers import cluster_data, cluster_scoring, tally
from handlers.cluster_records import not_acted, rules_of, scored_members, scored_unit, sheets_of, year_of
from handlers.cluster_rules import ClusterRules
from handlers.models import ClusterResult, ClusterSheet, ClusterYear
from handlers.timefmt import ZONE, local_day
from handlers.units import Units

__all__ = [
    "check_cross_grades",
    "check_meeting",
    "check_pledges",
    "check_proposal",
    "check_reconcile",
    "check_self_scores",
    "circulate",
    "close",
    "find_gaps",
    "open_",
    "open_cross_grading",
    "open_scoring",
    "reconcile",
    "record_meeting",
    "wait",
]


def _current() -> tuple[Session, ClusterYear]:
    """The cluster year of the instance whose step is being checked."""
    return _by_key_session(current_execution().instance.business_key or "")


def _at(day: date, moment: time) -> datetime:
    """A day's moment on Vietnamese wall-clock time (a deadline is the end of its day there)."""
    return datetime.combine(day, moment, tzinfo=ZONE)


def open_(key: str) -> dict[str, Any]:
    """The year opens under the scoring rules in force today; its deadlines are fixed from them."""
    session, row = _by_key_session(key)
    rule_row, rules = cluster_data.rules_in_force(session, local_day(clock.now()))
    row.rule_set_id, row.opened_at, row.phase = rule_row.id, clock.now(), "circulating"
    d = rules.deadlines
    row.scoring_opens_at = _at(d.on("scoring_opens", row.year), time(0, 0))
    row.self_score_due = _at(d.on("self_score", row.year), time(23, 59, 59))
    row.cross_grade_due = _at(d.on("cross_grade", row.year), time(23, 59, 59))
    row.proposal_due = _at(d.on("proposal", row.year), time(23, 59, 59))
    return {"rules": rule_row.version, "scoring_opens": row.scoring_opens_at.isoformat()}


def _by_key_session(key: str) -> tuple[Session, ClusterYear]:
    """The engine's session and the cluster year of ``CUM-<cluster>-<year>``, locked for the step."""
    session = current_execution().session
    code, _, year = key.removeprefix("CUM-").rpartition("-")
    return session, year_of(session, code, int(year), lock=True)


def _phase(key: str, phase: str) -> None:
    _, row = _by_key_session(key)
    row.phase = phase


def circulate(key: str) -> None:
    """The pledge circulates: members may sign."""
    _phase(key, "pledge")


def wait(key: str) -> None:
    """The pledge is signed; the year's work goes on until scoring opens."""
    _phase(key, "waiting")


def open_scoring(key: str) -> None:
    _phase(key, "self_score")


def open_cross_grading(key: str) -> None:
    _phase(key, "cross_grade")


def close(key: str) -> None:
    _phase(key, "sent")


def _refuse_while_missing(session: Session, row: ClusterYear, field: str, what: str, *, due: datetime | None) -> None:
    """Refused while someone has not acted, unless the deadline passed (those late are left out)."""
    if due is not None and clock.now() > due:
        return
    late = not_acted(session, row)
    if late:
        names = ", ".join(Units.load().name(u) for u in late)
        raise InvalidInput(f"Còn đơn vị chưa {what}: {names}", {field: [f"Còn đơn vị chưa {what}: {names}"]})


def check_pledges(answer: Mapping[str, Any]) -> None:
    """Every member of the cluster today has signed the pledge."""
    session, row = _current()
    _refuse_while_missing(session, row, "pledges", "ký giao ước", due=None)


def check_self_scores(answer: Mapping[str, Any]) -> None:
    session, row = _current()
    _refuse_while_missing(session, row, "scores", "nộp bảng tự chấm điểm", due=row.self_score_due)


def check_cross_grades(answer: Mapping[str, Any]) -> None:
    session, row = _current()
    _refuse_while_missing(session, row, "scores", "nộp bảng chấm chéo", due=row.cross_grade_due)


def _gaps(session: Session, row: ClusterYear, rules: ClusterRules) -> list[str]:
    sheets = sheets_of(session, row)
    return [u for u in scored_members(row) if scored_unit(rules, sheets, u).gap > rules.tolerance]


def find_gaps(key: str) -> dict[str, Any]:
    """The units whose self-score and cross-grades differ beyond the tolerance: the head reconciles them."""
    session, row = _by_key_session(key)
    units = _gaps(session, row, rules_of(session, row))
    row.phase = "reconcile" if units else "meeting"
    return {"count": len(units), "units": units}


def _reconciled(answer: Mapping[str, Any], rules: ClusterRules, gaps: Sequence[str]) -> dict[str, dict[str, Decimal]]:
    entries = answer.get("reconciled") or []
    out: dict[str, dict[str, Decimal]] = {}
    problems: dict[str, list[str]] = {}
    for i, entry in enumerate(entries):
        unit = str(entry.get("unit") or "")
        if unit not in gaps:
            problems[f"reconciled[{i}].unit"] = ["Đơn vị này không có chênh lệch vượt mức cần thẩm định"]
            continue
        try:
            out[unit] = cluster_scoring.check_sheet(rules, entry.get("scores") or {})
        except InvalidInput as refused:
            for field, messages in refused.fields.items():
                problems[f"reconciled[{i}].{field}"] = messages
    for unit in gaps:
        if unit not in out and not any(k.startswith("reconciled[") for k in problems):
            problems.setdefault("reconciled", []).append(f"Chưa thẩm định điểm của {Units.load().name(unit)}")
    if problems:
        raise InvalidInput("Điểm thẩm định chưa hợp lệ", problems)
    return out


def check_reconcile(answer: Mapping[str, Any]) -> None:
    """Every unit beyond the tolerance reconciled, within the grid's bounds; no other unit."""
    session, row = _current()
    rules = rules_of(session, row)
    _reconciled(answer, rules, _gaps(session, row, rules))


def reconcile(key: str, reconciled: Sequence[Mapping[str, Any]]) -> None:
    """The head's reconciled sheets replace the weighted scores of those units."""
    session, row = _by_key_session(key)
    rules = rules_of(session, row)
    actor = current_execution().actor
    notes = {str(e.get("unit")): e.get("note") for e in reconciled}
    for unit, scores in _reconciled({"reconciled": reconciled}, rules, _gaps(session, row, rules)).items():
        session.add(
            ClusterSheet(
                cluster_year_id=row.id,
                kind="reconciled",
                grader_unit=row.head_unit,
                graded_unit=unit,
                scores={code: f"{v:f}" for code, v in scores.items()},
                evidence={},
                note=notes.get(unit),
                submitted_at=clock.now(),
                submitted_by=actor,
            )
        )
    row.phase = "meeting"


def _tally(session: Session, row: ClusterYear, answer: Mapping[str, Any]) -> tuple[list[str], tally.Tally]:
    """The council's count over the cluster's members: every scored member is a candidate."""
    members = scored_members(row)
    rules = rules_of(session, row)
    sheets = sheets_of(session, row)
    candidates = [u for u in members if scored_unit(rules, sheets, u).total is not None]
    ballots: dict[int, int] = {}
    for i, given in enumerate(answer.get("ballots") or []):
        unit = str(given.get("unit") or "")
        if unit not in candidates:
            message = f"Đơn vị {unit} không phải đơn vị được bình xét của cụm, khối"
            raise InvalidInput(message, {f"ballots[{i}].unit": [message]})
        ballots[candidates.index(unit)] = int(given.get("approve") or 0)
    sitting = tally.Sitting(members=members, present=[str(p) for p in answer.get("present") or []], ballots=ballots)
    people = [tally.Candidate(i, unit) for i, unit in enumerate(candidates)]
    return candidates, tally.count(people, sitting, threshold=rules.threshold, quorum=rules.quorum)


def check_meeting(answer: Mapping[str, Any]) -> None:
    """The record adds up (who came are members, no more ballots than those present), on a real day."""
    session, row = _current()
    try:
        date.fromisoformat(str(answer.get("held_on")))
    except ValueError:
        raise InvalidInput("Ngày họp không hợp lệ", {"held_on": ["Ngày họp không hợp lệ"]}) from None
    _tally(session, row, answer)


def record_meeting(
    key: str, held_on: str, present: Sequence[str], ballots: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Tally the secret ballot and rank the members (total, then the tie-breaks); without the quorum, nothing
    is ranked and the meeting is held again."""
    session, row = _by_key_session(key)
    rules = rules_of(session, row)
    answer = {"present": present, "ballots": ballots}
    candidates, counted = _tally(session, row, answer)
    previous = row.meeting or {}
    row.meeting = {
        "round": int(previous.get("round", 0)) + 1,
        "held_on": held_on,
        "present": list(present),
        "ballots": {candidates[o.candidate.id]: o.total for o in counted.outcomes},
        "quorum_met": counted.quorum_met,
        "quorum_needed": counted.quorum_needed,
        "votes_needed": counted.votes_needed,
    }
    if not counted.quorum_met:
        return {"quorum_met": False}
    sheets = sheets_of(session, row)
    standings = []
    for o in counted.outcomes:
        unit = candidates[o.candidate.id]
        found = scored_unit(rules, sheets, unit)
        assert found.total is not None and found.key_total is not None  # candidates are the units with a score
        standings.append(cluster_scoring.Standing(unit, found.total, found.key_total, o.total))
    passed = {candidates[o.candidate.id] for o in counted.outcomes if o.passed}
    session.execute(delete(ClusterResult).where(ClusterResult.cluster_year_id == row.id))
    for ranked in cluster_scoring.ranking(rules, standings):
        session.add(
            ClusterResult(
                cluster_year_id=row.id,
                unit=ranked.unit,
                total=f"{ranked.total:f}",
                key_total=f"{ranked.key_total:f}",
                votes=ranked.votes,
                passed=ranked.unit in passed,
                rank=ranked.rank,
            )
        )
    row.phase = "proposal"
    return {"quorum_met": True}


def check_proposal(answer: Mapping[str, Any]) -> None:
    """The proposal is sent by the cluster service (its dossiers made through the desk's intake), not typed."""
    _, row = _current()
    if row.proposal_sent_at is None:
        message = "Gửi đề nghị bằng chức năng gửi đề nghị khen thưởng của cụm, khối"
        raise InvalidInput(message, {"dossiers": [message]})
