"""Server-rendered pages: Vietnamese first, light JavaScript, libraries served from installed npm files.

Each page module owns one blueprint and registers it in :data:`BLUEPRINTS`; :mod:`web.pages.guard` gives
them sign-in, role checks and form CSRF.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, send_from_directory

from web import i18n
from web.pages import (
    admin_jobs,
    admin_pages,
    cluster_meeting,
    cluster_proposal,
    cluster_results,
    clusters,
    comment_report,
    council,
    dashboard,
    designer,
    designer_documents,
    designer_forms,
    designer_history,
    designer_rules,
    designer_rules_decisions,
    designer_simulate,
    desk,
    disclosure,
    guard,
    inbox,
    lookup,
    names,
    notifications,
    session_pages,
    tasks,
)

FRONTEND = Path(__file__).resolve().parent.parent / "frontend" / "node_modules"

#: The installed npm files a page may load, by URL prefix: no CDN, no copies in our tree.
VENDOR = {
    "bpmn-js": FRONTEND / "bpmn-js" / "dist",
    "chart.js": FRONTEND / "chart.js" / "dist",
    "properties-panel": FRONTEND / "@bpmn-io" / "properties-panel" / "dist" / "assets",
    "dmn-js": FRONTEND / "dmn-js" / "dist" / "assets",
    # the designer's editors (designer.js for diagrams, decisions.js for DMN), bundled from the installed
    # packages by `npm ci` (web/frontend/build.mjs)
    "designer": FRONTEND.parent / "build",
}

vendor = Blueprint("vendor", __name__)


@vendor.get("/vendor/<lib>/<path:filename>")
def vendor_file(lib: str, filename: str) -> Response:
    """A file of an installed npm package (404 if it is not installed: run `npm ci --prefix web/frontend`)."""
    root = VENDOR.get(lib)
    if root is None or not root.is_dir():
        abort(404)
    return send_from_directory(root, filename, max_age=3600)


BLUEPRINTS = [
    vendor,
    session_pages.blp,
    inbox.blp,
    tasks.blp,
    notifications.blp,
    desk.blp,
    council.blp,
    clusters.blp,
    cluster_results.blp,
    cluster_meeting.blp,
    cluster_proposal.blp,
    lookup.blp,
    disclosure.blp,
    comment_report.blp,
    dashboard.blp,
    designer.blp,
    designer_forms.blp,
    designer_documents.blp,
    designer_rules.blp,
    designer_rules_decisions.blp,
    designer_simulate.blp,
    designer_history.blp,
    admin_pages.blp,
    admin_jobs.blp,
]


def init_app(app: Flask) -> None:
    """Templates' helpers (texts, dates, the signed-in person, CSRF) and every page blueprint."""
    app.jinja_env.globals.update(_=i18n.gettext, lang=i18n.language, csrf_token=guard.form_csrf_token)
    app.jinja_env.globals.update(me=guard.signed_in, has_role=guard.has_role, person=guard.person)
    app.jinja_env.globals.update(may_open=guard.may_open, unit_choices=names.unit_choices)
    app.jinja_env.filters.update(date=i18n.format_date, datetime=i18n.format_datetime, number=i18n.format_number)
    app.jinja_env.filters.update(
        person=names.person_name,
        unit=names.unit_name,
        group=names.group_name,
        holder=names.holder_name,
        process=names.process_name,
        calendar=names.calendar_name,
    )
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
