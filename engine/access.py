"""Who reaches which unit's work: the engine's permission checker, asked inside each command's transaction.

A person works in one unit; members of the wide groups (supervisors) and engine administrators reach every
unit. What is out of reach is answered as not found, so its existence is not told.
"""

from __future__ import annotations

from engine.errors import NotFound
from engine.identity import Actor
from engine.settings import Settings


class AccessPolicy:
    """The unit scope of a person, from the settings' group lists."""

    def __init__(self, settings: Settings) -> None:
        self.wide_groups = frozenset(settings.wide_groups)

    def reaches_all(self, actor: Actor) -> bool:
        return actor.is_admin or bool(actor.groups & self.wide_groups)

    def units(self, actor: Actor) -> tuple[str | None, ...] | None:
        """The units a person's lists are limited to (None: every unit)."""
        return None if self.reaches_all(actor) else (actor.unit,)

    def require_unit(self, actor: Actor, unit: str | None, what: str) -> None:
        """NotFound when ``unit`` is outside the person's reach."""
        if not self.reaches_all(actor) and unit != actor.unit:
            raise NotFound(f"no {what}")
