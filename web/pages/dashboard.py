"""The supervisor dashboard: open work overdue and due soon now, on-time rates, late dossiers, who the awards
went to — every number a link to the work behind it — and the same view as Excel or PDF.

Supervisors and administrators see every unit (and may pick one); division heads and leaders their own.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Blueprint, Response, abort, render_template, request

from engine import clock
from engine.errors import NotFound
from engine.identity import Actor
from web import i18n
from web.auth import sees_all_units
from web.pages import dashboard_texts, exports, names
from web.pages.dashboard_data import BadQuery, Dashboard, Lang, Query, build, scope
from web.pages.dashboard_drill import build_drill
from web.pages.dashboard_map import build_map
from web.pages.guard import page
from web.services import engine as _engine

__all__ = ["READERS", "blp"]

i18n.TEXTS.update(dashboard_texts.TEXTS)

blp = Blueprint("dashboard", __name__)

#: Who reads the dashboard (the same people as the JSON reports).
READERS = ("supervisor", "division_head", "leader", "admin")


def _query(me: Actor, tr: Lang) -> tuple[Query, str | None]:
    """The filters of this request and the unit they may cover; a 400 page for bad parameters."""
    today = clock.now().astimezone(i18n.ZONE).date()
    try:
        query = Query.parse(request.args, today, tr)
    except BadQuery as bad:
        _refuse(bad, tr)
    return query, scope(me, query.unit, tr)


def _refuse(bad: BadQuery, tr: Lang) -> NoReturn:
    """The 400 page, naming each parameter and what it wants."""
    problems = "; ".join(f"{name}: {hint}" for name, hint in bad.fields.items())
    abort(400, description=f"{tr('dash.bad_query')} — {problems}")


def _view(me: Actor, tr: Lang) -> Dashboard:
    query, unit = _query(me, tr)
    return build(_engine(), query, unit, tr)


@blp.get("/dashboard")
@page(roles=READERS)
def index(me: Actor) -> Any:
    """The dashboard in the page's language."""
    tr = Lang(i18n.language())
    view = _view(me, tr)
    return render_template("dashboard.html", view=view, wide=sees_all_units(me))


@blp.get("/dashboard/drill")
@page(roles=READERS)
def drill(me: Actor) -> Any:
    """The tasks, steps, dossiers or awardees behind one number of the dashboard."""
    tr = Lang(i18n.language())
    query, unit = _query(me, tr)
    try:
        found = build_drill(_engine(), request.args, query, unit, tr)
    except BadQuery as bad:
        _refuse(bad, tr)
    return render_template("dashboard_drill.html", drill=found, unit=unit)


@blp.get("/dashboard/map")
@page(roles=READERS)
def process_map(me: Actor) -> Any:
    """The diagram of a procedure with the dashboard's numbers on its steps."""
    tr = Lang(i18n.language())
    query, unit = _query(me, tr)
    try:
        found = build_map(_engine(), dict(request.args), query, unit, tr)
    except NotFound:
        abort(404, description=tr("map.unknown"))
    return render_template("dashboard_map.html", view=found, query=query, unit=unit)


@blp.get("/dashboard/export.xlsx")
@page(roles=READERS)
def export_xlsx(me: Actor) -> Response:
    """The current view as an Excel workbook, in Vietnamese."""
    view = _view(me, Lang("vi"))
    book = exports.workbook(view, Lang("vi"), names.person_name(me.username))
    return _download(book, exports.XLSX_TYPE, exports.file_name(view, "xlsx"))


@blp.get("/dashboard/export.pdf")
@page(roles=READERS)
def export_pdf(me: Actor) -> Any:
    """The current view as a PDF, in Vietnamese (503 when the server cannot make one)."""
    view = _view(me, Lang("vi"))
    try:
        data = exports.pdf_document(view, Lang("vi"), names.person_name(me.username))
    except exports.PdfUnavailable as missing:
        return render_template("error.html", code=503, message=str(missing)), 503
    return _download(data, "application/pdf", exports.file_name(view, "pdf"))


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
