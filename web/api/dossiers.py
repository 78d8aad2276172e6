"""Dossiers at the desk: submit (JSON or multipart), list and read (unit-scoped), papers, generated documents,
the applicant's supplement and withdrawal, and the apology with a new appointment date.

Every change is one call of the domain's dossier service: one transaction with its audit events.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Response, request
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from engine.errors import InvalidInput
from handlers.dossier_service import DossierService, summary
from web.api.context import actor, domain
from web.api.dossier_schemas import (
    ApologyResultSchema,
    ApologySchema,
    DocumentOut,
    DossierPageSchema,
    DossierQuery,
    DossierSchema,
    PaperUploadSchema,
    SubmitSchema,
    SupplementSchema,
    UploadedSchema,
    WithdrawSchema,
)
from web.api.multipart import FORM_AND_FILES, Blueprint
from web.boundary import load_json
from web.errors import flatten

blp = Blueprint("dossiers", __name__, url_prefix="/api/dossiers", description="Award dossiers at the desk.")

PDF_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class PaperTooLarge(RequestEntityTooLarge):
    """One paper over the rule set's size limit (413, naming the field)."""

    def __init__(self, field: str, size: int, limit: int) -> None:
        super().__init__(f"{field}: {size} bytes is over the limit of {limit} bytes")
        self.data = {"fields": {field: [f"{size} bytes is over the limit of {limit} bytes ({limit // 2**20} MB)"]}}


def _dossiers() -> DossierService:
    return domain().dossiers


def upload(code: str, filename: str, data: bytes, field: str) -> dict[str, Any]:
    """Store one paper within the limits of the rule set in force (413 too large, 422 wrong kind)."""
    rules = _dossiers().catalogue()
    if len(data) > rules.max_paper_bytes:
        raise PaperTooLarge(field, len(data), rules.max_paper_bytes)
    try:
        return _dossiers().upload(code, filename, data, rules)
    except InvalidInput as refused:
        raise InvalidInput(refused.message, {f"{field}.{k}": v for k, v in refused.fields.items()}) from None


def _files() -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for part in request.files.getlist("files"):
        name = PurePosixPath((part.filename or "").replace("\\", "/")).name
        if not name:
            raise InvalidInput("every file needs a name", {"files": ["a file has no name"]})
        found[name] = part.read()
    return found


def _submission_body() -> tuple[dict[str, Any], dict[str, bytes]]:
    """The submitted object (JSON body, or the ``dossier`` part of a multipart form) and its files."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raw, files = request.form.get("dossier"), _files()
        if not raw:
            raise InvalidInput("the dossier is missing", {"dossier": ["the dossier as JSON text"]})
        data = load_json(raw, "dossier")
    else:
        data, files = request.get_json(silent=True), {}
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", {"_": ["a JSON object"]})
    try:
        return SubmitSchema().load(data), files
    except ValidationError as err:
        raise InvalidInput("the dossier is not valid", flatten(err.messages)) from None


def _papers(listed: list[dict[str, Any]], files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Each listed paper: a part of this request (``file``) or an earlier upload (``key``)."""
    out: list[dict[str, Any]] = []
    for i, item in enumerate(listed):
        if item.get("file"):
            if item["file"] not in files:
                raise InvalidInput("a listed file was not sent", {f"papers[{i}].file": ["no such part in `files`"]})
            out.append(upload(item["code"], item["file"], files[item["file"]], f"papers[{i}]"))
        elif item.get("key"):
            out += _dossiers().listed_papers([item])
        else:
            raise InvalidInput("a paper needs its file", {f"papers[{i}]": ["give `file` or `key`"]})
    return out


def detail(code: str) -> dict[str, Any]:
    """The summary with its appointment, documents and ready tasks."""
    return _dossiers().detail(actor(), code)


@blp.route("")
class Dossiers(MethodView):
    @blp.arguments(DossierQuery, location="query", error_status_code=400)
    @blp.response(200, DossierPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Dossiers handled by my units, newest first; filters: status, award type, proposing unit, code."""
        rows, total = _dossiers().page(actor(), **query)
        items = [{**summary(r), "nominees": len(r.nominees)} for r in rows]
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}

    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": SubmitSchema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "dossier": {"type": "string", "description": "the SubmitSchema object as JSON"},
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                    }
                },
            },
        }
    )
    @blp.response(201, DossierSchema)
    def post(self) -> dict[str, Any]:
        """Submit a dossier (status 1, the desk's check waiting); ``accept`` receives it at once (receipt).

        Papers come as parts of a multipart request or as the keys of earlier uploads. 422 names the field;
        413 when a paper is over the size limit. Nothing is started when anything is refused.
        """
        body, files = _submission_body()
        submission = _dossiers().submission_of(body, _papers(body["papers"], files))
        return detail(_dossiers().receive(actor(), submission, accept=body["accept"]))


@blp.route("/<code>")
class One(MethodView):
    @blp.response(200, DossierSchema)
    def get(self, code: str) -> dict[str, Any]:
        """One dossier: status, received, appointment, classification, nominees, papers, documents, tasks."""
        return detail(code)


@blp.route("/<code>/papers")
class Papers(MethodView):
    @blp.arguments(PaperUploadSchema, location=FORM_AND_FILES)
    @blp.response(201, UploadedSchema)
    def post(self, form: dict[str, Any], code: str) -> dict[str, Any]:
        """Upload one paper for this dossier (e.g. for the supplement): 413 over the size limit, 422 a kind
        or type not accepted. The paper joins the dossier when its key is named in the supplement."""
        _dossiers().dossier(actor(), code)
        part: FileStorage = form["file"]
        return upload(form["code"], part.filename or form["code"], part.read(), "file")


@blp.route("/<code>/documents")
class Documents(MethodView):
    @blp.response(200, DocumentOut(many=True))
    def get(self, code: str) -> list[Any]:
        """The documents generated for the dossier (receipt, slips, minutes, decision …), oldest first."""
        return _dossiers().documents(_dossiers().dossier(actor(), code))


@blp.route("/<code>/documents/<int:document_id>")
class DocumentFile(MethodView):
    @blp.response(200, description="the PDF or DOCX file")
    def get(self, code: str, document_id: int) -> Response:
        """Download one generated document."""
        found, data = _dossiers().document(_dossiers().dossier(actor(), code), document_id)
        response = Response(data, mimetype=PDF_TYPES.get(found.format, "application/octet-stream"))
        response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
        return response


@blp.route("/<code>/supplement")
class Supplement(MethodView):
    @blp.arguments(SupplementSchema)
    @blp.response(200, DossierSchema)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """The applicant's return with the papers asked for (uploaded first to ``/papers``)."""
        _dossiers().dossier(actor(), code)
        _dossiers().return_supplement(actor(), code, _dossiers().listed_papers(body["papers"]))
        return detail(code)


@blp.route("/<code>/withdraw")
class Withdraw(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, DossierSchema)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """The applicant asks to stop (status 7, stop notice); 409 once it went to signing or ended."""
        _dossiers().withdraw(actor(), code, body["reason"])
        return detail(code)


@blp.route("/<code>/reschedule")
class Reschedule(MethodView):
    @blp.arguments(ApologySchema)
    @blp.response(200, ApologyResultSchema)
    def post(self, body: dict[str, Any], code: str) -> dict[str, Any]:
        """The apology with a new appointment date (once, ≥ 1 working day before the due date)."""
        return _dossiers().reschedule(actor(), code, body["new_due"], body["reason"])
