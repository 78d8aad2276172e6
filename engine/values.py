"""What input values the engine stores: text any database keeps, and data of a bounded size.

PostgreSQL refuses NUL in text and SQLite keeps it; a lone surrogate (``"\\udfff"``, which JSON may carry)
cannot be encoded as UTF-8 at all, so once stored in a workflow it would break every later read. Both are
refused where input enters (the web boundary, and here for the command line and any other caller), so the
answer is the same on every database and nothing unreadable is ever written.
"""

from __future__ import annotations

import json
from typing import Any

from engine.errors import InvalidInput


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return "must not contain the NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (a lone surrogate was found)"
    return None


def printable(text: str) -> str:
    """``text`` with NUL and lone surrogates escaped, safe to put into an answer or a log."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def data_problems(data: Any, field: str = "data") -> dict[str, list[str]]:
    """Every string (keys included) in ``data`` that cannot be stored, by dotted path; iterative, any depth."""
    problems: dict[str, list[str]] = {}
    stack: list[tuple[Any, str]] = [(data, field)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                problems.setdefault(printable(where), []).append(problem)
        elif isinstance(item, dict | list | tuple):
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                name = f"{where}.{key}"
                if isinstance(key, str):
                    stack.append((key, name))
                stack.append((child, name))
    return problems


def check_text(**values: str | None) -> None:
    """Refuse (InvalidInput naming each) text arguments that cannot be stored, e.g. a business key with NUL."""
    problems = {name: [problem] for name, value in values.items() if value and (problem := text_problem(value))}
    if problems:
        raise InvalidInput(f"{', '.join(problems)}: text that cannot be stored", problems)


def check_data(data: dict[str, Any], max_bytes: int, field: str = "data") -> None:
    """Refuse (InvalidInput naming ``field``) data with text that cannot be stored or larger than ``max_bytes``
    as JSON: a completion's data becomes part of the workflow row and of every answer that shows it."""
    problems = data_problems(data, field)
    if problems:
        raise InvalidInput(f"{field} holds text that cannot be stored", problems)
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    if size > max_bytes:
        message = f"is {size} bytes as JSON, more than the {max_bytes} allowed (setting max_task_data_bytes)"
        raise InvalidInput(f"{field} is too large", {field: [message]})
