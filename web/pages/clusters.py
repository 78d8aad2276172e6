"""The emulation cluster pages (cụm, khối thi đua): the year of a cluster with its pledge and the head's steps, a
member's self-score sheet with evidence, the cross-grading sheets, the head's reconciliation of the gaps beyond
the tolerance, the ranking with each criterion's points and its exports, and the cluster's years.

Every change is one call of the domain's cluster service, which checks the role and the unit inside its
transaction (a member sees its own sheet and grades the units the rules give it; only the head reconciles); a
refused form comes back with the fields named and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import FileStorage

from engine import clock
from engine.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from engine.identity import Actor
from handlers import cluster_scoring
from handlers.cluster_rules import ClusterRules
from handlers.cluster_service import ClusterService, MemberView, YearView
from handlers.cluster_views import points_text
from web import i18n
from web.api.context import domain
from web.boundary import column_int
from web.pages.cluster_texts import TEXTS
from web.pages.guard import page, signed_in

i18n.TEXTS.update(TEXTS)

blp = Blueprint("cluster_pages", __name__)

#: the head's steps a page button completes (no form beyond an optional note), by the procedure's element id
HEAD_STEPS = ("open_year", "circulate_pledge", "close_pledges", "close_self_scores", "close_cross_grades")
#: who sees the clusters in the menu: the members' officers, the heads and the people who supervise them
MENU_GROUPS = frozenset({"cluster_member", "cluster_head", "supervisor", "leader", "division_head"})
Refusal = (InvalidInput, InvalidState, Conflict)


def service() -> ClusterService:
    return domain().clusters


def this_year() -> int:
    return clock.now().astimezone(i18n.ZONE).year


def sees_clusters() -> bool:
    """Whether the menu offers the cluster pages to the signed-in person."""
    me = signed_in()
    return me is not None and (me.is_admin or bool(me.groups & MENU_GROUPS))


def is_head(me: Actor, view: YearView) -> bool:
    return "cluster_head" in me.groups and me.unit == view.head


def is_member(me: Actor, view: YearView) -> bool:
    return any(m.unit == me.unit for m in view.members)


def membership(m: MemberView, year: int) -> str:
    """When a unit was a member in the year, as people say it: the whole year, or from / until a day (a unit
    merged or split during the year)."""
    parts = []
    if m.valid_from > date(year, 1, 1):
        parts.append(i18n.gettext("cluster.from", day=i18n.format_date(m.valid_from)))
    if m.valid_to is not None and m.valid_to < date(year, 12, 31):
        parts.append(i18n.gettext("cluster.until", day=i18n.format_date(m.valid_to)))
    return " ".join(parts) or i18n.gettext("cluster.whole_year")


def refused_fields(refused: Exception) -> dict[str, list[str]]:
    """The refusal told in the flash in the person's words (each field's message, not the field's name); the
    fields returned so each is shown again next to its input."""
    message = getattr(refused, "message", str(refused))
    fields: dict[str, list[str]] = getattr(refused, "fields", {}) or {}
    told = "; ".join(dict.fromkeys(m for messages in fields.values() for m in messages)) or message
    flash(i18n.gettext("cluster.refused", message=i18n.refusal(422, told)), "error")
    return dict(fields)


@blp.app_template_filter("points")
def points_filter(value: Any) -> str:
    """Points as the page's language writes them (decimal comma in Vietnamese)."""
    text = points_text(value)
    return text.replace(",", ".") if i18n.language() == "en" else text


blp.add_app_template_global(sees_clusters, "cluster_menu")
blp.add_app_template_global(membership, "cluster_membership")


# -- the clusters of a year, and one cluster's year ------------------------------------------------------


@blp.get("/cum-khoi")
@page()
def index(me: Actor) -> str:
    """Every cluster and bloc of the year (``?nam=``, this year by default) with its phase and head."""
    wanted = request.args.get("nam", "").strip()
    try:
        year = column_int(wanted) if wanted else this_year()
    except ValueError:
        abort(400, description=i18n.gettext("cluster.year") + ": " + wanted[:20])
    return render_template("clusters.html", year=year, views=service().clusters(year), me_unit=me.unit)


@blp.get("/cum-khoi/<code>/<int:year>")
@page()
def year_page(me: Actor, code: str, year: int) -> str:
    """A cluster's year: dates, members and their pledge, my unit's work, the head's open steps."""
    view = service().year(code, year)
    steps = [s for s in HEAD_STEPS if s in view.open_steps or (s == "open_year" and view.phase == "planned")]
    return render_template(
        "cluster_year.html",
        view=view,
        rules=service().rules(code, year),
        head=is_head(me, view),
        member=is_member(me, view),
        steps=steps if is_head(me, view) else [],
        me_unit=me.unit,
    )


@blp.post("/cum-khoi/<code>/<int:year>/ky-giao-uoc")
@page()
def sign(me: Actor, code: str, year: int) -> Any:
    """My unit signs the year's pledge."""
    try:
        service().sign_pledge(me, code, year)
    except Refusal as refused:
        refused_fields(refused)
    else:
        flash(i18n.gettext("cluster.signed_done"))
    return redirect(url_for(".year_page", code=code, year=year), code=303)


@blp.post("/cum-khoi/<code>/<int:year>/buoc/<step>")
@page()
def head_step(me: Actor, code: str, year: int, step: str) -> Any:
    """The head opens the year, circulates the pledge or closes a round."""
    svc = service()
    actions: dict[str, Callable[[], object]] = {
        "open_year": lambda: svc.open_year(me, code, year),
        "circulate_pledge": lambda: svc.circulate_pledge(me, code, year, request.form.get("note", "")[:2000]),
        "close_pledges": lambda: svc.close_pledges(me, code, year),
        "close_self_scores": lambda: svc.close_self_scores(me, code, year),
        "close_cross_grades": lambda: svc.close_cross_grades(me, code, year),
    }
    if step not in actions:
        abort(404)
    try:
        actions[step]()
    except Refusal as refused:
        refused_fields(refused)
    else:
        flash(i18n.gettext("cluster.step_done", step=i18n.gettext(f"cluster.step.{step}")))
    return redirect(url_for(".year_page", code=code, year=year), code=303)


# -- score sheets ------------------------------------------------------------------------------------------


def scores_of(rules: ClusterRules, form: Mapping[str, str], prefix: str = "score.") -> dict[str, str]:
    """The sheet's points from the form, one field per code of the grid (other fields are not read)."""
    return {code: form.get(f"{prefix}{code}", "").strip()[:20] for code in rules.items}


def previous_sheet(code: str, year: int, kind: str, grader: str, graded: str) -> Any:
    found = [s for s in service().sheets(code, year, grader=grader, graded=graded) if s.kind == kind]
    return found[0] if found else None


def upload_evidence(me: Actor, code: str, year: int, rules: ClusterRules, kept: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence of each criterion: the files sent now, else those of the earlier sheet. A file the rules
    refuse is named by its criterion."""
    limit = file_limit_mb()
    evidence: dict[str, Any] = {}
    for criterion in rules.criteria:
        files: list[FileStorage] = [f for f in request.files.getlist(f"evidence.{criterion.code}") if f.filename]
        uploaded = []
        for sent in files:
            try:
                uploaded.append(service().upload_evidence(me, code, year, sent.filename or "", sent.read()))
            except InvalidInput:
                message = i18n.gettext("cluster.bad_file", file=sent.filename, mb=limit)
                raise InvalidInput(message, {f"evidence.{criterion.code}": [message]}) from None
        if uploaded or kept.get(criterion.code):
            evidence[criterion.code] = uploaded or kept[criterion.code]
    return evidence


def file_limit_mb() -> int:
    """The largest evidence file, in MB: the award rules' paper limit."""
    return domain().dossiers.catalogue().max_paper_bytes // 1_000_000


@blp.route("/cum-khoi/<code>/<int:year>/tu-cham", methods=["GET", "POST"])
@page()
def self_sheet(me: Actor, code: str, year: int) -> Any:
    """My unit's self-score with evidence; sent again before the deadline it replaces the earlier one."""
    view = service().year(code, year)
    if not is_member(me, view):
        raise PermissionDenied("Chỉ đơn vị thành viên của cụm, khối mới có bảng tự chấm điểm")
    rules = service().rules(code, year)
    earlier = previous_sheet(code, year, "self", me.unit or "", me.unit or "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        scores = scores_of(rules, request.form)
        try:
            if view.phase != "self_score":
                raise InvalidState(i18n.gettext("cluster.phase_closed"))
            cluster_scoring.check_sheet(rules, scores)  # before any file is stored
            evidence = upload_evidence(me, code, year, rules, earlier.evidence if earlier else {})
            service().submit_self_score(me, code, year, scores, evidence)
        except Refusal as refused:
            errors = refused_fields(refused)
        else:
            flash(i18n.gettext("cluster.self_done"))
            return redirect(url_for(".self_sheet", code=code, year=year), code=303)
    return render_template(
        "cluster_sheet.html",
        view=view,
        rules=rules,
        sheet=earlier,
        graded=me.unit,
        graded_name=domain().units.name(me.unit or ""),
        kind="self",
        open=view.phase == "self_score",
        limit_mb=file_limit_mb(),
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)


@blp.get("/cum-khoi/<code>/<int:year>/minh-chung/<unit>/<criterion>/<int:index>")
@page()
def evidence(me: Actor, code: str, year: int, unit: str, criterion: str, index: int) -> Any:
    """One evidence file of a unit's self-score, opened in the browser (the cluster's members grade by it)."""
    meta, data = service().evidence_file(me, code, year, unit, criterion, index)
    return send_file(
        BytesIO(data),
        mimetype=str(meta.get("content_type") or "application/octet-stream"),
        download_name=str(meta.get("filename") or "minh-chung"),
    )


@blp.get("/cum-khoi/<code>/<int:year>/cham-cheo")
@page()
def cross_list(me: Actor, code: str, year: int) -> str:
    """The units my unit cross-grades, and whether each sheet was sent."""
    view = service().year(code, year)
    sent = {s.graded_unit: s for s in service().sheets(code, year, grader=me.unit or "") if s.kind == "cross"}
    units = service().to_grade(me, code, year) if is_member(me, view) else []
    rows = [(u, domain().units.name(u), sent.get(u)) for u in units]
    return render_template("cluster_cross.html", view=view, rows=rows)


@blp.route("/cum-khoi/<code>/<int:year>/cham-cheo/<graded>", methods=["GET", "POST"])
@page()
def cross_sheet(me: Actor, code: str, year: int, graded: str) -> Any:
    """My unit's cross-grade of one member (never itself; only the units the rules give it)."""
    view = service().year(code, year)
    if graded not in service().to_grade(me, code, year):
        raise PermissionDenied("Đơn vị không chấm chéo đơn vị này theo quy tắc của cụm, khối")
    rules = service().rules(code, year)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            service().submit_cross_grade(me, code, year, graded, scores_of(rules, request.form))
        except Refusal as refused:
            errors = refused_fields(refused)
        else:
            flash(i18n.gettext("cluster.cross_done", unit=domain().units.name(graded)))
            return redirect(url_for(".cross_list", code=code, year=year), code=303)
    return render_template(
        "cluster_sheet.html",
        view=view,
        rules=rules,
        sheet=previous_sheet(code, year, "cross", me.unit or "", graded),
        graded=graded,
        graded_name=domain().units.name(graded),
        evidence_of=previous_sheet(code, year, "self", graded, graded),
        kind="cross",
        open=view.phase == "cross_grade",
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)
