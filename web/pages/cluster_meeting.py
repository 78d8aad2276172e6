"""The head records the cluster meeting: the day, the member units present and the approving ballots of the
secret vote for each scored unit; the cluster service tallies it as the council's (quorum and threshold over ALL
members) and ranks the members. The page checks first what it can say by the units' names (whole numbers, no
more ballots than units present); the service's own check stays the rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidInput, PermissionDenied
from engine.identity import Actor
from handlers.catalogue import format_ratio
from web import i18n
from web.boundary import column_int
from web.pages.clusters import Refusal, is_head, refused_fields, service
from web.pages.desk import parse_day
from web.pages.guard import page

blp = Blueprint("cluster_meeting", __name__)


def _record(names: dict[str, str], members: list[str]) -> tuple[date, list[str], dict[str, int]]:
    """The day, who came and the ballots from the form; InvalidInput naming each field in Vietnamese."""
    problems: dict[str, list[str]] = {}
    try:
        held_on = parse_day(request.form.get("held_on", "")[:20])
    except ValueError:
        problems["held_on"] = [i18n.gettext("cluster.bad_day")]
        held_on = date.min
    present = [m for m in members if request.form.get(f"present.{m}") == "1"]
    ballots: dict[str, int] = {}
    for unit, name in names.items():
        text = request.form.get(f"ballots.{unit}", "").strip() or "0"
        try:
            ballots[unit] = column_int(text)
        except ValueError:
            problems[f"ballots.{unit}"] = [i18n.gettext("cluster.bad_ballots", unit=name)]
            continue
        if ballots[unit] > len(present):
            problems[f"ballots.{unit}"] = [i18n.gettext("cluster.too_many_ballots", unit=name, n=len(present))]
    if problems:
        raise InvalidInput(next(iter(problems.values()))[0], problems)
    return held_on, present, ballots


@blp.route("/cum-khoi/<code>/<int:year>/hoi-nghi", methods=["GET", "POST"])
@page()
def meeting(me: Actor, code: str, year: int) -> Any:
    """The meeting's record: attendance and the ballots, against the quorum and the threshold of all members."""
    svc = service()
    view = svc.year(code, year)
    if not is_head(me, view):
        raise PermissionDenied("Chỉ trưởng cụm, khối ghi kết quả hội nghị bình xét")
    rules, rows = svc.rules(code, year), svc.standings(code, year)
    names = {r.unit: r.name for r in rows if r.total is not None}
    members = [m.unit for m in view.members]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            held_on, present, ballots = _record(names, members)
            svc.record_meeting(me, code, year, held_on=held_on, present=present, ballots=ballots)
        except Refusal as refused:
            errors = refused_fields(refused)
        else:
            ranked = any(r.rank is not None for r in svc.standings(code, year))
            flash(i18n.gettext("cluster.meeting_done" if ranked else "cluster.meeting_no_quorum"))
            return redirect(url_for("cluster_results.ranking", code=code, year=year), code=303)
    return render_template(
        "cluster_meeting.html",
        view=view,
        names=names,
        threshold=format_ratio(rules.threshold),
        quorum=format_ratio(rules.quorum),
        open="record_meeting" in view.open_steps,
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)
