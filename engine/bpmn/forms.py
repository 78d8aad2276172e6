"""Task forms are JSON Schemas; a broken schema would only show up when someone opens the task.

A form is also input from whoever deploys: a ``$ref`` to ``http://…`` made every completion fetch that URL
(and let its answer decide), an unresolvable one made every completion fail, and a ``pattern`` with nested
quantifiers (``(a+)+``) can take exponential time on one crafted answer. All three are refused here, with
the JSON path of the offending keyword; completions validate with :data:`NO_RETRIEVAL`, which fetches
nothing.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from jsonschema.validators import Draft202012Validator, validator_for
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from engine.bpmn.xml import ERROR, MAX_FILE_BYTES, WARNING
from engine.errors import Problem

with warnings.catch_warnings():  # the regular expression parser is the one `re` itself uses
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

__all__ = ["NO_RETRIEVAL", "load_form", "reference_problems", "pattern_problem"]

#: The registry completions validate with: it knows no resource and retrieves none (no network, no files).
NO_RETRIEVAL: Registry[Any] = Registry()
#: Longer patterns are refused outright.
MAX_PATTERN_CHARS = 1000
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)

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
    if not any(p.severity == ERROR for p in problems):
        problems += reference_problems(file, schema) + [
            Problem(file, pointer, message)
            for pointer, pattern in _patterns(schema, "$")
            if (message := pattern_problem(pattern)) is not None
        ]
    if any(p.severity == ERROR for p in problems):
        return None, problems
    return schema, problems


def reference_problems(file: str, schema: dict[str, Any]) -> list[Problem]:
    """Every ``$ref`` / ``$dynamicRef`` that points outside this form, or at nothing in it."""
    base = schema.get("$id") if isinstance(schema.get("$id"), str) else ""
    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    resolver = Registry().with_resource(base, resource).resolver(base_uri=base)  # type: ignore[arg-type]
    problems = []
    for pointer, ref in _walk(schema, "$", ("$ref", "$dynamicRef")):
        target, _ = urldefrag(urljoin(base, ref))
        if target != urldefrag(base)[0]:
            problems.append(
                Problem(file, pointer, f"reference {ref!r} leaves the form: only references inside it are allowed")
            )
            continue
        try:
            resolver.lookup(ref)
        except Unresolvable:
            problems.append(Problem(file, pointer, f"reference {ref!r} points at nothing in the form"))
    return problems


def pattern_problem(pattern: str) -> str | None:
    """Why a ``pattern`` may not be deployed: it does not compile, is too long, or nests unbounded
    quantifiers (``(a+)+``, ``(\\w+\\s?)*``), which backtrack exponentially on a near match."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern is longer than {MAX_PATTERN_CHARS} characters"
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"pattern {pattern!r} is not a valid regular expression: {exc}"
    if _nested_repeat(parsed, inside=False):
        return f"pattern {pattern!r} nests quantifiers and can backtrack catastrophically; rewrite it without them"
    return None


def _nested_repeat(items: Any, *, inside: bool) -> bool:
    """Whether an unbounded repeat sits inside another (``inside``: we are in the body of one)."""
    for op, av in items:
        if op in _REPEATS:
            low, high, body = av
            unbounded = high == sre_constants.MAXREPEAT
            if (unbounded and inside) or _nested_repeat(body, inside=inside or unbounded):
                return True
        elif op == sre_constants.SUBPATTERN and _nested_repeat(av[3], inside=inside):
            return True
        elif op == sre_constants.BRANCH and any(_nested_repeat(branch, inside=inside) for branch in av[1]):
            return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and _nested_repeat(av[1], inside=inside):
            return True
    return False


def _patterns(schema: Any, path: str) -> Iterator[tuple[str, str]]:
    """(JSON path, regex) of every ``pattern`` and every ``patternProperties`` key."""
    for where, value in _walk(schema, path, ("pattern",)):
        yield where, value
    for where, value in _walk(schema, path, ("patternProperties",), strings=False):
        if isinstance(value, dict):
            yield from ((_member(where, key), key) for key in value)


def _walk(node: Any, pointer: str, keys: tuple[str, ...], *, strings: bool = True) -> Iterator[tuple[str, Any]]:
    """(JSON path, value) of every occurrence of ``keys`` in a schema, depth first; paths are written as
    jsonschema writes them in the meta-schema findings (``$.properties.name.pattern``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = _member(pointer, str(key))
            if key in keys and (isinstance(value, str) or not strings):
                yield where, value
            elif isinstance(value, dict | list):
                yield from _walk(value, where, keys, strings=strings)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}[{index}]", keys, strings=strings)


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[\w$]+", key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


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
