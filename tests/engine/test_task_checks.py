"""A user task's ``check`` property: a registered handler judges the answer inside the completing transaction,
with the instance in reach (``current_execution``); a refusal is InvalidInput and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from engine.errors import InvalidInput
from engine.execution import current_execution
from engine.registry import HandlerRegistry
from tests.engine.conftest import files, ready

SEEN: list[tuple[str | None, dict[str, Any]]] = []


def _no_reject_for_hs2(answer: dict[str, Any]) -> None:
    """A rule the schema cannot state: it needs the instance (here, its business key)."""
    SEEN.append((current_execution().instance.business_key, answer))
    if answer.get("decision") == "reject" and current_execution().instance.business_key == "HS-2":
        raise InvalidInput("HS-2 cannot be rejected", {"decision": ["not for this dossier"]})


@pytest.fixture
def handlers() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("demo.judge", _no_reject_for_hs2)
    return registry


@pytest.fixture
def judged(engine: Engine) -> None:
    bundle = files("user_task.bpmn", "review.schema.json")
    bundle["user_task.bpmn"] = bundle["user_task.bpmn"].replace(
        b'<spiffworkflow:property name="budget" value="0.5WD" />',
        b'<spiffworkflow:property name="budget" value="0.5WD" />\n'
        b'          <spiffworkflow:property name="check" value="demo.judge" />',
    )
    engine.repository.deploy(bundle, actor="admin")
    SEEN.clear()


def test_the_check_refuses_and_nothing_changes(engine: Engine, judged: None) -> None:
    inst = engine.runtime.start("user_task", business_key="HS-2", actor="chi")
    task = ready(engine, inst.id)[0]
    engine.tasks.claim(task.id, "an")
    with pytest.raises(InvalidInput) as refused:
        engine.tasks.complete(task.id, "an", {"decision": "reject"})
    assert refused.value.fields == {"decision": ["not for this dossier"]}
    assert engine.tasks.get(task.id).state == "ready"
    assert [e.action for e in engine.history.for_instance(inst.id)] == ["instance_started", "task_claimed"]
    engine.tasks.complete(task.id, "an", {"decision": "approve"})
    assert engine.tasks.get(task.id).state == "completed"
    assert SEEN == [("HS-2", {"decision": "reject"}), ("HS-2", {"decision": "approve"})]


def test_the_check_runs_after_the_form_schema(engine: Engine, judged: None) -> None:
    inst = engine.runtime.start("user_task", business_key="HS-3", actor="chi")
    task = ready(engine, inst.id)[0]
    with pytest.raises(InvalidInput):
        engine.tasks.complete(task.id, "an", {"decision": "maybe"})
    assert SEEN == [], "an answer the schema refuses never reaches the check"
    engine.tasks.complete(task.id, "an", {"decision": "reject"})
    assert SEEN == [("HS-3", {"decision": "reject"})]
