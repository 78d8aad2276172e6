"""A nominee's record as a person reads it on the appraiser's page: titles by name with their years, the
initiatives counted; never the codes or the raw facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.catalogue import Catalogue

__all__ = ["achievements"]


def achievements(facts: Mapping[str, Any], rules: Catalogue) -> str:
    """"Chiến sĩ thi đua cơ sở: 2023, 2024; Sáng kiến được công nhận: 1" from a nominee's facts."""
    years: dict[str, list[str]] = {}
    for item in facts.get("titles") or []:
        if isinstance(item, Mapping) and item.get("title"):
            name = rules.titles.get(str(item["title"]), str(item["title"]))
            years.setdefault(name, []).append(str(item.get("year") or ""))
    parts = [f"{name}: {', '.join(sorted(y for y in found if y))}" for name, found in years.items()]
    initiatives = [i for i in facts.get("initiatives") or [] if isinstance(i, Mapping)]
    if initiatives:
        parts.append(f"Sáng kiến được công nhận: {len(initiatives)}")
    return "; ".join(parts)
