"""The administration audit trail as the users and calendar pages show it: who changed which user or
calendar day, when, from what to what. Pure formatting of the engine's events (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine.design_history import FILE_ROLLED_BACK, DesignChange
from engine.models import Event
from handlers.document_templates import KINDS
from web import i18n
from web.pages import design_changes as changes
from web.pages import names
from web.pages.task_info import show

#: How many of the newest events each page shows.
SHOWN = 20

i18n.TEXTS.update(
    {
        "admin.log.title": ("Nhật ký thay đổi", "History"),
        "admin.log.none": ("Chưa có thay đổi nào.", "No changes yet."),
        "admin.log.at": ("Thời điểm", "When"),
        "admin.log.actor": ("Người thực hiện", "By"),
        "admin.log.action": ("Việc", "Action"),
        "admin.log.subject": ("Đối tượng", "Subject"),
        "admin.log.detail": ("Chi tiết", "Details"),
        "admin.log.user_created": ("Thêm người dùng", "User created"),
        "admin.log.user_updated": ("Sửa người dùng", "User updated"),
        "admin.log.user_deactivated": ("Khoá người dùng", "User deactivated"),
        "admin.log.user_reactivated": ("Mở khoá người dùng", "User reactivated"),
        "admin.log.calendar_created": ("Tạo lịch", "Calendar created"),
        "admin.log.calendar_day_added": ("Thêm ngày", "Day added"),
        "admin.log.calendar_swap_added": ("Hoán đổi ngày làm việc", "Working day swapped"),
        "admin.log.calendar_day_removed": ("Gỡ bỏ ngày", "Day removed"),
        "admin.log.calendar_units_changed": ("Gán đơn vị cho lịch", "Units given a calendar"),
        "admin.log.calendar_restored": ("Khôi phục phiên bản trước của lịch", "Previous revision restored"),
        "admin.log.units_of": ("Đơn vị áp dụng: {units}", "Units: {units}"),
        "admin.log.deployed": ("Triển khai", "Deployed"),
        "admin.log.deployment_rolled_back": ("Quay lại phiên bản trước", "Rolled back"),
        "admin.log.design_changed": ("Thay đổi thiết kế", "Design changed"),
        "admin.log.version": ("{process} phiên bản {version}", "{process} version {version}"),
        "admin.log.files": ("tệp {files}", "files {files}"),
        "admin.log.rolled_back": (
            "phiên bản {version} mang nội dung của phiên bản {previous} (thay phiên bản {replaced})",
            "version {version} has the content of version {previous} (replacing version {replaced})",
        ),
        "admin.log.rule_set_published": ("Công bố bộ quy tắc", "Rule set published"),
        "admin.log.file_rolled_back": ("Quay lại phiên bản trước của tệp", "File rolled back"),
        "admin.log.file_rolled_back_detail": (
            "{file} triển khai lại với nội dung phiên bản trước",
            "{file} deployed again with its previous content",
        ),
        "admin.log.units_restored": ("trả lại cách gán đơn vị trước đó", "the previous assignment restored"),
        "admin.log.document_template_published": ("Ban hành mẫu văn bản", "Document template published"),
        "admin.log.published": ("phiên bản {version}, áp dụng từ {day}", "version {version}, in force from {day}"),
        "admin.log.kind.rule_set": ("Bộ quy tắc", "Rule set"),
        "admin.log.kind.form": ("Biểu mẫu", "Form"),
        "admin.log.kind.template": ("Mẫu văn bản", "Document template"),
        "admin.log.password_changed": ("đặt mật khẩu mới", "new password set"),
        "admin.log.revision": ("phiên bản lịch {revision}", "calendar revision {revision}"),
        "admin.log.field.display_name": ("Họ tên", "Display name"),
        "admin.log.field.unit": ("Đơn vị", "Unit"),
        "admin.log.field.groups": ("Nhóm", "Groups"),
        "admin.log.field.is_admin": ("Quản trị", "Administrator"),
        "admin.log.field.active": ("Hoạt động", "Active"),
        "admin.log.field.time_zone": ("Múi giờ", "Time zone"),
        "admin.log.field.cutoff": ("Giờ chốt nhận", "Cut-off"),
        "admin.log.field.units": ("Đơn vị áp dụng", "Units"),
        "admin.log.field.description": ("Mô tả", "Description"),
    }
)


@dataclass(frozen=True)
class LogRow:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


def _label(prefix: str, key: str) -> str:
    """The page's text for ``prefix.key``, else the key itself (an action added later)."""
    found = f"{prefix}.{key}"
    return i18n.gettext(found) if found in i18n.TEXTS else key


def _value(value: Any, key: str = "") -> str:
    """A logged value as people read it: units and groups by name."""
    if key == "unit" and value:
        return names.unit_name(str(value))
    if key == "units" and isinstance(value, list):
        return ", ".join(names.unit_name(str(u)) for u in value) or "—"
    if key == "groups" and isinstance(value, list):
        return ", ".join(names.group_name(str(g)) for g in value) or "—"
    return show(value) or "—"


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """ "Đơn vị: so-noi-vu → so-tai-chinh" for each changed field that has a label (the weekly hours have
    none: too long for a line); only the new value for a created thing."""
    return [
        f"{i18n.gettext(f'admin.log.field.{key}')}: "
        + (f"{_value(before[key], key)} → {_value(value, key)}" if key in before else _value(value, key))
        for key, value in after.items()
        if f"admin.log.field.{key}" in i18n.TEXTS
    ]


def _days(days: Iterable[Mapping[str, Any]]) -> list[str]:
    """ "15/06/2026 Nghỉ: Nghỉ đột xuất (QĐ 9/UBND)" for each day an event added or removed."""
    return [
        f"{_value(d.get('day'))} {_label('admin.cal.kind', str(d.get('kind')))}: {d.get('name')} ({d.get('source')})"
        for d in days
    ]


def _deployment(event: Event | DesignChange) -> list[str]:
    """What a deployment or a rollback made: each process's new version (or, for forms and decision tables
    deployed alone, their files)."""
    details, after, before = event.details or {}, event.after or {}, event.before or {}
    if event.action == "deployed":
        versions = details.get("versions") or {}
        made = [
            i18n.gettext("admin.log.version", process=names.process_name(k), version=v) for k, v in versions.items()
        ]
        worded = details.get("changes") or {}  # a file deployed again is worded with what changed in it
        files = [str(f) for f in details.get("files") or [] if f not in worded]
        return made or ([i18n.gettext("admin.log.files", files=", ".join(files))] if files else [])
    if event.action == "deployment_rolled_back":
        previous, replaced = after.get("content_of"), before.get("version")
        return [
            i18n.gettext("admin.log.rolled_back", version=after.get("version"), previous=previous, replaced=replaced)
        ]
    return []


def _detail(event: Event | DesignChange) -> str:
    before, after, details = event.before or {}, event.after or {}, event.details or {}
    if event.action in ("deployed", "deployment_rolled_back"):
        return "; ".join(_deployment(event) + changes.deployment_changes(details))
    if event.action == FILE_ROLLED_BACK:
        return i18n.gettext("admin.log.file_rolled_back_detail", file=details.get("file", "—"))
    if event.action.endswith("_published"):  # a rule set or a document template, by the domain's own event
        facts = {**after, **details}
        day = i18n.format_date(date.fromisoformat(str(facts["effective_from"]))) if facts.get("effective_from") else "—"
        what = (
            changes.template_changes(str(before.get("body", "")), str(after.get("body", "")))
            if "body" in after
            else changes.rule_set_changes(details)
        )
        return "; ".join([i18n.gettext("admin.log.published", version=facts.get("version", "—"), day=day), *what])
    parts = _changes(before, after) + _days(after.get("days") or before.get("days") or [])
    if event.action == "calendar_units_changed":
        units = after.get(str(details.get("calendar")), [])
        parts.append(i18n.gettext("admin.log.units_of", units=", ".join(map(names.unit_name, units)) or "—"))
    if details.get("password_changed"):
        parts.append(i18n.gettext("admin.log.password_changed"))
    if "revision" in details:
        parts.append(i18n.gettext("admin.log.revision", revision=details["revision"]))
    if "restored" in details and event.action == "calendar_units_changed":
        parts.append(i18n.gettext("admin.log.units_restored"))
    return "; ".join(parts)


def _subject(details: Mapping[str, Any]) -> str:
    """Whom or what an event changed: a user by user name, a calendar as people call it, a process by title,
    what the workbench's hook names by its kind and name."""
    if details.get("calendar"):
        return names.calendar_name(str(details["calendar"]))
    if details.get("process"):
        return names.process_name(str(details["process"]))
    if details.get("file"):
        return str(details["file"])
    if details.get("kind") in KINDS:  # a document template, by the document's name
        return KINDS[str(details["kind"])]
    if details.get("kind"):
        return f"{_label('admin.log.kind', str(details['kind']))}: {details.get('subject', '')}"
    return str(details.get("username") or "")


def log_rows(events: Iterable[Event | DesignChange]) -> list[LogRow]:
    """The events as the history table shows them, in the order given (newest first)."""
    return [
        LogRow(
            at=event.at,
            actor=event.actor,
            action=_label("admin.log", event.action),
            subject=_subject(event.details or {}),
            detail=_detail(event),
        )
        for event in events
    ]
