"""A cluster year's results: the head's reconciliation of the gaps beyond the tolerance, the ranking with each
criterion's points, its Excel and PDF exports and the meeting's minutes, the cluster's years, and the clusters'
progress and results on the supervisor's dashboard."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for

from engine.errors import PermissionDenied
from engine.identity import Actor
from handlers import render
from handlers.catalogue import format_ratio
from handlers.cluster_service import CERTIFICATE, FLAG, Progress, StandingRow
from handlers.cluster_views import meeting, minutes_doc, ranking_doc
from web import i18n
from web.api.context import domain
from web.pages import cluster_exports
from web.pages.clusters import Refusal, is_head, refused_fields, scores_of, service, this_year
from web.pages.guard import page

blp = Blueprint("cluster_results", __name__)

#: a refusal's field of the reconciliation, ``reconciled[2].scores.I.1``
RECONCILED_FIELD = re.compile(r"^reconciled\[(\d+)\](.*)$")


def _by_unit(fields: dict[str, list[str]], units: list[str]) -> dict[str, list[str]]:
    """The reconciliation's refused fields named by unit (``ubnd-vl.scores.I.1``), as the form's inputs are."""
    out: dict[str, list[str]] = {}
    for key, messages in fields.items():
        found = RECONCILED_FIELD.match(key)
        if found and int(found.group(1)) < len(units):
            key = units[int(found.group(1))] + found.group(2)
        out[key] = messages
    return out


@blp.route("/cum-khoi/<code>/<int:year>/tham-dinh", methods=["GET", "POST"])
@page()
def reconcile(me: Actor, code: str, year: int) -> Any:
    """The head's reconciliation view: every member's self-score against the cross-grades' average, the gaps
    beyond the tolerance in red, and a sheet of points for each of them."""
    svc = service()
    view = svc.year(code, year)
    if not is_head(me, view):
        raise PermissionDenied("Chỉ trưởng cụm, khối thẩm định điểm chênh lệch")
    rules, rows = svc.rules(code, year), svc.standings(code, year)
    gaps = [r for r in rows if r.beyond_tolerance]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        units = [r.unit for r in gaps]
        entries = [
            {
                "unit": u,
                "scores": scores_of(rules, request.form, f"{u}."),
                "note": request.form.get(f"{u}.note", "")[:500],
            }
            for u in units
        ]
        try:
            svc.reconcile(me, code, year, entries)
        except Refusal as refused:
            errors = _by_unit(refused_fields(refused), units)
        else:
            flash(i18n.gettext("cluster.reconcile_done"))
            return redirect(url_for(".ranking", code=code, year=year), code=303)
    return render_template(
        "cluster_reconcile.html",
        view=view,
        rules=rules,
        rows=rows,
        gaps=gaps,
        open="reconcile" in view.open_steps,
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)


@blp.get("/cum-khoi/<code>/<int:year>/xep-hang")
@page()
def ranking(me: Actor, code: str, year: int) -> str:
    """The ranking (or the scores so far) with the points per criterion, the votes and the proposals."""
    svc = service()
    view = svc.year(code, year)
    return render_template(
        "cluster_ranking.html",
        view=view,
        rules=svc.rules(code, year),
        rows=svc.standings(code, year),
        held=meeting(svc, code, year),
        awards=award_names(),
    )


def _download(data: bytes, name: str, mimetype: str) -> Response:
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def award_names() -> dict[str, str]:
    """The proposals' awards by the catalogue's names (the flag and the Chairman's certificate)."""
    catalogue = domain().dossiers.catalogue()
    return {code: catalogue.award(code).name for code in (FLAG, CERTIFICATE)}


@blp.get("/cum-khoi/<code>/<int:year>/xep-hang.xlsx")
@page()
def ranking_xlsx(me: Actor, code: str, year: int) -> Response:
    """The ranking as an Excel workbook: the points per criterion as numbers, and the meeting."""
    svc = service()
    view, rules = svc.year(code, year), svc.rules(code, year)
    data = cluster_exports.workbook(view, rules, svc.standings(code, year), meeting(svc, code, year), award_names())
    return _download(data, f"xep-hang-{code}-{year}.xlsx", cluster_exports.XLSX_TYPE)


@blp.get("/cum-khoi/<code>/<int:year>/xep-hang.pdf")
@page()
def ranking_pdf(me: Actor, code: str, year: int) -> Response:
    """The ranking as an official document (national header), PDF."""
    svc = service()
    view, rules = svc.year(code, year), svc.rules(code, year)
    doc = ranking_doc(view, svc.standings(code, year), list(rules.items), rules.name, award_names())
    return _download(render.to_pdf(doc), f"xep-hang-{code}-{year}.pdf", "application/pdf")


@blp.get("/cum-khoi/<code>/<int:year>/bien-ban.pdf")
@page()
def minutes_pdf(me: Actor, code: str, year: int) -> Response:
    """The meeting's minutes, PDF; 404 before the meeting is recorded."""
    svc = service()
    view, held = svc.year(code, year), meeting(svc, code, year)
    if held is None:
        abort(404)
    doc = minutes_doc(
        view,
        svc.standings(code, year),
        held,
        domain().units.name(view.head),
        format_ratio(svc.rules(code, year).threshold),
        award_names(),
    )
    return _download(render.to_pdf(doc), f"bien-ban-{code}-{year}.pdf", "application/pdf")


@blp.get("/cum-khoi/<code>/lich-su")
@page()
def history(me: Actor, code: str) -> str:
    """The cluster's years, latest first, each with its head and its ranking."""
    return render_template("cluster_history.html", years=service().history(code), awards=award_names())


def dashboard_rows() -> list[tuple[Progress, list[StandingRow]]]:
    """The clusters' progress this year and, once ranked, their leading units (for the supervisor's dashboard)."""
    year = this_year()
    svc = service()
    return [(p, [r for r in svc.standings(p.code, year) if r.rank == 1]) for p in svc.progress(year)]


blp.add_app_template_global(dashboard_rows, "cluster_dashboard")
