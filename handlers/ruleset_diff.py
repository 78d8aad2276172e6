"""What a new rule-set version changes against another, field by field, in words a designer reads: shown before
publishing and kept in the publication's audit event (pure: no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from handlers.ruleset_labels import label

__all__ = ["Change", "changes"]

#: fields that never count as a change of the rules: every version has its own
OWN = frozenset({"version", "effective_from"})
ABSENT = "(không có)"


@dataclass(frozen=True)
class Change:
    """One field that differs: where (its path and Vietnamese name) and its value before and after."""

    path: str
    label: str
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every leaf that differs, in the new document's order (removed fields after)."""
    before, after = _flatten(old), _flatten(new)
    found = []
    for path in [*after, *(p for p in before if p not in after)]:
        if path.split(".")[0] in OWN or before.get(path) == after.get(path):
            continue
        found.append(
            Change(
                path,
                label(path, new if path in after else old),
                _text(before.get(path, ABSENT), old),
                _text(after.get(path, ABSENT), new),
            )
        )
    return found


def _flatten(node: Any, path: str = "") -> dict[str, Any]:
    """Path -> leaf; a list of plain values (papers, recipients) is one leaf, a list of mappings is walked."""
    if isinstance(node, Mapping):
        flat: dict[str, Any] = {}
        for key, value in node.items():
            flat.update(_flatten(value, f"{path}.{key}" if path else str(key)))
        return flat
    if isinstance(node, list) and any(isinstance(item, Mapping | list) for item in node):
        flat = {}
        for i, item in enumerate(node):
            flat.update(_flatten(item, f"{path}[{i}]"))
        return flat
    return {path: node}


def _text(value: Any, content: Mapping[str, Any]) -> str:
    """A value as the page shows it: papers and titles by name, yes/no, lists joined."""
    names = {**_names(content, "papers", "kinds"), **_names(content, "titles")}
    if value is None:
        return "không"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, list):
        return "; ".join(_text(item, content) for item in value) or ABSENT
    return str(names.get(value, value)) if isinstance(value, str) else str(value)


def _names(content: Mapping[str, Any], *keys: str) -> dict[str, str]:
    node: Any = content
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return {str(k): str(v) for k, v in node.items()} if isinstance(node, Mapping) else {}
