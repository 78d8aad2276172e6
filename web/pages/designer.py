"""The process designer's pages: versions per process, bundle upload, the BPMN editor, instance migration.

The editor itself is bpmn-js (served from the installed npm files) driven by ``static/designer.js``; it talks
to the JSON API (validate, deploy) with the session's CSRF token, so this module only renders pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import clock
from engine.errors import AwardflowError, DeploymentInvalid, InvalidInput, Problem
from engine.identity import Actor
from engine.models import ProcessInstance
from engine.repository import OPEN_STATES, DefinitionView, DeploymentResult
from web import i18n, problem_texts
from web.api.definitions import bundle, deployment_name
from web.api.designer import catalog
from web.api.schemas import MAX_SCRIPT
from web.auth import csrf_token, require_unit, unit_scope
from web.boundary import column_int
from web.pages import migration_mapping as mapping
from web.pages.designer_diagrams import blank, check_new, copy_of
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
        "designer.finished": ("Hồ sơ đã xong", "Finished instances"),
        "designer.counts_hint": (
            "Kể cả hồ sơ đang ở trong phiên bản này như một quy trình được gọi (hoặc đã đi qua nó).",
            "Including instances inside this version as a called process (or that went through it).",
        ),
        "designer.compare": ("So với bản trước", "Compare with the previous"),
        "designer.diff_title": (
            "{process}: phiên bản {old} và {new}",
            "{process}: version {old} against {new}",
        ),
        "designer.diff_from": ("Từ phiên bản", "From version"),
        "designer.diff_to": ("đến phiên bản", "to version"),
        "designer.diff_do": ("So sánh", "Compare"),
        "designer.diff_list": ("Các khác biệt", "Differences"),
        "designer.diff_none": ("Hai phiên bản giống nhau.", "The two versions are the same."),
        "designer.diff_kind": ("Loại khác biệt", "Kind"),
        "designer.diff_what": ("Chi tiết", "Details"),
        "designer.new": ("Quy trình mới", "New process"),
        "designer.new_key": ("Mã quy trình", "Process key"),
        "designer.new_key_hint": (
            "chữ cái không dấu, chữ số, dấu gạch dưới và gạch ngang, bắt đầu bằng chữ cái; không đổi được về sau",
            "letters, digits, underscores and hyphens, starting with a letter; it cannot change later",
        ),
        "designer.new_name": ("Tên quy trình", "Process name"),
        "designer.template": ("Bắt đầu từ", "Start from"),
        "designer.blank": ("Sơ đồ trống", "A blank diagram"),
        "designer.template_of": ("Bản sao của {name}", "A copy of {name}"),
        "designer.create": ("Tạo và mở trình soạn thảo", "Create and open the editor"),
        "designer.new_unsaved": ("chưa triển khai", "not deployed yet"),
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
        "designer.detail": ("Chi tiết kỹ thuật", "Technical detail"),
        "designer.simulate_paths": ("Mô phỏng đường đi", "Walk the paths"),
        "designer.simulate_hint": (
            "Cho thẻ chạy qua sơ đồ để xem các nhánh; bấm lần nữa để quay lại vẽ.",
            "Walk tokens through the diagram to see its paths; press again to go back to drawing.",
        ),
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
        "designer.problems": ("Kết quả kiểm tra", "Check results"),
        # migration
        "designer.migrate_title": (
            "Chuyển hồ sơ sang {process} phiên bản {version}",
            "Migrate to {process} version {version}",
        ),
        "designer.migrate_hint": (
            "Các hồ sơ dưới đây đang chạy trên phiên bản cũ hơn. Hồ sơ đang ở một bước không còn trong phiên bản"
            " mới sẽ bị từ chối và giữ nguyên, trừ khi bước ấy được ánh xạ sang một bước của phiên bản mới.",
            "These instances run on an older version. An instance waiting in a step the new version no longer has is"
            " refused and stays as it is, unless that step is mapped to a step of the new version.",
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
    "conflict": (
        "Người khác vừa triển khai phiên bản {latest} của quy trình này sau khi bạn mở nó; thay đổi của bạn chưa "
        "được lưu. Hãy mở phiên bản {latest}, xem khác biệt rồi làm lại thay đổi của mình trên đó.",
        "Someone deployed version {latest} of this process after you opened it; your change is not stored. Open "
        "version {latest}, look at the difference and make your change again on it.",
    ),
    "error": ("Lỗi", "Error"),
    "latest": ("mới nhất", "latest"),
    "warning": ("Cảnh báo", "Warning"),
    "line": ("dòng", "line"),
    "not_on_canvas": ("không có trên sơ đồ", "not on the diagram"),
    "detail": ("Chi tiết kỹ thuật", "Technical detail"),
    "budget": ("Thời hạn xử lý (budget)", "Budget"),
    "budget_hint": ("ví dụ 0.5WD (ngày làm việc) hoặc 4WH (giờ làm việc)", "e.g. 0.5WD (working days) or 4WH (hours)"),
    "budget_bad": (
        "Phải là số kèm WD hoặc WH, ví dụ 0.5WD, 4WH.",
        "Must be a number followed by WD or WH, e.g. 0.5WD, 4WH.",
    ),
    "form": ("Biểu mẫu (form)", "Form"),
    "form_hint": ("tên tệp biểu mẫu, ví dụ appraise.schema.json", "form file name, e.g. appraise.schema.json"),
    "page": ("Trang thực hiện (page)", "Done on page"),
    "page_hint": (
        "bước được làm trên trang này thay cho biểu mẫu chung; để trống: làm trên trang công việc",
        "the step is done on this page instead of the generic form; empty: on the task page",
    ),
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
    "group": ("Thiết lập thực thi", "Execution settings"),
    "none": ("(không chọn)", "(none)"),
    "unknown": ("không có trong danh sách", "not in the list"),
    "required": ("Bắt buộc.", "Required."),
    "whole_number": ("Phải là số nguyên.", "Must be a whole number."),
    "condition": ("Điều kiện rẽ nhánh (biểu thức Python)", "Condition (Python expression)"),
    "script": ("Kịch bản (Python)", "Script (Python)"),
    "script_ok": ("Kịch bản hợp lệ trong môi trường an toàn.", "Accepted by the sandbox."),
    "script_bad": ("Không chạy được", "Refused"),
    "too_long": (
        "Dài quá {max} ký tự; hãy tách thành bảng quyết định hoặc bước dịch vụ.",
        "Longer than {max} characters; split it into a decision table or a service task.",
    ),
    "example_start": ("Giả sử đến bước này lúc", "Suppose it is reached at"),
    "timer_hint": (
        'ISO 8601 ("PT2H", "R3/PT10M") hoặc working_days_after(2), working_time_after("4WH")',
        'ISO 8601 ("PT2H", "R3/PT10M") or working_days_after(2), working_time_after("4WH")',
    ),
    "timer_due": ("Đến hạn lúc", "Falls due at"),
    "timer_bad": ("Không tính được", "Cannot be computed"),
    "message_variable": ("Biến nhận nội dung thông điệp", "Variable receiving the message"),
    "message_payload": ("Nội dung gửi (biểu thức)", "Payload (expression)"),
    "operator": ("Xử lý được gọi", "Handler"),
    "operator_hint": ("Chọn một xử lý đã đăng ký.", "Choose a registered handler."),
    "result_variable": ("Biến nhận kết quả", "Result variable"),
    "parameter": ("Tham số", "Parameter"),
    "parameter_hint": ("biểu thức Python trên dữ liệu hồ sơ", "a Python expression on the instance data"),
    "called": ("Quy trình được gọi", "Called process"),
    "decision": ("Bảng quyết định (DMN)", "DMN decision"),
    "mi_input": ("Danh sách chạy từng phần tử", "Input collection"),
    "mi_input_hint": ("tên biến danh sách trong dữ liệu hồ sơ, ví dụ members", "a list variable, e.g. members"),
    "mi_input_item": ("Biến giữ phần tử đang xử lý", "Element variable"),
    "mi_output": ("Danh sách kết quả", "Output collection"),
    "mi_output_item": ("Biến kết quả của mỗi lần", "Output element variable"),
    "identifier": (
        "Phải là tên biến: chữ cái không dấu, chữ số, dấu gạch dưới.",
        "Must be a variable name: letters, digits, underscores.",
    ),
    "loop_maximum": ("Số vòng tối đa", "Loop maximum"),
    "loop_condition": ("Điều kiện lặp", "Loop condition"),
    "assignee_from": ("Người xử lý lấy từ biến (assignee_from)", "Assignee from"),
    "assignee_from_hint": ("ví dụ appraiser", "e.g. appraiser"),
    "check": ("Kiểm tra trước khi xong (check)", "Check before completing"),
    "check_hint": ("tên một xử lý kiểm tra, ví dụ dossier.check_intake", "a check handler, e.g. dossier.check_intake"),
    "lane_hint": (
        "Tên làn là nhóm xử lý các bước trong làn (xem danh sách nhóm).",
        "The lane's name is the candidate group of its steps.",
    ),
    "live_problems": ("{n} vấn đề trên sơ đồ", "{n} problem(s) on the diagram"),
}

#: The kinds of difference designer_diff.js lists, in the page's language.
DIFF_TEXTS: dict[str, tuple[str, str]] = {
    "added": ("Thêm mới", "Added"),
    "removed": ("Bỏ đi", "Removed"),
    "changed": ("Thay đổi", "Changed"),
    "layout": ("Chỉ đổi vị trí", "Moved only"),
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
        text = problem_texts.localized(warning)["text"]
        flash(i18n.gettext("designer.warning", problem=f"{warning.file}: {text}"), "warning")


@blp.route("/new", methods=["GET", "POST"])
@page(roles=DESIGNERS)
def new(me: Actor) -> Any:
    """Start a process from a blank diagram or a copy of a deployed one; it is stored only when deployed."""
    known = processes()
    if request.method == "GET":
        return render_template("designer.html", processes=known)
    key, name = request.form.get("key", "").strip(), request.form.get("name", "")
    template = request.form.get("template", "")
    repository = _engine().repository
    try:
        check_new(key, name, repository.deployed_names().processes)
        if template and template not in {p.key for p in known}:
            raise InvalidInput("no such template", {"template": [i18n.gettext("designer.bad_template")]})
        xml = copy_of(repository.xml(template), template, key, name) if template else blank(key, name)
    except InvalidInput as bad:
        for messages in bad.fields.values():
            flash(" ".join(messages), "error")
        return render_template("designer.html", processes=known, new_form=request.form), 422
    return render_template("designer_edit.html", key=key, current=None, versions=[], data=_editor(key, xml, None))


@blp.get("/<key>")
@page(roles=DESIGNERS)
def edit(me: Actor, key: str) -> Any:
    """The bpmn-js editor on one version (``?version=N``, default the latest) of a process."""
    versions = versions_of(key)
    wanted = request.args.get("version", type=int)
    current = next((v for v in versions if wanted in (None, v.version)), None)
    if current is None:
        abort(404, description=f"no version {wanted} of {key!r}")
    data = _editor(key, _engine().repository.xml(key, current.version), current, versions[0].version)
    return render_template("designer_edit.html", key=key, current=current, versions=versions, data=data)


def _editor(key: str, xml: str, current: DefinitionView | None, latest: int | None = None) -> dict[str, Any]:
    """Everything designer.js and the properties panel need, in the page's language."""
    engine = _engine()
    found = catalog()
    language = i18n.LANGUAGES.index(i18n.language())
    start = clock.now().astimezone(ZoneInfo(engine.settings.time_zone))
    return {
        "key": key,
        "version": current.version if current else None,
        "latest": latest,
        "resource": current.resource_name if current else f"{key}.bpmn",
        "xml": xml,
        "csrf": csrf_token(),
        "language": i18n.language(),
        "time_zone": engine.settings.time_zone,
        "example_start": start.strftime("%Y-%m-%dT%H:%M"),
        "moddle": url_for("static", filename="spiffworkflow-moddle.json"),
        "validate_url": url_for("definitions.Validate"),
        "deploy_url": url_for("definitions.Definitions"),
        "edit_url": url_for(".edit", key=key),
        "urls": {
            "script_check": url_for("designer_api.ScriptCheck"),
            "timer_preview": url_for("designer_api.TimerPreviewView"),
        },
        "max_script": MAX_SCRIPT,  # longer is said at once, as the check would refuse it (in English, by field)
        "catalog": {**found, "processes": [p for p in found["processes"] if p["key"] != key]},
        "texts": {name: pair[language] for name, pair in JS_TEXTS.items()},
    }


@blp.get("/<key>/diff")
@page(roles=DESIGNERS)
def diff(me: Actor, key: str) -> Any:
    """Two versions side by side with their differences (``?from=N&to=M``; default the latest and the one before)."""
    versions = versions_of(key)
    by_number = {v.version: v for v in versions}
    new_version = request.args.get("to", versions[0].version, type=int)
    old_version = request.args.get("from", versions[min(1, len(versions) - 1)].version, type=int)
    if new_version not in by_number or old_version not in by_number:
        abort(404, description=f"no such version of {key!r}")
    repository = _engine().repository
    language = i18n.LANGUAGES.index(i18n.language())
    data = {
        "old_xml": repository.xml(key, old_version),
        "new_xml": repository.xml(key, new_version),
        "texts": {kind: DIFF_TEXTS[kind][language] for kind in DIFF_TEXTS},
    }
    old, new = by_number[old_version], by_number[new_version]
    return render_template("designer_diff.html", key=key, old=old, new=new, versions=versions, data=data)


@blp.route("/<key>/versions/<int:version>/migrate", methods=["GET", "POST"])
@page(roles=DESIGNERS)
def migrate(me: Actor, key: str, version: int) -> Any:
    """Running instances of older versions; the selected ones move to ``version`` (each on its own), with the
    renamed or moved steps mapped as chosen. A mapping not offered moves nothing (422)."""
    versions = versions_of(key)
    if version not in {v.version for v in versions}:
        abort(404, description=f"no version {version} of {key!r}")
    outcomes: list[Outcome] = []
    status = 200
    instances = older_instances(me, key, version)
    offered = mapping.offer(me, [i.id for i in instances], version)
    choice: dict[str, str] = {}
    if request.method == "POST":
        chosen = request.form.getlist("instance", type=column_int)
        choice, bad = mapping.chosen(request.form.items(multi=True), offered)
        for name in bad[: mapping.SHOWN_PROBLEMS]:  # (flashes live in the session cookie)
            flash(i18n.gettext("designer.mapping_bad", field=name), "error")
        if not chosen:
            flash(i18n.gettext("designer.migrate_select"), "error")
        if bad or not chosen:
            status = 422
        else:
            outcomes = [_migrate_one(me, i, version, offered.for_instance(i, choice)) for i in chosen]
            instances = older_instances(me, key, version)
            offered = mapping.offer(me, [i.id for i in instances], version)
    return (
        render_template(
            "designer_migrate.html",
            key=key,
            version=version,
            versions=versions,
            instances=instances,
            outcomes=outcomes,
            offered=offered,
            choice=choice,
        ),
        status,
    )


def older_instances(me: Actor, key: str, version: int) -> list[ProcessInstance]:
    """Open instances of ``key`` on a version before ``version``, in the caller's units."""
    rows = _engine().runtime.list(process_key=key, units=unit_scope(me))
    return [r for r in rows if r.state in OPEN_STATES and r.definition.version < version]


def _migrate_one(me: Actor, instance_id: int, version: int, chosen: dict[str, str]) -> Outcome:
    engine = _engine()
    business_key = None
    try:
        row = engine.runtime.find(instance_id)
        business_key = row.business_key
        require_unit(me, row.unit, f"process instance {instance_id}")
        before = row.definition.version
        moved = engine.runtime.migrate(instance_id, actor=me.username, to_version=version, mapping=chosen)
    except AwardflowError as refused:
        return Outcome(
            instance_id, business_key, False, i18n.gettext("designer.migrate_refused", message=refused.message)
        )
    message = i18n.gettext("designer.migrated", before=before, after=moved.definition_version)
    return Outcome(instance_id, business_key, True, message)


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """Errors before warnings, each group in file and line order, each in the page's language."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.file, p.line or 0))
    return problem_texts.localized_all(ordered)
