"""What the OpenAPI document says beyond marshmallow's own translation: the input boundary's rules
(web/boundary.py), so that what the document calls valid is what the server accepts.

Every string sent in may hold anything but NUL and the characters the boundary refuses (control characters,
bidirectional overrides); a date falls within the years :data:`YEARS`; free-form
JSON (task data, a signal's payload) holds such strings at any depth, declared here to a few levels.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from marshmallow import fields

from web.api.schemas import in_years

#: Text the boundary lets through (web.boundary.UNSHOWABLE): no NUL, no control character XML cannot hold, no
#: bidirectional override (a lone surrogate cannot be sent as UTF-8 JSON at all).
REFUSED = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\u202a-\u202e\u2066-\u2069"
NO_NUL = rf"^[^{REFUSED}]*$"
#: The year of a date or date-time sent in (web.api.schemas.YEARS: 1970..2200).
YEAR = r"^(19[7-9][0-9]|2[01][0-9]{2}|2200)-"
#: Levels of nesting spelled out for free-form JSON in the document (the server bounds the body's depth).
JSON_LEVELS = 3


def json_value(levels: int = JSON_LEVELS) -> dict[str, Any]:
    """A JSON value whose strings (and keys) hold no NUL, nested ``levels`` deep."""
    scalars: list[dict[str, Any]] = [
        {"type": "string", "pattern": NO_NUL},
        {"type": "number"},
        {"type": "boolean"},
    ]
    if levels > 0:
        inner = json_value(levels - 1)
        scalars += [{"type": "array", "items": inner}, json_object(inner)]
    return {"anyOf": scalars, "nullable": True}


def json_object(values: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"type": "string", "pattern": NO_NUL}, "additionalProperties": values}


def boundary_rules(converter: Any, field: fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """An apispec attribute function: the boundary's rule for ``field`` when it is read from a request."""
    if field.dump_only:
        return {}
    if isinstance(field, fields.Date | fields.DateTime) and in_years in field.validators:
        return {"pattern": YEAR}
    if isinstance(field, fields.String) and "pattern" not in ret and "enum" not in ret:
        return {"type": "string", "pattern": NO_NUL}
    if isinstance(field, fields.Dict) and field.value_field is None:
        return {"propertyNames": {"type": "string", "pattern": NO_NUL}, "additionalProperties": json_value()}
    if type(field) is fields.Raw:
        return json_value()
    return {}


def string_param_schema(converter: Any) -> dict[str, Any]:
    """A ``<name>`` path parameter: any text the boundary lets through, without '/'."""
    return {"type": "string", "pattern": rf"^[^{REFUSED}/]+$"}


class ServedResponses(BasePlugin):
    """Declares on each operation the error statuses the server answers it with (each with the error body):
    flask-smorest declares only the ones its own decorators raise, and a client must know the others."""

    #: operations anyone may call: no 401/403
    PUBLIC = ("/api/health", "/api/auth/csrf", "/api/public/")

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            for status in self.statuses(path or "", method, operation):
                operation.setdefault("responses", {}).setdefault(status, "DEFAULT_ERROR")

    def statuses(self, path: str, method: str, operation: dict[str, Any]) -> list[str]:
        """400 malformed parameters or body, 401/403 signing in and role, 404 a path's resource or one
        out of reach, 409 a state or version conflict, 413 a body too large, 422 invalid content."""
        found = ["400"]
        if not path.startswith(self.PUBLIC):
            found += ["401", "403"]
        if "{" in path or method == "post":
            found.append("404")
        if method in ("post", "delete") and not path.startswith(self.PUBLIC):
            found += ["409", "413", "422"]
        elif method == "post":
            found += ["413", "422"]
        return found
