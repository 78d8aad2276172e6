"""Units by name, as data in ``processes/units.yaml`` (a unit is added there, not in code): the code stored on
users, dossiers and reports, and the name people read; the proposing units (đơn vị đề nghị) the desk picks a
dossier's sender from are those not marked ``proposes: false`` (the offices that handle dossiers).

The engine knows a unit only as a code (whose work a person reaches); what the unit is called is the domain's.
Unknown codes are shown as they are, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from engine.errors import InvalidInput

__all__ = ["SHIPPED", "Unit", "Units", "proposing_units", "require_unit"]

#: the list shipped with the product
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "units.yaml"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    proposes: bool = True


@cache
def _listed(path: Path) -> tuple[Unit, ...]:
    """Every unit in the order the file lists them (read once per process)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return tuple(
        Unit(str(u["code"]), str(u["name"]), bool(u.get("proposes", True))) for u in (data or {}).get("units", [])
    )


def proposing_units(path: Path = SHIPPED) -> tuple[Unit, ...]:
    """The units a dossier may come from, in the file's order."""
    return tuple(u for u in _listed(path) if u.proposes)


def require_unit(code: str, path: Path = SHIPPED) -> Unit:
    """The listed proposing unit with this code; InvalidInput (field ``unit``) for a code typed by hand or
    retired."""
    found = next((u for u in proposing_units(path) if u.code == code.strip()), None)
    if found is None:
        message = "Chọn đơn vị đề nghị trong danh sách"
        raise InvalidInput(message, {"unit": [message]})
    return found


@dataclass(frozen=True)
class Units:
    """The unit directory: code → name."""

    names: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Units:
        return cls({u.code: u.name for u in _listed(path)})

    def name(self, code: str | None) -> str:
        """The unit's name ('' for none; the code itself when the directory does not know it)."""
        if not code:
            return ""
        return self.names.get(code, code)

    def choices(self) -> list[tuple[str, str]]:
        """(code, name) by name, for a list to choose from."""
        return sorted(self.names.items(), key=lambda item: item[1])
