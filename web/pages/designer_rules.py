"""The designer's rule sets: the versions with their effective dates, and a new version edited in the browser,
previewed as a diff against the version in force and published (``handlers.ruleset_service``).

The editor is a structured form over the award types (thresholds and quorum, time limits, required papers,
bonus multiples, the eligibility rules' numbers and titles); a whole document can also be uploaded as YAML and
then goes through the same form, preview and checks. This module translates pages to service calls only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import Conflict, InvalidInput
from engine.identity import Actor
from handlers.catalogue import RECIPIENT_KINDS, read_yaml
from handlers.ruleset_diff import Change
from handlers.ruleset_edits import ADDABLE_RULES
from handlers.ruleset_labels import KEYS, label
from web import i18n
from web.pages import designer_rules_form as form
from web.pages import designer_rules_ops as ops
from web.pages import names, posted_json
from web.pages.designer import DESIGNERS
from web.pages.guard import page
from web.services import domain

i18n.TEXTS.update(
    {
        "rules.title": ("Bộ quy tắc xét khen thưởng", "Award rule sets"),
        "rules.open": ("Bộ quy tắc xét khen thưởng", "Award rule sets"),
        "rules.versions": ("Các phiên bản", "Versions"),
        "rules.version": ("Mã phiên bản", "Version"),
        "rules.name": ("Tên", "Name"),
        "rules.effective": ("Hiệu lực từ ngày", "In force from"),
        "rules.loaded": ("Nạp lúc", "Stored at"),
        "rules.published_by": ("Người công bố", "Published by"),
        "rules.shipped": ("Nạp từ tệp kèm sản phẩm", "Loaded from the shipped files"),
        "rules.state": ("Trạng thái", "State"),
        "rules.in_force": ("Đang áp dụng", "In force"),
        "rules.upcoming": ("Sắp có hiệu lực", "Upcoming"),
        "rules.past": ("Đã thay thế", "Replaced"),
        "rules.new": ("Soạn phiên bản mới", "New version"),
        "rules.new_hint": (
            "Phiên bản mới bắt đầu từ bản đang áp dụng. Hồ sơ được xét theo phiên bản có hiệu lực vào ngày tiếp"
            " nhận: hồ sơ nhận trước ngày hiệu lực giữ quy tắc cũ.",
            "A new version starts from the one in force. A dossier is judged by the version in force on the day it"
            " was received: those received before the effective date keep the old rules.",
        ),
        "rules.general": ("Thông tin phiên bản", "The version"),
        "rules.effective_hint": ("dd/mm/yyyy, từ hôm nay trở đi", "dd/mm/yyyy, today or later"),
        "rules.vote": ("Biểu quyết của Hội đồng", "Council vote"),
        "rules.no_vote": ("Không bỏ phiếu (Thường trực Hội đồng xem xét)", "No vote (standing body reviews)"),
        "rules.working_days": ("ngày làm việc", "working days"),
        "rules.within_hint": ("để trống: không hẹn ngày", "empty: no date set"),
        "rules.policy.resume": ("Tính tiếp thời gian còn lại", "The time left counts on"),
        "rules.policy.restart": ("Tính lại từ đầu", "The whole limit again"),
        "rules.eligibility": ("Điều kiện xét", "Eligibility"),
        "rules.kind.freeze": ("Không đang bị kỷ luật, điều tra, khiếu nại", "No discipline, investigation, complaint"),
        "rules.kind.has_title": ("Đã đạt danh hiệu", "Holds the title"),
        "rules.kind.consecutive_titles": ("Đạt danh hiệu liên tục", "Holds the title in a row"),
        "rules.kind.initiative": ("Có sáng kiến được công nhận", "A recognised initiative"),
        "rules.kind.ratio": ("Tỷ lệ thành viên", "Share of members"),
        "rules.kind.min_count": ("Số thành viên tối thiểu", "Fewest members"),
        "rules.kind.max_value": ("Mức tối đa", "Highest value"),
        "rules.preview": ("Xem thay đổi", "Show the changes"),
        "rules.publish": ("Công bố phiên bản", "Publish the version"),
        "rules.changes": ("Thay đổi so với phiên bản đang áp dụng", "Changes against the version in force"),
        "rules.no_changes": ("Chưa có thay đổi nào về quy tắc.", "No rule has changed yet."),
        "rules.field": ("Mục", "Field"),
        "rules.before": ("Trước", "Before"),
        "rules.after": ("Sau", "After"),
        "rules.refused": ("Chưa lưu được: hãy sửa các mục sau.", "Not stored: correct these fields."),
        "rules.published": (
            "Đã công bố phiên bản {version}, hiệu lực từ {day} ({count} thay đổi).",
            "Published version {version}, in force from {day} ({count} changes).",
        ),
        "rules.upload": ("Hoặc nạp cả bộ quy tắc từ tệp YAML", "Or load a whole rule set from a YAML file"),
        "rules.upload_do": ("Nạp và xem thay đổi", "Load and show the changes"),
        "rules.upload_field": ("Tệp YAML", "YAML file"),
        "rules.draft_field": ("Bản nháp", "Draft"),
        "rules.new_award": ("Thêm hình thức khen thưởng", "Add an award type"),
        "rules.new_award_hint": (
            "Hình thức mới bắt đầu với điều kiện không bị kỷ luật, hệ số tiền thưởng 1,0 và thời hạn bằng tổng định"
            " mức của quy trình; sửa các con số, giấy tờ và điều kiện ở mục của nó sau khi thêm.",
            "A new type starts with the no-discipline condition, a bonus of 1.0 and the procedure's total as its time"
            " limit; edit its numbers, papers and conditions in its own section once added.",
        ),
        "rules.new_award.code": ("Mã hình thức", "Code"),
        "rules.new_award.name": ("Tên hình thức", "Name"),
        "rules.new_award.level": ("Cấp khen thưởng (cơ quan ban hành)", "Level (issuing body)"),
        "rules.new_award.recipients": ("Đối tượng", "Recipients"),
        "rules.new_award.procedure": ("Quy trình nội bộ", "Internal procedure"),
        "rules.new_award.council": ("Hội đồng bỏ phiếu", "Voting council"),
        "rules.new_award.no_council": ("Không bỏ phiếu", "No vote"),
        "rules.new_award.papers": ("Giấy tờ bắt buộc", "Required papers"),
        "rules.new_award.add": ("Thêm hình thức", "Add the type"),
        "rules.remove_award": ("Bỏ hình thức này", "Remove this type"),
        "rules.remove_award_confirm": (
            "Bỏ hình thức này khỏi phiên bản mới? Hồ sơ nhận từ ngày hiệu lực sẽ không được chọn hình thức này.",
            "Remove this type from the new version? Dossiers received from its date cannot choose it.",
        ),
        "rules.add_rule": ("Thêm điều kiện", "Add a condition"),
        "rules.remove_rule": ("Bỏ điều kiện", "Remove the condition"),
        "rules.op": ("Thao tác", "Action"),
    }
)

blp = Blueprint("designer_rules", __name__, url_prefix="/designer/quy-tac")

#: names of the form's own fields when a refusal names them
OWN_FIELDS = {"draft": "rules.draft_field", "yaml": "rules.upload_field"}


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    return render_template("designer_rules.html", versions=domain().rulesets.versions(), publisher=names.person_name)


@blp.get("/moi")
@page(roles=DESIGNERS)
def new(me: Actor) -> Any:
    """The version in force as the start of a new one; its code and date are the designer's to give."""
    return _editor({**domain().rulesets.draft(), "version": "", "effective_from": ""})


@blp.post("/moi")
@page(roles=DESIGNERS)
def submit(me: Actor) -> Any:
    """Preview (validate and diff) or publish the posted draft; a refusal shows the form again, fields marked."""
    try:
        content = form.apply(request.form)
    except form.FormInvalid as bad:
        return _editor(bad.content, refused=bad), 422
    except InvalidInput as bad:  # the draft itself does not read: start again from the version in force
        return _editor(domain().rulesets.draft(), refused=bad), 422
    service = domain().rulesets
    try:
        if request.form.get("op"):
            content = ops.operate(content, request.form["op"], request.form)
            return _editor(content, changes=service.preview(content))
        if request.form.get("action") == "publish":
            version, found = service.publish(me.username, content, f"trình soạn thảo ({me.username})")
            day = form.dmy(content.get("effective_from"))
            flash(i18n.gettext("rules.published", version=version, day=day, count=len(found)))
            return redirect(url_for(".index"))
        return _editor(content, changes=service.preview(content))
    except InvalidInput as bad:
        return _editor(content, refused=bad), 422
    except Conflict as raced:  # another designer published that version or day a moment before
        return _editor(content, refused=InvalidInput(raced.message)), 409


@blp.post("/tai-len")
@page(roles=DESIGNERS)
def upload(me: Actor) -> Any:
    """A whole document from a YAML file, into the same editor and preview (nothing is stored here); a document
    that reads but breaks a rule is shown in the form with those fields marked."""
    try:
        content = _uploaded()
    except InvalidInput as bad:
        return _editor(domain().rulesets.draft(), refused=bad), 422
    try:
        return _editor(content, changes=domain().rulesets.preview(content))
    except InvalidInput as bad:
        return _editor(content, refused=bad), 422


def _uploaded() -> dict[str, Any]:
    """The posted YAML file as a document; InvalidInput naming the file field when it does not read as one."""
    sent = request.files.get("yaml")
    if sent is None or not sent.filename:
        raise InvalidInput("chưa chọn tệp", {"yaml": ["hãy chọn một tệp YAML"]})
    try:
        content = read_yaml(sent.read().decode("utf-8"), sent.filename)
        posted_json.check(content, "yaml")
        return content
    except UnicodeDecodeError:
        raise InvalidInput("tệp không đọc được", {"yaml": ["tệp phải là văn bản UTF-8"]}) from None
    except InvalidInput as bad:
        raise InvalidInput(bad.message, {"yaml": [m for ms in bad.fields.values() for m in ms]}) from None


def _editor(
    content: Mapping[str, Any], changes: list[Change] | None = None, refused: InvalidInput | None = None
) -> str:
    problems = [(key, _name(key, content), messages) for key, messages in (refused.fields if refused else {}).items()]
    return render_template(
        "designer_rules_edit.html",
        content=content,
        draft=form.draft_json(content),
        awards=form.awards_of(content),
        effective=form.dmy(content.get("effective_from", "")),
        changes=changes,
        problems=problems,
        invalid={key for key, *_ in problems},
        message=refused.message if refused and not refused.fields else None,
        param_name=lambda param: KEYS.get(param, param),
        addable=ADDABLE_RULES,
        recipient_kinds=RECIPIENT_KINDS,
        posted=request.form if refused else {},
    )


def _name(key: str, content: Mapping[str, Any]) -> str:
    own = OWN_FIELDS.get(key) or ops.FIELD_NAMES.get(key)
    if own is None and key.endswith(".add_rule"):
        return f"{label(key.removesuffix('.add_rule'), content)} › {i18n.gettext('rules.add_rule')}"
    return i18n.gettext(own) if own else label(key, content)
