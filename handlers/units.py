"""The proposing units (đơn vị đề nghị) the desk picks a dossier's sender from: data in ``processes/units.yaml``,
so a province edits its list without touching code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from engine.errors import InvalidInput

__all__ = ["SHIPPED", "Unit", "proposing_units", "require_unit"]

#: the list shipped with the product
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "units.yaml"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


@cache
def proposing_units(path: Path = SHIPPED) -> tuple[Unit, ...]:
    """The units in the order the file lists them (read once per process)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(Unit(str(u["code"]), str(u["name"])) for u in data.get("units", []))


def require_unit(code: str, path: Path = SHIPPED) -> Unit:
    """The listed unit with this code; InvalidInput (field ``unit``) for a code typed by hand or retired."""
    found = next((u for u in proposing_units(path) if u.code == code.strip()), None)
    if found is None:
        message = "Chọn đơn vị đề nghị trong danh sách"
        raise InvalidInput(message, {"unit": [message]})
    return found
