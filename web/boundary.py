"""The one input boundary of the API and the pages: every request passes here before a view, a parser or the
sign-in reads it.

What a view may then take for granted: the body is no larger than its endpoint allows (413 otherwise), a JSON
body parses, nests at most :data:`MAX_JSON_DEPTH` deep and every string in it, in the query string, the path
and the form fields is text a database can store (no NUL, no lone surrogate), identically on SQLite and
PostgreSQL (PostgreSQL refuses NUL in text, SQLite keeps it). Bytes that are not UTF-8 in the path, the query,
an urlencoded or a multipart form (field names and text fields; a file's content is not text) are a 400 naming
the field, where Werkzeug would have read U+FFFD, ``%FF`` or an empty form; a multipart body Werkzeug cannot
read is a 400 naming ``body``. Headers and cookies are not checked. Ids in paths stay inside the smallest integer
column (:class:`ColumnInt`), so an id past it is a plain 404 on every database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.routing import BaseConverter, IntegerConverter, Map
from werkzeug.sansio.multipart import Data, Epilogue, Field, MultipartDecoder, NeedData

from engine.errors import InvalidInput
from engine.values import UNSHOWABLE, printable, text_problem
from web.errors import bad_params

#: Deepest nesting of arrays and objects in a JSON body. Our deepest legitimate body (task data with a table
#: of rows of objects) is under 10 levels; the parsers, marshmallow and the workflow serializer recurse.
MAX_JSON_DEPTH = 32
#: The largest id a path may carry: PostgreSQL's INTEGER, the narrowest id column we have (SQLite's is 64-bit;
#: refusing the same ids on both keeps the answers identical).
MAX_ID = 2**31 - 1

#: What a file name may not carry besides: line breaks and tabs (it goes back out in a header).
NOT_IN_A_NAME = re.compile("[\t\r\n]")

BAD_BODY = "the request body is not valid JSON"
INVALID_UTF8 = "must be valid UTF-8 text"
BAD_FORM = "the form cannot be read as text"

#: Web settings (merged into web.app.DEFAULTS).
CONFIG: dict[str, Any] = {
    #: Largest request body of an ordinary endpoint (JSON, forms): task data is bounded by the engine anyway.
    "AWARDFLOW_MAX_BODY": 1024 * 1024,
    #: Endpoints that take files (a deployment bundle, a dossier with its papers): their bound is
    #: MAX_CONTENT_LENGTH, the bound of all.
    "AWARDFLOW_UPLOAD_ENDPOINTS": frozenset(
        {
            "definitions.Definitions",
            "definitions.Validate",
            "dossiers.Dossiers",
            "dossiers.Papers",
            "dossiers.Supplement",
            "designer.deploy",
            "simulation.run",
            "desk.index",
            "desk.supplement",
        }
    ),
}


class ColumnInt(IntegerConverter):
    """``<int:...>`` bounded by :data:`MAX_ID`: a larger id matches no route (404) instead of overflowing a
    database parameter (PostgreSQL) or a C long (SQLite)."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def column_int(text: str) -> int:
    """A whole number sent in a form field (an id, a count), as ``<int:>`` reads an id in a path: ASCII digits, at
    most :data:`MAX_ID`; ValueError otherwise (``request.form.getlist(name, type=column_int)`` leaves it out)."""
    digits = (text.lstrip("0") or "0") if text.isascii() and text.isdigit() else ""
    if not digits or len(digits) > len(str(MAX_ID)) or int(digits) > MAX_ID:
        raise ValueError(f"{text[:20]!r} is not a whole number up to {MAX_ID}")
    return int(digits)


class Day(BaseConverter):
    """``<day:...>``: a path segment documented as a date (YYYY-MM-DD); the view parses it and names it in a
    400 when it is not one."""


def day_param_schema(converter: Day) -> dict[str, Any]:
    return {"type": "string", "format": "date"}


def int_param_schema(converter: ColumnInt) -> dict[str, Any]:
    """The OpenAPI schema of a bounded id (flask-smorest asks for it per converter class)."""
    return {"type": "integer", "format": "int32", "minimum": 0, "maximum": converter.max}


def input_problem(text: str, *, name: bool = False) -> str | None:
    """Why ``text`` may not come in (see :data:`UNSHOWABLE`; ``name``: a file name, one line), or None."""
    found = text_problem(text)
    if found:
        return found
    bad = UNSHOWABLE.search(text) or (NOT_IN_A_NAME.search(text) if name else None)
    return f"must not contain the control character U+{ord(bad.group()):04X}" if bad else None


def body_limit() -> int:
    """The largest body the matched endpoint takes: MAX_CONTENT_LENGTH for AWARDFLOW_UPLOAD_ENDPOINTS, else
    AWARDFLOW_MAX_BODY (never more than MAX_CONTENT_LENGTH)."""
    config = current_app.config
    overall = int(config["MAX_CONTENT_LENGTH"])
    if request.endpoint in config["AWARDFLOW_UPLOAD_ENDPOINTS"]:
        return overall
    return min(int(config["AWARDFLOW_MAX_BODY"]), overall)


def walk(value: Any, path: str) -> Iterator[tuple[str, str, int]]:
    """Every string (keys included) of a parsed JSON value with its dotted path and its nesting depth, without
    recursion (the value may be as deep as the parser allowed)."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            yield where, item, depth
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                yield where, "", depth + 1
                continue
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                name = f"{where}.{key}" if where else str(key)
                if isinstance(key, str):
                    stack.append((key, name, depth + 1))
                stack.append((child, name, depth + 1))


def load_json(raw: str | bytes, field: str) -> Any:
    """Parse JSON sent in (a body, a form part) where a bad one is refused, naming ``field``: not JSON or
    nested too deep is a 400, a string no database can store a 422 naming its path."""
    deep = {field: [f"nests deeper than {MAX_JSON_DEPTH} levels"]}
    try:
        parsed = json.loads(raw)
    except RecursionError:
        bad_params(deep, BAD_BODY)
    except ValueError as err:  # includes UnicodeDecodeError
        bad_params({field: [f"not valid JSON: {err}"]}, BAD_BODY)
    problems: dict[str, list[str]] = {}
    for where, text, depth in walk(parsed, ""):
        if depth > MAX_JSON_DEPTH:
            bad_params(deep, BAD_BODY)
        problem = input_problem(text)
        if problem:
            problems.setdefault(printable(where) or field, []).append(problem)
    if problems:
        raise InvalidInput(f"the {field} holds text that cannot be stored: {', '.join(problems)}", problems)
    return parsed


def json_body() -> None:
    """A JSON body is parsed once here, so that no view or parser meets a bad one."""
    raw = request.get_data(cache=True)
    if raw:
        load_json(raw, "body")


def text_fields(pairs: Iterable[tuple[str, Any]], *, names: bool = False) -> dict[str, list[str]]:
    """The fields among ``pairs`` (name, value) whose name or value is text that may not come in (``names``: the
    values are file names)."""
    problems: dict[str, list[str]] = {}
    for name, value in pairs:
        for text, is_name in ((name, False), (value, names)):
            problem = input_problem(text, name=is_name) if isinstance(text, str) else None
            if problem:
                problems.setdefault(printable(name), []).append(problem)
    return problems


def raw_utf8() -> dict[str, list[str]]:
    """The path and query parameters whose bytes are not UTF-8 (Werkzeug would quietly turn them into U+FFFD)."""
    problems: dict[str, list[str]] = {}
    path = request.environ.get("PATH_INFO", "")
    try:
        path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        problems["path"] = [INVALID_UTF8]
    return problems | urlencoded_utf8(request.query_string)


def urlencoded_utf8(raw: bytes) -> dict[str, list[str]]:
    """The fields of a query string or an urlencoded form whose name or value, percent-decoded, is not UTF-8
    (Werkzeug turns such bytes into U+FFFD in a query and into ``%FF`` text in a form)."""
    problems: dict[str, list[str]] = {}
    for pair in raw.split(b"&"):
        name, _, value = (unquote_to_bytes(part.replace(b"+", b" ")) for part in pair.partition(b"="))
        if not (decodes(name, "utf-8") and decodes(value, "utf-8")):
            problems.setdefault(name.decode("utf-8", "backslashreplace"), []).append(INVALID_UTF8)
    return problems


def multipart_utf8() -> dict[str, list[str]]:
    """The text fields of a multipart body that are not text in their part's charset (UTF-8 unless it says
    otherwise), which Werkzeug would turn into U+FFFD. A body Werkzeug cannot read at all (no boundary, part
    headers that are not UTF-8, no end) it would take for an empty form: it is refused as ``body``."""
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1")
    decoder = MultipartDecoder(boundary, max_parts=request.max_form_parts)
    charset = MultiPartParser().get_part_charset
    raw, size = request.get_data(cache=True), 64 * 1024
    problems: dict[str, list[str]] = {}
    field: Field | None = None
    text: list[bytes] = []
    try:
        if not boundary:
            raise ValueError("no boundary")
        for chunk in chain((raw[start : start + size] for start in range(0, len(raw), size)), [None]):
            decoder.receive_data(chunk)
            while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
                if not isinstance(event, Data):  # a new part: a Field (text) or a File
                    field, text = (event if isinstance(event, Field) else None), []
                elif field is not None:
                    text.append(event.data)
                    if not event.more_data and not decodes(b"".join(text), charset(field.headers)):
                        problems.setdefault(printable(field.name or "body"), []).append(INVALID_UTF8)
    except ValueError as err:  # also a part's headers that are not UTF-8, a body that ends before its last part
        problems["body"] = [f"is not a readable multipart form ({err})"]
    return problems


def decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def guard() -> None:
    """The before-request hook: size, then path, query, JSON body and form fields."""
    limit = body_limit()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    params = raw_utf8() | text_fields((request.view_args or {}).items()) | text_fields(request.args.items(multi=True))
    if params:
        bad_params(params)
    if request.is_json:
        json_body()
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        undecodable = (
            multipart_utf8()
            if request.mimetype == "multipart/form-data"
            else urlencoded_utf8(request.get_data(cache=True))
        )
        if undecodable:
            bad_params(undecodable, BAD_FORM)
        files = ((name, part.filename) for name, part in request.files.items(multi=True))
        form = text_fields(request.form.items(multi=True)) | text_fields(files, names=True)
        if form:
            raise InvalidInput(f"the form holds text that cannot be stored: {', '.join(form)}", form)


def init_app(app: Flask) -> None:
    """Bound ``<int:>`` ids and run :func:`guard` before every other hook (call before the blueprints and the
    sign-in are registered)."""
    app.url_map.converters["int"] = ColumnInt
    app.url_map.converters["day"] = Day
    app.before_request_funcs.setdefault(None, []).insert(0, guard)
