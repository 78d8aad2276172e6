"""JSON an editor posts inside one form field (the form editor's draft, the rule-set editor's document).

The boundary checks a form field's text, but not the text inside the JSON it holds: ``"\\udfff"`` or
``"\\u0000"`` written as JSON escapes, or ten thousand nested brackets, reached the views as a lone surrogate (a
500 when encoded), a NUL (stored) or a RecursionError (a 500). Read here, such a draft is refused naming the
entry that holds it, in the page's language.
"""

from __future__ import annotations

import json
from typing import Any

from engine.errors import InvalidInput
from engine.values import printable
from web import i18n
from web.boundary import MAX_JSON_DEPTH, input_problem, walk

__all__ = ["check", "read"]

i18n.TEXTS.update(
    {
        "draft.too_deep": ("Bản nháp lồng quá {n} tầng.", "The draft nests deeper than {n} levels."),
        "draft.bad_text": (
            "Chứa ký tự không được phép (ký tự rỗng, ký tự điều khiển ẩn hoặc lỗi mã hóa).",
            "Holds a character that is not allowed (NUL, a hidden control character or broken encoding).",
        ),
    }
)


def read(text: str, field: str, unreadable: str) -> Any:
    """The parsed JSON of ``text``; InvalidInput naming ``field`` (with ``unreadable``) when it does not parse
    or nests past :data:`~web.boundary.MAX_JSON_DEPTH`, else naming each entry whose text may not come in."""
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput(f"the {field} cannot be read", {field: [unreadable]}) from None
    check(found, field)
    return found


def check(found: Any, field: str) -> None:
    """InvalidInput naming ``field`` when the parsed ``found`` nests too deep, else naming each entry whose text
    may not come in (a NUL, a lone surrogate, a hidden control character)."""
    problems: dict[str, list[str]] = {}
    for where, value, depth in walk(found, ""):
        if depth > MAX_JSON_DEPTH:
            deep = i18n.gettext("draft.too_deep", n=MAX_JSON_DEPTH)
            raise InvalidInput(f"the {field} nests too deep", {field: [deep]})
        if input_problem(value):
            problems.setdefault(printable(where) or field, []).append(i18n.gettext("draft.bad_text"))
    if problems:
        raise InvalidInput(f"the {field} holds text that cannot be stored", problems)
