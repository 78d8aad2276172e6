"""The workbench's history: every change a designer made (deployments, rollbacks, calendars, and what other
parts record through the engine's hook), who made it and when, and the rollback of a process to its previous
version. A rollback deploys the previous diagram again as a new version; the engine checks the role inside."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from engine.errors import InvalidInput
from engine.identity import Actor
from handlers.ruleset_service import PUBLISHED as RULE_SET_PUBLISHED
from web import i18n
from web.pages.admin_history import log_rows
from web.pages.designer import DESIGNERS, processes
from web.pages.guard import page
from web.services import engine as _engine

i18n.TEXTS.update(
    {
        "design.title": ("Lịch sử thiết kế", "Design history"),
        "design.open": ("Lịch sử thay đổi và quay lại phiên bản trước", "Change history and rollback"),
        "design.rollback": ("Quay lại phiên bản trước", "Back to the previous version"),
        "design.rollback_hint": (
            "Triển khai lại nội dung của phiên bản liền trước thành một phiên bản mới; các phiên bản cũ được giữ "
            "nguyên, hồ sơ đang chạy không bị chuyển.",
            "Deploys the previous version's content again as a new version; older versions stay, running dossiers "
            "are not moved.",
        ),
        "design.process": ("Quy trình", "Process"),
        "design.latest": ("Phiên bản mới nhất", "Newest version"),
        "design.confirm": (
            "Triển khai lại phiên bản {version} thành phiên bản mới?",
            "Deploy version {version} again as a new version?",
        ),
        "design.rolled_back": (
            "Đã quay lại: {process} phiên bản {version} mang nội dung của phiên bản {previous}.",
            "Rolled back: {process} version {version} has the content of version {previous}.",
        ),
        "design.nothing": ("Quy trình này chỉ có một phiên bản.", "This process has one version only."),
        "design.none": ("Chưa có quy trình nào có từ hai phiên bản.", "No process has two versions yet."),
        "design.calendars": (
            "Lịch làm việc được khôi phục về phiên bản trước ở trang lịch.",
            "A calendar is restored to its previous revision on the calendar page.",
        ),
    }
)

blp = Blueprint("design_history", __name__, url_prefix="/thiet-ke")
#: what the award domain records of a designer's own changes (it audits them itself, in its own words)
DOMAIN_ACTIONS = (RULE_SET_PUBLISHED, "document_template_published")
#: how many of the newest changes the page lists
SHOWN = 100


@blp.get("/lich-su")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    """The designer's changes, newest first, and each process that can go back to its previous version."""
    return render_template(
        "designer_history.html",
        processes=[p for p in processes() if len(p.versions) > 1],
        history=log_rows(_engine().design.changes(SHOWN, also=DOMAIN_ACTIONS)),
    )


@blp.post("/lich-su/<key>/quay-lai")
@page(roles=DESIGNERS)
def roll_back(me: Actor, key: str) -> Any:
    """Deploy the version before the newest again, as a new version (one transaction, audited)."""
    try:
        result = _engine().design.roll_back_process(key, me.username)
    except InvalidInput:
        flash(i18n.gettext("design.nothing"), "error")
        return redirect(url_for(".index"))
    mine = next(v for v in result.definitions if v.key == key)
    # versions of a key are consecutive: the new one follows the newest, whose predecessor it copies
    flash(i18n.gettext("design.rolled_back", process=mine.name or key, version=mine.version, previous=mine.version - 2))
    return redirect(url_for(".index"))
