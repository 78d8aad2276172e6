"""Process definitions: deploy and validate bundles (multipart upload), list versions, read their BPMN."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage

from engine.errors import DeploymentInvalid, InvalidInput, NotFound
from engine.repository import DefinitionView
from web.api.context import actor, engine
from web.api.schemas import (
    BundleSchema,
    DefinitionQuery,
    DefinitionSchema,
    DeploymentSchema,
    ValidationSchema,
    XmlSchema,
)
from web.errors import bad_params

NAME_LIMIT = 200

blp = Blueprint(
    "definitions", __name__, url_prefix="/api/definitions", description="BPMN/DMN/form bundles and their versions."
)


def bundle(uploads: list[FileStorage]) -> dict[str, bytes]:
    """The uploaded files by their base name (a client's folders are not ours)."""
    files: dict[str, bytes] = {}
    for upload in uploads:
        name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
        if not name:
            raise InvalidInput("every file needs a name", {"files": ["a file has no name"]})
        if name in files:
            raise InvalidInput(f"two files named {name}", {"files": [f"{name} appears twice"]})
        files[name] = upload.read()
    return files


def based_on(values: list[str]) -> dict[str, int | None]:
    """``key=version`` pairs (``key=`` for a process not deployed yet); 400 naming ``based_on`` otherwise."""
    found: dict[str, int | None] = {}
    for value in values:
        key, sign, version = value.partition("=")
        if not sign or not key or not (version == "" or version.isdigit() and len(version) < 10):
            bad_params({"based_on": ["key=version, e.g. appraisal=3 (key= for a new process)"]})
        found[key] = int(version) if version else None
    return found


def deployment_name(files: dict[str, bytes]) -> str:
    """The file names, cut to fit the deployment's 200-character name column."""
    name = ", ".join(sorted(files))
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…"


@blp.route("")
class Definitions(MethodView):
    @blp.arguments(DefinitionQuery, location="query", error_status_code=400)
    @blp.response(200, DefinitionSchema(many=True))
    def get(self, query: dict[str, str]) -> list[DefinitionView]:
        """Every version, newest first per key, with how many instances are still open on it."""
        return engine().repository.definitions(query.get("key"))

    @blp.arguments(BundleSchema, location="files")
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(200, schema=DeploymentSchema, description="nothing changed: no new version")
    def post(self, upload: dict[str, list[FileStorage]]) -> Any:
        """Deploy a bundle (field ``files``, repeated); 422 with ``problems`` naming file and element. An editor
        sends ``based_on`` (``key=version`` of the version it opened, ``key=`` for a new process; repeated): 409
        VersionConflict, naming the newest version, when another was deployed since."""
        files = bundle(upload["files"])
        result = engine().repository.deploy(
            files,
            actor=actor().username,
            name=deployment_name(files),
            based_on=based_on(request.form.getlist("based_on")),
        )
        return result, 201 if result.deployment_id is not None else 200


@blp.route("/validate")
class Validate(MethodView):
    @blp.arguments(BundleSchema, location="files")
    @blp.response(200, ValidationSchema)
    def post(self, upload: dict[str, list[FileStorage]]) -> dict[str, Any]:
        """Check a bundle against what is deployed without storing anything."""
        try:
            checked = engine().repository.validate(bundle(upload["files"]))
        except DeploymentInvalid as refused:
            return {"valid": False, "processes": [], "problems": refused.problems}
        return {"valid": True, "processes": sorted(checked.processes), "problems": checked.warnings}


def _xml(key: str, version: int | None) -> dict[str, Any]:
    versions = engine().repository.definitions(key)
    found = next((d for d in versions if version in (None, d.version)), None)
    if found is None:
        raise NotFound(f"no deployed process {key!r}" + (f" version {version}" if version else ""))
    xml = engine().repository.xml(key, found.version)
    return {"key": key, "version": found.version, "resource_name": found.resource_name, "xml": xml}


@blp.route("/<key>/xml")
class LatestXml(MethodView):
    @blp.response(200, XmlSchema)
    def get(self, key: str) -> dict[str, Any]:
        """The latest version's BPMN as deployed (what the editor opens)."""
        return _xml(key, None)


@blp.route("/<key>/versions/<int:version>/xml")
class VersionXml(MethodView):
    @blp.response(200, XmlSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """One version's BPMN as deployed."""
        return _xml(key, version)
