"""Compensation: SpiffWorkflow 3.2 has none (no compensateEventDefinition in its parser), so awardflow refuses
every compensation element at deploy, naming it, instead of letting a throw pass silently at run time."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine import Engine
from engine.errors import DeploymentInvalid

BOUNDARY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="compensation" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book"/>
    <bpmn:scriptTask id="book" name="Book"><bpmn:script>booked = True</bpmn:script></bpmn:scriptTask>
    {boundary}
    <bpmn:scriptTask id="cancel_book" name="Cancel booking"{handler}><bpmn:script>booked = False</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="undo"/>
    <bpmn:intermediateThrowEvent id="undo" name="Undo"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="undo" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:compensateEventDefinition/></bpmn:endEvent>
    {association}
  </bpmn:process>
</bpmn:definitions>"""
WITH_HANDLER = BOUNDARY.format(
    boundary='<bpmn:boundaryEvent id="undo_book" attachedToRef="book"><bpmn:compensateEventDefinition/>'
    "</bpmn:boundaryEvent>",
    handler=' isForCompensation="true"',
    association='<bpmn:association id="a1" associationDirection="One" sourceRef="undo_book" targetRef="cancel_book"/>',
)
THROWS_ONLY = BOUNDARY.format(boundary="", handler="", association="")


@pytest.mark.parametrize(
    ("xml", "named"),
    [
        (
            WITH_HANDLER,
            {
                "undo_book": "boundaryEvent",
                "cancel_book": "scriptTask",
                "undo": "intermediateThrowEvent",
                "end": "endEvent",
            },
        ),
        (THROWS_ONLY, {"undo": "intermediateThrowEvent", "end": "endEvent"}),
    ],
)
def test_every_compensation_element_is_refused_at_deploy_by_name(engine: Engine, xml: str, named: dict) -> None:
    with pytest.raises(DeploymentInvalid) as refused:
        engine.repository.deploy({"compensation.bpmn": xml.encode()}, actor="admin")
    problems = {p.element_id: p.message for p in refused.value.problems}
    assert set(problems) == set(named), problems
    for element, kind in named.items():
        assert problems[element].startswith(f"{kind} {element} is a compensation")
        assert "has no compensation" in problems[element] and "cannot load it" not in problems[element]
    assert engine.repository.definitions() == []


def test_bare_spiffworkflow_runs_a_compensation_throw_as_a_plain_event() -> None:
    """Why a throw is refused rather than run: bare SpiffWorkflow completes the diagram and compensates nothing.
    (Should SpiffWorkflow learn compensation, this fails and the refusal can go.)"""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(THROWS_ONLY.encode(), "compensation.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("compensation"))
    workflow.do_engine_steps()
    assert workflow.is_completed() and workflow.data["booked"] is True
    boundary = SpiffBpmnParser()
    boundary.add_bpmn_str(WITH_HANDLER.encode(), "compensation.bpmn")
    with pytest.raises(ValidationException, match="Unsupported Catch Event"):
        boundary.get_spec("compensation")
