"""The process designer's pages: versions per process, bundle upload, the BPMN editor, instance migration.

The editor itself is bpmn-js (served from the installed npm files) driven by ``static/designer.js``; it talks
to the JSON API (validate, deploy) with the session's CSRF token, so this module only renders pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine.errors import AwardflowError, DeploymentInvalid, InvalidInput, Problem
from engine.identity import Actor
from engine.models import ProcessInstance
from engine.repository import OPEN_STATES, DefinitionView, DeploymentResult
from web import i18n
from web.api.definitions import bundle, deployment_name
from web.auth import csrf_token, require_unit, unit_scope
from web.boundary import column_int
from web.pages.guard import page
from web.services import engine as _engine

i18n.TEXTS.update(
    {
        "designer.title": ("Thiết kế quy trình", "Process designer"),
        "designer.processes": ("Quy trình đã triển khai", "Deployed processes"),
        "designer.none": ("Chưa có quy trình nào được triển khai.", "No process has been deployed yet."),
        "designer.version": ("Phiên bản", "Version"),
        "designer.deployed_at": ("Triển khai lúc", "Deployed at"),
        "designer.file": ("Tệp", "File"),
        "designer.running": ("Hồ sơ đang chạy", "Running instances"),
        "designer.latest": ("mới nhất", "latest"),
        "designer.open": ("Mở trình soạn thảo", "Open in editor"),
        "designer.open_latest": ("Soạn thảo phiên bản mới nhất", "Edit the latest version"),
        "designer.migrate": ("Chuyển hồ sơ sang đây", "Migrate instances here"),
        "designer.upload": ("Tải lên gói quy trình", "Upload a bundle"),
        "designer.upload_hint": (
            "Tệp .bpmn, .dmn và biểu mẫu .json (chọn được nhiều tệp). Biểu mẫu và DMN đã triển khai được dùng lại"
            " theo tên.",
            ".bpmn, .dmn and .json form files (several at once). Forms and DMN already deployed are found by name.",
        ),
        "designer.deploy": ("Triển khai", "Deploy"),
        "designer.choose": ("Chọn tệp…", "Choose files…"),
        "designer.none_chosen": ("Chưa chọn tệp", "No file chosen"),
        "designer.deployed": ("Đã triển khai {process} phiên bản {version}.", "Deployed {process} version {version}."),
        "designer.unchanged": (
            "Không thay đổi, không tạo phiên bản mới: {keys}.",
            "Unchanged, no new version: {keys}.",
        ),
        "designer.resources_only": (
            "Đã lưu biểu mẫu / DMN mới; không quy trình nào thay đổi.",
            "New forms / DMN stored; no process changed.",
        ),
        "designer.warning": ("Cảnh báo — {problem}", "Warning — {problem}"),
        "designer.refused": ("Gói không triển khai được:", "The bundle cannot be deployed:"),
        "designer.no_files": ("Hãy chọn ít nhất một tệp.", "Choose at least one file."),
        "designer.line": ("Dòng", "Line"),
        "designer.element": ("Phần tử", "Element"),
        "designer.message": ("Nội dung", "Message"),
        "designer.severity.error": ("Lỗi", "Error"),
        "designer.severity.warning": ("Cảnh báo", "Warning"),
        "designer.back": ("← Danh sách quy trình", "← Processes"),
        # editor
        "designer.editing": ("Soạn thảo", "Editing"),
        "designer.validate": ("Kiểm tra", "Validate"),
        "designer.deploy_new": ("Triển khai phiên bản mới", "Deploy as new version"),
        "designer.attach": ("Kèm biểu mẫu / DMN", "Attach forms / DMN"),
        "designer.attach_hint": (
            "Biểu mẫu và DMN đã triển khai được dùng lại theo tên; chỉ kèm tệp mới hoặc đã sửa.",
            "Deployed forms and DMN are found by name; attach only new or changed files.",
        ),
        "designer.panel": ("Thuộc tính bước", "Step properties"),
        "designer.panel_empty": (
            "Chọn một bước trên sơ đồ để xem và sửa thuộc tính.",
            "Select a step on the diagram to see and edit its properties.",
        ),
        "designer.problems": ("Kết quả kiểm tra", "Check results"),
        # migration
        "designer.migrate_title": (
            "Chuyển hồ sơ sang {process} phiên bản {version}",
            "Migrate to {process} version {version}",
        ),
        "designer.migrate_hint": (
            "Các hồ sơ dưới đây đang chạy trên phiên bản cũ hơn. Hồ sơ đang ở một bước không còn trong phiên bản"
            " mới sẽ bị từ chối và giữ nguyên.",
            "These instances run on an older version. An instance waiting in a step the new version no longer has is"
            " refused and stays as it is.",
        ),
        "designer.instance": ("Hồ sơ", "Instance"),
        "designer.business_key": ("Mã hồ sơ", "Business key"),
        "designer.unit": ("Đơn vị", "Unit"),
        "designer.current_version": ("Phiên bản hiện tại", "Current version"),
        "designer.state": ("Trạng thái", "State"),
        "designer.started_at": ("Bắt đầu", "Started"),
        "designer.migrate_do": ("Chuyển sang phiên bản {version}", "Migrate to version {version}"),
        "designer.migrate_none": (
            "Không có hồ sơ nào đang chạy trên phiên bản cũ hơn.",
            "No running instance is on an older version.",
        ),
        "designer.migrate_select": ("Hãy chọn ít nhất một hồ sơ.", "Select at least one instance."),
        "designer.migrated": (
            "Đã chuyển từ phiên bản {before} sang {after}.",
            "Migrated from version {before} to {after}.",
        ),
        "designer.migrate_refused": ("Bị từ chối: {message}", "Refused: {message}"),
        "designer.results": ("Kết quả chuyển phiên bản", "Migration results"),
        "designer.select_all": ("Chọn tất cả", "Select all"),
        "designer.state.running": ("Đang chạy", "Running"),
        "designer.state.suspended": ("Tạm dừng", "Suspended"),
        "designer.state.error": ("Có sự cố", "Incident"),
    }
)

#: Texts designer.js shows (sent to the page as JSON, in the page's language).
JS_TEXTS: dict[str, tuple[str, str]] = {
    "loading": ("Đang tải sơ đồ…", "Loading the diagram…"),
    "load_failed": ("Không mở được sơ đồ: {message}", "The diagram could not be opened: {message}"),
    "checking": ("Đang kiểm tra…", "Checking…"),
    "deploying": ("Đang triển khai…", "Deploying…"),
    "valid": ("Hợp lệ: không có lỗi.", "Valid: no problems."),
    "valid_warnings": ("Hợp lệ, có {n} cảnh báo.", "Valid, with {n} warning(s)."),
    "invalid": ("Có {n} lỗi; chưa triển khai được.", "{n} error(s); cannot be deployed yet."),
    "deployed": ("Đã triển khai phiên bản {version}.", "Deployed version {version}."),
    "unchanged": ("Không có thay đổi; không tạo phiên bản mới.", "Nothing changed; no new version."),
    "failed": ("Lỗi: {message}", "Error: {message}"),
    "unsaved": ("Có thay đổi chưa triển khai", "Unsaved changes"),
    "error": ("Lỗi", "Error"),
    "latest": ("mới nhất", "latest"),
    "warning": ("Cảnh báo", "Warning"),
    "line": ("dòng", "line"),
    "not_on_canvas": ("không có trên sơ đồ", "not on the diagram"),
    "id": ("Mã phần tử", "Element id"),
    "type": ("Loại", "Type"),
    "name": ("Tên bước", "Step name"),
    "budget": ("Thời hạn xử lý (budget)", "Budget"),
    "budget_hint": ("ví dụ 0.5WD (ngày làm việc) hoặc 4WH (giờ làm việc)", "e.g. 0.5WD (working days) or 4WH (hours)"),
    "budget_bad": (
        "Phải là số kèm WD hoặc WH, ví dụ 0.5WD, 4WH.",
        "Must be a number followed by WD or WH, e.g. 0.5WD, 4WH.",
    ),
    "form": ("Biểu mẫu (form)", "Form"),
    "form_hint": ("tên tệp biểu mẫu, ví dụ appraise.schema.json", "form file name, e.g. appraise.schema.json"),
    "candidate_groups": ("Nhóm xử lý (candidate_groups)", "Candidate groups"),
    "candidate_groups_hint": (
        "cách nhau bằng dấu phẩy; để trống: nhóm của làn {lane}",
        "comma-separated; empty: the lane's group {lane}",
    ),
    "calendar": ("Lịch làm việc (calendar)", "Calendar"),
    "calendar_hint": ("để trống: lịch của đơn vị", "empty: the unit's calendar"),
    "warn_before": ("Cảnh báo trước hạn (warn_before)", "Warn before"),
    "warn_before_hint": ("ví dụ 1WD; để trống: mặc định", "e.g. 1WD; empty: the default"),
    "escalate_unclaimed": ("Chuyển cấp khi chưa nhận (escalate_unclaimed)", "Escalate unclaimed"),
    "escalate_incomplete": ("Chuyển cấp khi chưa xong (escalate_incomplete)", "Escalate incomplete"),
    "escalate_hint": ("ví dụ 4WH notify division_head, 1WD reassign user:dung", "e.g. 4WH notify division_head"),
    "escalate_bad": (
        "Dạng: <thời hạn> notify|reassign <nhóm hoặc user:tên>.",
        "Format: <duration> notify|reassign <group or user:name>.",
    ),
    "other": ("Thuộc tính khác", "Other properties"),
    "no_properties": ("Phần tử này không có thuộc tính thời hạn.", "This element has no step properties."),
}

DESIGNERS = ("designer", "admin")

blp = Blueprint("designer", __name__, url_prefix="/designer")


@dataclass
class ProcessVersions:
    """One process key with its versions, newest first."""

    key: str
    name: str | None
    versions: list[DefinitionView] = field(default_factory=list)

    @property
    def latest(self) -> DefinitionView:
        return self.versions[0]


@dataclass(frozen=True)
class Outcome:
    """What migrating one instance did: moved, or the engine's refusal."""

    instance_id: int
    business_key: str | None
    ok: bool
    message: str



def processes() -> list[ProcessVersions]:
    """Every deployed key with its versions (the repository lists them by key, newest version first)."""
    return [
        ProcessVersions(key, versions[0].name, versions)
        for key, group in groupby(_engine().repository.definitions(), key=lambda d: d.key)
        for versions in [list(group)]
    ]


def versions_of(key: str) -> list[DefinitionView]:
    found = _engine().repository.definitions(key)
    if not found:
        abort(404, description=f"no deployed process {key!r}")
    return found


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    return render_template("designer.html", processes=processes())


@blp.post("/deploy")
@page(roles=DESIGNERS)
def deploy(me: Actor) -> Any:
    """Deploy an uploaded bundle; new versions and warnings are flashed, a refusal lists its problems."""
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        flash(i18n.gettext("designer.no_files"), "error")
        return render_template("designer.html", processes=processes()), 422
    try:
        files = bundle(uploads)
        result = _engine().repository.deploy(files, actor=me.username, name=deployment_name(files))
    except DeploymentInvalid as refused:
        return render_template("designer.html", processes=processes(), problems=problem_rows(refused.problems)), 422
    except InvalidInput as bad:
        flash(bad.message, "error")
        return render_template("designer.html", processes=processes()), 422
    _flash_result(result)
    return redirect(url_for(".index"))


def _flash_result(result: DeploymentResult) -> None:
    for view in result.definitions:
        flash(i18n.gettext("designer.deployed", process=view.key, version=view.version))
    if result.unchanged:
        flash(i18n.gettext("designer.unchanged", keys=", ".join(result.unchanged)))
    if result.deployment_id is not None and not result.definitions:
        flash(i18n.gettext("designer.resources_only"))
    for warning in result.warnings:
        flash(i18n.gettext("designer.warning", problem=str(warning)), "warning")


@blp.get("/<key>")
@page(roles=DESIGNERS)
def edit(me: Actor, key: str) -> Any:
    """The bpmn-js editor on one version (``?version=N``, default the latest) of a process."""
    versions = versions_of(key)
    wanted = request.args.get("version", type=int)
    current = next((v for v in versions if wanted in (None, v.version)), None)
    if current is None:
        abort(404, description=f"no version {wanted} of {key!r}")
    language = i18n.LANGUAGES.index(i18n.language())
    data = {
        "key": key,
        "version": current.version,
        "latest": versions[0].version,
        "resource": current.resource_name,
        "xml": _engine().repository.xml(key, current.version),
        "csrf": csrf_token(),
        "moddle": url_for("static", filename="spiffworkflow-moddle.json"),
        "validate_url": url_for("definitions.Validate"),
        "deploy_url": url_for("definitions.Definitions"),
        "edit_url": url_for(".edit", key=key),
        "texts": {name: pair[language] for name, pair in JS_TEXTS.items()},
    }
    return render_template("designer_edit.html", key=key, current=current, versions=versions, data=data)


@blp.route("/<key>/versions/<int:version>/migrate", methods=["GET", "POST"])
@page(roles=DESIGNERS)
def migrate(me: Actor, key: str, version: int) -> Any:
    """Running instances of older versions; the selected ones move to ``version`` (each on its own)."""
    versions = versions_of(key)
    if version not in {v.version for v in versions}:
        abort(404, description=f"no version {version} of {key!r}")
    outcomes: list[Outcome] = []
    status = 200
    if request.method == "POST":
        chosen = request.form.getlist("instance", type=column_int)
        if not chosen:
            flash(i18n.gettext("designer.migrate_select"), "error")
            status = 422
        outcomes = [_migrate_one(me, instance_id, version) for instance_id in chosen]
    return (
        render_template(
            "designer_migrate.html",
            key=key,
            version=version,
            versions=versions,
            instances=older_instances(me, key, version),
            outcomes=outcomes,
        ),
        status,
    )


def older_instances(me: Actor, key: str, version: int) -> list[ProcessInstance]:
    """Open instances of ``key`` on a version before ``version``, in the caller's units."""
    rows = _engine().runtime.list(process_key=key, units=unit_scope(me))
    return [r for r in rows if r.state in OPEN_STATES and r.definition.version < version]


def _migrate_one(me: Actor, instance_id: int, version: int) -> Outcome:
    engine = _engine()
    business_key = None
    try:
        row = engine.runtime.find(instance_id)
        business_key = row.business_key
        require_unit(me, row.unit, f"process instance {instance_id}")
        before = row.definition.version
        moved = engine.runtime.migrate(instance_id, actor=me.username, to_version=version)
    except AwardflowError as refused:
        return Outcome(
            instance_id, business_key, False, i18n.gettext("designer.migrate_refused", message=refused.message)
        )
    message = i18n.gettext("designer.migrated", before=before, after=moved.definition_version)
    return Outcome(instance_id, business_key, True, message)


def problem_rows(problems: list[Problem]) -> list[Problem]:
    """Errors before warnings, each group in file and line order."""
    return sorted(problems, key=lambda p: (p.severity != "error", p.file, p.line or 0))
