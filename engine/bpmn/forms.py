"""Task forms are JSON Schemas; a broken schema would only show up when someone opens the task."""

from __future__ import annotations

import json
from typing import Any

from jsonschema.validators import Draft202012Validator, validator_for

from engine.bpmn.xml import ERROR, MAX_FILE_BYTES, WARNING
from engine.errors import Problem

#: At most this many meta-schema errors are listed per form.
MAX_FORM_ERRORS = 20


def load_form(file: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse a form file and check it against its JSON Schema meta-schema; the schema, or why not."""
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(file, None, f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")]
    try:
        schema = json.loads(data)
    except json.JSONDecodeError as exc:
        return None, [Problem(file, None, f"not valid JSON: {exc.msg}", line=exc.lineno)]
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, [Problem(file, None, f"not valid JSON: {type(exc).__name__}: {exc}")]
    if not isinstance(schema, dict):
        kind = type(schema).__name__
        return None, [Problem(file, None, f"a form must be a JSON Schema object, not a JSON {kind}")]
    problems = _schema_errors(file, schema)
    if any(p.severity == ERROR for p in problems):
        return None, problems
    return schema, problems


def _schema_errors(file: str, schema: dict[str, Any]) -> list[Problem]:
    """All meta-schema violations (``check_schema`` stops at the first; we list them all)."""
    declared = schema.get("$schema")
    problems: list[Problem] = []
    if declared is not None and not isinstance(declared, str):
        return [Problem(file, "$schema", "$schema must be a string (the meta-schema URI)")]
    cls = validator_for(schema, default=None) if declared is not None else validator_for(schema)
    if cls is None:
        cls = Draft202012Validator
        message = f"unknown $schema {declared!r}; checked as JSON Schema 2020-12"
        problems.append(Problem(file, "$schema", message, WARNING))
    meta = cls(cls.META_SCHEMA, format_checker=cls.FORMAT_CHECKER)
    errors = sorted(meta.iter_errors(schema), key=lambda error: list(map(str, error.absolute_path)))
    for error in errors[:MAX_FORM_ERRORS]:
        problems.append(Problem(file, error.json_path, f"not a valid JSON Schema: {error.message}"))
    if len(errors) > MAX_FORM_ERRORS:
        problems.append(Problem(file, None, f"{len(errors) - MAX_FORM_ERRORS} more schema errors not shown"))
    return problems
