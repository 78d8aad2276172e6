"""The public look-up page (no sign-in): a dossier code in, its status name and appointment date out."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from engine.errors import NotFound
from handlers import desk
from web import i18n
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
            found = desk.lookup(current_app.extensions["awardflow"], code)
        except NotFound:
            status = 404
    return render_template("lookup.html", code=code, found=found), status
