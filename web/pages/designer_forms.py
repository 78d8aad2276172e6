"""The designer's form editor: deployed task forms by name and version, a draft edited field by field, its live
preview and its save as the form's next version.

The preview is the task page's own rendering (:mod:`web.pages.forms` and the ``fields_of`` macro of
``task_form.html``), given the schema the draft makes: what the designer sees is what the person working the task
will see. Saving deploys the form alone through the repository, as an uploaded bundle is deployed: one
transaction with its audit event, after the same checks; a user task then names it in its ``form`` property
(the properties panel lists deployed forms) and a process deployed after that finds it by name.
"""

from __future__ import annotations

import json
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from engine.errors import DeploymentInvalid, InvalidInput
from engine.identity import Actor
from engine.repository import FileVersion
from web import i18n
from web.pages import forms
from web.pages.designer import DESIGNERS
from web.pages.designer_forms_model import NAME, draft_of, read_draft, schema_of
from web.pages.guard import page
from web.problem_texts import localized
from web.services import engine as _engine

i18n.TEXTS.update(
    {
        "formed.title": ("Biểu mẫu công việc", "Task forms"),
        "formed.list": ("Biểu mẫu đã triển khai", "Deployed forms"),
        "formed.none": ("Chưa có biểu mẫu nào.", "No form yet."),
        "formed.file": ("Tệp", "File"),
        "formed.form_title": ("Tiêu đề", "Title"),
        "formed.versions": ("Số phiên bản", "Versions"),
        "formed.saved_at": ("Lưu lần cuối", "Last saved"),
        "formed.saved_by": ("Người lưu", "Saved by"),
        "formed.open": ("Soạn thảo", "Edit"),
        "formed.new": ("Biểu mẫu mới", "New form"),
        "formed.new_name": ("Tên tệp", "File name"),
        "formed.new_hint": (
            "ví dụ y_kien_phong.schema.json — tên này được ghi vào thuộc tính biểu mẫu của bước trong sơ đồ",
            "e.g. y_kien_phong.schema.json — the name a step's form property gives in the diagram",
        ),
        "formed.create": ("Tạo biểu mẫu", "Create"),
        "formed.back": ("← Biểu mẫu", "← Forms"),
        "formed.editing": ("Soạn biểu mẫu", "Editing form"),
        "formed.version": ("Phiên bản", "Version"),
        "formed.latest": ("mới nhất", "latest"),
        "formed.unsaved": ("chưa lưu", "not saved yet"),
        "formed.heading": ("Tiêu đề biểu mẫu", "Form title"),
        "formed.description": ("Hướng dẫn chung", "Instructions"),
        "formed.fields": ("Các trường", "Fields"),
        "formed.add": ("Thêm trường", "Add a field"),
        "formed.save": ("Lưu phiên bản mới", "Save as a new version"),
        "formed.preview": ("Xem trước (như trang công việc)", "Preview (as on the task page)"),
        "formed.preview_hint": (
            "Bản xem trước do máy chủ vẽ bằng đúng hàm của trang công việc.",
            "Drawn by the server with the task page's own function.",
        ),
        "formed.problems": ("Cần sửa", "To fix"),
        "formed.designer": ("Thiết kế quy trình", "Process designer"),
        "formed.no_such": ("Không có biểu mẫu này.", "No such form."),
        "formed.saved": ("Đã lưu {name} phiên bản {version}.", "Saved {name} version {version}."),
        "formed.unchanged": ("Không có thay đổi; không tạo phiên bản mới.", "Nothing changed; no new version."),
        "formed.refused": ("Không lưu được: {message}", "Not saved: {message}"),
    }
)

#: Texts designer_forms.js shows, in the page's language.
JS_TEXTS: dict[str, tuple[str, str]] = {
    "kind": ("Loại", "Kind"),
    "kind.text": ("Văn bản", "Text"),
    "kind.integer": ("Số nguyên", "Whole number"),
    "kind.number": ("Số", "Number"),
    "kind.date": ("Ngày (dd/mm/yyyy)", "Date (dd/mm/yyyy)"),
    "kind.boolean": ("Ô đánh dấu", "Check box"),
    "kind.choice": ("Chọn một", "One choice"),
    "kind.choices": ("Chọn nhiều", "Several choices"),
    "kind.kept": ("Trường nâng cao (giữ nguyên)", "Advanced field (kept as is)"),
    "label": ("Nhãn", "Label"),
    "key": ("Mã trường", "Field code"),
    "key_hint": ("để trống: tạo từ nhãn", "empty: made from the label"),
    "required": ("Bắt buộc", "Required"),
    "help": ("Hướng dẫn", "Help text"),
    "choices": ("Các lựa chọn", "Choices"),
    "choices_hint": ("mỗi dòng một lựa chọn; có thể ghi mã = nhãn", "one a line; code = label allowed"),
    "minimum": ("Nhỏ nhất", "Minimum"),
    "maximum": ("Lớn nhất", "Maximum"),
    "minLength": ("Ít nhất (ký tự)", "At least (characters)"),
    "maxLength": ("Tối đa (ký tự)", "At most (characters)"),
    "up": ("Lên", "Up"),
    "down": ("Xuống", "Down"),
    "remove": ("Xoá", "Remove"),
    "field": ("Trường {n}", "Field {n}"),
    "checking": ("Đang vẽ bản xem trước…", "Drawing the preview…"),
    "saving": ("Đang lưu…", "Saving…"),
    "failed": ("Lỗi: {message}", "Error: {message}"),
    "fix": ("Có {n} chỗ cần sửa.", "{n} thing(s) to fix."),
    "ready": ("Hợp lệ.", "Valid."),
}

blp = Blueprint("designer_forms", __name__, url_prefix="/designer/forms")


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    """Every deployed form with its newest title and version count; ``?name=`` opens a new form (400 naming the
    file name when it cannot be one)."""
    wanted = request.args.get("name")
    if wanted is not None and NAME.fullmatch(wanted.strip()):
        return redirect(url_for(".edit", name=wanted.strip()))
    rows = [
        {"name": name, "title": _title(found[0]), "versions": len(found), "latest": found[0]}
        for name, group in groupby(_engine().repository.files("form"), key=lambda f: f.name)
        for found in [list(group)]
    ]
    if wanted is not None:
        flash(i18n.gettext("formdraft.bad_name"), "error")
    return render_template("designer_forms.html", rows=rows, wanted=wanted or ""), 400 if wanted is not None else 200


@blp.get("/<name>")
@page(roles=DESIGNERS)
def edit(me: Actor, name: str) -> Any:
    """The editor on one version of a form (``?version=N``, default the newest); a name not deployed yet opens a
    blank form."""
    if not NAME.fullmatch(name):
        abort(404, description=i18n.gettext("formed.no_such"))
    versions = _engine().repository.files("form", name)
    wanted = request.args.get("version", type=int)
    numbered = list(zip(range(len(versions), 0, -1), versions, strict=True))
    current = next(((n, v) for n, v in numbered if wanted in (None, n)), None)
    if wanted is not None and current is None:
        abort(404, description=i18n.gettext("formed.no_such"))
    schema = json.loads(current[1].content) if current else {}
    language = i18n.LANGUAGES.index(i18n.language())
    data = {
        "draft": draft_of(name, schema),
        "urls": {"preview": url_for(".preview"), "save": url_for(".save"), "edit": url_for(".edit", name=name)},
        "texts": {key: pair[language] for key, pair in JS_TEXTS.items()},
    }
    return render_template(
        "designer_form_edit.html", name=name, versions=numbered, current=current[0] if current else None, data=data
    )


@blp.post("/preview")
@page(roles=DESIGNERS)
def preview(me: Actor) -> Any:
    """The task page's form for the posted draft (HTML), with the codes of its fields; 422 naming each faulty
    entry of the draft. Nothing is stored."""
    try:
        _, schema = schema_of(read_draft(request.form.get("draft", "")))
    except InvalidInput as bad:
        return jsonify(problems=bad.fields), 422
    tree = forms.fields(forms.offered(forms.with_choices(schema, {})))
    html = render_template("designer_form_preview.html", fields=tree, values=forms.initial(tree), errors={})
    return jsonify(html=html, keys=list(schema["properties"]))


@blp.post("/save")
@page(roles=DESIGNERS)
def save(me: Actor) -> Any:
    """Deploy the draft as the form's next version (one transaction, audited as a deployment); 422 naming the
    draft's faulty entries or the deployment check's findings, and nothing stored."""
    try:
        name, schema = schema_of(read_draft(request.form.get("draft", "")))
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        result = _engine().repository.deploy({name: text.encode()}, actor=me.username, name=f"form {name}")
    except DeploymentInvalid as refused:
        found = [i18n.gettext("formed.refused", message=localized(p)["text"]) for p in refused.problems]
        return jsonify(problems={"_": found}), 422
    except InvalidInput as bad:
        return jsonify(problems=bad.fields or {"_": [bad.message]}), 422
    if result.deployment_id is None:
        return jsonify(message=i18n.gettext("formed.unchanged"), version=None)
    version = len(_engine().repository.files("form", name))
    return jsonify(
        message=i18n.gettext("formed.saved", name=name, version=version),
        version=version,
        url=url_for(".edit", name=name, version=version),
    )


def _title(found: FileVersion) -> str:
    try:
        schema = json.loads(found.content)
    except ValueError:
        return ""
    return str(schema.get("title") or "") if isinstance(schema, dict) else ""
