"""What the engine stores: values the workflow store can hold, and input text any database keeps.

A value a script leaves in the task data (a generator, a set, a function, a lone surrogate, NaN, a huge
string) used to fail only when the workflow was serialized, outside the path that turns failures into
incidents: the completion answered 500 and a timer was retried for ever. :func:`problem` says, for one
value, what is wrong with it and where inside it; the sandbox calls it for every variable a script leaves,
the task service for every field a form sends.

Input text: PostgreSQL refuses NUL in text and SQLite keeps it; a lone surrogate (``"\\udfff"``, which JSON
may carry) cannot be encoded as UTF-8 at all. Both are refused where input enters (the web boundary; for
the command line and any other caller, :func:`check_text` and the executor's data check), so the answer is
the same on every database and nothing unreadable is ever written.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from engine.errors import InvalidInput

__all__ = [
    "MAX_DEPTH",
    "check_text",
    "json_size",
    "UNSHOWABLE",
    "printable",
    "problem",
    "text_problem",
    "unshowable",
]

#: Characters no input text may carry besides NUL and lone surrogates (:func:`text_problem`): the control
#: characters XML 1.0 cannot hold (the DOCX letters and the spreadsheets are XML: one such character in a name
#: fails their making) and the bidirectional overrides, embeddings and isolates, which make a name read otherwise
#: than it is written (``"\u202efdp.exe"``). Tab and line breaks are text.
UNSHOWABLE = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
#: Deeper values are refused: Spiff's serializer and ``json`` recurse once per level.
MAX_DEPTH = 100
#: Atoms the blob writer stores as they are (Spiff's registry converts datetime, timedelta and UUID).
_ATOMS = (bool, int, type(None), datetime, timedelta, UUID)


def problem(value: Any, max_bytes: int | None = None) -> str | None:
    """None if the store can hold ``value`` (and its JSON is at most ``max_bytes``), else why not."""
    found = _walk(value, "", 0)
    if found is not None:
        return found
    if max_bytes is not None:
        size = json_size(value)
        if size > max_bytes:
            return f"is {size} bytes of JSON, more than the bound of {max_bytes}"
    return None


def json_size(value: Any) -> int:
    """Bytes of ``value`` as compact JSON (datetimes and the like by their text)."""
    return len(json.dumps(value, separators=(",", ":"), default=str).encode("utf-8", "surrogatepass"))


def _walk(value: Any, path: str, depth: int) -> str | None:
    where = f" at {path}" if path else ""
    if depth > MAX_DEPTH:
        return f"is nested deeper than {MAX_DEPTH} levels{where}"
    if isinstance(value, str):
        return _text_problem(value, where)
    if isinstance(value, float):
        return None if math.isfinite(value) else f"holds {value!r}{where}, which JSON cannot represent"
    if isinstance(value, _ATOMS):
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _walk(item, f"{path}[{index}]", depth + 1)
            if found is not None:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                found = _text_problem(key, f" in a key{where}")
            elif isinstance(key, int) and not isinstance(key, bool):
                found = None
            else:
                found = f"has a key of type {type(key).__name__}{where}; keys must be text"
            found = found or _walk(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", depth + 1)
            if found is not None:
                return found
        return None
    return f"holds a {type(value).__name__}{where}, which the workflow store cannot hold"


def _text_problem(text: str, where: str) -> str | None:
    """Lone surrogates cannot be written as UTF-8; NUL is refused by PostgreSQL text columns."""
    found = text_problem(text)
    return f"holds text{where} that {found}" if found else None

def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain the NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (a lone surrogate was found)"
    return None


def unshowable(text: str) -> str | None:
    """The first character of ``text`` that :data:`UNSHOWABLE` refuses, written ``U+202E``, or None."""
    found = UNSHOWABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def printable(text: str) -> str:
    """``text`` with NUL, lone surrogates and :data:`UNSHOWABLE` characters escaped, safe to put into an answer or
    a log (a bidirectional override in a field's name would turn the page's text around it)."""
    escaped = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return UNSHOWABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", escaped)


def check_text(**values: str | None) -> None:
    """Refuse (InvalidInput naming each) text arguments that cannot be stored, e.g. a business key with NUL."""
    problems = {name: [problem] for name, value in values.items() if value and (problem := text_problem(value))}
    if problems:
        raise InvalidInput(f"{', '.join(problems)}: text that cannot be stored", problems)

