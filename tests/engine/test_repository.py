"""Deploying bundles: versions by content, all-or-nothing validation, reading definitions back."""

from __future__ import annotations

import threading

import pytest

from engine import Engine
from engine.errors import Conflict, DeploymentInvalid, InvalidInput
from engine.models import ProcessInstance
from tests.engine.conftest import files


def test_versions_count_up_and_identical_content_creates_none(engine: Engine) -> None:
    first = engine.repository.deploy(files("user_task.bpmn", "review.schema.json"), actor="admin")
    assert [(d.key, d.version) for d in first.definitions] == [("user_task", 1)]
    again = engine.repository.deploy(files("user_task.bpmn", "review.schema.json"), actor="admin")
    assert again.definitions == [] and again.unchanged == ["user_task"] and again.deployment_id is None
    changed = files("user_task.bpmn")["user_task.bpmn"].replace(b"Review dossier", b"Xem xet ho so")
    third = engine.repository.deploy({"user_task.bpmn": changed, **files("review.schema.json")}, actor="admin")
    assert [(d.key, d.version) for d in third.definitions] == [("user_task", 2)]
    assert [d.version for d in engine.repository.definitions("user_task")] == [2, 1]
    assert engine.repository.latest("user_task").version == 2


def test_xml_is_read_back_as_deployed(engine: Engine) -> None:
    original = files("timer_catch_bare_iso.bpmn")["timer_catch_bare_iso.bpmn"].decode()
    engine.repository.deploy(files("timer_catch_bare_iso.bpmn"), actor="admin")
    assert engine.repository.xml("timer_catch_bare_iso") == original
    assert engine.repository.xml("timer_catch_bare_iso", 1) == original


def test_a_bundle_with_one_error_deploys_nothing(engine: Engine) -> None:
    bundle = files("manual_task.bpmn", "not_executable.bpmn")
    with pytest.raises(DeploymentInvalid) as err:
        engine.repository.deploy(bundle, actor="admin")
    assert any(p.file == "not_executable.bpmn" and "not executable" in p.message for p in err.value.problems)
    assert engine.repository.definitions() == []


def test_call_activity_target_must_exist(engine: Engine) -> None:
    with pytest.raises(DeploymentInvalid) as err:
        engine.repository.deploy(files("call_parent.bpmn"), actor="admin")
    assert any("call_child" in p.message for p in err.value.problems)
    engine.repository.deploy(files("call_child.bpmn"), actor="admin")
    assert engine.repository.deploy(files("call_parent.bpmn"), actor="admin").definitions[0].calls == ["call_child"]


def test_referenced_form_must_be_deployed(engine: Engine) -> None:
    with pytest.raises(DeploymentInvalid) as err:
        engine.repository.deploy(files("user_task.bpmn"), actor="admin")
    assert any(p.element_id == "review" and "review.schema.json" in p.message for p in err.value.problems)


def test_warnings_are_reported_but_deploy(engine: Engine) -> None:
    result = engine.repository.deploy(files("manual_task.bpmn"), actor="admin")
    assert result.definitions and any(w.element_id == "hand_over" for w in result.warnings)


def test_empty_bundle_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        engine.repository.deploy({}, actor="admin")


def test_definitions_count_running_instances(engine: Engine) -> None:
    engine.repository.deploy(files("manual_task.bpmn"), actor="admin")
    engine.runtime.start("manual_task", actor="admin")
    engine.runtime.start("manual_task", actor="admin")
    [definition] = engine.repository.definitions("manual_task")
    assert definition.running_instances == 2


def test_only_new_files_refuses_a_taken_name_or_decision_in_its_transaction(engine: Engine) -> None:
    """A table made from a blank may take neither a deployed file's name nor its decision (the designer's check
    before deploying can be overtaken by another designer; this one cannot)."""
    table = files("discount.dmn")
    assert engine.repository.deploy(table, actor="admin", only_new=True).deployment_id is not None
    for taken in (table, {"other.dmn": table["discount.dmn"]}):  # the same name; another name, same decision
        with pytest.raises(Conflict):
            engine.repository.deploy(taken, actor="admin", only_new=True)
    assert [f.name for f in engine.repository.files("dmn")] == ["discount.dmn"]


def test_a_new_instance_calls_the_latest_callee_even_after_a_rolled_back_deployment(engine: Engine) -> None:
    """What a process calls is cached by the newest deployment; a rolled-back deployment gives its ids out
    again on SQLite, so what was cached inside it must not be taken for the deployment that reuses them."""
    engine.repository.deploy(files("call_child.bpmn", "call_parent.bpmn"), actor="admin")

    def child(name: str) -> dict[str, bytes]:
        return {"call_child.bpmn": files("call_child.bpmn")["call_child.bpmn"].replace(b"Child task", name.encode())}

    def callee_of_a_new_instance() -> int:
        instance = engine.runtime.start("call_parent", actor="admin")
        with engine.db.reading() as session:
            return session.get(ProcessInstance, instance.id).spec_ids[1]

    assert callee_of_a_new_instance() == engine.repository.latest("call_child").id
    engine.repository.deploy(child("Second"), actor="admin")
    assert callee_of_a_new_instance() == engine.repository.latest("call_child").id, "the new version is called"
    with pytest.raises(RuntimeError), engine.db.transaction():
        engine.repository.deploy({**files("boundary_timer_interrupting.bpmn"), **child("Third")}, actor="admin")
        assert callee_of_a_new_instance() == engine.repository.latest("call_child").id
        raise RuntimeError("the deployment is rolled back")
    engine.repository.deploy(child("Fourth"), actor="admin")  # on SQLite: the rolled-back deployment's ids
    assert callee_of_a_new_instance() == engine.repository.latest("call_child").id


def test_a_rolled_back_deployment_leaves_no_parsed_diagram_behind(engine: Engine) -> None:
    """The deployment after a rolled-back one takes its ids on SQLite; its instances run its own diagram."""
    engine.repository.deploy(files("call_child.bpmn", "call_parent.bpmn"), actor="admin")
    original = files("call_child.bpmn")["call_child.bpmn"]
    with pytest.raises(RuntimeError), engine.db.transaction():
        engine.repository.deploy({"call_child.bpmn": original.replace(b"Child task", b"Third")}, actor="admin")
        engine.runtime.start("call_parent", actor="admin")
        raise RuntimeError("the deployment is rolled back")
    engine.repository.deploy({"call_child.bpmn": original.replace(b"Child task", b"Fourth")}, actor="admin")
    instance = engine.runtime.start("call_parent", actor="admin")
    assert [t.name for t in engine.tasks.for_instance(instance.id)] == ["Fourth"]


def test_a_start_after_a_deployment_in_the_same_transaction_calls_the_new_callee(engine: Engine) -> None:
    """The count of deployments is read once per transaction; one that then deploys caches nothing, so its own
    next start resolves against what it deployed."""
    engine.repository.deploy(files("call_child.bpmn", "call_parent.bpmn"), actor="admin")
    changed = files("call_child.bpmn")["call_child.bpmn"].replace(b"Child task", b"Second")
    with engine.db.transaction() as session:
        first = engine.runtime.start("call_parent", actor="admin")
        engine.repository.deploy({"call_child.bpmn": changed}, actor="admin")
        second = engine.runtime.start("call_parent", actor="admin")
        callees = [session.get(ProcessInstance, i.id).spec_ids[1] for i in (first, second)]
    assert callees == [d.id for d in reversed(engine.repository.definitions("call_child"))]
    assert [t.name for t in engine.tasks.for_instance(second.id)] == ["Second"]


def test_a_deployment_that_commits_after_a_later_one_is_still_called(engine: Engine) -> None:
    """On PostgreSQL deployments commit in any order: the one with the lower id may come last. What a process
    calls is cached by how many deployments there are, which grows with that one too (the newest id did not)."""
    if engine.db.dialect == "sqlite":
        pytest.skip("SQLite's write lock commits deployments in the order of their ids")
    engine.repository.deploy(files("call_child.bpmn", "call_parent.bpmn"), actor="admin")
    changed = files("call_child.bpmn")["call_child.bpmn"].replace(b"Child task", b"Second")
    deployed, commit = threading.Event(), threading.Event()

    def slow_deployment() -> None:
        with engine.db.transaction():
            engine.repository.deploy({"call_child.bpmn": changed}, actor="admin")
            deployed.set()
            commit.wait(30)

    slow = threading.Thread(target=slow_deployment)
    slow.start()
    assert deployed.wait(30)
    engine.repository.deploy(files("manual_task.bpmn"), actor="admin")  # a later id, committed first
    before = engine.runtime.start("call_parent", actor="admin")
    commit.set()
    slow.join(30)
    after = engine.runtime.start("call_parent", actor="admin")
    assert [t.name for t in engine.tasks.for_instance(before.id)] == ["Child task"]
    assert [t.name for t in engine.tasks.for_instance(after.id)] == ["Second"]
