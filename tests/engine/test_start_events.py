"""Message and signal start events start instances: one per occurrence, with the event's payload, the same
outcome as bare SpiffWorkflow's (a new workflow caught the event at its start event)."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine import Engine
from engine.errors import NotFound
from tests.engine.conftest import complete, ready_ids

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"


def test_a_message_starts_one_instance_per_message(engine: Engine, deploy) -> None:
    deploy("message_start.bpmn")
    [first] = engine.runtime.correlate("application_filed", business_key="HS-1", payload={"n": 1}, actor="admin")
    [second] = engine.runtime.correlate("application_filed", business_key="HS-2", payload={"n": 2}, actor="admin")
    assert first != second
    for instance_id, key, n in ((first, "HS-1", 1), (second, "HS-2", 2)):
        view = engine.runtime.get(instance_id)
        assert (view.process_key, view.business_key, view.state) == ("message_start", key, "running")
        assert view.data["application"] == {"n": n}
        assert ready_ids(engine, instance_id) == ["review"]
    complete(engine, first, "review")
    assert engine.runtime.get(first).state == "completed"
    # the same as bare SpiffWorkflow: a new workflow catches the message at its start event
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN / "message_start.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("message_start"))
    workflow.do_engine_steps()
    workflow.catch(BpmnEvent(MessageEventDefinition("application_filed"), {"n": 2}))
    workflow.do_engine_steps()
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert task.task_spec.bpmn_id == "review"
    assert engine.runtime.get(second).data == {**workflow.data, **task.data}


def test_a_waiting_instance_takes_the_message_before_a_start_event(engine: Engine, deploy) -> None:
    deploy("message_start.bpmn", "message_receive.bpmn")
    waiting = engine.runtime.start("message_receive", business_key="HS-9", actor="admin")
    assert engine.runtime.correlate("payment_received", business_key="HS-9", actor="admin") == [waiting.id]
    assert [i.process_key for i in engine.runtime.list()] == ["message_receive"]


def test_a_message_nobody_waits_for_or_starts_on_is_not_found(engine: Engine, deploy) -> None:
    deploy("message_start.bpmn")
    with pytest.raises(NotFound, match="no process starts on it"):
        engine.runtime.correlate("unknown", business_key="HS-1", actor="admin")
    assert engine.runtime.list() == []


def test_a_signal_starts_an_instance_and_reaches_the_waiting_ones(engine: Engine, deploy) -> None:
    deploy("signal_start.bpmn", "signal.bpmn")
    assert engine.runtime.signal("campaign_opened", actor="admin") != []
    [started] = [i for i in engine.runtime.list() if i.process_key == "signal_start"]
    assert ready_ids(engine, started.id) == ["review"]
    assert len(engine.runtime.signal("campaign_opened", actor="admin")) == 1
    assert len([i for i in engine.runtime.list() if i.process_key == "signal_start"]) == 2
    assert engine.runtime.signal("stop_all", actor="admin") == []  # nobody waits, nothing starts on it


def test_the_newest_version_starts(engine: Engine, deploy) -> None:
    deploy("message_start.bpmn")
    text = (BPMN / "message_start.bpmn").read_text().replace('name="Review"', 'name="Review again"')
    engine.repository.deploy({"message_start.bpmn": text.encode()}, actor="admin")
    [started] = engine.runtime.correlate("application_filed", business_key="HS-1", actor="admin")
    assert engine.runtime.get(started).definition_version == 2
