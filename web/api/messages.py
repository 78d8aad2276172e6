"""Messages from outside (a payment, a line agency's answer) delivered to the instance waiting for them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from web.api.context import actor, engine
from web.api.schemas import CorrelateSchema, DeliveredSchema

blp = Blueprint("messages", __name__, url_prefix="/api/messages", description="Correlate BPMN messages.")


@blp.route("")
class Messages(MethodView):
    @blp.arguments(CorrelateSchema)
    @blp.response(200, DeliveredSchema)
    def post(self, message: dict[str, Any]) -> dict[str, Any]:
        """Deliver a message by name and business key (404 if none waits; 409 if several and not ``all``)."""
        delivered = engine().runtime.correlate(
            message["name"],
            business_key=message.get("business_key"),
            payload=message.get("payload"),
            actor=actor().username,
            all_matches=message["all"],
        )
        return {"instances": delivered}
