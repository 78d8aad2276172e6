"""How codes read to people, on pages and in exports: people by full name, units and groups by name, procedures
by title. Directories are read once per request, since a list asks for every row."""

from __future__ import annotations

from typing import Any

from flask import g

from engine.errors import NotFound
from engine.identity import SYSTEM_ACTOR
from web import i18n, services

__all__ = ["calendar_name", "group_name", "holder_name", "person_name", "process_name", "unit_choices", "unit_name"]

i18n.TEXTS.update(
    {
        "names.system": ("Hệ thống", "System"),
        "names.calendar.default": ("Lịch làm việc chung", "The common working calendar"),
    }
)


def _cached(key: str, load: Any) -> Any:
    found = g.get(key)
    if found is None:
        found = load()
        setattr(g, key, found)
    return found


def person_name(username: str | None) -> str:
    """The person's full name (the user name for an account without one; '—' for nobody)."""
    if not username:
        return "—"
    if username == SYSTEM_ACTOR:
        return i18n.gettext("names.system")
    names: dict[str, str | None] = _cached("display_names", services.engine().identity.display_names)
    return names.get(username) or username


def unit_name(code: str | None) -> str:
    """The unit's name ('—' for none)."""
    return services.domain().units.name(code) or "—"


def unit_choices() -> list[tuple[str, str]]:
    """Every unit as (code, name), by name: what a unit filter offers."""
    return services.domain().units.choices()


def group_name(code: str | None) -> str:
    """The group's (or role's) name in the page's language."""
    return services.domain().groups.name(code, i18n.language()) or "—"


def holder_name(codes: str | None) -> str:
    """Who holds work (the slip writes "a, b"): each a person by name, else the group it waits in."""
    if not codes:
        return "—"
    names: dict[str, str | None] = _cached("display_names", services.engine().identity.display_names)
    return ", ".join(person_name(c) if c in names else group_name(c) for c in codes.split(", "))


def process_name(key: str | None) -> str:
    """The procedure's title as its latest version names it (the key when it has none)."""
    if not key:
        return "—"
    titles: dict[str, str] = _cached("process_titles", dict)
    if key not in titles:
        try:
            titles[key] = services.engine().repository.latest(key).name or key
        except NotFound:
            titles[key] = key
    return titles[key]


def calendar_name(code: str | None) -> str:
    """A working calendar as people call it (the shared one by its role, others by their name)."""
    key = f"names.calendar.{code}"
    return i18n.gettext(key) if key in i18n.TEXTS else (code or "—")
