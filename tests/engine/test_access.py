"""The access policy inside each command: unit scope, candidates, who reassigns, the expected version; a
refused command leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Engine, Settings
from engine.errors import ConcurrentModification, InvalidInput, NotFound, PermissionDenied
from engine.models import Event, HumanTask, ProcessInstance
from tests.engine.conftest import ready

OTHER = "so-tai-chinh"


@pytest.fixture
def other_unit(engine: Engine) -> None:
    engine.identity.ensure_user("khac", groups=["appraiser"], unit=OTHER)
    engine.identity.ensure_user("giamsat", groups=["supervisor"], unit=OTHER)


def state(engine: Engine, instance_id: int) -> tuple[Any, ...]:
    """What a refused command must not change: the instance's version and state, its audit events, its tasks."""
    with engine.db.reading() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        events = session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance_id))
        tasks = session.execute(
            select(HumanTask.id, HumanTask.state, HumanTask.assignee, HumanTask.owner, HumanTask.delegation)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.id)
        ).all()
        return instance.version, instance.state, events, tuple(tasks)


def test_settings_name_the_groups_and_read_them_from_the_environment() -> None:
    settings = Settings.from_env({"AWARDFLOW_WIDE_GROUPS": "supervisor, inspectorate"})
    assert settings.wide_groups == ("supervisor", "inspectorate")
    assert (Settings().cross_unit_groups, Settings().reassigner_groups) == (
        ("line_agency",),
        ("division_head", "supervisor"),
    )


def test_a_stale_expected_version_is_refused_inside_the_command(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", business_key="HS-1", actor="chi")
    [task] = ready(engine, inst.id)
    before = state(engine, inst.id)
    for command in (
        lambda: engine.tasks.claim(task.id, "an", expected_version=inst.version - 1),
        lambda: engine.tasks.assign(task.id, "dung", "an", expected_version=inst.version + 1),
        lambda: engine.tasks.complete(task.id, "an", {"decision": "approve"}, expected_version=0),
    ):
        with pytest.raises(ConcurrentModification, match="reload and retry"):
            command()
    assert state(engine, inst.id) == before
    assert engine.tasks.claim(task.id, "an", expected_version=inst.version).assignee == "an"


def test_another_units_task_is_not_found_by_any_task_command(engine: Engine, deploy, other_unit: None) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", business_key="HS-1", actor="chi")
    [task] = ready(engine, inst.id)
    before = state(engine, inst.id)
    for command in (
        lambda: engine.tasks.claim(task.id, "khac"),
        lambda: engine.tasks.unclaim(task.id, "khac"),
        lambda: engine.tasks.assign(task.id, "khac", "khac"),
        lambda: engine.tasks.delegate(task.id, "khac", "an"),
        lambda: engine.tasks.resolve(task.id, "khac"),
        lambda: engine.tasks.complete(task.id, "khac", {"decision": "approve"}),
    ):
        with pytest.raises(NotFound, match=f"no task {task.id}"):
            command()
    assert state(engine, inst.id) == before
    assert engine.tasks.assign(task.id, "giamsat", "khac").assignee == "khac", "a supervisor reaches every unit"


def test_a_claimed_task_is_reassigned_only_from_above(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", business_key="HS-1", actor="chi")
    [task] = ready(engine, inst.id)
    assert engine.tasks.assign(task.id, "binh", "an").assignee == "an", "unclaimed: a candidate may assign"
    before = state(engine, inst.id)
    with pytest.raises(PermissionDenied, match="claimed by an"):
        engine.tasks.assign(task.id, "binh", "binh")
    with pytest.raises(InvalidInput) as err:
        engine.tasks.assign(task.id, "dung", "chi")
    assert list(err.value.fields) == ["assignee"], "a desk officer is no candidate of an appraisal"
    with pytest.raises(InvalidInput) as err:
        engine.tasks.assign(task.id, "dung", "nobody")
    assert list(err.value.fields) == ["assignee"]
    assert state(engine, inst.id) == before
    assert engine.tasks.assign(task.id, "dung", "binh").assignee == "binh", "the division head is above"
    assert engine.tasks.assign(task.id, "admin", "an").assignee == "an"


def test_runtime_levers_do_not_reach_another_unit(engine: Engine, deploy, other_unit: None) -> None:
    deploy("user_task.bpmn", "review.schema.json", "script_failure.bpmn")
    inst = engine.runtime.start("user_task", business_key="HS-1", actor="chi")
    failed = engine.runtime.start("script_failure", data={"divisor": 0}, actor="chi")
    before, failed_before = state(engine, inst.id), state(engine, failed.id)
    for command in (
        lambda: engine.runtime.suspend(inst.id, actor="khac"),
        lambda: engine.runtime.resume(inst.id, actor="khac"),
        lambda: engine.runtime.cancel(inst.id, actor="khac"),
        lambda: engine.runtime.migrate(inst.id, actor="khac"),
        lambda: engine.runtime.retry(failed.id, actor="khac", data={"divisor": 1}),
    ):
        with pytest.raises(NotFound, match="no process instance"):
            command()
    assert (state(engine, inst.id), state(engine, failed.id)) == (before, failed_before)
    assert engine.runtime.suspend(inst.id, actor="giamsat").state == "suspended"


def test_messages_and_signals_reach_only_the_callers_units(engine: Engine, deploy, other_unit: None) -> None:
    deploy("message_receive.bpmn", "signal.bpmn")
    own = engine.runtime.start("message_receive", business_key="HS-1", actor="chi")
    theirs = engine.runtime.start("message_receive", business_key="HS-2", actor="khac")
    before = state(engine, theirs.id)
    with pytest.raises(NotFound, match="no instance waits"):
        engine.runtime.correlate("payment_received", business_key="HS-2", actor="chi")
    with pytest.raises(PermissionDenied, match="every unit"):
        engine.runtime.correlate("payment_received", business_key=None, actor="chi", all_matches=True)
    assert engine.runtime.correlate("payment_received", business_key=None, actor="chi") == [own.id]
    assert state(engine, theirs.id) == before
    signalled = [engine.runtime.start("signal", business_key=k, actor=a) for k, a in (("S1", "chi"), ("S2", "khac"))]
    assert engine.runtime.signal("stop_all", actor="chi") == [signalled[0].id]
    assert engine.runtime.signal("stop_all", actor="giamsat") == [signalled[1].id]


def test_engine_internal_messages_cross_units(engine: Engine, deploy, other_unit: None) -> None:
    """A process throwing a message to another instance is not a caller's command: no unit scope applies."""
    deploy("message_receive.bpmn", "message_send.bpmn")
    receiver = engine.runtime.start("message_receive", business_key="HS-1", actor="khac")
    engine.runtime.start("message_send", business_key="HS-1", actor="chi")
    assert engine.runtime.get(receiver.id).data["payment"] == {"amount": 5}
