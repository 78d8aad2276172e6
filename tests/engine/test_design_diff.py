"""The diff a deployment records per file (pure): BPMN elements added and removed with their kind and name, a
condition's text before and after, a DMN rule's entries, a form's required flag; an unreadable file as one
change of its text."""

from __future__ import annotations

from engine.design_diff import file_changes
from tests.engine.conftest import BPMN

GATEWAY = (BPMN / "exclusive_gateway.bpmn").read_text()


def test_bpmn_elements_added_removed_and_a_condition_changed() -> None:
    assert "<bpmn:textAnnotation" not in GATEWAY
    note = '<bpmn:textAnnotation id="note"><bpmn:text>Ghi chú</bpmn:text></bpmn:textAnnotation></bpmn:process>'
    edited = GATEWAY.replace("</bpmn:process>", note).replace('name="Decide"', 'name="Quyết định"')
    edited = edited.replace('id="no_task"', 'id="reject_task"')
    diff = file_changes("bpmn", GATEWAY, edited)
    assert {(e["id"], e["kind"]) for e in diff["added"]} >= {("note", "textAnnotation"), ("reject_task", "userTask")}
    assert ("no_task", "userTask") in {(e["id"], e["kind"]) for e in diff["removed"]}
    decide = next(e for e in diff["changed"] if e["id"] == "decide")
    assert (decide["before"], decide["after"]) == ({"name": "Decide"}, {"name": "Quyết định"})


def test_a_form_field_made_required() -> None:
    before = '{"type": "object", "properties": {"note": {"type": "string", "title": "Ghi chú"}}}'
    after = '{"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "title": "Ghi chú"}}}'
    (changed,) = file_changes("form", before, after)["changed"]
    assert (changed["name"], changed["before"], changed["after"]) == (
        "Ghi chú",
        {"required": "false"},
        {"required": "true"},
    )


def test_an_unreadable_file_is_one_change_of_its_text() -> None:
    diff = file_changes("form", "{}", "not json")
    assert diff["changed"] == [
        {"id": "", "kind": "file", "name": "", "before": {"text": "{}"}, "after": {"text": "not json"}}
    ]
