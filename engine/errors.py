"""The engine's exception tree; `web/` maps each branch to one HTTP status in one place.

AwardflowError
 ├── NotFound                      404  no such definition, instance, task, user
 ├── PermissionDenied              403  the user may not do this (role, group, unit, assignee)
 ├── InvalidInput                  422  bad data; ``fields`` maps a field path to its messages
 │    ├── DeploymentInvalid        422  a bundle that may not be deployed; ``problems`` names file + element
 │    ├── ExpressionRefused        422  an expression that cannot be evaluated; ``code`` says why
 │    ├── LimitExceeded            422  data, or the workflow it makes, past a size bound of the settings
 │    └── Unstorable               422  the change would leave a value the workflow store cannot hold
 └── Conflict                      409  the request is valid but the current state forbids it
      ├── ConcurrentModification   409  someone changed the instance first (optimistic lock); retry
      ├── TaskAlreadyClaimed       409
      └── InvalidState             409  e.g. completing a task of a suspended instance
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class AwardflowError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": self.message}


class NotFound(AwardflowError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class PermissionDenied(AwardflowError):
    """The caller's role, group, unit or assignment does not allow the action."""


class InvalidInput(AwardflowError):
    """Input rejected before anything changed; ``fields`` maps a field path to messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "fields": self.fields}


class ExpressionRefused(InvalidInput):
    """An expression that cannot be evaluated (a timer's, in the designer's preview); ``code`` and ``params``
    say why (``engine.script_codes``), so a page can say it in its reader's language."""

    def __init__(self, field_name: str, code: str, message: str, params: Mapping[str, str]) -> None:
        super().__init__(message, {field_name: [message]})
        self.code = code
        self.params = dict(params)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "code": self.code, "params": self.params}


class LimitExceeded(InvalidInput):
    """The input, or what it would make, passes a size bound of the settings; nothing was changed."""


class RateLimited(AwardflowError):
    """Too many requests from one sender, or about one thing, within a period; nothing was changed."""


class Unstorable(InvalidInput):
    """The change would leave a value the workflow store cannot hold; nothing was changed."""


@dataclass(frozen=True)
class Problem:
    """One finding about a bundle: which file, which BPMN element, what is wrong."""

    file: str
    element_id: str | None
    message: str
    severity: str = "error"  # "error" refuses the bundle, "warning" is reported only
    line: int | None = None
    code: str = ""  # stable, for translation: engine.bpmn.problem_codes lists them with their English text
    params: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)  # what the text names

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "element_id": self.element_id,
            "message": self.message,
            "severity": self.severity,
            "line": self.line,
            "code": self.code,
            "params": dict(self.params),
        }


class DeploymentInvalid(InvalidInput):
    """A bundle with at least one error; nothing of it was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        summary = "; ".join(str(p) for p in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"the bundle cannot be deployed: {summary}{more}")
        self.problems = problems

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "problems": [p.to_dict() for p in self.problems]}


class Conflict(AwardflowError):
    """The request is well formed but the current state does not allow it."""


class VersionConflict(Conflict):
    """A change made from one version of a process while another was deployed since: storing it would silently
    undo the other designer's version. Names the process, the version the change was made from and the newest."""

    def __init__(self, key: str, based_on: int | None, latest: int | None) -> None:
        made_from = f"version {based_on}" if based_on else "no version"
        super().__init__(f"{key} was changed from {made_from} but version {latest} was deployed since")
        self.key, self.based_on, self.latest = key, based_on, latest

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "key": self.key, "based_on": self.based_on, "latest": self.latest}


class ConcurrentModification(Conflict):
    """Another transaction changed the instance since it was read; nothing was saved, retry."""


class TaskAlreadyClaimed(Conflict):
    """The task is claimed by someone else."""


class InvalidState(Conflict):
    """The instance or task is in a state that forbids the action (suspended, finished, ...)."""
