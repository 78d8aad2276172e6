"""The one-stop desk: the unit's dossiers, receiving one (with its receipt and appointment date), the
completeness check, the supplement's return, withdrawal, the apology with a new date; and the catalogue.

Every change is one call of the domain's dossier service (one transaction, audited).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from engine import clock
from engine.errors import Conflict, InvalidInput, NotFound
from engine.identity import Actor
from handlers import records
from handlers.catalogue import Catalogue, format_ratio
from handlers.dossier_service import DESK_TASKS, DossierService
from web import i18n
from web.api.context import domain
from web.i18n import ZONE
from web.pages.desk_texts import TEXTS
from web.pages.guard import page

i18n.TEXTS.update(TEXTS)

blp = Blueprint("desk", __name__)
DESK = ("desk",)
INLINE = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _dossiers() -> DossierService:
    return domain().dossiers


def _nominees() -> list[dict[str, Any]]:
    """The nominee rows of the form (blank rows skipped)."""
    form = request.form
    rows = zip(
        form.getlist("nominee_name"),
        form.getlist("nominee_kind"),
        form.getlist("nominee_gender"),
        form.getlist("nominee_position"),
        form.getlist("nominee_leader"),
        form.getlist("nominee_unit"),
        strict=False,
    )
    out = []
    for name, kind, gender, position, leader, unit in rows:
        if not name.strip():
            continue
        out.append(
            {
                "name": name.strip(),
                "kind": kind or "individual",
                "gender": (gender or None) if kind in ("", "individual") else None,
                "position": position.strip() or None,
                "is_leader": leader == "1",
                "unit": unit.strip() or None,
            }
        )
    return out


def _uploads(rules: Catalogue) -> list[dict[str, Any]]:
    uploaded, problems = [], {}
    for code in rules.papers:
        for part in request.files.getlist(f"paper_{code}"):
            if not part or not part.filename:
                continue
            try:
                uploaded.append(_dossiers().upload(code, part.filename, part.read()))
            except InvalidInput as refused:
                problems[f"paper_{code}"] = [m for msgs in refused.fields.values() for m in msgs]
    if problems:
        raise InvalidInput("Có giấy tờ không được chấp nhận: xem các tệp được đánh dấu.", problems)
    return uploaded


def _form_page(me: Actor, errors: dict[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    rules = _dossiers().catalogue()
    wanted = request.args.get("status", type=int)
    rows, total = _dossiers().page(me, status=wanted, per_page=100)
    html = render_template(
        "desk.html",
        rules=rules,
        rows=rows,
        total=total,
        wanted=wanted,
        statuses=records.STATUS_NAMES,
        errors=errors or {},
        form=request.form,
        year=local_today().year - 1,
    )
    return html, status


def parse_day(text: str) -> date:
    """dd/mm/yyyy as people type it (ISO yyyy-mm-dd accepted too); ValueError otherwise."""
    text = text.strip()
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    return date.fromisoformat(text)


def local_today() -> date:
    return clock.now().astimezone(ZONE).date()


@blp.route("/desk", methods=["GET", "POST"])
@page(roles=DESK)
def index(me: Actor) -> Any:
    """GET: the unit's dossiers and the receive form. POST: receive a dossier, then its receipt."""
    if request.method == "GET":
        return _form_page(me)
    form = request.form
    try:
        rules = _dossiers().catalogue()
        body = {
            "award_type": form.get("award_type"),
            "unit": form.get("unit", "").strip(),
            "unit_name": form.get("unit_name", "").strip() or form.get("unit", "").strip(),
            "title": form.get("title", "").strip() or None,
            "achievement_year": form.get("achievement_year", type=int),
            "nominees": _nominees(),
        }
        submission = _dossiers().submission_of(body, _uploads(rules))
    except InvalidInput as refused:
        flash(i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
        return _form_page(me, refused.fields, 422)
    code = _dossiers().receive(me, submission, accept=form.get("accept") == "1")
    return redirect(url_for(".dossier", code=code))


@blp.get("/desk/<code>")
@page(roles=DESK)
def dossier(me: Actor, code: str) -> Any:
    """One dossier: its status, the receipt with the appointment, documents, and what the desk may do."""
    row = _dossiers().dossier(me, code)
    docs = _dossiers().documents(row)
    tasks = _dossiers().open_tasks(row)
    receipt = next((d for d in reversed(docs) if d.kind == "receipt" and d.format == "pdf"), None)
    return render_template(
        "desk_dossier.html",
        d=row,
        rules=_dossiers().catalogue(),
        status_name=records.STATUS_NAMES[row.status],
        docs=docs,
        receipt=receipt,
        check=next((t for t in tasks if t.element_id in DESK_TASKS), None),
        tasks=tasks,
        public=_dossiers().lookup(code),
    )


def _back(code: str, message: str, category: str = "") -> Any:
    flash(message, category)
    return redirect(url_for(".dossier", code=code))


@blp.post("/desk/<code>/check")
@page(roles=DESK)
def check(me: Actor, code: str) -> Any:
    """The completeness check: receive it (receipt) or ask once for everything missing."""
    row = _dossiers().dossier(me, code)
    choice = request.form.get("completeness", "tiep_nhan")
    is_first = row.supplement_requested_at is None
    if choice == "bo_sung" and is_first:
        data: dict[str, Any] = {"completeness": "bo_sung", "missing": request.form.getlist("missing")}
        if request.form.get("intake_note", "").strip():
            data["intake_note"] = request.form["intake_note"].strip()
    else:
        data = {"completeness" if is_first else "recheck": "tiep_nhan"}
    try:
        _dossiers().accept(me, code, data)
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(code, i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
    return _back(code, i18n.gettext("desk.done"))


@blp.post("/desk/<code>/supplement")
@page(roles=DESK)
def supplement(me: Actor, code: str) -> Any:
    """The applicant came back with the papers asked for."""
    _dossiers().dossier(me, code)
    try:
        _dossiers().return_supplement(me, code, _uploads(_dossiers().catalogue()))
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(code, i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
    return _back(code, i18n.gettext("desk.done"))


@blp.post("/desk/<code>/withdraw")
@page(roles=DESK)
def withdraw(me: Actor, code: str) -> Any:
    """The applicant asks to stop (status 7, the stop notice)."""
    _dossiers().dossier(me, code)
    reason = request.form.get("reason", "").strip()
    if not reason:
        return _back(code, i18n.gettext("desk.reason_required"), "error")
    try:
        _dossiers().withdraw(me, code, reason)
    except (NotFound, Conflict):
        return _back(code, i18n.gettext("desk.no_withdraw"), "error")
    return _back(code, i18n.gettext("desk.done"))


@blp.post("/desk/<code>/reschedule")
@page(roles=DESK)
def reschedule(me: Actor, code: str) -> Any:
    """The apology letter with a new appointment date (once)."""
    _dossiers().dossier(me, code)
    reason = request.form.get("reason", "").strip()
    try:
        day = parse_day(request.form.get("new_day", ""))
        at = time.fromisoformat((request.form.get("new_time") or "17:30").strip().zfill(5))
    except ValueError:
        return _back(code, i18n.gettext("desk.bad_date"), "error")
    if not reason:
        return _back(code, i18n.gettext("desk.reason_required"), "error")
    try:
        _dossiers().reschedule(me, code, datetime.combine(day, at, ZONE), reason)
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(code, i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
    return _back(code, i18n.gettext("desk.done"))


@blp.get("/desk/<code>/documents/<int:document_id>")
@page()
def document(me: Actor, code: str, document_id: int) -> Response:
    """A generated document, shown in the browser to print (``?download=1`` saves it)."""
    found, data = _dossiers().document(_dossiers().dossier(me, code), document_id)
    response = Response(data, mimetype=INLINE.get(found.format, "application/octet-stream"))
    how = "attachment" if request.args.get("download") or found.format != "pdf" else "inline"
    response.headers["Content-Disposition"] = f'{how}; filename="{found.filename}"'
    return response


@blp.get("/danh-muc")
@page()
def catalogue(me: Actor) -> str:
    """The award types of the rule set in force: threshold, quorum, limit, papers, bonus multiples."""
    return render_template("catalogue.html", rules=_dossiers().catalogue(), ratio=format_ratio)
