"""Signals broadcast to every active instance waiting for them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from web.api.context import actor, engine
from web.api.schemas import DeliveredSchema, SignalSchema

blp = Blueprint("signals", __name__, url_prefix="/api/signals", description="Broadcast BPMN signals.")


@blp.route("")
class Signals(MethodView):
    @blp.arguments(SignalSchema)
    @blp.response(200, DeliveredSchema)
    def post(self, signal: dict[str, Any]) -> dict[str, Any]:
        """Broadcast a signal; returns the instances that caught it (possibly none)."""
        return {
            "instances": engine().runtime.signal(signal["name"], payload=signal.get("payload"), actor=actor().username)
        }
