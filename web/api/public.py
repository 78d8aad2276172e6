"""The public look-up by dossier code (no sign-in): status and appointment date only, nothing personal."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from handlers.dossier_service import PublicStatus
from web.api.context import domain
from web.api.dossier_schemas import PublicStatusSchema

blp = Blueprint("public", __name__, url_prefix="/api/public", description="What anyone may look up.")


@blp.route("/dossiers/<code>")
class PublicDossier(MethodView):
    @blp.response(200, PublicStatusSchema)
    def get(self, code: str) -> PublicStatus:
        """A dossier's status code and name and its appointment date (404 for an unknown code)."""
        return domain().dossiers.lookup(code[:40])
