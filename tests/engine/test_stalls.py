"""An instance never stops silently, and long loops keep running.

SpiffWorkflow keeps every task it ran and finds tasks by walking its task tree at most 1000 levels down, so in
bare SpiffWorkflow a loop stops, silently, after some 500 rounds. The engine drops finished rounds deep in
the history (:func:`engine.bpmn.tree.prune`), and an instance that cannot go on any more (nothing ready,
nothing awaited, or its next task out of the walk's reach) becomes an incident that says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine import Engine
from engine.bpmn import tree
from engine.clock import VirtualClock
from engine.db import Database
from engine.models import HumanTask
from tests.differential import Complete, engine_factory, run_bare, run_engine
from tests.engine.conftest import complete, ready_ids

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"


def ready_rows(engine: Engine, instance_id: int) -> list[HumanTask]:
    with engine.db.reading() as session:
        stmt = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
        return list(session.scalars(stmt))


def bare(process_id: str, data: dict) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(BPMN / f"{process_id}.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec(process_id))
    workflow.task_tree.data.update(data)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    workflow.do_engine_steps()
    return workflow


def test_bare_spiffworkflow_stops_a_long_loop_silently() -> None:
    """Why the engine needs the two mechanisms below (if Spiff changes, this tells us)."""
    workflow = bare("script_loop", {"n": 0, "rounds": 600})
    assert workflow.get_tasks(state=TaskState.READY, manual=True) == []
    assert workflow.data.get("n", 0) < 600
    assert all(t.data.get("n", 0) < 600 for t in workflow.tasks.values())


def test_a_loop_of_600_user_task_rounds_keeps_working(engine: Engine, deploy) -> None:
    deploy("loop_tasks.bpmn")
    inst = engine.runtime.start("loop_tasks", actor="admin")
    sizes = {}
    for round_ in range(1, 601):
        [task] = ready_rows(engine, inst.id)  # (the conftest helpers read every row, all 600 of them)
        assert task.element_id == "step", round_
        engine.tasks.complete(task.id, "admin", {"again": round_ < 600, "round": round_})
        if round_ in (30, 300, 599):
            sizes[round_] = len(engine.runtime.find(inst.id).workflow)
    view = engine.runtime.get(inst.id)
    assert view.state == "completed"
    assert view.data["round"] == 600
    # finished rounds do not pile up: the saved row after 600 rounds is about what it was after 30
    assert max(sizes[300], sizes[599]) < sizes[30] * 1.5, sizes


def test_a_loop_of_600_script_rounds_runs_in_one_command(engine: Engine, deploy) -> None:
    deploy("script_loop.bpmn")
    inst = engine.runtime.start("script_loop", data={"n": 0, "rounds": 600}, actor="admin")
    assert engine.runtime.get(inst.id).state == "running"
    assert ready_ids(engine, inst.id) == ["done"]
    assert engine.runtime.get(inst.id).data["n"] == 600
    complete(engine, inst.id, "done")
    assert engine.runtime.get(inst.id).state == "completed"


def test_pruned_loops_run_as_bare_spiffworkflow_runs_them(database: Database, vclock: VirtualClock) -> None:
    files, data = [BPMN / "script_loop.bpmn"], {"n": 0, "rounds": 150}
    oracle = run_bare(files, "script_loop", data, [Complete()], vclock)
    trace, _ = run_engine(engine_factory(database), files, "script_loop", data, [Complete()], vclock)
    assert trace == oracle and oracle.completed and oracle.data["n"] == 150


def test_past_the_walk_is_an_incident_that_says_why(
    engine: Engine, deploy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tree, "PRUNE_DEPTH", 10**9)  # as before pruning: the tree grows without bound
    deploy("script_loop.bpmn")
    inst = engine.runtime.start("script_loop", data={"n": 0, "rounds": 600}, actor="admin")
    view = engine.runtime.get(inst.id)
    assert view.state == "error"
    [incident] = view.incidents
    assert "levels deep" in incident["message"] and "1000" in incident["message"]


def test_an_instance_with_nothing_to_do_is_an_incident(engine: Engine, deploy) -> None:
    deploy("stalled_join.bpmn")
    inst = engine.runtime.start("stalled_join", data={"pick": "a"}, actor="admin")
    complete(engine, inst.id, "a")
    view = engine.runtime.get(inst.id)
    assert view.state == "error"
    [incident] = view.incidents
    assert "cannot go on" in incident["message"] and "join" in incident["message"]
    # bare SpiffWorkflow agrees there is nothing to do, and says nothing
    workflow = bare("stalled_join", {"pick": "a"})
    workflow.get_tasks(state=TaskState.READY, manual=True)[0].run()
    workflow.do_engine_steps()
    assert not workflow.is_completed()
    assert workflow.get_tasks(state=TaskState.READY) == [] and workflow.waiting_events() == []


def test_an_instance_that_waits_is_no_incident(engine: Engine, deploy) -> None:
    deploy("stalled_join.bpmn")
    inst = engine.runtime.start("stalled_join", data={"pick": "b"}, actor="admin")
    assert ready_ids(engine, inst.id) == ["b"]
    assert engine.runtime.get(inst.id).state == "running"
