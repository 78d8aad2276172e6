"""The blob writer keeps finished tasks' JSON between saves: its text must be exactly what SpiffWorkflow's own
``to_dict`` + ``json.dumps`` give, at every step of real runs, also when old tasks' data change under it.
The task lookups that scan instead of walking the tree must find what Spiff's walk finds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskIterator, TaskState

from bench.harness import FORMS, PROCESSES, start_data
from engine.bpmn import blob, migration
from engine.bpmn.spiff import SpecSet, Workflows, install_clock
from engine.bpmn.tree import WALK_DEPTH, ready_tasks
from engine.scripting import SandboxEnvironment, ScriptEngine
from engine.settings import Settings
from tests.conftest import FIXTURES

SCRIPTS = ScriptEngine(SandboxEnvironment())
Form = Callable[[int, str], dict[str, Any]]


@pytest.fixture(autouse=True)
def engine_clock() -> None:
    """These workflows run without an Engine: give Spiff's timers the clock an Engine would install."""
    install_clock(Settings().time_zone)


def specs(process_id: str, *files: Path) -> SpecSet:
    parser = SpiffBpmnParser()
    for path in files:
        parser.add_bpmn_file(str(path))
    return SpecSet(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


def fixture(name: str) -> Path:
    return FIXTURES / "bpmn" / name


def spiff_json(workflow: BpmnWorkflow) -> str:
    """The blob as the adapter wrote it before it kept tasks' JSON: Spiff's dict, dumped whole."""
    registry = blob.READER.registry
    registry._encoder_mode = True
    try:
        dct = blob.READER.to_dict(workflow)
        dct[blob.READER.VERSION_KEY] = blob.READER.VERSION
        return json.dumps(dct, cls=blob.READER._encoder_cls, separators=(",", ":"))
    finally:
        registry._encoder_mode = False


def check(workflow: BpmnWorkflow) -> str:
    """Save and compare; and compare every scan with the walk it stands for."""
    text = Workflows.dump(workflow)
    assert text == spiff_json(workflow)
    walked = BpmnWorkflow.get_tasks(workflow, state=TaskState.READY, manual=True)
    assert ready_tasks(workflow, manual=True) == walked
    assert Workflows.ready_task_ids(workflow) == [str(t.id) for t in walked]
    assert workflow.get_tasks(state=TaskState.READY) == BpmnWorkflow.get_tasks(workflow, state=TaskState.READY)
    if len(workflow.tasks) <= WALK_DEPTH:  # deeper, the walk misses tasks (the last test)
        unfinished = next(TaskIterator(workflow.task_tree, state=TaskState.NOT_FINISHED_MASK), None)
        assert Workflows.is_completed(workflow) == (workflow.completed or unfinished is None)
    return text


def run(spec_set: SpecSet, data: dict[str, Any], form: Form, *, last_first: bool = False, limit: int = 60) -> int:
    """Complete ready tasks one by one (the first or the last one ready), checking every save."""
    workflow = Workflows.create(spec_set, SCRIPTS, data)
    Workflows.run_engine_steps(workflow)
    for step in range(limit):
        check(workflow)
        ready = Workflows.ready_human_tasks(workflow)
        if not ready:
            return step
        chosen = ready[-1] if last_first else ready[0]
        task = Workflows.find_task(workflow, chosen.id)
        assert task is not None
        Workflows.run_task(task, form(step, chosen.element_id))
        Workflows.run_engine_steps(workflow)
    raise AssertionError("the process did not end")


def noted(step: int, element_id: str) -> dict[str, Any]:
    """Form data with a nested value, as real forms have."""
    return {"note": {"by": element_id, "step": step, "tags": ["x", step]}}


@pytest.mark.parametrize(
    ("process_id", "files", "data", "form", "last_first"),
    [
        ("loop_tasks", ["loop_tasks.bpmn"], {"again": True}, lambda s, e: {"again": s < 30, **noted(s, e)}, False),
        ("parallel_gateway", ["parallel_gateway.bpmn"], {}, noted, True),
        ("inclusive_gateway", ["inclusive_gateway.bpmn"], {"a": True, "b": True}, noted, False),
        ("exclusive_gateway", ["exclusive_gateway.bpmn"], {}, lambda s, e: {"approved": False}, False),
        ("multi_instance_parallel", ["multi_instance_parallel.bpmn"], {"members": ["an", "binh", "chi"]},
         lambda s, e: {"ballot": f"yes-{s}"}, True),
        ("multi_instance_sequential", ["multi_instance_sequential.bpmn"], {"items": ["x", "y", "z"]},
         lambda s, e: {"result": s}, False),
        ("embedded_subprocess", ["embedded_subprocess.bpmn"], {}, noted, False),
        ("call_parent", ["call_parent.bpmn", "call_child.bpmn"], {"seed": 7}, noted, False),
    ],
)  # fmt: skip
def test_blob_is_spiffs_json_at_every_step(
    process_id: str, files: list[str], data: dict[str, Any], form: Form, last_first: bool
) -> None:
    steps = run(specs(process_id, *(fixture(f) for f in files)), data, form, last_first=last_first)
    assert steps > 0


#: Two parallel branches, the left one two tasks long: once ``left`` is done, ``left_more`` (made after
#: ``right``) comes first in the tree, so the ready tasks' tree order is not the order they were made in.
TWO_STEP_BRANCH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="two_step_branch" isExecutable="true">
    <bpmn:startEvent id="start_event"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="left"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="left_more"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="right"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming>
      <bpmn:outgoing>f7</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end_event"><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start_event" targetRef="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="left" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="right" />
    <bpmn:sequenceFlow id="f4" sourceRef="left" targetRef="left_more" />
    <bpmn:sequenceFlow id="f5" sourceRef="left_more" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="right" targetRef="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end_event" />
  </bpmn:process>
</bpmn:definitions>"""


def test_several_ready_tasks_come_in_tree_order() -> None:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TWO_STEP_BRANCH.encode())
    spec_set = SpecSet(parser.get_spec("two_step_branch"), parser.get_subprocess_specs("two_step_branch"))
    workflow = Workflows.create(spec_set, SCRIPTS, {})
    Workflows.run_engine_steps(workflow)
    left = Workflows.ready_human_tasks(workflow)[0]
    assert left.element_id == "left"
    task = Workflows.find_task(workflow, left.id)
    assert task is not None
    Workflows.run_task(task, {})
    Workflows.run_engine_steps(workflow)
    check(workflow)
    assert [t.element_id for t in Workflows.ready_human_tasks(workflow)] == ["left_more", "right"]


def test_blob_of_the_award_bench_process() -> None:
    """The bench's award procedure: lanes, a rework loop, a reminder timer, parallel checks, a council vote."""
    award = specs("award_bench", PROCESSES / "award_bench.bpmn")
    assert run(award, start_data(1), lambda s, e: dict(FORMS.get(e, {}))) == 13
    assert run(award, start_data(2), lambda s, e: dict(FORMS.get(e, {})), last_first=True) == 13


def looping(rounds: int, data: dict[str, Any]) -> BpmnWorkflow:
    workflow = Workflows.create(specs("loop_tasks", fixture("loop_tasks.bpmn")), SCRIPTS, data)
    Workflows.run_engine_steps(workflow)
    for _ in range(rounds):
        go_round(workflow, {})
    return workflow


def go_round(workflow: BpmnWorkflow, form: dict[str, Any]) -> None:
    [ready] = Workflows.ready_human_tasks(workflow)
    task = Workflows.find_task(workflow, ready.id)
    assert task is not None
    Workflows.run_task(task, {"again": True, **form})
    Workflows.run_engine_steps(workflow)


def live_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    [ready] = Workflows.ready_human_tasks(workflow)
    task = Workflows.find_task(workflow, ready.id)
    assert task is not None
    return task.data


def test_nested_values_shared_with_history_change_the_old_tasks_json() -> None:
    """Spiff copies data one level deep, so nested values are shared along the task chain (trap 3): a change
    to one in the live task changes finished tasks too, and their saved JSON must change with them, even
    when the new value equals the old one (True → 1) or only the key order moves."""
    workflow = looping(3, {"again": True, "doc": {"papers": [{"ok": True, "n": 1}]}})
    check(workflow)
    go_round(workflow, {"mine": {"papers": [{"ok": True}]}})  # a finished task whose delta holds a nested dict
    go_round(workflow, {})
    before = check(workflow)

    live = live_data(workflow)
    live["doc"]["papers"][0]["ok"] = 1  # shared with the root task's data, all the way up
    assert check(workflow) != before
    live["mine"]["papers"][0]["ok"] = 1  # shared with the finished task that set "mine"
    check(workflow)
    paper = live["doc"]["papers"][0]
    paper["n"] = paper.pop("ok")  # same values, other key order
    check(workflow)
    live["doc"]["papers"].append({"ok": False})
    check(workflow)


def test_changes_to_finished_tasks_themselves_are_written() -> None:
    workflow = looping(4, {"again": True})
    go_round(workflow, {"n": 1})
    go_round(workflow, {})
    check(workflow)
    finished = [t for t in workflow.tasks.values() if t.state == TaskState.COMPLETED]
    workflow.task_tree.data["again"] = 1  # equal to True, but not the same JSON
    check(workflow)
    [set_n] = [t for t in finished if t.data.get("n") == 1 and "n" not in t.parent.data]
    set_n.data["n"] = True
    check(workflow)
    del finished[3].data["again"]
    check(workflow)
    finished[4].internal_data["seen"] = True
    check(workflow)
    finished[5].data["extra"] = ["a"]
    check(workflow)
    finished[5].data["extra"].append("b")
    check(workflow)


def test_cancel_and_migration_are_written() -> None:
    workflow = looping(5, {"again": True})
    check(workflow)
    newer = specs("loop_tasks", fixture("loop_tasks.bpmn"))  # other spec objects, same elements
    assert migration.migrate(workflow, newer, {}) == []
    check(workflow)
    go_round(workflow, {})
    check(workflow)
    Workflows.cancel(workflow)
    check(workflow)
    assert Workflows.is_completed(workflow)


def test_a_reloaded_workflow_is_written_the_same_way() -> None:
    spec_set = specs("loop_tasks", fixture("loop_tasks.bpmn"))
    workflow = looping(6, {"again": True})
    text = check(workflow)
    other = ScriptEngine(SandboxEnvironment())  # a different engine: a fresh copy, not the kept object
    reloaded = Workflows.load(text, spec_set, other)
    assert reloaded is not workflow
    assert check(reloaded) == text
    go_round(reloaded, {})
    check(reloaded)
    check(reloaded)


def test_past_spiffs_walk_depth_rounds_still_come_and_the_scans_answer_as_the_walk() -> None:
    """Spiff's tree walk stops 1000 levels down (a loop's 500th round). Saving drops finished rounds deep in
    the history (:func:`engine.bpmn.tree.prune`), so the tree stays within the walk: every round comes, the
    blob is still Spiff's own JSON of the workflow, and the scans answer as the walk."""
    workflow = looping(WALK_DEPTH // 2 - 8, {"again": True})
    check(workflow)
    for _ in range(12):
        assert Workflows.ready_human_tasks(workflow) != []
        go_round(workflow, {})
        check(workflow)
    assert len(workflow.tasks) < WALK_DEPTH // 2
    assert Workflows.ready_human_tasks(workflow) != []
    assert ready_tasks(workflow) == BpmnWorkflow.get_tasks(workflow, state=TaskState.READY)
    assert Workflows.is_completed(workflow) is False
    assert Workflows.dump(workflow) == spiff_json(workflow)
