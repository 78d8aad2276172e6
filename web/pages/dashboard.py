"""The supervisor dashboard: open work overdue and due soon now, on-time rates, late dossiers, who the awards
went to — every number a link to the work behind it — and the same view as Excel or PDF.

Supervisors and administrators see every unit (and may pick one); division heads and leaders their own.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for

from engine import clock
from engine.errors import NotFound
from engine.identity import Actor
from web import i18n, jobs
from web.auth import sees_all_units
from web.pages import dashboard_texts, exports, names
from web.pages.dashboard_data import BadQuery, Dashboard, Lang, Query, build, period_label, scope
from web.pages.dashboard_drill import Drill, build_drill
from web.pages.dashboard_map import build_map
from web.pages.guard import page
from web.services import engine as _engine

__all__ = ["READERS", "blp"]

i18n.TEXTS.update(dashboard_texts.TEXTS)
i18n.TEXTS.update(
    {
        "dash.archive": ("Báo cáo định kỳ đã lưu (ISO)", "Archived period reports (ISO)"),
        "dash.archive_note": (
            "Hồ sơ kết thúc trong kỳ, tất cả đơn vị: tự động lập sau mỗi tháng, quý, năm.",
            "Dossiers finished in the period, every unit: made after each month, quarter and year.",
        ),
        "dash.archive.generated": ("Lập lúc", "Made at"),
        "dash.archive.received": ("Tiếp nhận", "Received"),
        "dash.archive.none": ("Chưa có báo cáo nào được lưu.", "No report archived yet."),
    }
)

blp = Blueprint("dashboard", __name__)

#: Who reads the dashboard (the same people as the JSON reports).
READERS = ("supervisor", "division_head", "leader", "admin")


#: the filters' labels on the page, by query parameter (a refusal names the field as the person sees it)
FIELD_LABELS = {
    "from": "dash.from",
    "to": "dash.to",
    "period": "dash.period",
    "level": "dash.level",
    "group_by": "dash.group_by",
    "unit": "dash.group.unit",
    # a drill-down's own parameters
    "kind": "drill.field.kind",
    "by": "dash.group_by",
    "status": "drill.field.status",
    "label": "drill.field.label",
    "result": "drill.field.result",
    "who": "drill.field.who",
}


def _refusal(bad: BadQuery, tr: Lang) -> str:
    """What was wrong, naming each field by its label on the page and what it wants."""
    problems = "; ".join(f"{tr(FIELD_LABELS[n]) if n in FIELD_LABELS else n}: {hint}" for n, hint in bad.fields.items())
    return f"{tr('dash.bad_query')} — {problems}"


def _without(bad: BadQuery, today: date, tr: Lang) -> Query:
    """The request's filters without the refused ones (their defaults instead); the defaults if still refused."""
    try:
        return Query.parse(_kept(bad), today, tr)
    except BadQuery:
        return Query.parse({}, today, tr)


def _kept(bad: BadQuery) -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k not in bad.fields}


def _usable(me: Actor, tr: Lang) -> tuple[Query, str | None, BadQuery | None]:
    """The request's filters with the refused ones left out, the unit they may cover, and what was refused."""
    today = clock.now().astimezone(i18n.ZONE).date()
    try:
        query, refused = Query.parse(request.args, today, tr), None
    except BadQuery as bad:  # filters that cannot be used: the others kept, the typed ones shown with the reason
        query, refused = _without(bad, today, tr), bad
    return query, scope(me, query.unit, tr), refused


@blp.get("/dashboard")
@page(roles=READERS)
def index(me: Actor) -> Any:
    """The dashboard in the page's language."""
    tr = Lang(i18n.language())
    query, unit, refused = _usable(me, tr)
    view = build(_engine(), query, unit, tr)
    wide = sees_all_units(me)
    page_html = render_template(
        "dashboard.html",
        view=view,
        wide=wide,
        archive=jobs.archived(_engine()) if wide else None,
        period_label=lambda label: period_label(label, tr),
        refusal=_refusal(refused, tr) if refused else "",
        bad=refused.fields if refused else {},
        typed=request.args if refused else {},
    )
    return page_html, 400 if refused else 200


@blp.get("/dashboard/archive/<int:run_id>/<name>")
@page(roles=READERS)
def archive_file(me: Actor, run_id: int, name: str) -> Any:
    """A file of an archived period report (every unit's figures: for those who see every unit)."""
    if not sees_all_units(me):
        abort(404)
    path = jobs.archive_file(_engine(), run_id, name)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path.resolve(), as_attachment=True, download_name=name, max_age=0)


@blp.get("/dashboard/drill")
@page(roles=READERS)
def drill(me: Actor) -> Any:
    """The tasks, steps, dossiers or awardees behind one number of the dashboard. Parameters it cannot use are
    named on the page with the reason (400), the list made without them when it can be (a link edited by hand)."""
    tr = Lang(i18n.language())
    query, unit, refused = _usable(me, tr)
    found: Drill | None = None
    try:
        found = build_drill(_engine(), request.args, query, unit, tr)
    except BadQuery as bad:
        refused = BadQuery({**(refused.fields if refused else {}), **bad.fields})
        with suppress(BadQuery):  # without a usable `kind` there is no list to make
            found = build_drill(_engine(), _kept(bad), query, unit, tr)
    page_html = render_template(
        "dashboard_drill.html", drill=found, query=query, unit=unit, refusal=_refusal(refused, tr) if refused else ""
    )
    return page_html, 400 if refused else 200


@blp.get("/dashboard/map")
@page(roles=READERS)
def process_map(me: Actor) -> Any:
    """The diagram of a procedure with the dashboard's numbers on its steps. A filter it cannot use is named on the
    page with the reason (400) and the map is drawn without it, as the drill-down does."""
    tr = Lang(i18n.language())
    query, unit, refused = _usable(me, tr)
    try:
        found = build_map(_engine(), dict(request.args), query, unit, tr)
    except NotFound:
        abort(404, description=tr("map.unknown"))
    page_html = render_template(
        "dashboard_map.html", view=found, query=query, unit=unit, refusal=_refusal(refused, tr) if refused else ""
    )
    return page_html, 400 if refused else 200


@blp.get("/dashboard/export.xlsx")
@page(roles=READERS)
def export_xlsx(me: Actor) -> Any:
    """The current view as an Excel workbook, in Vietnamese."""
    view = _view(me)
    if view is None:
        return _back_to_fix()
    book = exports.workbook(view, Lang("vi"), names.person_name(me.username))
    return _download(book, exports.XLSX_TYPE, exports.file_name(view, "xlsx"))


@blp.get("/dashboard/export.pdf")
@page(roles=READERS)
def export_pdf(me: Actor) -> Any:
    """The current view as a PDF, in Vietnamese (503 when the server cannot make one)."""
    view = _view(me)
    if view is None:
        return _back_to_fix()
    try:
        data = exports.pdf_document(view, Lang("vi"), names.person_name(me.username))
    except exports.PdfUnavailable as missing:
        return render_template("error.html", code=503, message=str(missing)), 503
    return _download(data, "application/pdf", exports.file_name(view, "pdf"))


def _view(me: Actor) -> Dashboard | None:
    """The view an export is made of, in Vietnamese; None when a filter cannot be used."""
    tr = Lang("vi")
    query, unit, refused = _usable(me, tr)
    return None if refused else build(_engine(), query, unit, tr)


def _back_to_fix() -> Any:
    """An export with a filter it cannot use goes back to the dashboard with the same filters, where the form
    marks the refused ones with the reason and keeps the rest: the person corrects them there and exports again
    (an error page would be a dead end behind a download button)."""
    flash(i18n.gettext("dash.export_refused"), "error")
    return redirect(f"{url_for('.index')}?{request.query_string.decode()}", 303)


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
