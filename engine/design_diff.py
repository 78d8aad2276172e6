"""What a deployed file changed against the newest earlier file of the same name, element by element: BPMN flow
elements, lanes, messages and signals; DMN decisions, their columns and rules; a form's fields. Kept in the
deployment's audit event as data (ids, kinds, names, the facets that differ), which the history page words for
people. Pure: no database.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

__all__ = ["file_changes"]

#: BPMN elements tracked one by one (the others are facets of the tracked element that holds them)
BPMN_TRACKED = frozenset(
    "process subProcess lane message signal error escalation dataObject dataObjectReference dataStoreReference"
    " sequenceFlow startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent task userTask"
    " manualTask serviceTask scriptTask businessRuleTask sendTask receiveTask callActivity exclusiveGateway"
    " parallelGateway inclusiveGateway eventBasedGateway complexGateway textAnnotation association".split()
)
DMN_TRACKED = frozenset({"decision", "input", "output", "rule", "inputData", "knowledgeSource"})
#: what never counts as a change: layout, generated ids of nested definitions, cross-links drawn from the flows
IGNORED = frozenset({"id", "incoming", "outgoing", "width"})
#: the longest value kept for one facet (a whole script is not copied into the audit trail)
MAX_VALUE = 300
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)

Facets = dict[str, str]
Element = tuple[str, str, Facets]  # kind, name, facets


def file_changes(kind: str, before: str | None, after: str) -> dict[str, Any]:
    """``{"file_kind", "added", "removed", "changed"}``: each entry an element's id, kind and name; a changed one
    with the facets that differ, before and after. A file that does not read is one change of its whole text."""
    try:
        old, new = (_elements(kind, before) if before is not None else {}), _elements(kind, after)
    except (etree.XMLSyntaxError, ValueError):
        return {"file_kind": kind, "added": [], "removed": [], "changed": [_whole(before, after)]}
    return {
        "file_kind": kind,
        "added": [_entry(i, new[i]) for i in new if i not in old],
        "removed": [_entry(i, old[i]) for i in old if i not in new],
        "changed": [_changed(i, old[i], new[i]) for i in new if i in old and old[i][2] != new[i][2]],
    }


def _entry(key: str, element: Element) -> dict[str, Any]:
    return {"id": key, "kind": element[0], "name": element[1]}


def _changed(key: str, old: Element, new: Element) -> dict[str, Any]:
    facets = [f for f in {**old[2], **new[2]} if old[2].get(f) != new[2].get(f)]
    return {
        **_entry(key, new),
        "before": {f: old[2].get(f, "") for f in facets},
        "after": {f: new[2].get(f, "") for f in facets},
    }


def _whole(before: str | None, after: str) -> dict[str, Any]:
    texts = {"before": {"text": _cut(before or "")}, "after": {"text": _cut(after)}}
    return {"id": "", "kind": "file", "name": "", **texts}


def _elements(kind: str, text: str) -> dict[str, Element]:
    if kind == "form":
        return _form(json.loads(text))
    root = etree.fromstring(text.encode(), _PARSER)
    tracked = BPMN_TRACKED if kind == "bpmn" else DMN_TRACKED
    found: dict[str, Element] = {}
    for node in root.iter():
        local = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if local in tracked and node.get("id"):
            found[str(node.get("id"))] = (local, _name(local, node), _facets(node, tracked))
    return found


def _name(local: str, node: Any) -> str:
    """An element's own name; a rule (which has none) as its decision's name and its place in the table."""
    if local == "rule":
        table = node.getparent()
        decision = table.getparent() if table is not None else None
        owner = decision.get("name") if decision is not None else None
        return f"{owner or ''} #{table.findall('{*}rule').index(node) + 1}".strip()
    return str(node.get("name") or node.get("label") or "")


def _facets(node: Any, tracked: frozenset[str]) -> Facets:
    """The element's own attributes and what its nested, untracked elements say (a condition, a timer, a
    property, a rule's entries), keyed by where it sits; a nested tracked element is an element of its own."""
    facets: Facets = {etree.QName(k).localname: _cut(v) for k, v in node.attrib.items()}
    counts: dict[str, int] = {}
    stack = [child for child in node if isinstance(child.tag, str)]
    while stack:
        child = stack.pop(0)
        local = etree.QName(child).localname
        if local in tracked:
            continue
        if local == "property" and child.get("name"):
            facets[f"property:{child.get('name')}"] = _cut(str(child.get("value") or child.text or ""))
            continue
        if local in ("inputEntry", "outputEntry"):
            counts[local] = counts.get(local, 0) + 1
            facets[f"{local}:{counts[local]}"] = _cut((child.findtext("{*}text") or "").strip() or "-")
            continue
        text = (child.text or "").strip()
        if text:
            owner = etree.QName(child.getparent()).localname if local == "text" else local
            facets[owner] = _cut(text)
        for attr, value in child.attrib.items():
            if etree.QName(attr).localname not in IGNORED:
                facets[f"{local}.{etree.QName(attr).localname}"] = _cut(value)
        stack.extend(grandchild for grandchild in child if isinstance(grandchild.tag, str))
    return {k: v for k, v in facets.items() if k not in IGNORED}


def _form(schema: Any) -> dict[str, Element]:
    """A form's fields (top-level properties), and the form itself (its title and required list)."""
    if not isinstance(schema, dict):
        raise ValueError("a form schema is a JSON object")
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    required = set(schema.get("required") or [])
    found: dict[str, Element] = {
        "": ("form", str(schema.get("title") or ""), {"title": str(schema.get("title") or "")})
    }
    for key, field in properties.items():
        body = field if isinstance(field, dict) else {}
        facets = {k: _cut(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v) for k, v in body.items()}
        facets["required"] = "true" if key in required else "false"
        found[str(key)] = ("field", str(body.get("title") or key), facets)
    return found


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"
