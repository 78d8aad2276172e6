"""The supervisors' report on public consultation (/bao-cao/gop-y): per period and proposing unit, the comments
received, handled on time, and the objections that changed a proposal."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from engine import clock
from engine.identity import Actor
from handlers.consultation_report import comment_report
from web import i18n
from web.api.context import domain
from web.pages.admin_pages import parse_day
from web.pages.dashboard import READERS
from web.pages.guard import page

blp = Blueprint("comment_report", __name__)


@blp.get("/bao-cao/gop-y")
@page(roles=READERS)
def index(me: Actor) -> Any:
    """From the first of this month to today unless the reader picks the days (dd/mm/yyyy)."""
    today = clock.now().astimezone(i18n.ZONE).date()
    start, end, errors = today.replace(day=1), today, {}
    for field in ("start", "end"):
        text = request.args.get(field, "").strip()[:20]
        if not text:
            continue
        try:
            day = parse_day(text)
        except ValueError:
            errors[field] = [i18n.gettext("report.bad_day")]
            continue
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            errors[field] = [i18n.gettext("report.bad_day")]
        elif field == "start":
            start = day
        else:
            end = day
    eng = domain().engine
    rows = [] if errors else comment_report(eng.db, start, end, eng.access.units(me))
    return render_template("comment_report.html", rows=rows, start=start, end=end, errors=errors), (
        400 if errors else 200
    )
