"""Migrating instances to a newer version with a mapping of renamed or moved activities (old id -> new id),
through the persisted engine: refused naming the element without it, moved with it, nothing changed by a
mapping that names no element or is not text to text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Engine
from engine.clock import VirtualClock
from engine.errors import InvalidInput, InvalidState
from tests.engine.conftest import complete, files, ready_ids


def renamed(name: str, old: str, new: str) -> bytes:
    """A fixture diagram with element ``old`` renamed ``new`` (its id and every reference to it)."""
    return files(name)[name].replace(f'"{old}"'.encode(), f'"{new}"'.encode())


def redeploy(engine: Engine, name: str, text: bytes, **extra: bytes) -> None:
    result = engine.repository.deploy({name: text, **extra}, actor="admin")
    assert result.definitions, "the changed diagram is a new version"


def events(engine: Engine, instance_id: int) -> list[dict]:
    return [e.after or {} for e in engine.history.for_instance(instance_id) if e.action == "instance_migrated"]


def test_a_renamed_current_task_is_refused_by_name_then_moved_by_the_mapping(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", actor="admin")
    assert ready_ids(engine, inst.id) == ["review"]
    redeploy(engine, "user_task.bpmn", renamed("user_task.bpmn", "review", "appraise"), **files("review.schema.json"))
    with pytest.raises(InvalidState, match=r"review \(Review dossier\) do not exist there; map each"):
        engine.runtime.migrate(inst.id, actor="admin")
    assert engine.runtime.get(inst.id).definition_version == 1 and events(engine, inst.id) == []

    moved = engine.runtime.migrate(inst.id, actor="admin", mapping={"review": "appraise"})
    assert moved.definition_version == 2
    assert ready_ids(engine, inst.id) == ["appraise"], "the open task now stands on the renamed element"
    assert events(engine, inst.id) == [{"version": 2, "mapping": {"review": "appraise"}}]
    complete(engine, inst.id, "appraise", {"decision": "approve"})
    assert engine.runtime.get(inst.id).state == "completed"


def test_a_moved_task_takes_the_new_elements_form(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", actor="admin")
    text = renamed("user_task.bpmn", "review", "appraise").replace(b"review.schema.json", b"appraise.schema.json")
    redeploy(
        engine, "user_task.bpmn", text, **{"appraise.schema.json": files("review.schema.json")["review.schema.json"]}
    )
    engine.runtime.migrate(inst.id, actor="admin", mapping={"review": "appraise"})
    [task] = [t for t in engine.tasks.for_instance(inst.id) if t.state == "ready"]
    assert (task.form, task.properties["form"]) == ("appraise.schema.json", "appraise.schema.json")
    with pytest.raises(InvalidInput):
        engine.tasks.complete(task.id, "admin", {"decision": 3})  # validated against the new element's form
    engine.tasks.complete(task.id, "admin", {"decision": "approve"})
    assert engine.runtime.get(inst.id).state == "completed"


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"nope": "appraise"}, "mapping.nope"),  # no such element in the instance's version
        ({"review": "nope"}, "mapping.review"),  # no such element in the new version
        ({"review": 3}, "mapping"),
        (["review", "appraise"], "mapping"),
        ({"review": ""}, "mapping"),
        ({"review": "x" * 201}, "mapping"),
        ({"review": "a\x00b"}, "mapping"),
        ({f"e{i}": "appraise" for i in range(501)}, "mapping"),
    ],
)
def test_a_hostile_mapping_is_refused_naming_the_field_and_changes_nothing(
    engine: Engine, deploy, mapping: object, field: str
) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", actor="admin")
    redeploy(engine, "user_task.bpmn", renamed("user_task.bpmn", "review", "appraise"), **files("review.schema.json"))
    before = engine.runtime.version(inst.id)
    with pytest.raises(InvalidInput) as refused:
        engine.runtime.migrate(inst.id, actor="admin", mapping=mapping)  # type: ignore[arg-type]
    assert field in refused.value.fields
    assert engine.runtime.version(inst.id) == before and engine.runtime.get(inst.id).definition_version == 1
    assert ready_ids(engine, inst.id) == ["review"] and events(engine, inst.id) == []


def test_a_renamed_sequential_multi_instance_task_keeps_its_rounds(engine: Engine, deploy) -> None:
    deploy("multi_instance_sequential.bpmn")
    inst = engine.runtime.start("multi_instance_sequential", data={"items": ["a", "b", "c"]}, actor="admin")
    complete(engine, inst.id, "handle_item", {"result": "A"})
    text = renamed("multi_instance_sequential.bpmn", "handle_item", "handle_entry")
    redeploy(engine, "multi_instance_sequential.bpmn", text)
    with pytest.raises(InvalidState, match="handle_item"):
        engine.runtime.migrate(inst.id, actor="admin")
    engine.runtime.migrate(inst.id, actor="admin", mapping={"handle_item": "handle_entry"})
    assert ready_ids(engine, inst.id) == ["handle_entry"]
    complete(engine, inst.id, "handle_entry", {"result": "B"})
    complete(engine, inst.id, "handle_entry", {"result": "C"})
    complete(engine, inst.id, "summary")
    done = engine.runtime.get(inst.id)
    assert done.state == "completed" and done.data["results"] == ["A", "B", "C"]


def test_a_renamed_task_keeps_its_boundary_timer(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("boundary_timer_interrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    redeploy(engine, "boundary_timer_interrupting.bpmn", renamed("boundary_timer_interrupting.bpmn", "slow", "slower"))
    with pytest.raises(InvalidState) as refused:
        engine.runtime.migrate(inst.id, actor="admin")
    assert "current task(s) slow (Slow task) do not exist" in refused.value.message, "Spiff's own specs are not named"
    engine.runtime.migrate(inst.id, actor="admin", mapping={"slow": "slower"})
    assert ready_ids(engine, inst.id) == ["slower"]
    assert [t.element_id for t in engine.timers.pending(inst.id)] == ["slow_timeout"]
    vclock.advance(timedelta(hours=3))
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["escalated"], "the timer on the renamed task still interrupts it"


def test_a_task_renamed_inside_a_called_process_is_mapped_there(engine: Engine, deploy) -> None:
    deploy("call_parent.bpmn", "call_child.bpmn")
    inst = engine.runtime.start("call_parent", actor="admin")
    [child_task] = ready_ids(engine, inst.id)
    redeploy(engine, "call_child.bpmn", renamed("call_child.bpmn", child_task, "child_renamed"))
    parent = files("call_parent.bpmn")["call_parent.bpmn"]
    redeploy(engine, "call_parent.bpmn", parent.replace(b"Parent after", b"After"))
    with pytest.raises(InvalidState, match=child_task):
        engine.runtime.migrate(inst.id, actor="admin")
    engine.runtime.migrate(inst.id, actor="admin", mapping={child_task: "child_renamed"})
    assert ready_ids(engine, inst.id) == ["child_renamed"]
    complete(engine, inst.id, "child_renamed")
    assert ready_ids(engine, inst.id) == ["parent_after"]


def test_the_plan_lists_the_missing_elements_and_the_new_versions_elements(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", actor="admin")
    redeploy(engine, "user_task.bpmn", renamed("user_task.bpmn", "review", "appraise"), **files("review.schema.json"))
    plan = engine.runtime.migration_plan(inst.id, actor="admin", to_version=2)
    assert [(a.id, a.name) for a in plan.missing] == [("review", "Review dossier")]
    assert "appraise" in [a.id for a in plan.targets] and "review" not in [a.id for a in plan.targets]
