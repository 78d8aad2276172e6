"""Working-time helpers for timer expressions, and the due time a timer would get for an example start.

The designer shows, next to a timer, when it would fall due if the element were reached at a given moment;
it evaluates the expression with the same sandbox and the same helpers a running instance uses, only with
the example start as "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.calendar import WorkCalendar
from engine.errors import ExpressionRefused, InvalidInput
from engine.script_codes import Refusal, refusal
from engine.scripting import SandboxEnvironment, ScriptRejected, ScriptTimeout

#: The three kinds of BPMN timer (``timeDuration``, ``timeDate``, ``timeCycle``).
TIMER_KINDS = ("duration", "date", "cycle")


def time_helpers(now: Callable[[], datetime], calendar: Callable[[], WorkCalendar]) -> dict[str, Callable[..., str]]:
    """``working_time_after`` / ``working_days_after``: ISO strings (a timeDate), counted on ``calendar()``."""

    def working_time_after(duration: str, start: str | None = None) -> str:
        moment = datetime.fromisoformat(start) if start else now()
        return calendar().add(moment, duration).isoformat()

    def working_days_after(days: float, start: str | None = None) -> str:
        return working_time_after(f"{days}WD", start)

    return {"working_time_after": working_time_after, "working_days_after": working_days_after}


@dataclass(frozen=True)
class TimerPreview:
    """What the expression gave and when the timer falls due (the first time, for a cycle)."""

    value: str
    due: datetime
    cycles: int | None = None  # a cycle's repetitions; -1 for unbounded


def preview_timer(
    environment: SandboxEnvironment, expression: str, kind: str, start: datetime, calendar: WorkCalendar
) -> TimerPreview:
    """Evaluate ``expression`` as a ``kind`` timer reached at ``start``; InvalidInput names the field at fault."""
    if kind not in TIMER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(TIMER_KINDS)}", {"kind": [f"unknown timer kind {kind!r}"]})
    helpers = time_helpers(lambda: start, lambda: calendar)
    try:
        value = environment.evaluate(expression, {}, external_context=helpers)
    except (ScriptRejected, ScriptTimeout) as refused:
        raise _refused(refused.refusal, str(refused)) from refused
    except SyntaxError as bad:
        raise _refused(refusal("script.syntax", line=bad.lineno or 0, detail=bad.msg), str(bad)) from bad
    except NameError as unknown:  # a helper or variable the preview does not have
        message = f"{type(unknown).__name__}: {unknown}"
        raise _refused(refusal("timer.unknown_name", name=unknown.name or ""), message) from unknown
    except TypeError as wrong:  # a helper called with too few, too many or wrong-typed arguments
        message = f"{type(wrong).__name__}: {wrong}"
        raise _refused(refusal("timer.bad_arguments", detail=str(wrong)), message) from wrong
    except Exception as failed:  # the expression's own error (ValueError …) is the designer's to see
        message = f"{type(failed).__name__}: {failed}"
        raise _refused(refusal("timer.failed", detail=message), message) from failed
    if not isinstance(value, str):
        raise _refused(refusal("timer.not_text", type=type(value).__name__))
    try:
        return _due(value.strip(), kind, start)
    except Exception as bad:  # Spiff's ISO parsers fail on bad text with whatever error (AttributeError …)
        raise _refused(refusal("timer.not_iso", value=value, kind=kind, detail=str(bad))) from bad


def _refused(reason: Refusal, message: str | None = None) -> ExpressionRefused:
    """The preview's refusal naming ``expression``; ``message`` keeps the engine's fuller English."""
    return ExpressionRefused("expression", reason.code, message or reason.message, reason.params)


def _due(value: str, kind: str, start: datetime) -> TimerPreview:
    if kind == "cycle":
        cycles, first, duration = _cycle(value, start)
        return TimerPreview(value, first + duration if first == start else first, cycles)
    parsed = TimerEventDefinition.parse_time_or_duration(value)
    if isinstance(parsed, datetime):
        due = parsed if parsed.tzinfo else parsed.replace(tzinfo=start.tzinfo)
        return TimerPreview(value, due)
    if kind == "date":
        raise ValueError("a date timer needs a date and time, not a duration")
    return TimerPreview(value, start + _delta(parsed, start))


def _cycle(value: str, start: datetime) -> tuple[int, datetime, timedelta]:
    """``R<n>/<start or duration>[/<duration or end>]`` with a bare duration counted from ``start``."""
    parts = value.upper().strip("R").split("/")
    if len(parts) < 2:
        raise ValueError("a cycle looks like R3/PT10M")
    cycles = int(parts[0]) if parts[0] else -1
    first: Any = TimerEventDefinition.parse_time_or_duration(parts[1])
    if isinstance(first, datetime):
        rest = TimerEventDefinition.parse_time_or_duration(parts[2]) if len(parts) == 3 else None
        if not isinstance(rest, dict):
            raise ValueError("a cycle with a start needs a duration after it")
        return cycles, first, _delta(rest, first)
    return cycles, start, _delta(first, start)


def _delta(parsed: dict[str, Any], start: datetime) -> timedelta:
    found: timedelta = TimerEventDefinition.get_timedelta_from_start(dict(parsed), start)
    return found
