"""Rewrite what designers naturally write into what SpiffWorkflow will actually run, and check timer values.

SpiffWorkflow evaluates every timer expression as Python, so the bare ISO 8601 value a modeler writes
(``PT2H``) is a NameError at run time, and ``2026-10-10`` is the number 2006. We quote such values. It also
passes expressions and scripts to ``eval``/``exec`` as they are, so an indented, pretty-printed condition
is an IndentationError; we strip expressions and dedent scripts (which only changes text that would fail).
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from datetime import datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.problem_codes import problem
from engine.bpmn.xml import BPMN, ERROR, SPIFF, owner_id
from engine.errors import Problem

TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")
#: BPMN elements whose text is one Python expression (``eval``).
EXPRESSION_TAGS = (
    "conditionExpression",
    "condition",
    "loopCardinality",
    "completionCondition",
    "loopCondition",
    *TIMER_TAGS,
)

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = (
    rf"P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
_DATETIME = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
_PART = f"(?:{_DURATION}|{_DATETIME})"
_BARE_ISO = re.compile(rf"{_DURATION}|{_DATETIME}|R\d*/{_PART}(?:/{_PART})?")


def normalize(root: etree._Element) -> None:
    """Make the tree say what the designer meant, in the form the engine runs (in place)."""
    for element in root.iter(*(f"{{{BPMN}}}{tag}" for tag in EXPRESSION_TAGS)):
        if element.text and len(element) == 0:
            element.text = element.text.strip()
    for element in root.iter(*(f"{{{BPMN}}}{tag}" for tag in TIMER_TAGS)):
        if element.text and _BARE_ISO.fullmatch(element.text):
            element.text = json.dumps(element.text)
    for element in root.iter(f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript"):
        if element.text and len(element) == 0:
            element.text = textwrap.dedent(element.text).strip("\n")
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("isExecutable") == "1":  # xsd:boolean, but Spiff only accepts the word "true"
            process.set("isExecutable", "true")


def is_bare_iso(text: str) -> bool:
    """True for an unquoted ISO 8601 duration, date-time or repeating interval."""
    return bool(_BARE_ISO.fullmatch(text.strip()))


def timer_value_problems(file: str, root: etree._Element) -> list[Problem]:
    """A timer whose value is a literal must hold the right kind of ISO 8601 value for its element."""
    problems: list[Problem] = []
    for element in root.iter(*(f"{{{BPMN}}}{tag}" for tag in TIMER_TAGS)):
        value = _literal(element.text or "")
        if value is None:
            continue  # a real expression: checked when it runs
        kind = etree.QName(element).localname
        expected = _timer_value_error(kind, value)
        if expected:
            owner = owner_id(element)
            problems.append(
                problem(
                    file, owner, "timer.value", ERROR, element.sourceline, kind=kind, value=value, expected=expected
                )
            )
    return problems


def _literal(text: str) -> str | None:
    """The string a timer expression is, if it is just a string literal."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def _timer_value_error(kind: str, value: str) -> str | None:
    """Check a literal the way SpiffWorkflow will read it when the timer is armed: what it should be, if not."""
    expected = {
        "timeDuration": "an ISO 8601 duration such as PT2H or P7D",
        "timeDate": "an ISO 8601 date-time such as 2026-09-01T08:00:00+07:00",
        "timeCycle": "an ISO 8601 repeating interval such as R3/PT10M",
    }[kind]
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            if not isinstance(TimerEventDefinition.parse_time_or_duration(value), datetime):
                raise ValueError(value)
        elif not value.upper().startswith("R"):
            raise ValueError(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # Spiff raises bare Exception, ValueError, AttributeError, IndexError ...
        return expected
    return None
