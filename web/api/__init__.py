"""The JSON API: flask-smorest blueprints, one per resource, its OpenAPI document and a local Swagger UI.

Swagger UI's files come from the ``swagger-ui-bundle`` package and are served here: the servers have no
internet, so nothing may load from a CDN.
"""

from __future__ import annotations

from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import HTTPException
from werkzeug.routing import UnicodeConverter

from web.api import (
    auth,
    calendar,
    clusters,
    definitions,
    designer,
    dossiers,
    health,
    instances,
    messages,
    openapi,
    public,
    signals,
    sla,
    tasks,
)
from web.api.schemas import ErrorSchema
from web.boundary import ColumnInt, Day, day_param_schema, int_param_schema
from web.errors import http_error

__all__ = ["Api", "init_app"]

DOCS_STATIC = "/api/docs/static"
BLUEPRINTS = (
    health.blp,
    auth.blp,
    definitions.blp,
    designer.blp,
    instances.blp,
    tasks.blp,
    calendar.blp,
    messages.blp,
    signals.blp,
    sla.blp,
    dossiers.blp,
    clusters.blp,
    public.blp,
)

#: Defaults of the API's settings (create_app's config may override any).
CONFIG: dict[str, Any] = {
    "API_TITLE": "awardflow",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": f"{DOCS_STATIC}/",
    # Swagger UI would otherwise ask validator.swagger.io about the document.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "withCredentials": True},
    "API_SPEC_OPTIONS": {
        "info": {"description": "Hồ sơ thi đua, khen thưởng: process definitions, instances, tasks, calendar."},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "POST /api/auth/token"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "+ X-CSRF-Token"},
            }
        },
        "security": [{"bearer": []}, {"session": []}],
    },
}


class Api(SmorestApi):
    """flask-smorest with our error body (documented and returned)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        return http_error(error)


docs = Blueprint("swagger_ui_files", __name__)


@docs.get(f"{DOCS_STATIC}/<path:filename>")
def swagger_ui_file(filename: str) -> Response:
    """Swagger UI's own files, from the installed package."""
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=3600)


def init_app(app: Flask) -> Api:
    for key, value in CONFIG.items():
        app.config.setdefault(key, value)
    api = Api(app, spec_kwargs={"extra_plugins": [openapi.ServedResponses()]})
    api.register_converter(ColumnInt, int_param_schema)
    api.register_converter(Day, day_param_schema)
    api.register_converter(UnicodeConverter, openapi.string_param_schema)
    api.ma_plugin.converter.add_attribute_function(openapi.boundary_rules)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs)
    return api
