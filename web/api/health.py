"""Liveness for load balancers and monitors."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from web.api.schemas import HealthSchema

blp = Blueprint("health", __name__, url_prefix="/api/health", description="Is the server up.")


@blp.route("")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """Answers without touching the database, so a slow database does not take the server out."""
        return {"status": "ok"}
