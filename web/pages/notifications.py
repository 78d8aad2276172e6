"""My notifications (due soon, overdue, escalations): to me or to my groups, newest first."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from engine.identity import Actor
from web import i18n
from web.pages.guard import page
from web.pages.task_access import engine

#: The most notifications listed.
LIMIT = 200

i18n.TEXTS.update(
    {
        "notifications.title": ("Thông báo", "Notifications"),
        "notifications.empty": ("Chưa có thông báo nào.", "No notifications yet."),
        "notifications.at": ("Thời điểm", "Time"),
        "notifications.kind": ("Loại", "Kind"),
        "notifications.message": ("Nội dung", "Message"),
        "notifications.to": ("Gửi tới", "To"),
        "notifications.open_task": ("Mở công việc", "Open the task"),
        "notifications.kind.task_warning": ("Sắp đến hạn", "Due soon"),
        "notifications.kind.task_overdue": ("Quá hạn", "Overdue"),
        "notifications.kind.dossier_warning": ("Hồ sơ sắp đến hạn", "Dossier due soon"),
        "notifications.kind.dossier_overdue": ("Hồ sơ quá hạn", "Dossier overdue"),
        "notifications.kind.escalation": ("Chuyển cấp", "Escalation"),
    }
)

#: Notification kind → badge class of app.css.
BADGES = {
    "task_warning": "due_soon",
    "dossier_warning": "due_soon",
    "task_overdue": "qua_han",
    "dossier_overdue": "qua_han",
    "escalation": "qua_han",
}

blp = Blueprint("notifications", __name__)


def kind_label(kind: str) -> str:
    key = f"notifications.kind.{kind}"
    return i18n.gettext(key) if key in i18n.TEXTS else kind


@blp.get("/notifications")
@page()
def index(me: Actor) -> Any:
    found = engine().notifications.for_user(me.username)[:LIMIT]
    return render_template("notifications.html", items=found, badges=BADGES, kind_label=kind_label)
