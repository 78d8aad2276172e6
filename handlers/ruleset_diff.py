"""What a new rule-set version changes against another, field by field, in words a designer reads: shown before
publishing and kept in the publication's audit event (pure: no database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from handlers.ruleset_labels import KEYS, NAMED, label

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
    """Every leaf that differs, in the new document's order (removed fields after); an award type, council or
    procedure added or removed whole is one change that names it, not one per field."""
    before, after = _flatten(old), _flatten(new)
    whole = _whole_items(old, new)
    items = set(whole)
    found = []
    for path in [*after, *(p for p in before if p not in after)]:
        item = ".".join(path.split(".")[:2])
        if item in whole:
            found.append(whole.pop(item))
            continue
        if path.split(".")[0] in OWN or item in items or before.get(path) == after.get(path):
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


def _whole_items(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Change]:
    """``award_types.X`` -> the change that adds or removes item X of a named section, by its name."""
    found = {}
    for path in _named(old, new):
        section, code = path.split(".", 1)
        was, now = _item_of(old, section, code), _item_of(new, section, code)
        name = f"{(now or was or {}).get('name') or code} ({code})"
        title = f"{KEYS[section]} › {name}"
        if was is None:
            found[path] = Change(path, title, ABSENT, f"thêm mới: {name}")
        else:
            found[path] = Change(path, title, name, f"bỏ: {name}")
    return found


def _named(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The paths of the named sections' items present in one document only."""
    return [
        f"{section}.{code}"
        for section in NAMED
        for code in [*_codes(new, section), *_codes(old, section)]
        if (_item_of(old, section, code) is None) != (_item_of(new, section, code) is None)
    ]


def _codes(content: Mapping[str, Any], section: str) -> list[str]:
    items = content.get(section)
    return [str(code) for code in items] if isinstance(items, Mapping) else []


def _item_of(content: Mapping[str, Any], section: str, code: str) -> Mapping[str, Any] | None:
    items = content.get(section)
    item = items.get(code) if isinstance(items, Mapping) else None
    return item if isinstance(item, Mapping) else None


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
    awards = content.get("award_types")
    names = {**_names(content, "papers", "kinds"), **_names(content, "titles")}
    if isinstance(awards, Mapping):
        names.update({str(k): str(v.get("name") or k) for k, v in awards.items() if isinstance(v, Mapping)})
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
