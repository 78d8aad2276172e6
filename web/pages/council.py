"""The council secretary's pages: the sittings waiting in their inbox, convening one, and recording it
(attendance, absentees' written votes, the secret-ballot count) with a live tally against the threshold of the
WHOLE membership; the task is completed through the engine and the minutes (Biên bản kiểm phiếu) are linked."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import clock
from engine.errors import Conflict, InvalidInput, NotFound
from engine.identity import Actor
from engine.inbox import InboxQuery
from engine.tasks import TaskView
from handlers import tally
from handlers.catalogue import format_ratio
from handlers.council_service import Sitting
from web import i18n
from web.api.context import domain
from web.auth import cross_unit_groups, require_task_visible, unit_scope
from web.boundary import column_int
from web.pages.desk import parse_day
from web.pages.desk_texts import TEXTS
from web.pages.guard import page
from web.pages.task_access import Calendars
from web.pages.worktime import time_left
from web.services import engine as _engine

i18n.TEXTS.update(TEXTS)

blp = Blueprint("council", __name__)
SECRETARY = ("council_secretary",)
#: the council's steps of the shipped processes; the first two have their own forms here
COUNCIL_TASKS = ("convene_session", "record_session", "chair_tiebreak", "standing_review")


def _task(me: Actor, task_id: str) -> TaskView:
    task = _engine().tasks.get(task_id)
    require_task_visible(me, task)
    if task.element_id not in COUNCIL_TASKS:
        raise NotFound(f"task {task_id} is not a council step")
    return task


@blp.get("/council")
@page(roles=SECRETARY)
def index(me: Actor) -> str:
    """The council steps waiting for me or my group, soonest due first."""
    query = InboxQuery(units=unit_scope(me), cross_unit_groups=cross_unit_groups(me), per_page=500)
    eng = _engine()
    tasks = [t for t in eng.tasks.inbox(me.username, query).items if t.element_id in COUNCIL_TASKS]
    calendars, now = Calendars(eng), clock.now()
    rows = [(t, time_left(calendars.of(t), t.due_at, now)) for t in tasks]
    dossiers = domain().council.waiting(me, (t.business_key or "" for t in tasks))
    return render_template("council.html", rows=rows, dossiers=dossiers)


def _record_data(s: Sitting) -> dict[str, Any]:
    """The record_session form data (record_session.schema.json) from the page's fields."""
    codes = s.council.codes()
    present = [m for m in codes if request.form.get(f"present_{m}") == "1"]
    ballots: list[dict[str, int]] = []
    problems: dict[str, list[str]] = {}
    for n in s.candidates:
        try:
            count = column_int(request.form.get(f"ballots_{n.id}", "0").strip() or "0")
        except ValueError:
            problems[f"ballots_{n.id}"] = [i18n.gettext("council.ballots")]
            continue
        ballots.append({"nominee": n.id, "approve": count})
    if problems:
        raise InvalidInput("the ballot counts are whole numbers", problems)
    ids = {str(n.id): n.id for n in s.candidates}
    written: list[dict[str, Any]] = []
    for m in codes:
        approve = [ids[v] for v in request.form.getlist(f"written_{m}") if v in ids]
        if m not in present and approve:
            written.append({"member": m, "approve": approve})
    # a dry run of the handler's own count: an inconsistent record is refused here, before the task completes
    # (inside the process it would become an incident)
    candidates = [tally.Candidate(n.id, n.name) for n in s.candidates]
    record = tally.Sitting(
        codes, present, {b["nominee"]: b["approve"] for b in ballots}, {w["member"]: w["approve"] for w in written}
    )
    tally.count(candidates, record, threshold=s.vote.threshold, quorum=s.vote.quorum)
    return {"present": present, "ballots": ballots, "written_votes": written}


def _convene_data() -> dict[str, Any]:
    day, quota = request.form.get("session_date", "").strip(), request.form.get("quota", "").strip()
    try:
        count = column_int(quota) if quota else None
    except ValueError:
        raise InvalidInput("the quota is a whole number", {"quota": [i18n.gettext("council.quota")]}) from None
    try:
        iso = parse_day(day).isoformat() if day else None
    except ValueError:
        message = i18n.gettext("council.bad_date")
        raise InvalidInput(message, {"session_date": [message]}) from None
    return {"session_date": iso, "quota": count}


@blp.route("/council/<task_id>", methods=["GET", "POST"])
@page(roles=SECRETARY)
def session_page(me: Actor, task_id: str) -> Any:
    """Convene or record the sitting of one dossier; POST completes the task through the engine."""
    task = _task(me, task_id)
    s = domain().council.sitting(me, task.business_key or "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and task.state == "ready":
        try:
            data = _record_data(s) if task.element_id == "record_session" else _convene_data()
            domain().council.record(me, task, data)
        except (InvalidInput, Conflict) as refused:
            fields = getattr(refused, "fields", {}) or {}
            # the flash says the message; next to it only what it does not say already
            errors = {k: [m for m in v if m != refused.message] for k, v in fields.items()} or {"_": [refused.message]}
            flash(i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
        else:
            flash(i18n.gettext(_done(me, task, s.dossier.code)))
            return redirect(url_for(".result", code=s.dossier.code))
    status = 422 if errors else 200
    meeting = s.session.session_date if s.session else None
    early = not errors and task.element_id == "record_session" and meeting is not None and _today() < meeting
    return render_template(
        "council_session.html",
        task=task,
        s=s,
        ratio=format_ratio,
        errors=errors,
        form=request.form,
        early=early,
        comments=domain().consultation.of_dossier(s.dossier.code),
    ), status


def _done(me: Actor, task: TaskView, code: str) -> str:
    """What the secretary is told once the step is done: convened, recorded, or recorded without a quorum."""
    if task.element_id == "convene_session":
        return "council.convened"
    latest = domain().council.sitting(me, code).session
    return "council.recorded" if latest is None or latest.quorum_met else "council.recorded_no_quorum"


def _today() -> date:
    return clock.now().astimezone(i18n.ZONE).date()


@blp.get("/council/hoso/<code>")
@page(roles=SECRETARY)
def result(me: Actor, code: str) -> str:
    """The sittings' outcome for a dossier and the minutes."""
    dossiers = domain().dossiers
    row = dossiers.dossier(me, code)
    minutes = [d for d in dossiers.documents(row) if d.kind == "minutes"]
    return render_template(
        "council_result.html",
        s=domain().council.sitting(me, code),
        minutes=minutes,
        tasks=dossiers.open_tasks(row),
        comments=domain().consultation.of_dossier(row.code),
    )
