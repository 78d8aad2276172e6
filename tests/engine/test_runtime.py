"""Instances: incidents and retry, suspend / resume / cancel, migration, atomicity and the version check."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from engine import Engine
from engine.clock import VirtualClock
from engine.errors import ConcurrentModification, DeploymentInvalid, InvalidInput, InvalidState, NotFound
from engine.execution import flush
from engine.models import Event, HumanTask, ProcessInstance, Timer
from tests.engine.conftest import complete, files, ready, ready_ids

SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">
  <bpmn:process id="sandbox" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run"/>
    <bpmn:scriptTask id="run"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="after"/>
    <bpmn:userTask id="after"/>
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def events(engine: Engine, instance_id: int) -> list[str]:
    return [e.action for e in engine.history.for_instance(instance_id)]


def test_start_unknown_process_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound, match="no deployed process 'nope'"):
        engine.runtime.start("nope", actor="admin")


def test_failing_script_opens_an_incident_and_retry_with_new_data_fixes_it(engine: Engine, deploy) -> None:
    deploy("script_failure.bpmn")
    inst = engine.runtime.start("script_failure", data={"divisor": 0}, actor="admin")
    assert inst.state == "error"
    [incident] = inst.incidents
    assert incident["element_id"] == "bad" and "ZeroDivisionError" in incident["message"]
    assert "incident" in events(engine, inst.id)
    with pytest.raises(InvalidState):
        engine.runtime.resume(inst.id, actor="admin")
    fixed = engine.runtime.retry(inst.id, actor="admin", data={"divisor": 4})
    assert fixed.state == "running" and fixed.incidents == []
    assert ready_ids(engine, inst.id) == ["after"]
    complete(engine, inst.id, "after")
    assert engine.runtime.get(inst.id).data["result"] == 0.25


def test_retry_that_fails_again_keeps_an_open_incident(engine: Engine, deploy) -> None:
    deploy("script_failure.bpmn")
    inst = engine.runtime.start("script_failure", data={"divisor": 0}, actor="admin")
    again = engine.runtime.retry(inst.id, actor="admin")
    assert again.state == "error" and len(again.incidents) == 1


def test_retry_after_deploying_a_fixed_version(engine: Engine, deploy) -> None:
    broken = SCRIPT_BPMN.format(script="x = undefined_name")
    engine.repository.deploy({"sandbox.bpmn": broken.encode()}, actor="admin")
    inst = engine.runtime.start("sandbox", actor="admin")
    assert inst.state == "error"
    engine.repository.deploy({"sandbox.bpmn": SCRIPT_BPMN.format(script="x = 1").encode()}, actor="admin")
    engine.runtime.migrate(inst.id, actor="admin")
    fixed = engine.runtime.retry(inst.id, actor="admin")
    assert fixed.state == "running" and fixed.definition_version == 2 and fixed.data["x"] == 1


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("import os", "import"),
        ("x = __import__('os')", "__import__"),
        ("x = ().__class__.__mro__", "__class__"),
    ],
)
def test_scripts_the_sandbox_cannot_compile_are_refused_at_deploy(engine: Engine, script: str, reason: str) -> None:
    """Deployment applies the sandbox's compile rules, so such a script never reaches a running instance."""
    with pytest.raises(DeploymentInvalid, match=reason):
        engine.repository.deploy({"sandbox.bpmn": SCRIPT_BPMN.format(script=script).encode()}, actor="admin")
    assert engine.repository.definitions("sandbox") == []


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("x = open('/etc/passwd').read()", "open"),
        ("while True:\n    pass", "time limit"),
    ],
)
def test_sandbox_refusals_become_incidents(engine: Engine, script: str, reason: str) -> None:
    engine.repository.deploy({"sandbox.bpmn": SCRIPT_BPMN.format(script=script).encode()}, actor="admin")
    inst = engine.runtime.start("sandbox", actor="admin")
    assert inst.state == "error"
    assert reason in inst.incidents[0]["message"]
    assert inst.incidents[0]["element_id"] == "run"
    ok = engine.repository.deploy({"sandbox.bpmn": SCRIPT_BPMN.format(script="y = 2").encode()}, actor="admin")
    assert ok.definitions, "the engine keeps working after a refused script"
    assert engine.runtime.start("sandbox", actor="admin").data["y"] == 2


def test_suspend_blocks_tasks_and_timers_until_resumed(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("boundary_timer_interrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    engine.runtime.suspend(inst.id, actor="admin")
    [task] = ready(engine, inst.id)
    with pytest.raises(InvalidState, match="suspended"):
        engine.tasks.complete(task.id, "admin", {})
    vclock.advance(hours=3)
    assert engine.timers.fire_due() == 0
    assert engine.runtime.resume(inst.id, actor="admin").state == "running"
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["escalated"]
    assert {"instance_suspended", "instance_resumed", "timer_fired"} <= set(events(engine, inst.id))


def test_cancel_ends_tasks_and_timers(engine: Engine, deploy) -> None:
    deploy("boundary_timer_interrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    view = engine.runtime.cancel(inst.id, actor="admin", reason="duplicate dossier")
    assert view.state == "cancelled" and view.ended_at is not None
    assert ready(engine, inst.id) == [] and engine.timers.pending(inst.id) == []
    assert "instance_cancelled" in events(engine, inst.id)
    with pytest.raises(InvalidState):
        engine.runtime.cancel(inst.id, actor="admin")


def test_running_instances_stay_on_their_version_and_migrate_on_request(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    old = engine.runtime.start("user_task", actor="chi")
    changed = files("user_task.bpmn")["user_task.bpmn"].replace(b"Review dossier", b"Review the dossier")
    result = engine.repository.deploy({"user_task.bpmn": changed, **files("review.schema.json")}, actor="admin")
    assert [d.version for d in result.definitions] == [2]
    new = engine.runtime.start("user_task", actor="admin")
    assert (old.definition_version, new.definition_version) == (1, 2)
    migrated = engine.runtime.migrate(old.id, actor="admin")
    assert migrated.definition_version == 2
    with pytest.raises(InvalidInput):
        engine.runtime.migrate(old.id, actor="admin", to_version=1)
    engine.tasks.complete(ready(engine, old.id)[0].id, "an", {"decision": "approve"})
    assert engine.runtime.get(old.id).state == "completed"


def test_migration_refused_when_the_current_task_is_gone(engine: Engine) -> None:
    engine.repository.deploy({"sandbox.bpmn": SCRIPT_BPMN.format(script="x = 1").encode()}, actor="admin")
    inst = engine.runtime.start("sandbox", actor="admin")
    renamed = SCRIPT_BPMN.format(script="x = 1").replace('"after"', '"after_v2"')
    engine.repository.deploy({"sandbox.bpmn": renamed.encode()}, actor="admin")
    with pytest.raises(InvalidState, match="after"):
        engine.runtime.migrate(inst.id, actor="admin")
    assert engine.runtime.get(inst.id).definition_version == 1


def test_stale_version_is_a_conflict_and_changes_nothing(engine: Engine, deploy) -> None:
    deploy("parallel_gateway.bpmn")
    inst = engine.runtime.start("parallel_gateway", actor="admin")
    left, right = sorted(ready(engine, inst.id), key=lambda t: t.element_id)
    engine.tasks.complete(left.id, "admin", {"l_val": 1}, expected_version=inst.version)
    with pytest.raises(ConcurrentModification):
        engine.tasks.complete(right.id, "admin", {"r_val": 2}, expected_version=inst.version)
    assert engine.tasks.get(right.id).state == "ready"
    engine.tasks.complete(right.id, "admin", {"r_val": 2})
    assert ready_ids(engine, inst.id) == ["after"]


def test_concurrent_writers_on_one_instance_lose_nothing(engine: Engine, deploy) -> None:
    """Two sessions save the same instance: the second flush fails the version check."""
    deploy("parallel_gateway.bpmn")
    inst = engine.runtime.start("parallel_gateway", actor="admin")
    first, second = engine.db.sessions(), engine.db.sessions()
    try:
        row_b = second.get(ProcessInstance, inst.id)  # B reads version v ...
        second.commit()  # ... (and lets go of SQLite's lock; the row stays loaded at version v)
        row_a = first.get(ProcessInstance, inst.id)
        assert row_a is not None and row_b is not None
        row_a.business_key = "A"
        first.commit()  # A writes version v + 1
        row_b.business_key = "B"
        with pytest.raises(ConcurrentModification):
            flush(second)
    finally:
        second.rollback()
        first.close()
        second.close()
    assert engine.runtime.get(inst.id).business_key == "A"


def test_a_failed_transaction_leaves_nothing_half_saved(engine: Engine, deploy, handlers) -> None:
    """Completing a task whose follow-up fails with a database error rolls back state, tasks and audit."""
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", actor="chi")
    [task] = ready(engine, inst.id)

    def count(model: type) -> int:
        with engine.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    before = (count(Event), count(HumanTask), count(Timer), engine.runtime.get(inst.id).version)
    original = engine.executor.save

    def broken_save(session, loaded, actor):  # a crash between the workflow change and the commit
        original(session, loaded, actor)
        raise RuntimeError("disk full")

    engine.executor.save = broken_save  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError):
            engine.tasks.complete(task.id, "an", {"decision": "approve"})
    finally:
        engine.executor.save = original  # type: ignore[method-assign]
    assert (count(Event), count(HumanTask), count(Timer), engine.runtime.get(inst.id).version) == before
    assert engine.tasks.get(task.id).state == "ready"


def test_every_change_is_audited_with_actor_and_data(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", business_key="HS-7", data={"x": 1}, actor="chi")
    [task] = ready(engine, inst.id)
    engine.tasks.claim(task.id, "an")
    engine.tasks.complete(task.id, "an", {"decision": "reject", "comment": "thiếu hồ sơ"})
    trail = engine.history.for_instance(inst.id)
    assert [e.action for e in trail] == ["instance_started", "task_claimed", "task_completed", "instance_completed"]
    started, claimed, completed, _ = trail
    assert (started.actor, started.after, started.business_key) == ("chi", {"data": {"x": 1}}, "HS-7")
    assert (claimed.before, claimed.after) == ({"assignee": None}, {"assignee": "an"})
    assert completed.actor == "an" and completed.after == {"decision": "reject", "comment": "thiếu hồ sơ"}


def test_a_list_of_instances_leaves_their_workflow_unread(engine: Engine, deploy) -> None:
    """A list never needs the saved workflow (the large column): asking a listed row for it fails, it is not
    read behind the caller's back; the instance itself still has it."""
    deploy("script_failure.bpmn")
    started = engine.runtime.start("script_failure", business_key="HS-1", data={"divisor": 4}, actor="admin")
    (listed,) = engine.runtime.list(business_key="HS-1")
    assert (listed.id, listed.business_key, listed.definition.version) == (started.id, "HS-1", 1)
    with pytest.raises(SQLAlchemyError, match="workflow"):
        _ = listed.workflow
    assert engine.runtime.find(started.id).workflow
