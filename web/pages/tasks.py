"""The task page: the dossier in short, the step's form (rendered from its JSON Schema), claim / unclaim /
complete, the audit trail and the control slip.

Endpoints ``tasks.show`` (GET; POST completes), ``tasks.claim`` and ``tasks.unclaim``. The JSON API's
blueprint already carries the name "tasks", so these rules are added to the app under that endpoint prefix
when this (otherwise empty) blueprint is registered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.datastructures import MultiDict

from engine import clock
from engine.errors import (
    AwardflowError,
    ConcurrentModification,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
)
from engine.identity import Actor
from engine.tasks import TaskView
from web import i18n, task_pages
from web.api.context import domain
from web.errors import STATUS
from web.pages import forms, names, task_info
from web.pages.guard import page
from web.pages.task_access import Calendars, engine, sees_dossier, visible_task
from web.pages.worktime import time_left

i18n.TEXTS.update(
    {
        "task.title": ("{step} — hồ sơ {code}", "{step} — dossier {code}"),
        "task.dossier": ("Hồ sơ", "Dossier"),
        "task.code": ("Mã hồ sơ", "Dossier code"),
        "task.process": ("Quy trình", "Process"),
        "task.version": ("Phiên bản", "Version"),
        "task.unit": ("Đơn vị", "Unit"),
        "task.started": ("Bắt đầu", "Started"),
        "task.started_by": ("Người tạo", "Started by"),
        "task.step": ("Bước", "Step"),
        "task.due_at": ("Hạn xử lý", "Due"),
        "task.time_left": ("Thời gian còn lại", "Time left"),
        "task.assignee": ("Người xử lý", "Assignee"),
        "task.groups": ("Nhóm xử lý", "Groups"),
        "task.unassigned": ("Chưa có người nhận", "Not claimed yet"),
        "task.data": ("Thông tin hồ sơ", "Dossier data"),
        "task.page_work": (
            "Bước này được thực hiện trên trang «{page}», nơi có đủ thông tin bước cần; bước hoàn thành khi xác "
            "nhận ở đó.",
            "This step is done on the page «{page}», which shows what it needs; it is completed when confirmed there.",
        ),
        "task.page_open": ("Mở trang thực hiện", "Open the page"),
        "task.page_overview": ("Xem trang «{page}»", "See «{page}»"),
        "task.data_skipped": ("{n} mục dữ liệu nội bộ hoặc dài không hiển thị.", "{n} internal or long items hidden."),
        "task.no_data": ("Chưa có dữ liệu.", "No data yet."),
        "task.dossier_hidden": (
            "Thông tin hồ sơ chỉ hiển thị cho đơn vị thụ lý.",
            "The dossier's details are shown to its own unit only.",
        ),
        "task.form": ("Xử lý", "Work on it"),
        "task.no_form": ("Bước này không cần nhập thông tin; bấm Hoàn thành khi đã xong.", "Nothing to fill in."),
        "task.claim": ("Nhận việc", "Claim"),
        "task.unclaim": ("Trả lại nhóm", "Give back"),
        "task.complete": ("Hoàn thành", "Complete"),
        "task.claim_first": ("Bạn có thể nhận việc trước khi xử lý.", "You may claim the task before working on it."),
        "task.held_by": ("Việc này do {user} đang xử lý.", "{user} is working on this task."),
        "task.done": ("Bước này đã hoàn thành lúc {at} bởi {user}.", "Completed at {at} by {user}."),
        "task.state_other": ("Bước này không còn chờ xử lý ({state}).", "This task is no longer open ({state})."),
        "task.fix_errors": ("Vui lòng sửa các mục được đánh dấu bên dưới.", "Please correct the marked fields."),
        "task.claimed": ("Đã nhận việc “{step}” của hồ sơ {code}.", "You claimed “{step}” of dossier {code}."),
        "task.unclaimed": ("Đã trả việc “{step}” về nhóm.", "“{step}” is back with its groups."),
        "task.completed": ("Đã hoàn thành “{step}” của hồ sơ {code}.", "“{step}” of dossier {code} is complete."),
        "task.err.claimed": ("Việc này đã có người khác nhận.", "Someone else has already claimed this task."),
        "task.err.denied": ("Bạn không phải người xử lý việc này.", "You are not the one to work on this task."),
        "task.err.state": (
            "Việc này không còn chờ xử lý (đã hoàn thành, đang ủy quyền hoặc hồ sơ đang tạm ngừng).",
            "This task is no longer open (completed, delegated, or its dossier is suspended).",
        ),
        "task.err.conflict": (
            "Hồ sơ vừa được cập nhật bởi người khác; vui lòng tải lại trang và thử lại.",
            "The dossier was just changed by someone else; reload and try again.",
        ),
        "task.history": ("Lịch sử xử lý", "History"),
        "task.at": ("Thời điểm", "Time"),
        "task.actor": ("Người thực hiện", "By"),
        "task.action": ("Thao tác", "Action"),
        "task.detail": ("Chi tiết", "Detail"),
        "task.no_history": ("Chưa có thao tác nào.", "Nothing recorded yet."),
        "task.slip": ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Control slip"),
        "task.slip_none": ("Chưa có bước nào được ghi.", "No step recorded yet."),
        "task.slip.from": ("Bên giao", "From"),
        "task.slip.to": ("Bên nhận", "To"),
        "task.slip.received": ("Nhận lúc", "Received"),
        "task.slip.budget": ("Thời hạn", "Budget"),
        "task.slip.due": ("Hạn", "Due"),
        "task.slip.finished": ("Hoàn thành", "Finished"),
        "task.slip.used": ("Thời gian xử lý", "Used"),
        "task.slip.result": ("Kết quả", "Result"),
        "task.clock.received": ("Ngày nhận hồ sơ", "Received"),
        "task.clock.limit": ("Thời hạn giải quyết", "Time limit"),
        "task.clock.due": ("Hẹn trả kết quả", "Due"),
        "task.clock.finished": ("Trả kết quả", "Returned"),
        "task.clock.paused": ("(đang tạm dừng)", "(paused)"),
        "task.clock.paused_for": ("Thời gian tạm dừng (bổ sung hồ sơ)", "Paused (supplement)"),
        "task.case.award": ("Hình thức khen thưởng", "Award"),
        "task.case.unit": ("Đơn vị đề nghị", "Proposing unit"),
        "task.case.subject": ("Trích yếu", "Subject"),
        "task.case.status": ("Trạng thái", "Status"),
        "task.case.received": ("Ngày nhận đủ hồ sơ", "Complete on"),
        "task.case.due": ("Hẹn trả kết quả", "Due"),
        "task.case.nominees": ("Đối tượng đề nghị", "Nominees"),
        "task.case.name": ("Họ và tên / tập thể", "Name"),
        "task.case.position": ("Chức vụ", "Position"),
        "task.case.workplace": ("Đơn vị công tác", "Workplace"),
        "task.case.achievements": ("Thành tích", "Achievements"),
        "task.case.papers": ("Thành phần hồ sơ", "Papers"),
        "task.case.documents": ("Văn bản, dự thảo", "Documents and drafts"),
        "task.case.none": ("Chưa có.", "None yet."),
        "task.case.open": ("Xem toàn bộ hồ sơ", "Open the whole dossier"),
    }
)

blp = Blueprint("task_pages", __name__)


def friendly(err: AwardflowError) -> str:
    """An engine refusal in the page's language."""
    if isinstance(err, TaskAlreadyClaimed):
        return i18n.gettext("task.err.claimed")
    if isinstance(err, PermissionDenied):
        return i18n.gettext("task.err.denied")
    if isinstance(err, InvalidState):
        return i18n.gettext("task.err.state")
    if isinstance(err, ConcurrentModification):
        return i18n.gettext("task.err.conflict")
    return err.message


def _back(task: TaskView) -> str:
    """Where a claim or unclaim returns: the page it came from (a local path), else the task page."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else url_for("tasks.show", task_id=task.id)


@page()
def claim(me: Actor, task_id: str) -> Any:
    task = visible_task(me, task_id)
    try:
        engine().tasks.claim(task.id, me.username)
    except AwardflowError as err:
        flash(friendly(err), "error")
    else:
        flash(i18n.gettext("task.claimed", step=task.name or task.element_id, code=task.business_key or "—"))
    return redirect(_back(task))


@page()
def unclaim(me: Actor, task_id: str) -> Any:
    task = visible_task(me, task_id)
    try:
        engine().tasks.unclaim(task.id, me.username)
    except AwardflowError as err:
        flash(friendly(err), "error")
    else:
        flash(i18n.gettext("task.unclaimed", step=task.name or task.element_id))
    return redirect(_back(task))


@page()
def show(me: Actor, task_id: str) -> Any:
    """GET: the task; POST: complete it with the form (422 with each field's messages when refused)."""
    task = visible_task(me, task_id)
    eng = engine()
    schema = eng.tasks.form(task.id) if task.form else None
    # the lists to pick from are for the eye; the deployed schema and the domain's check judge the answer
    shown = forms.offered(forms.with_choices(schema, _choices(me, task))) if schema else None
    if request.method == "GET":
        tree = forms.fields(shown)
        return _render(me, task, schema, tree, forms.initial(tree, _resolved_data(task)), {})
    posted = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"])
    tree = forms.fields(shown, posted)
    parsed = forms.parse(tree, posted)
    problems: dict[str, list[str]] = {**forms.messages(schema, parsed), **parsed.problems}
    if not parsed.problems:
        try:
            eng.tasks.complete(task.id, me.username, parsed.data)
        except InvalidInput as err:
            problems = forms.messages(schema, parsed) or dict(err.fields or {"_": [err.message]})
        except AwardflowError as err:
            status = next(code for kind, code in STATUS if isinstance(err, kind))
            return _render(me, task, schema, tree, posted, {"_": [friendly(err)]}, status)
        else:
            flash(i18n.gettext("task.completed", step=task.name or task.element_id, code=task.business_key or "—"))
            return redirect(url_for("inbox.index"))
    return _render(me, task, schema, tree, posted, forms.attach(problems, tree), 422)


def _choices(me: Actor, task: TaskView) -> dict[str, list[tuple[Any, str]]]:
    """The lists a dossier step's form picks from (its nominees, the unit's appraisers), the units a step done on
    its own page names (a cluster's step, in the trail of answers); none elsewhere."""
    if task.properties.get(task_pages.PROPERTY):
        return {"units": names.unit_choices()}
    if not task.business_key or not sees_dossier(me, task.unit):
        return {}
    try:
        return domain().dossiers.choices(me, task.business_key)
    except NotFound:
        return {}


def _resolved_data(task: TaskView) -> dict[str, Any]:
    """The data a delegate handed back with the task (kept for its owner to complete), if any."""
    for event in reversed(engine().history.for_task(task.id)):
        data = (event.after or {}).get("data")
        if event.action == "task_resolved" and isinstance(data, dict):
            return dict(data)
    return {}


def _render(
    me: Actor,
    task: TaskView,
    schema: dict[str, Any] | None,
    tree: list[forms.Field],
    values: MultiDict[str, str],
    errors: dict[str, list[str]],
    status: int = 200,
) -> Any:
    eng = engine()
    now = clock.now()
    context: dict[str, Any] = {
        "task": task,
        "step": task.name or task.element_id,
        "schema": schema or {},
        "fields": tree,
        "values": values,
        "errors": errors,
        "left": time_left(Calendars(eng).of(task), task.due_at, now),
        **_may(me, task),
        "page_work": task_pages.work_of(task),
    }
    context.update(_dossier(me, task, schema, now))
    return render_template("task.html", **context), status


def _may(me: Actor, task: TaskView) -> dict[str, bool]:
    """Which buttons the person gets (the engine decides again when they press one)."""
    open_, mine = task.state == "ready", task.assignee == me.username
    unassigned, works = task.assignee is None, engine().access.may_work(me, task)
    return {
        "can_claim": open_ and unassigned and works,
        "can_unclaim": open_ and not unassigned and (mine or me.is_admin),
        "can_complete": open_ and (mine or (unassigned and works) or me.is_admin),
    }


def _dossier(me: Actor, task: TaskView, schema: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The dossier's summary, audit trail and slip: all of it for its unit, the task's own trail otherwise."""
    eng = engine()
    own_events = eng.history.for_task(task.id)
    if not sees_dossier(me, task.unit):
        steps = {task.id: task.name or task.element_id}
        own = {task.id: forms.with_choices(eng.tasks.form(task.id), _choices(me, task))} if task.form else {}
        return {"dossier": None, "history": task_info.history(own_events, steps, task.id, own, names.person_name)}
    instance = eng.runtime.get(task.instance_id)
    titles = {d.version: d.name for d in eng.repository.definitions(instance.process_key)}
    comment = _public_comment(instance.process_key, task.business_key)
    code = comment["code"] if comment else task.business_key
    case = domain().dossiers.reading(me, code) if code else None
    labels = {f.key: f.label for f in forms.fields(schema)}
    # a dossier is read from its records; the raw process data is for processes of other kinds
    # a step done on its own page (a cluster's, by unit and criterion) has its data shown there
    elsewhere = case or task.properties.get(task_pages.PROPERTY)
    data, skipped = ([], 0) if elsewhere else task_info.summary(instance.data, labels)
    tasks = eng.tasks.for_instance(task.instance_id)
    steps = {t.id: t.name or t.element_id for t in tasks}
    choices = _choices(me, task)
    answered = {t.id: forms.with_choices(eng.tasks.form(t.id), choices) for t in tasks if t.form and t.completed_at}
    events = eng.history.for_instance(task.instance_id) + own_events
    slip = eng.sla.slip(task.instance_id).to_dict(ZoneInfo(eng.settings.time_zone))
    return {
        "dossier": instance,
        "process_name": titles.get(instance.definition_version) or names.process_name(instance.process_key),
        "case": case,
        "comment": comment,
        "data": data,
        "skipped": skipped,
        "history": task_info.history(events, steps, task.id, answered, names.person_name),
        "slip": task_info.slip_rows(slip, now),
        "clock": task_info.slip_clock(slip),
        "budget": task_info.budget,
    }


def _public_comment(process_key: str, receipt: str | None) -> dict[str, Any] | None:
    """The citizen's comment a comment-handling step is about (its business key is the receipt code)."""
    if process_key != "public_comment" or not receipt:
        return None
    try:
        return domain().consultation.receipt(receipt)
    except NotFound:
        return None


ROUTES = (
    ("/tasks/<task_id>", "tasks.show", show, ("GET", "POST")),
    ("/tasks/<task_id>/claim", "tasks.claim", claim, ("POST",)),
    ("/tasks/<task_id>/unclaim", "tasks.unclaim", unclaim, ("POST",)),
)


@blp.record_once
def _add_routes(state: BlueprintSetupState) -> None:
    for rule, endpoint, view, methods in ROUTES:
        state.app.add_url_rule(rule, endpoint, view, methods=list(methods))
