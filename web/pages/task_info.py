"""What the task page shows around the form, made readable: the dossier's data, its audit trail and its
control slip. Pure formatting of what the engine returns (no I/O)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.calendar import parse_duration
from engine.models import Event
from web import i18n
from web.pages.names import unit_name

#: A data value longer than this (as text) is left out of the summary: the dossier's files, tables, blobs.
BULKY = 300

i18n.TEXTS.update(
    {
        "task.yes": ("Có", "Yes"),
        "task.no": ("Không", "No"),
        "task.budget_wd": ("{n} ngày", "{n} WD"),
        "task.budget_wh": ("{n} giờ", "{n} WH"),
        "task.budget_wm": ("{n} phút", "{n} WM"),
        "task.hours": ("{n} giờ", "{n} h"),
        "task.event.instance_started": ("Bắt đầu hồ sơ", "Dossier started"),
        "task.event.instance_completed": ("Kết thúc hồ sơ", "Dossier finished"),
        "task.event.instance_suspended": ("Tạm ngừng", "Suspended"),
        "task.event.instance_resumed": ("Tiếp tục", "Resumed"),
        "task.event.instance_cancelled": ("Hủy hồ sơ", "Cancelled"),
        "task.event.instance_migrated": ("Chuyển phiên bản quy trình", "Moved to another version"),
        "task.event.task_claimed": ("Nhận việc", "Claimed"),
        "task.event.task_unclaimed": ("Trả lại nhóm", "Given back"),
        "task.event.task_assigned": ("Giao việc", "Assigned"),
        "task.event.task_delegated": ("Ủy quyền xử lý", "Delegated"),
        "task.event.task_resolved": ("Hoàn trả ủy quyền", "Delegation resolved"),
        "task.event.task_completed": ("Hoàn thành bước", "Step completed"),
        "task.event.task_escalated": ("Chuyển cấp", "Escalated"),
        "task.event.escalation_changed": ("Đổi quy tắc chuyển cấp", "Escalation changed"),
        "task.event.clock_started": ("Bắt đầu tính hạn", "Clock started"),
        "task.event.clock_paused": ("Tạm dừng tính hạn", "Clock paused"),
        "task.event.clock_resumed": ("Tiếp tục tính hạn", "Clock resumed"),
        "task.event.clock_rescheduled": ("Gia hạn", "Due date moved"),
        "task.event.clock_finished": ("Trả kết quả", "Clock finished"),
        "task.event.timer_fired": ("Hẹn giờ kích hoạt", "Timer fired"),
        "task.event.incident": ("Sự cố", "Incident"),
        "task.event.incident_retried": ("Chạy lại sau sự cố", "Retried"),
        "task.event.message_received": ("Nhận thông điệp", "Message received"),
        "task.event.signal_received": ("Nhận tín hiệu", "Signal received"),
        "task.event.cluster_year_opened": ("Mở năm thi đua của cụm, khối", "Cluster year opened"),
        "task.event.cluster_pledge_signed": ("Ký giao ước thi đua", "Pledge signed"),
        "task.event.cluster_self_score_submitted": ("Gửi bảng tự chấm điểm", "Self-score sent"),
        "task.event.cluster_cross_score_submitted": ("Gửi bảng chấm chéo", "Cross-grade sent"),
        "task.event.cluster_proposal_sent": ("Gửi đề nghị khen thưởng", "Proposal sent"),
        "task.cluster_graded": ("{grader} chấm {graded}", "{grader} graded {graded}"),
        "task.event.public_comment_received": ("Nhận ý kiến góp ý của nhân dân", "Public comment received"),
        "task.due": ("hạn {due}", "due {due}"),
        "task.message.bo_sung_ho_so": ("Nhận hồ sơ bổ sung", "Supplement received"),
        "task.message.rut_ho_so": ("Đơn vị đề nghị rút hồ sơ", "The proposing unit withdrew the dossier"),
        "task.resumed.start": ("tính từ ngày nhận đủ hồ sơ, hạn {due}", "counted from the day complete, due {due}"),
        "task.resumed.resume": ("tính tiếp thời gian còn lại, hạn {due}", "the time left counts on, due {due}"),
        "task.resumed.restart": ("tính lại từ đầu, hạn {due}", "the whole limit again, due {due}"),
    }
)


def _number(value: float) -> str:
    return i18n.format_number(value)


def moment(text: Any) -> datetime | None:
    """An ISO moment with its offset (as the slip and the clock store them), else None."""
    if not isinstance(text, str) or "T" not in text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def show(value: Any) -> str:
    """One data value as a person reads it: Có/Không, dd/mm/yyyy dates, decimal commas, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return i18n.gettext("task.yes" if value else "task.no")
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        when = moment(value)
        if when is not None:
            return i18n.format_datetime(when)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return i18n.format_date(date.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(show(v) for v in value)
    if isinstance(value, dict) and all(not isinstance(v, dict | list) for v in value.values()):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, default=str)


def summary(data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> tuple[list[tuple[str, str]], int]:
    """The instance data as (label, text) pairs, without internal keys (``_…``) or bulky values; and how
    many were left out."""
    shown: list[tuple[str, str]] = []
    skipped = 0
    for key, value in data.items():
        text = show(value)
        if key.startswith("_") or len(text) > BULKY:
            skipped += 1
            continue
        shown.append(((labels or {}).get(key) or key, text))
    return shown, skipped


def budget(text: str | None) -> str:
    """ "0.5WD" → "0,5 ngày" (a working day), "4WH" → "4 giờ"."""
    if not text:
        return "—"
    try:
        found = parse_duration(text)
    except ValueError:
        return text
    return i18n.gettext(f"task.budget_{found.unit.lower()}", n=_number(float(found.amount)))


# -- the audit trail -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    actor: str
    action: str
    step: str
    detail: str
    this_task: bool


def action_label(action: str) -> str:
    key = f"task.event.{action}"
    return i18n.gettext(key) if key in i18n.TEXTS else action


def answer(data: Mapping[str, Any], schema: Mapping[str, Any] | None) -> str:
    """A completed step's answer in the words of its form: field titles, the labels of chosen values; the
    keys and codes themselves only where the form names none."""
    properties = (schema or {}).get("properties") or {}
    parts = []
    for key, value in data.items():
        field = properties.get(key) or {}
        parts.append(f"{field.get('title') or key}: {_label(value, field)}")
    return "; ".join(parts)[:BULKY]


def _label(value: Any, field: Mapping[str, Any]) -> str:
    if isinstance(value, dict):
        return f"({answer(value, field)})"
    if isinstance(value, list):
        items = field.get("items")
        return ", ".join(_label(v, items if isinstance(items, dict) else {}) for v in value) or "—"
    values, names = list(field.get("enum") or []), field.get("x-enumNames") or field.get("enumNames") or []
    if value in values and len(names) == len(values):
        return str(names[values.index(value)])
    for option in field.get("oneOf") or []:
        if isinstance(option, dict) and option.get("const") == value:
            return str(option.get("title") or value)
    return show(value)


def _detail(event: Event, forms: Mapping[str, Mapping[str, Any] | None], people: Callable[[str | None], str]) -> str:
    before, after, details = event.before or {}, event.after or {}, event.details or {}
    if "assignee" in after:
        return f"{people(before.get('assignee'))} → {people(after.get('assignee'))}"
    if event.action == "task_completed" and after:
        return answer(after, forms.get(event.task_id or ""))
    if event.action == "message_received" and f"task.message.{details.get('name')}" in i18n.TEXTS:
        return i18n.gettext(f"task.message.{details['name']}")
    resumed = f"task.resumed.{details.get('policy')}"
    if event.action == "clock_resumed" and after.get("due_at") and resumed in i18n.TEXTS:
        return i18n.gettext(resumed, due=show(after["due_at"]))
    if details.get("graded") and details.get("graded") == details.get("grader"):
        return unit_name(str(details["graded"]))
    if details.get("graded"):
        return i18n.gettext(
            "task.cluster_graded", grader=unit_name(details.get("grader")), graded=unit_name(details["graded"])
        )
    if details.get("unit"):
        return unit_name(str(details["unit"]))
    if event.action == "cluster_proposal_sent":
        return ", ".join(after.get("dossiers") or [])
    if details.get("reason"):
        return str(details["reason"])
    if details.get("message"):
        return str(details["message"])
    if after.get("due_at"):
        return i18n.gettext("task.due", due=show(after["due_at"]))
    return ""


def history(
    events: Iterable[Event],
    steps: Mapping[str, str],
    task_id: str,
    forms: Mapping[str, Mapping[str, Any] | None] | None = None,
    people: Callable[[str | None], str] = lambda name: name or "—",
) -> list[HistoryRow]:
    """Events oldest first, once each (the task's own and the dossier's), with the step each concerns; a
    step's answer in the words of its form (``forms``: task id → its schema, with the lists it offered);
    ``people`` names whoever a hand-over went to."""
    unique = {event.id: event for event in events}
    return [
        HistoryRow(
            at=event.at,
            actor=event.actor,
            action=action_label(event.action),
            step=steps.get(event.task_id or "", ""),
            detail=_detail(event, forms or {}, people),
            this_task=event.task_id == task_id,
        )
        for event in sorted(unique.values(), key=lambda e: (e.at, e.id))
    ]


# -- the control slip ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipRow:
    step: str
    sender: str
    receiver: str
    received: datetime | None
    budget: str
    due: datetime | None
    finished: datetime | None
    used: str
    result: str | None


def slip_rows(slip: Mapping[str, Any], now: datetime) -> list[SlipRow]:
    """The steps of :meth:`engine.sla.Slip.to_dict` for the table; an open step past its due shows qua_han
    even before the overdue timer has marked it."""
    rows = []
    for step in slip.get("steps") or []:
        due, finished = moment(step.get("due_at")), moment(step.get("finished_at"))
        result = step.get("classification")
        if finished is None and due is not None:
            result = "qua_han" if now > due else "trong_han"
        used = step.get("used_hours")
        rows.append(
            SlipRow(
                step=str(step.get("step") or step.get("element_id") or ""),
                sender=str(step.get("from") or "—"),
                receiver=str(step.get("to") or "—"),
                received=moment(step.get("received_at")),
                budget=budget(step.get("budget")),
                due=due,
                finished=finished,
                used="—" if used is None else i18n.gettext("task.hours", n=_number(float(used))),
                result=result,
            )
        )
    return rows


def slip_clock(slip: Mapping[str, Any]) -> dict[str, Any] | None:
    """The dossier clock of the slip with its moments parsed (None before the clock starts)."""
    found = slip.get("dossier")
    if not found:
        return None
    return {key: (moment(value) or value) for key, value in found.items()}
