"""The ISO clock over HTTP: a dossier's control slip and its one reschedule, supervisors' reports, and
each person's notifications."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import PermissionDenied
from engine.models import Notification, SlaClock
from web.api.context import actor, engine
from web.api.instances import visible
from web.api.schemas import (
    ClockSchema,
    LateDossierSchema,
    LateQuery,
    NotificationSchema,
    PendingQuery,
    PendingSchema,
    PeriodQuery,
    RateSchema,
    RescheduleSchema,
    SlipSchema,
)
from web.auth import sees_all_units

blp = Blueprint("sla", __name__, url_prefix="/api", description="Deadlines, the control slip and reports.")


def _own_unit() -> str | None:
    """Reports cover every unit for supervisors and administrators, else the caller's own unit (none: refused)."""
    who = actor()
    if sees_all_units(who):
        return None
    if not who.unit:
        raise PermissionDenied(f"{who.username} belongs to no unit, so no unit's reports can be shown")
    return who.unit


@blp.route("/instances/<int:instance_id>/slip")
class SlipView(MethodView):
    @blp.response(200, SlipSchema)
    def get(self, instance_id: int) -> dict[str, Any]:
        """The control slip: the dossier's clock and every hand-over with its budget, due, use and result."""
        visible(instance_id)
        return engine().sla.slip(instance_id).to_dict(ZoneInfo(engine().settings.time_zone))


@blp.route("/instances/<int:instance_id>/reschedule")
class RescheduleView(MethodView):
    @blp.arguments(RescheduleSchema)
    @blp.response(200, ClockSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> SlaClock:
        """The apology and new date: once, and at least 1 working day before the due date (unit checked inside)."""
        return engine().sla.reschedule(instance_id, body["new_due"], body["reason"], actor().username)


@blp.route("/reports/on-time")
class OnTime(MethodView):
    @blp.arguments(PeriodQuery, location="query", error_status_code=400)
    @blp.response(200, RateSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Early + on time against late, per month, quarter or year, by unit, step, person or process."""
        rates = engine().reports.on_time(
            query["start"],
            query["end"],
            period=query["period"],
            group_by=query["group_by"],
            level=query["level"],
            unit=_own_unit(),
        )
        return [r.to_dict() for r in rates]


@blp.route("/reports/pending")
class PendingView(MethodView):
    @blp.arguments(PendingQuery, location="query", error_status_code=400)
    @blp.response(200, PendingSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Open work now: within time, due soon (1 day), overdue."""
        return [p.to_dict() for p in engine().reports.pending(group_by=query["group_by"], unit=_own_unit())]


@blp.route("/reports/late")
class LateView(MethodView):
    @blp.arguments(LateQuery, location="query", error_status_code=400)
    @blp.response(200, LateDossierSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Late dossiers and the step that made them late (the ISO corrective-action input)."""
        return engine().reports.late_dossiers(query["start"], query["end"], unit=_own_unit())


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.response(200, NotificationSchema(many=True))
    def get(self) -> list[Notification]:
        """My notifications and my groups' (due soon, overdue, escalations), newest first."""
        return engine().notifications.for_user(actor().username)
