"""The workflow kept after a save: handed out once for exactly that blob, never for another state, and
never when the committed blob is not the one it was saved as."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from engine import Engine
from engine.bpmn.recent import RecentWorkflows
from engine.bpmn.spiff import Workflows
from engine.errors import InvalidInput
from engine.models import ProcessInstance
from engine.scripting import SandboxEnvironment, ScriptEngine
from tests.engine.conftest import ready
from tests.engine.test_bpmn_blob import SCRIPTS, fixture, specs

LOOP = specs("loop_tasks", fixture("loop_tasks.bpmn"))


class Thing:
    """Stands for a workflow object: the cache never looks inside."""


# -- the cache itself ----------------------------------------------------------------------------------------


def test_taking_hands_out_the_object_once() -> None:
    recent, thing = RecentWorkflows(), Thing()
    recent.remember("blob-1", thing)
    assert recent.take("blob-0") is None
    assert recent.take("".join(["blob", "-1"])) is thing  # an equal text, not the same string object
    assert recent.take("blob-1") is None
    assert len(recent) == 0


def test_an_object_is_filed_only_under_its_last_blob() -> None:
    recent, thing, other = RecentWorkflows(), Thing(), Thing()
    recent.remember("state-1", thing)
    recent.remember("state-2", thing)
    assert recent.take("state-1") is None
    recent.remember("state-2", other)  # another object in the very same state: the newer one is kept
    assert recent.take("state-2") is other
    assert len(recent) == 0


@pytest.mark.parametrize(("entries", "chars"), [(2, 1000), (10, 25)])
def test_the_oldest_entries_go_first(entries: int, chars: int) -> None:
    recent = RecentWorkflows(max_entries=entries, max_chars=chars)
    things = [Thing() for _ in range(4)]
    for n, thing in enumerate(things):
        recent.remember(f"blob-{n}-" + "x" * 5, thing)  # 12 characters each
    assert len(recent) == 2
    assert [recent.take(f"blob-{n}-xxxxx") for n in range(4)] == [None, None, things[2], things[3]]
    recent.remember("y" * (chars + 1), Thing())
    assert len(recent) == 0


def test_threads_never_get_the_same_object() -> None:
    recent = RecentWorkflows(max_entries=8)
    taken: list[Any] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for round_ in range(300):
            text = f"blob-{round_ % 5}"
            if n % 2:
                recent.remember(text, Thing())
            found = recent.take(text)
            if found is not None:
                with lock:
                    taken.append(found)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == len({id(t) for t in taken})
    assert len(recent) <= 5


# -- the adapter ----------------------------------------------------------------------------------------------


def saved_loop() -> tuple[Any, str]:
    workflow = Workflows.create(LOOP, SCRIPTS, {"again": True})
    Workflows.run_engine_steps(workflow)
    return workflow, Workflows.dump(workflow)


def test_load_after_dump_skips_deserializing_once() -> None:
    workflow, text = saved_loop()
    assert Workflows.load(text, LOOP, SCRIPTS) is workflow
    again = Workflows.load(text, LOOP, SCRIPTS)  # a second reader gets a copy of its own
    assert again is not workflow
    assert Workflows.dump(again) == text


def test_other_specs_or_script_engine_get_a_fresh_copy() -> None:
    workflow, text = saved_loop()
    other_specs = specs("loop_tasks", fixture("loop_tasks.bpmn"))
    fresh = Workflows.load(text, other_specs, SCRIPTS)
    assert fresh is not workflow and fresh.spec is other_specs.spec
    workflow, text = saved_loop()
    other_engine = ScriptEngine(SandboxEnvironment())
    fresh = Workflows.load(text, LOOP, other_engine)
    assert fresh is not workflow and fresh.script_engine is other_engine


def test_a_changed_but_unsaved_workflow_is_not_handed_out() -> None:
    workflow, text = saved_loop()
    taken = Workflows.load(text, LOOP, SCRIPTS)
    [ready_task] = Workflows.ready_human_tasks(taken)
    task = Workflows.find_task(taken, ready_task.id)
    assert task is not None
    Workflows.run_task(task, {"again": False})  # the command fails before saving: its change is dropped
    fresh = Workflows.load(text, LOOP, SCRIPTS)
    assert fresh is not workflow
    assert [t.id for t in Workflows.ready_human_tasks(fresh)] == [ready_task.id]


# -- through the engine ---------------------------------------------------------------------------------------


def stored(engine: Engine, instance_id: int) -> str:
    with engine.db.transaction() as session:
        text = session.scalar(select(ProcessInstance.workflow).where(ProcessInstance.id == instance_id))
    assert text is not None
    return text


def test_a_rolled_back_save_leaves_the_committed_state(engine: Engine, deploy) -> None:
    deploy("loop_tasks.bpmn")
    instance = engine.runtime.start("loop_tasks", data={"again": True}, actor="admin")
    [task] = ready(engine, instance.id)
    engine.tasks.complete(task.id, "admin", {"again": True, "round": 1})
    committed = stored(engine, instance.id)
    [task] = ready(engine, instance.id)

    with pytest.raises(RuntimeError), engine.db.transaction() as session:  # a command that fails after saving
        loaded = engine.executor.load(session, instance.id)
        spiff_task = Workflows.find_task(loaded.workflow, task.id)
        assert spiff_task is not None
        Workflows.run_task(spiff_task, {"again": False, "round": "lost"})
        engine.executor.advance(session, loaded, "admin")
        assert loaded.instance.state == "completed"
        raise RuntimeError("after the save")

    assert stored(engine, instance.id) == committed
    engine.tasks.complete(task.id, "admin", {"again": True, "round": 2})
    [task] = ready(engine, instance.id)
    view = engine.runtime.get(instance.id)
    assert view.state == "running" and view.data["round"] == 2


def test_a_refused_completion_does_not_leak_into_the_next(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    instance = engine.runtime.start("user_task", actor="chi")
    [task] = ready(engine, instance.id)
    with pytest.raises(InvalidInput):
        engine.tasks.complete(task.id, "an", {"decision": 42})
    engine.tasks.complete(task.id, "an", {"decision": "approve", "comment": "ok"})
    view = engine.runtime.get(instance.id)
    assert view.state == "completed" and view.data == {"decision": "approve", "comment": "ok"}
