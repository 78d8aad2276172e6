"""Units by name: the codes stored on users, dossiers and reports, and the names people read.

The engine knows a unit only as a code (whose work a person reaches); what the unit is called is the domain's,
kept as data in ``processes/units.yaml`` (a unit is added there, not in code). Unknown codes are shown as they
are, so nothing is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from handlers.catalogue import read_yaml

__all__ = ["SHIPPED", "Units"]

#: The unit names shipped with the product.
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "units.yaml"


@dataclass(frozen=True)
class Units:
    """The unit directory: code → name."""

    names: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = SHIPPED) -> Units:
        data = read_yaml(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else {}
        return cls({str(code): str(name) for code, name in data.items()})

    def name(self, code: str | None) -> str:
        """The unit's name ('' for none; the code itself when the directory does not know it)."""
        if not code:
            return ""
        return self.names.get(code, code)

    def choices(self) -> list[tuple[str, str]]:
        """(code, name) by name, for a list to choose from."""
        return sorted(self.names.items(), key=lambda item: item[1])
