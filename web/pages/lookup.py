"""The public look-up page (no sign-in): a dossier code in, its status name and appointment date out."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine.errors import NotFound
from web import i18n
from web.api.context import domain
from web.pages.desk_texts import TEXTS

i18n.TEXTS.update(TEXTS)

blp = Blueprint("lookup", __name__)


@blp.get("/tra-cuu")
def index() -> tuple[str, int]:
    """Anyone may look a dossier up by its code: nothing personal is shown."""
    code = request.args.get("code", "").strip()[:40]
    found, status = None, 200
    if code:
        try:
            found = domain().dossiers.lookup(code)
        except NotFound:
            status = 404
    return render_template("lookup.html", code=code, found=found), status
