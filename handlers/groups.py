"""Groups by name, as data in ``processes/groups.yaml``: the code BPMN lanes, candidate groups and users carry,
and the name people read (in Vietnamese, or English when the page is switched).

The engine knows a group only as a code; what it is called is the domain's. An unknown code is shown as it
is, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["SHIPPED", "Groups"]

SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "groups.yaml"


@dataclass(frozen=True)
class Groups:
    """The group directory: code → (Vietnamese name, English name)."""

    names: Mapping[str, tuple[str, str]]

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Groups:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
        listed = (data or {}).get("groups", [])
        return cls({str(g["code"]): (str(g["name"]), str(g.get("name_en") or g["name"])) for g in listed})

    def name(self, code: str | None, language: str = "vi") -> str:
        """The group's name in ``language`` ('' for none; the code itself when the directory does not know it)."""
        if not code:
            return ""
        found = self.names.get(code)
        if found is None:
            return code
        return found[1] if language == "en" else found[0]
