"""Every error as JSON ``{"error", "message", "fields"}`` with one status per branch, and never a stack trace.

The engine raises its own tree (engine/errors.py) and knows nothing of HTTP; this is the one place that maps
it, the sign-in/policy refusals of web/auth.py and Werkzeug's HTTP errors to responses.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    AwardflowError,
    Conflict,
    DeploymentInvalid,
    ExpressionRefused,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from engine.script_codes import Refusal
from web import i18n, problem_texts, script_texts
from web.auth import CsrfFailed, RoleRefused, SignInRequired, refused_caller

log = logging.getLogger(__name__)

#: Engine error branch -> HTTP status (the first match wins; ConcurrentModification etc. are Conflicts).
STATUS: list[tuple[type[Exception], int]] = [
    (NotFound, 404),
    (PermissionDenied, 403),
    (InvalidInput, 422),
    (Conflict, 409),
    (RateLimited, 429),
    (SignInRequired, 401),
    (RoleRefused, 403),
    (CsrfFailed, 400),
    (AwardflowError, 400),  # a refusal outside the branches above
]
#: Request parts whose bad values are a malformed request (400) rather than invalid content (422).
PARAM_LOCATIONS = frozenset({"query", "querystring", "path", "view_args", "headers", "cookies"})
MESSAGES = {
    400: "the request is malformed",
    404: "no such resource",
    405: "this method is not allowed here",
    413: "the request is too large",
    500: "an unexpected error occurred; it has been logged",
}


class BadParams(HTTPException):
    """A malformed query or path parameter found by a view (400 with the fields)."""

    code = 400

    def __init__(self, fields: dict[str, list[str]], message: str = "invalid request parameters") -> None:
        super().__init__(message)
        self.data = {"fields": fields}


def bad_params(fields: dict[str, list[str]], message: str = "invalid request parameters") -> NoReturn:
    raise BadParams(fields, message)


def body(error: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": error, "message": message, "fields": fields or {}, **extra}


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"a.b": [...]}`` (``_`` for whole-object messages)."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = "_" if key == "_schema" else str(key)
            for path, found in flatten(value, f"{prefix}.{name}" if prefix else name).items():
                out.setdefault(path, []).extend(found)
        return out
    if isinstance(messages, list | tuple):
        return {prefix or "_": [str(m) for m in messages]}
    return {prefix or "_": [str(messages)]}


def page_error(code: int, message: str, fields: dict[str, list[str]] | None = None) -> tuple[Any, int]:
    """An error on a page (not /api): the error page, in the page's language (Werkzeug's English and the
    engine's technical messages give way to the status's sentence, see :func:`web.i18n.refusal`), naming the
    fields at fault so the person knows what to correct. An editor's own call (``Accept: application/json``:
    the form, document and decision editors) gets the same words as JSON ``{ok, message, problems}``, which it
    shows under its fields; it could not read an HTML page and said nothing."""
    title = i18n.gettext(f"http.{code}") if f"http.{code}" in i18n.TEXTS else str(code)
    said = i18n.refusal(code, message)
    if request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json":
        named = i18n.gettext("error.fields")
        problems = {field: [f"{said} ({named}: {field})"] for field in sorted(fields or {})} or {"_": [said]}
        return jsonify(ok=False, message=f"{title}: {said}", problems=problems), code
    html = render_template("error.html", code=code, title=title, message=said, fields=sorted(fields or {}))
    return html, code


def engine_error(err: Exception) -> Any:
    """An engine or policy error: its own ``to_dict`` (with ``problems`` for a refused deployment)."""
    status = next((code for kind, code in STATUS if isinstance(err, kind)), 500)
    if not request.path.startswith("/api"):
        return page_error(status, getattr(err, "message", str(err)), getattr(err, "fields", None))
    if isinstance(err, AwardflowError):
        payload = {"fields": {}, **err.to_dict()}
        if isinstance(err, DeploymentInvalid):
            payload["problems"] = problem_texts.localized_all(err.problems)
        if isinstance(err, ExpressionRefused):
            payload.update(script_texts.localized([Refusal(err.code, err.message, err.params)]))
    else:
        payload = body(type(err).__name__, str(err))
    response = jsonify(payload)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="awardflow"'
    return response, status


def passed_headers(err: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries besides its content type (Allow on a 405, Retry-After, ...)."""
    return [(name, value) for name, value in err.get_headers() if name.lower() != "content-type"]


def http_error(err: HTTPException) -> Any:
    """Werkzeug/webargs errors as JSON under /api; other paths (the pages) keep Flask's own."""
    if err.code is None:
        return err
    data = getattr(err, "data", None) or {}
    if not request.path.startswith("/api"):
        fields = data.get("fields") if isinstance(data.get("fields"), dict) else None
        return (*page_error(err.code, err.description or type(err).__name__, fields), passed_headers(err))
    code = err.code
    fields = dict(data.get("fields") or {})
    messages = data.get("messages")
    name = type(err).__name__
    message = MESSAGES.get(code) or err.description or name
    if isinstance(messages, dict):  # webargs: {location: {field: [...]}}
        for found in messages.values():
            for path, texts in flatten(found).items():
                fields.setdefault(path, []).extend(texts)
        if code in (400, 422) and set(messages) <= PARAM_LOCATIONS:
            code, name, message = 400, "BadRequest", "invalid request parameters"
        elif code == 422:
            name, message = "InvalidInput", "the request body is not valid"
        elif "json" in messages:
            message = "the request body is not valid JSON"
    elif isinstance(err, BadParams):
        message = err.description or "invalid request parameters"
    if code == 413:
        limit = request.max_content_length
        message += f" (at most {limit // (1024 * 1024)} MB)" if limit else ""
    response = jsonify(body(name, message, fields))
    response.headers.extend(passed_headers(err))
    for header, value in (data.get("headers") or {}).items():
        response.headers[header] = value
    return response, code


def unexpected(err: Exception) -> Any:
    """Anything not raised on purpose: logged with its trace, answered without it."""
    log.exception("unexpected error on %s %s", request.method, request.path, exc_info=err)
    if not request.path.startswith("/api"):
        return page_error(500, MESSAGES[500])
    return jsonify(body("InternalServerError", MESSAGES[500])), 500


def signed_out(response: Response) -> Response:
    """A refused request whose caller was not looked up before (a command that checks its caller itself) is
    answered 401 when the caller is not an active user: what the sign-in check would have answered first."""
    if response.status_code < 400 or response.status_code == 401:
        return response
    refusal = refused_caller()
    if refusal is None:
        return response
    answer, status = engine_error(refusal)
    answer.status_code = status
    return answer


def register(app: Flask) -> None:
    """Install the handlers (HTTPException's is installed by the API, see web/api/__init__.py)."""
    app.after_request(signed_out)
    for kind, _status in STATUS:
        app.register_error_handler(kind, engine_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
