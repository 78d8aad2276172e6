"""Working-day calendars: a year's days off and extra working days, the administrators' rows, due dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.calendar_store import DayEntry
from web.api.context import actor, engine
from web.api.schemas import (
    CalendarQuery,
    DayEntrySchema,
    DaysQuery,
    DueQuery,
    DueSchema,
    OneDaySchema,
    RevisionSchema,
    SwapSchema,
)
from web.errors import bad_params

blp = Blueprint("calendar", __name__, url_prefix="/api/calendar", description="Holidays, swaps and due dates.")


@blp.route("/days")
class Days(MethodView):
    @blp.arguments(DaysQuery, location="query", error_status_code=400)
    @blp.response(200, DayEntrySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[DayEntry]:
        """The year's package holidays and administrators' rows, by date, each with its origin."""
        return engine().calendar.list_days(query["year"], query["calendar"], include_removed=query["include_removed"])


@blp.route("/days/<day:day>")
class Day(MethodView):
    @blp.arguments(CalendarQuery, location="query", error_status_code=400)
    @blp.response(200, RevisionSchema)
    def delete(self, query: dict[str, Any], day: str) -> dict[str, Any]:
        """Mark the administrators' row of a date (YYYY-MM-DD) removed; it is kept for history."""
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            bad_params({"day": [f"{day!r} is not a date (YYYY-MM-DD)"]})
        revision = engine().calendar.remove(parsed, actor().username, calendar=query["calendar"])
        return {"calendar": query["calendar"], "revision": revision}


@blp.route("/swaps")
class Swaps(MethodView):
    @blp.arguments(SwapSchema)
    @blp.response(201, RevisionSchema)
    def post(self, swap: dict[str, Any]) -> dict[str, Any]:
        """Enter a Government swap from its notice: a working day off for a weekend day worked."""
        revision = engine().calendar.add_swap(
            swap["off"], swap["work"], swap["source"], actor().username, swap.get("name"), calendar=swap["calendar"]
        )
        return {"calendar": swap["calendar"], "revision": revision}


@blp.route("/holidays")
class Holidays(MethodView):
    @blp.arguments(OneDaySchema)
    @blp.response(201, RevisionSchema)
    def post(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Enter a one-off day off from an official notice."""
        revision = engine().calendar.add_holiday(
            entry["day"], entry["name"], entry["source"], actor().username, calendar=entry["calendar"]
        )
        return {"calendar": entry["calendar"], "revision": revision}


@blp.route("/workdays")
class Workdays(MethodView):
    @blp.arguments(OneDaySchema)
    @blp.response(201, RevisionSchema)
    def post(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Enter a one-off working day (it cancels a package holiday on that date)."""
        revision = engine().calendar.add_working_day(
            entry["day"], entry["name"], entry["source"], actor().username, calendar=entry["calendar"]
        )
        return {"calendar": entry["calendar"], "revision": revision}


@blp.route("/due")
class Due(MethodView):
    @blp.arguments(DueQuery, location="query", error_status_code=400)
    @blp.response(200, DueSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The due moment of a dossier complete at ``start`` under a limit such as 20WD (15:00 cut-off)."""
        work = engine().calendar.calendar(query["calendar"])
        start: datetime = query["start"]
        start = start if start.tzinfo is not None else start.replace(tzinfo=work.zone)
        try:
            due = work.due_date_for(start, query["duration"])
        except ValueError as err:
            bad_params({"duration": [str(err)]})
        return {"calendar": work.name, "revision": work.revision, "start": start, "due": due.astimezone(work.zone)}
