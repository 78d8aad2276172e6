"""Why the sandbox refuses a script, or a timer preview fails, as stable codes with parameters.

The engine speaks no person's language (as :mod:`engine.bpmn.problem_codes`): a refusal carries a code and
the values it names (line, name, bound ...) with the English sentence made from them. A page translates the
code (``web/script_texts.py``); API users, scripts and logs read the English. RestrictedPython's own
sentences are sorted into codes here, in one place, so a newer wording falls back to ``script.other``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["ENGLISH", "Refusal", "classify", "refusal"]

#: code -> English text (``str.format`` with the refusal's parameters).
ENGLISH: dict[str, str] = {
    "script.empty": "the script is empty",
    "script.import": "import statements are not allowed (line {line})",
    "script.class": "class definitions are not allowed (line {line})",
    "script.generator": "generator functions (yield) are not allowed (line {line})",
    "script.finally": "finally clauses are not allowed (line {line})",
    "script.statement": "{statement} statements are not allowed (line {line})",
    "script.forbidden_call": "{name}() is not allowed",
    "script.reserved_name": "{name!r} is a reserved name (line {line})",
    "script.underscore_name": "the name {name!r} starts with '_' (line {line})",
    "script.underscore_attribute": "access to attribute {name!r} is not allowed",
    "script.forbidden_attribute": "attribute {name!r} is not allowed (line {line})",
    "script.syntax": "not valid Python (line {line}): {detail}",
    "script.bound": "{what} of {size} {unit} would pass the bound of {bound} (setting {setting})",
    "script.memory": "it took more than {mb} MB of memory (setting AWARDFLOW_SCRIPT_MAX_MEMORY_MB)",
    "script.timeout": "it ran past the time limit of {seconds} s",
    "script.other": "{detail}",
    "timer.unknown_name": "{name!r} is neither a helper nor a variable",
    "timer.bad_arguments": "a helper was called with wrong arguments: {detail}",
    "timer.not_text": "a timer expression must give a text (ISO 8601), not {type}",
    "timer.not_iso": "{value!r} is not an ISO 8601 {kind}: {detail}",
    "timer.failed": "{detail}",
}


@dataclass(frozen=True)
class Refusal:
    """One reason, its code, the values it names (as text) and the English sentence they make."""

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)


def refusal(code: str, **params: object) -> Refusal:
    """The refusal ``code`` naming ``params``."""
    return Refusal(code, ENGLISH[code].format(**params), {key: str(value) for key, value in params.items()})


_LINE = re.compile(r"^Line (\d+): (.*?)\.?$", re.DOTALL)
#: RestrictedPython's (and our policy's) sentences -> code; the named group ``name`` is what it names.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'^(?:import statements|"\*" imports|Lazy import statements) are not allowed'), "script.import"),
    (re.compile(r"^class definitions are not allowed"), "script.class"),
    (re.compile(r"^generator functions \(yield\) are not allowed"), "script.generator"),
    (re.compile(r"^finally clauses are not allowed"), "script.finally"),
    (re.compile(r"^(?P<name>Eval|Exec) calls are not allowed"), "script.forbidden_call"),
    (re.compile(r'^"(?P<name>[^"]+)" is a reserved name'), "script.reserved_name"),
    (re.compile(r'^"(?P<name>[^"]+)" is an invalid variable name'), "script.underscore_name"),
    (re.compile(r'^"(?P<name>[^"]+)" is an invalid attribute name because it starts'), "script.underscore_attribute"),
    (re.compile(r'^"(?P<name>[^"]+)" is (?:an invalid attribute|a restricted) name'), "script.forbidden_attribute"),
    (re.compile(r"^(?P<statement>\w+) statements are not allowed"), "script.statement"),
    (re.compile(r"^SyntaxError: (?P<detail>.*?)(?: at statement: .*)?$", re.DOTALL), "script.syntax"),
]


def classify(error: str) -> Refusal:
    """One RestrictedPython compile error ("Line 3: X.") as a coded refusal; unknown wording is ``script.other``."""
    match = _LINE.match(error)
    line, reason = (match[1], match[2]) if match else ("0", error)
    for pattern, code in _PATTERNS:
        found = pattern.match(reason)
        if found:
            named = {key: value.lower() if code == "script.forbidden_call" else value
                     for key, value in found.groupdict().items()}  # fmt: skip
            return refusal(code, line=line, **named)
    return refusal("script.other", detail=f"{reason} (line {line})" if match else reason)
