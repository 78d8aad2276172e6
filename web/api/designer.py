"""What the process designer's editor asks while a diagram is drawn: the pick lists, a script's sandbox
check as it is typed, and when a timer would fall due for an example start."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.bpmn.xml import parse_xml
from engine.repository import DefinitionView
from engine.scripting import check_source, source_refusals
from engine.timer_preview import TimerPreview
from web import script_texts, task_pages
from web.api.context import engine
from web.api.schemas import (
    DesignerCatalogSchema,
    ScriptCheckResultSchema,
    ScriptCheckSchema,
    TimerPreviewResultSchema,
    TimerPreviewSchema,
)

blp = Blueprint(
    "designer_api", __name__, url_prefix="/api/designer", description="The process designer's editor helpers."
)


def catalog() -> dict[str, Any]:
    """The deployed processes (latest version: call activity targets), DMN decisions (with their names), forms,
    service-task handlers with their parameters and the pages a user task may be done on: the pick lists of the
    designer's properties panel."""
    repository = engine().repository
    names = repository.deployed_names()
    latest: dict[str, DefinitionView] = {}
    for view in repository.definitions():  # newest version first within each key
        latest.setdefault(view.key, view)
    return {
        "processes": [{"key": v.key, "name": v.name, "version": v.version} for v in latest.values()],
        "decisions": sorted(names.decisions),
        "decision_names": decision_names(),
        "forms": sorted(names.forms),
        "operators": [asdict(info) for info in engine().handlers.describe()],
        "pages": task_pages.catalog(),
    }


def decision_names() -> dict[str, str]:
    """Each deployed decision's name (in its newest file), so that a picker shows the table's name, not its id."""
    found: dict[str, str] = {}
    for version in sorted(engine().repository.files("dmn"), key=lambda f: f.id):  # a newer file's name wins
        tree, _ = parse_xml(version.name, version.content.encode())  # it passed deployment's checks
        for decision in tree.getroot().iter("{*}decision") if tree is not None else ():
            if decision.get("id") and decision.get("name"):
                found[decision.get("id", "")] = decision.get("name", "")
    return found


@blp.route("/catalog")
class Catalog(MethodView):
    @blp.response(200, DesignerCatalogSchema)
    def get(self) -> dict[str, Any]:
        """What a diagram may refer to: deployed processes, DMN decisions, forms, registered handlers and pages."""
        return catalog()


@blp.route("/script-check")
class ScriptCheck(MethodView):
    @blp.arguments(ScriptCheckSchema)
    @blp.response(200, ScriptCheckResultSchema)
    def post(self, body: dict[str, str]) -> dict[str, Any]:
        """Whether a script (``exec``) or expression (``eval``) compiles under the sandbox; nothing is run.
        ``message`` is the engine's English, ``text`` the reader's language (``code`` says why, for programs)."""
        reason = check_source(body["source"], body["mode"])
        refusals = source_refusals(body["source"], body["mode"])
        return {"ok": not refusals, "message": reason or (refusals[0].message if refusals else None),
                **script_texts.localized(refusals)}  # fmt: skip


@blp.route("/timer-preview")
class TimerPreviewView(MethodView):
    @blp.arguments(TimerPreviewSchema)
    @blp.response(200, TimerPreviewResultSchema)
    def post(self, body: dict[str, Any]) -> TimerPreview:
        """When a timer would fall due if reached at ``start``, on the unit's working calendar (422 naming
        ``expression`` when it cannot be evaluated)."""
        return engine().preview_timer(body["expression"], body["kind"], body["start"], body.get("unit"))
