"""The shipped processes: they deploy, every user task has a form, a budget and a lane or group, and the
budgets on the diagrams are the ISO tables of the catalogue, which add up to the statutory limit."""

from __future__ import annotations

import json
from decimal import Decimal

from lxml import etree

from engine.bpmn.validation import validate_bundle
from engine.calendar import parse_duration
from handlers import handler_names
from handlers.catalogue import Catalogue
from web.boot import PROCESSES_DIR, bundle_files

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
PROCESSES = {
    "award_dossier",
    "intake",
    "appraisal",
    "consultation",
    "council_vote",
    "decision_issuance",
    "public_comment",
    "emulation_year",
}


def user_tasks() -> dict[str, dict[str, str]]:
    found = {}
    for path in PROCESSES_DIR.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        lanes = {
            ref.text: lane.get("name") for lane in root.iter(f"{BPMN}lane") for ref in lane.iter(f"{BPMN}flowNodeRef")
        }
        for task in root.iter(f"{BPMN}userTask"):
            props = {p.get("name"): p.get("value") for p in task.iter(f"{SPIFF}property")}
            found[task.get("id")] = {**props, "lane": lanes.get(task.get("id"), "")}
    return found


def test_the_bundle_deploys_without_errors_or_warnings() -> None:
    bundle = validate_bundle(bundle_files([PROCESSES_DIR]))
    assert set(bundle.processes) == PROCESSES
    called = {"intake", "appraisal", "consultation", "council_vote", "decision_issuance"}
    assert bundle.processes["award_dossier"].called == called
    assert bundle.warnings == []


def test_every_user_task_has_a_form_a_budget_and_a_lane() -> None:
    tasks = user_tasks()
    assert len(tasks) >= 15
    for task_id, props in tasks.items():
        assert props.get("form", "").endswith(".schema.json"), task_id
        assert (PROCESSES_DIR / "forms" / props["form"]).is_file(), task_id
        parse_duration(props["budget"])
        assert props["lane"], task_id


def test_forms_speak_vietnamese() -> None:
    for path in (PROCESSES_DIR / "forms").glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["title"] and schema["description"], path.name
        for name, prop in schema["properties"].items():
            assert prop.get("title"), f"{path.name}: {name}"


def test_diagram_budgets_are_the_catalogue_iso_tables(loaded: Catalogue) -> None:
    tasks = user_tasks()
    for code, award in loaded.award_types.items():
        procedure = loaded.procedures[award.procedure]
        for task_id, budget in procedure.budgets().items():
            assert tasks[task_id]["budget"] == budget, (code, task_id)
        total = sum(parse_duration(step.budget).amount for step in procedure.steps)
        assert total == parse_duration(award.limit).amount == Decimal(20)


def test_every_service_task_calls_a_registered_handler() -> None:
    known = set(handler_names()) | {"sla.start_clock", "sla.pause", "sla.resume", "sla.finish"}
    for path in PROCESSES_DIR.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        for operator in root.iter(f"{SPIFF}serviceTaskOperator"):
            assert operator.get("id") in known, (path.name, operator.get("id"))


def test_every_element_is_drawn() -> None:
    for path in PROCESSES_DIR.glob("*.bpmn"):
        root = etree.parse(str(path)).getroot()
        drawn = {e.get("bpmnElement") for e in root.iter() if e.get("bpmnElement")}
        process = root.find(f"{BPMN}process")
        assert process is not None
        for element in process:
            if element.get("id") and not element.tag.endswith(("laneSet", "documentation", "extensionElements")):
                assert element.get("id") in drawn, (path.name, element.get("id"))
