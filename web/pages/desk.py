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
from handlers.dossier_service import DESK_TASKS, SORTS, DossierService
from web import i18n
from web.api.context import domain
from web.i18n import ZONE
from web.pages.desk_texts import TEXTS
from web.pages.guard import page

i18n.TEXTS.update(TEXTS)

blp = Blueprint("desk", __name__)
DESK = ("desk",)
#: dossiers on one page of the desk list
PER_PAGE = 20
#: the fields of a nominee row of the receive form, in column order
NOMINEE_FIELDS = ("name", "kind", "gender", "position", "leader", "unit")
INLINE = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _dossiers() -> DossierService:
    return domain().dossiers


def _rows() -> list[dict[str, str]]:
    """The nominee rows as typed (rows left wholly blank dropped), to submit or to show again after a refusal."""
    columns = [request.form.getlist(f"nominee_{f}") for f in NOMINEE_FIELDS]
    rows = [dict(zip(NOMINEE_FIELDS, (c[i] if i < len(c) else "" for c in columns), strict=True))
            for i in range(max(map(len, columns), default=0))]  # fmt: skip
    return [r for r in rows if r["name"].strip() or r["position"].strip() or r["unit"].strip()]


def _nominees() -> list[dict[str, Any]]:
    """The nominee rows of the form as the submission lists them (rows without a name skipped)."""
    out = []
    for row in _rows():
        if not row["name"].strip():
            continue
        kind = row["kind"] or "individual"
        out.append(
            {
                "name": row["name"].strip(),
                "kind": kind,
                "gender": (row["gender"] or None) if kind == "individual" else None,
                "position": row["position"].strip() or None,
                "is_leader": row["leader"] == "1",
                "unit": row["unit"].strip() or None,
            }
        )
    return out


def _chosen_files(rules: Catalogue) -> list[tuple[str, str]]:
    """(paper name, file name) of every file the officer picked: a browser never sends them back, so a
    refused form says which to attach again."""
    return [
        (rules.papers[code], part.filename)
        for code in rules.papers
        for part in request.files.getlist(f"paper_{code}")
        if part and part.filename
    ]


def _uploads(rules: Catalogue) -> list[dict[str, Any]]:
    uploaded, problems = [], {}
    for code in rules.papers:
        for part in request.files.getlist(f"paper_{code}"):
            if not part or not part.filename:
                continue
            try:
                uploaded.append(_dossiers().upload(code, part.filename, part.read(), rules))
            except InvalidInput as refused:
                problems[f"paper_{code}"] = [m for msgs in refused.fields.values() for m in msgs]
    if problems:
        raise InvalidInput("Có giấy tờ không được chấp nhận: xem các tệp được đánh dấu.", problems)
    return uploaded


def _form_page(
    me: Actor,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    reattach: list[tuple[str, str]] | None = None,
) -> tuple[str, int]:
    """The receive form (rows kept after a refusal) and the unit's dossiers: searched, sorted, one page."""
    rules = _dossiers().catalogue()
    wanted = request.args.get("status", type=int)
    search = request.args.get("q", "").strip()[:100]
    sort = request.args.get("sort", "newest")
    sort = sort if sort in SORTS else "newest"
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = _dossiers().page(me, status=wanted, search=search or None, sort=sort, page=number, per_page=PER_PAGE)
    html = render_template(
        "desk.html",
        rules=rules,
        units=_dossiers().units(),
        rows=rows,
        total=total,
        wanted=wanted,
        search=search,
        sort=sort,
        sorts=list(SORTS),
        page_no=number,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        statuses=records.STATUS_NAMES,
        errors=errors or {},
        form=request.form,
        nominee_rows=(_rows() if request.method == "POST" else []) or [dict.fromkeys(NOMINEE_FIELDS, "")],
        reattach=reattach or [],
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
    rules = _dossiers().catalogue()
    try:
        code = _dossiers().receive(me, _submission(rules), accept=request.form.get("accept") == "1")
    except InvalidInput as refused:
        flash(i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
        return _form_page(me, refused.fields, 422, _chosen_files(rules))
    return redirect(url_for(".dossier", code=code))


def _submission(rules: Catalogue) -> dict[str, Any]:
    """The receive form as a submission; InvalidInput naming every field at fault at once (unit, rows, files)."""
    form, problems = request.form, {}
    try:
        unit = _dossiers().proposing_unit(form.get("unit", ""))
    except InvalidInput as refused:
        problems, unit = dict(refused.fields), None
    body = {
        "award_type": form.get("award_type"),
        "unit": unit.code if unit else form.get("unit", ""),
        "unit_name": unit.name if unit else "",
        "title": form.get("title", "").strip() or None,
        "achievement_year": form.get("achievement_year", type=int),
        "nominees": _nominees(),
    }
    try:
        submission = _dossiers().submission_of(body, _uploads(rules))
    except InvalidInput as refused:
        raise InvalidInput(refused.message, {**problems, **refused.fields}) from None
    if problems:
        raise InvalidInput(problems["unit"][0], problems)
    return submission


@blp.get("/desk/<code>")
@page()
def dossier(me: Actor, code: str) -> Any:
    """One dossier: its status, the receipt with the appointment, nominees, papers and documents; what the desk
    may do for the desk. Everyone else of the unit handling it (the appraiser…) reads it (404 elsewhere)."""
    return _dossier_page(me, code)


def _dossier_page(me: Actor, code: str, status: int = 200) -> tuple[str, int]:
    row = _dossiers().dossier(me, code)
    docs = _dossiers().documents(row)
    tasks = _dossiers().open_tasks(row)
    receipt = next((d for d in reversed(docs) if d.kind == "receipt" and d.format == "pdf"), None)
    rules = domain().rulesets.rules(row.rule_set_id)  # the dossier's own version, not today's
    present = {p.code for p in row.papers}
    award = rules.award_types.get(row.award_type)
    html = render_template(
        "desk_dossier.html",
        d=row,
        rules=rules,
        status_name=records.STATUS_NAMES[row.status],
        docs=docs,
        receipt=receipt,
        check=next((t for t in tasks if t.element_id in DESK_TASKS), None),
        missing=[c for c in (award.required_papers if award else ()) if c not in present],
        tasks=tasks,
        public=_dossiers().lookup(code),
        is_desk=me.is_admin or bool(set(DESK) & set(me.groups)),
    )
    return html, status


def _back(code: str, message: str, category: str = "") -> Any:
    flash(message, category)
    return redirect(url_for(".dossier", code=code))


@blp.post("/desk/<code>/check")
@page(roles=DESK)
def check(me: Actor, code: str) -> Any:
    """The completeness check: receive it (receipt) or ask once for everything missing."""
    row = _dossiers().dossier(me, code)
    choice = request.form.get("completeness", "")
    is_first = row.supplement_requested_at is None
    if choice == "bo_sung" and is_first:
        data: dict[str, Any] = {"completeness": "bo_sung", "missing": request.form.getlist("missing")}
        if request.form.get("intake_note", "").strip():
            data["intake_note"] = request.form["intake_note"].strip()
    elif choice == "tiep_nhan":
        data = {"completeness" if is_first else "recheck": "tiep_nhan"}
    else:
        flash(i18n.gettext("desk.check.choose"), "error")
        return _dossier_page(me, code, 422)
    try:
        _dossiers().accept(me, code, data)
    except InvalidInput as refused:
        flash(i18n.gettext("desk.refused", message=i18n.refusal(422, refused.message)), "error")
        return _dossier_page(me, code, 422)
    except (Conflict, NotFound) as refused:
        return _back(code, i18n.gettext("desk.refused", message=i18n.refusal(409, refused.message)), "error")
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


@blp.get("/desk/<code>/papers/<int:paper_id>")
@page()
def paper(me: Actor, code: str, paper_id: int) -> Response:
    """A paper the proposing unit sent, for whoever of the handling unit reads the dossier (PDF inline)."""
    found, data = _dossiers().paper(_dossiers().dossier(me, code), paper_id)
    kind = found.filename.rsplit(".", 1)[-1].lower()
    response = Response(data, mimetype=found.content_type or "application/octet-stream")
    how = "inline" if kind == "pdf" and not request.args.get("download") else "attachment"
    response.headers.set("Content-Disposition", how, filename=found.filename)  # RFC 2231 for a Vietnamese name
    return response


@blp.get("/danh-muc")
@page()
def catalogue(me: Actor) -> str:
    """The award types of the rule set in force: threshold, quorum, limit, papers, bonus multiples."""
    return render_template("catalogue.html", rules=_dossiers().catalogue(), ratio=format_ratio)
