"""The workbench's history: every change a designer made (deployments, rollbacks, calendars, and what other
parts record through the engine's hook), who made it and when, and the rollback of a process to its previous
version. A rollback deploys the previous diagram again as a new version; the engine checks the role inside."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import Conflict, InvalidInput
from engine.identity import Actor
from handlers.document_templates import KINDS
from handlers.ruleset_service import PUBLISHED as RULE_SET_PUBLISHED
from web import i18n
from web.pages import names
from web.pages.admin_history import log_rows
from web.pages.designer import DESIGNERS, processes
from web.pages.guard import page
from web.services import domain
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
        "design.files": ("Biểu mẫu và bảng quyết định (DMN)", "Forms and decision tables (DMN)"),
        "design.file_single": ("tệp {file} chỉ có một phiên bản", "{file} has one version only"),
        "design.file_rolled_back": (
            "Đã triển khai lại {file} với nội dung phiên bản trước.",
            "{file} deployed again with its previous content.",
        ),
        "design.rules": ("Bộ quy tắc xét khen thưởng", "Award rule set"),
        "design.rules_hint": (
            "Công bố lại quy tắc của phiên bản liền trước phiên bản mới nhất ({previous}) thành phiên bản mới.",
            "Publishes the rules of the version before the newest ({previous}) again as a new version.",
        ),
        "design.rules_rolled_back": (
            "Đã công bố phiên bản {version} mang quy tắc của phiên bản trước ({count} thay đổi).",
            "Published version {version} with the previous rules ({count} changes).",
        ),
        "design.new_version": ("Mã phiên bản mới", "New version code"),
        "design.effective": ("Hiệu lực từ ngày", "In force from"),
        "design.templates": ("Mẫu văn bản", "Document templates"),
        "design.template_rolled_back": (
            "Đã ban hành lại lời văn trước của {name}, áp dụng từ {day}.",
            "The previous wording of {name} is published again from {day}.",
        ),
        "design.calendar_days": ("Ngày nghỉ, ngày làm bù của lịch", "A calendar's days"),
        "design.calendar_rolled_back": (
            "Đã đưa {calendar} về phiên bản trước (thành một phiên bản mới).",
            "{calendar} is back to its previous revision (as a new revision).",
        ),
        "design.units": ("Đơn vị dùng lịch nào", "Which unit uses which calendar"),
        "design.units_do": ("Trả lại cách gán đơn vị trước đó", "Restore the previous assignment"),
        "design.units_none": ("chưa có lần gán đơn vị nào để quay lại", "no assignment to undo"),
        "design.units_rolled_back": ("Đã trả lại cách gán đơn vị trước đó.", "The previous assignment is restored."),
        "design.refused": ("Chưa quay lại được:", "Not rolled back:"),
        "design.nothing_yet": ("Chưa có gì để quay lại.", "Nothing to roll back yet."),
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
#: the posted fields a refusal names, in Vietnamese
FIELD_NAMES = {
    "version": "Mã phiên bản mới",
    "effective_from": "Hiệu lực từ ngày",
    "kind": "Mẫu văn bản",
    "file": "Tệp",
    "calendar": "Lịch",
    "units": "Đơn vị",
}


@blp.get("/lich-su")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    """The designer's changes, newest first, and each thing that can go back to its previous version."""
    return _page()


def _page(refused: InvalidInput | None = None) -> str:
    files = [f for kind in ("form", "dmn") for f in _engine().repository.files(kind)]
    counts = Counter(f.name for f in files)
    templates = domain().document_templates
    return render_template(
        "designer_history.html",
        processes=[p for p in processes() if len(p.versions) > 1],
        files=sorted(name for name, count in counts.items() if count > 1),
        rule_sets=domain().rulesets.versions(),
        templates=[(kind, name) for kind, name in KINDS.items() if len(templates.versions(kind)) > 1],
        calendars=_engine().calendar.calendars(),
        history=log_rows(_engine().design.changes(SHOWN, also=DOMAIN_ACTIONS)),
        problems=[(FIELD_NAMES.get(k, k), "; ".join(m)) for k, m in (refused.fields if refused else {}).items()],
        refused=refused.message if refused else None,
    )


def _refused(bad: InvalidInput | Conflict, status: int = 422) -> tuple[str, int]:
    """The page again with what was refused, naming the field; nothing was changed."""
    return _page(bad if isinstance(bad, InvalidInput) else InvalidInput(bad.message)), status


def _day(field: str) -> date:
    """The posted dd/mm/yyyy date of ``field``; InvalidInput naming it otherwise."""
    try:
        return datetime.strptime(request.form.get(field, "").strip(), "%d/%m/%Y").date()
    except ValueError:
        raise InvalidInput("ngày không hợp lệ", {field: ["ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/01/2027"]}) from None


@blp.post("/lich-su/tep/<path:name>/quay-lai")
@page(roles=DESIGNERS)
def roll_back_file(me: Actor, name: str) -> Any:
    """Deploy a form's or decision file's previous content again as its next version (one transaction)."""
    try:
        _engine().design.roll_back_file(name, me.username)
    except InvalidInput as bad:
        return _refused(InvalidInput(bad.message, {"file": [i18n.gettext("design.file_single", file=name)]}))
    flash(i18n.gettext("design.file_rolled_back", file=name))
    return redirect(url_for(".index"))


@blp.post("/lich-su/quy-tac/quay-lai")
@page(roles=DESIGNERS)
def roll_back_rules(me: Actor) -> Any:
    """Publish the rules of the version before the newest again, as a new version from the given date."""
    try:
        version, found = domain().rulesets.roll_back(me.username, _text("version"), _day("effective_from"))
    except (InvalidInput, Conflict) as bad:
        return _refused(bad, 409 if isinstance(bad, Conflict) else 422)
    flash(i18n.gettext("design.rules_rolled_back", version=version, count=len(found)))
    return redirect(url_for(".index"))


@blp.post("/lich-su/mau/<kind>/quay-lai")
@page(roles=DESIGNERS)
def roll_back_template(me: Actor, kind: str) -> Any:
    """Publish a document template's previous wording again from the given date."""
    try:
        done = domain().document_templates.roll_back(me, kind, _day("effective_from"))
    except (InvalidInput, Conflict) as bad:
        return _refused(bad, 409 if isinstance(bad, Conflict) else 422)
    flash(i18n.gettext("design.template_rolled_back", name=KINDS[kind], day=i18n.format_date(done.effective_from)))
    return redirect(url_for(".index"))


@blp.post("/lich-su/lich/<name>/quay-lai")
@page(roles=DESIGNERS)
def roll_back_calendar(me: Actor, name: str) -> Any:
    """Roll a calendar's days back to its previous revision (a new revision)."""
    try:
        _engine().calendar.restore_previous(me.username, calendar=name)
    except InvalidInput:
        return _refused(InvalidInput("lịch chưa có thay đổi nào", {"calendar": [names.calendar_name(name)]}))
    flash(i18n.gettext("design.calendar_rolled_back", calendar=names.calendar_name(name)))
    return redirect(url_for(".index"))


@blp.post("/lich-su/don-vi/quay-lai")
@page(roles=DESIGNERS)
def roll_back_units(me: Actor) -> Any:
    """Give the calendars back the units they had before the newest assignment."""
    try:
        _engine().calendar.restore_previous_units(me.username)
    except InvalidInput:
        return _refused(InvalidInput("chưa gán đơn vị nào", {"units": [i18n.gettext("design.units_none")]}))
    flash(i18n.gettext("design.units_rolled_back"))
    return redirect(url_for(".index"))


def _text(field: str) -> str:
    """A posted text field; InvalidInput naming it when empty or too long."""
    value = request.form.get(field, "").strip()
    if not value or len(value) > 40:
        raise InvalidInput("thiếu thông tin", {field: ["ghi từ 1 đến 40 ký tự"]})
    return value


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
