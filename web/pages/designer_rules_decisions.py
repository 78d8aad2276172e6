"""The designer's decision editor: the DMN files of the deployed bundles, one opened in dmn-js (bundled from npm,
served locally), checked and deployed as a new version of the bundle that holds it, through the repository's
own validate and deploy (the path the diagram editor uses). The page's script is ``static/decisions.js``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, flash, jsonify, render_template, request, url_for

from engine.errors import Conflict, DeploymentInvalid, InvalidInput
from engine.identity import Actor
from web import i18n
from web.pages import designer_decisions_new as fresh
from web.pages.designer import DESIGNERS
from web.pages.guard import page
from web.problem_texts import localized_all
from web.services import domain, engine

i18n.TEXTS.update(
    {
        "decisions.title": ("Bảng quyết định (DMN)", "Decision tables (DMN)"),
        "decisions.open": ("Bảng quyết định (DMN)", "Decision tables (DMN)"),
        "decisions.hint": (
            "Mở một tệp DMN đã triển khai, sửa bảng (quy tắc, đầu vào, đầu ra), kiểm tra rồi triển khai: gói quy"
            " trình chứa tệp được triển khai lại thành phiên bản mới, các tệp khác giữ nguyên.",
            "Open a deployed DMN file, edit its table (rules, inputs, outputs), check it and deploy: the bundle"
            " holding the file is deployed again as a new version, its other files unchanged.",
        ),
        "decisions.none": ("Chưa có tệp DMN nào được triển khai.", "No DMN file has been deployed yet."),
        "decisions.file": ("Tệp", "File"),
        "decisions.decisions": ("Quyết định", "Decisions"),
        "decisions.deployed_at": ("Triển khai lúc", "Deployed at"),
        "decisions.edit": ("Mở trình soạn thảo", "Open in editor"),
        "decisions.view": ("Bảng đang mở", "Table shown"),
        "decisions.validate": ("Kiểm tra", "Validate"),
        "decisions.deploy": ("Triển khai phiên bản mới", "Deploy a new version"),
        "decisions.loading": ("Đang mở bảng…", "Opening the table…"),
        "decisions.loaded": ("Đã mở. Sửa trực tiếp trong bảng.", "Opened. Edit the table in place."),
        "decisions.valid": ("Hợp lệ: có thể triển khai.", "Valid: it may be deployed."),
        "decisions.refused": ("Chưa triển khai được:", "Not deployed:"),
        "decisions.deployed": ("Đã triển khai: {versions}.", "Deployed: {versions}."),
        "decisions.unchanged": ("Không có gì thay đổi: không có phiên bản mới.", "Nothing changed: no new version."),
        "decisions.version_of": ("{process} phiên bản {version}", "{process} version {version}"),
        "decisions.failed": ("Không đọc được bảng: {error}", "The table could not be read: {error}"),
    }
)

blp = Blueprint("designer_decisions", __name__, url_prefix="/designer/quyet-dinh")


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    return render_template("designer_decisions.html", files=domain().decisions.files())


@blp.get("/<path:name>/mo")
@page(roles=DESIGNERS)
def edit(me: Actor, name: str) -> Any:
    domain().decisions.source(name)  # 404 for a file never deployed
    urls = {action: url_for(f".{action}", name=name) for action in ("source", "validate", "deploy")}
    return render_template("designer_decision_edit.html", name=name, urls=urls, fresh=False)


@blp.post("/moi")
@page(roles=DESIGNERS)
def new(me: Actor) -> Any:
    """A blank table under a new key, opened in dmn-js; it is stored only when deployed (422 naming the faulty
    key or name, nothing opened)."""
    key, name = request.form.get("key", "").strip(), request.form.get("name", "")
    try:
        fresh.check_key(key, domain().decisions.taken)
        fresh.check_name(name)
    except InvalidInput as bad:
        for messages in bad.fields.values():
            flash(" ".join(messages), "error")
        files = domain().decisions.files()
        return render_template("designer_decisions.html", files=files, new_form=request.form), 422
    urls = {
        "source": url_for(".blank_source", key=key, name=name.strip()),
        "validate": url_for(".validate_new", key=key),
        "deploy": url_for(".deploy_new", key=key),
    }
    return render_template("designer_decision_edit.html", name=fresh.file_of(key), urls=urls, fresh=True)


@blp.get("/moi/<key>/xml")
@page(roles=DESIGNERS)
def blank_source(me: Actor, key: str) -> Any:
    """The blank table a new key starts from (``?name=`` its name; 422 naming a bad key or name)."""
    name = request.args.get("name", "")
    try:
        fresh.check_key(key, lambda _: False)
        fresh.check_name(name)
    except InvalidInput as bad:
        return _bad(bad)
    return Response(fresh.blank(key, name), mimetype="application/xml")


@blp.post("/moi/<key>/kiem-tra")
@page(roles=DESIGNERS)
def validate_new(me: Actor, key: str) -> Any:
    """Check a new table on its own; stores nothing."""
    return _check(lambda: fresh.new_file(key, request.form.get("xml", ""), domain().decisions.taken))


@blp.post("/moi/<key>/trien-khai")
@page(roles=DESIGNERS)
def deploy_new(me: Actor, key: str) -> Any:
    """Deploy a new table alone (one transaction, audited as a deployment); from then on the page edits the
    deployed file, whose endpoints the answer gives."""
    try:
        files = fresh.new_file(key, request.form.get("xml", ""), domain().decisions.taken)
        engine().repository.deploy(files, actor=me.username, name=f"bảng quyết định {key}", only_new=True)
    except DeploymentInvalid as refused:
        return _refused(refused)
    except InvalidInput as bad:
        return _bad(bad)
    except Conflict:  # taken by another designer between the check above and the deployment
        return _bad(fresh.taken_refusal(key), 409)
    name = fresh.file_of(key)
    urls = {action: url_for(f".{action}", name=name) for action in ("validate", "deploy")}
    urls["page"] = url_for(".edit", name=name)
    return jsonify(ok=True, message=i18n.gettext("decisions.created", file=name), versions=[], urls=urls)


@blp.get("/<path:name>/xml")
@page(roles=DESIGNERS)
def source(me: Actor, name: str) -> Response:
    return Response(domain().decisions.source(name), mimetype="application/xml")


@blp.post("/<path:name>/kiem-tra")
@page(roles=DESIGNERS)
def validate(me: Actor, name: str) -> Any:
    """Check the edited table inside its bundle; stores nothing."""
    return _check(lambda: domain().decisions.bundle_with(name, request.form.get("xml", ""))[1])


@blp.post("/<path:name>/trien-khai")
@page(roles=DESIGNERS)
def deploy(me: Actor, name: str) -> Any:
    """Deploy the bundle holding the table, with the edited table, as a new version."""
    try:
        bundle, files = domain().decisions.bundle_with(name, request.form.get("xml", ""))
        result = engine().repository.deploy(files, actor=me.username, name=bundle)
    except DeploymentInvalid as refused:
        return _refused(refused)
    except InvalidInput as bad:
        return _bad(bad)
    versions = ", ".join(
        i18n.gettext("decisions.version_of", process=v.name or v.key, version=v.version) for v in result.definitions
    )
    message = i18n.gettext("decisions.deployed", versions=versions) if versions else i18n.gettext("decisions.unchanged")
    made = [{"key": v.key, "version": v.version} for v in result.definitions]
    return jsonify(ok=True, message=message, versions=made)


def _check(files: Callable[[], Mapping[str, bytes]]) -> Any:
    """The repository's verdict on the bundle ``files`` makes, as the page's JSON answer; stores nothing."""
    try:
        engine().repository.validate(files())
    except DeploymentInvalid as refused:
        return _refused(refused)
    except InvalidInput as bad:
        return _bad(bad)
    return jsonify(ok=True, message=i18n.gettext("decisions.valid"))


def _refused(refused: DeploymentInvalid) -> tuple[Response, int]:
    errors = [p for p in refused.problems if p.severity == "error"]
    problems = [{**row, "message": row["text"]} for row in localized_all(errors)]
    return jsonify(ok=False, message=i18n.gettext("decisions.refused"), problems=problems), 422


def _bad(bad: InvalidInput, status: int = 422) -> tuple[Response, int]:
    problems = [{"file": key, "element_id": None, "message": "; ".join(m)} for key, m in bad.fields.items()]
    return jsonify(ok=False, message=bad.message, problems=problems), status
