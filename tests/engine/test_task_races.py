"""A completion on SQLite reads and runs SpiffWorkflow without the write lock and takes it only to write: another
command may commit meanwhile, and then the completion starts again on what that command left (or refuses it),
never acting on its stale read. The other command runs in a thread, from inside the completion's read phase
(the task's ``check`` handler), so the interleaving is the same every run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from engine import Engine
from engine.errors import ConcurrentModification, InvalidState, TaskAlreadyClaimed
from engine.events import TaskClaimed
from engine.registry import HandlerRegistry
from tests.engine.conftest import files, ready

#: What the ``demo.meanwhile`` check runs, once, from inside the completion of ``left``.
MEANWHILE: list[Callable[[], None]] = []
#: One entry per run of the check: whether the other command committed while the completion was reading.
RUNS: list[bool] = []


def _meanwhile(answer: dict[str, Any]) -> None:
    if not MEANWHILE:
        RUNS.append(False)
        return
    other = threading.Thread(target=MEANWHILE.pop())
    other.start()
    other.join(timeout=10)
    RUNS.append(not other.is_alive())


@pytest.fixture
def handlers() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("demo.meanwhile", _meanwhile)
    return registry


@pytest.fixture
def instance_id(engine: Engine) -> int:
    if engine.db.dialect != "sqlite":
        pytest.skip("the late write lock is SQLite's; on PostgreSQL a completion locks its instance row")
    bundle = files("parallel_gateway.bpmn")
    bundle["parallel_gateway.bpmn"] = bundle["parallel_gateway.bpmn"].replace(
        b'<bpmn:userTask id="left" name="Left">',
        b'<bpmn:userTask id="left" name="Left"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="check" value="demo.meanwhile" />'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    )
    engine.repository.deploy(bundle, actor="admin")
    MEANWHILE.clear()
    RUNS.clear()
    return engine.runtime.start("parallel_gateway", actor="an").id


def _task(engine: Engine, instance_id: int, element_id: str) -> str:
    return next(t.id for t in ready(engine, instance_id) if t.element_id == element_id)


def _completions(engine: Engine, instance_id: int) -> list[str | None]:
    return sorted(
        str(e.details["element_id"])
        for e in engine.history.for_instance(instance_id)
        if e.action == "task_completed" and e.details
    )


def test_a_sibling_completed_meanwhile_is_kept_and_the_completion_starts_again(
    engine: Engine, instance_id: int
) -> None:
    right, version = _task(engine, instance_id, "right"), engine.runtime.get(instance_id).version
    MEANWHILE.append(lambda: engine.tasks.complete(right, "an", {"r": 2}))
    engine.tasks.complete(_task(engine, instance_id, "left"), "an", {"l": 1})
    assert RUNS == [True, False], "the sibling commits during the first try; the second try runs on its result"
    assert [t.element_id for t in ready(engine, instance_id)] == ["after"]  # both branches reached the join
    assert _completions(engine, instance_id) == ["left", "right"]
    after = engine.runtime.get(instance_id)
    assert (after.version, after.data) == (version + 2, {"l": 1, "r": 2})  # no save and no data lost


def test_a_completion_with_an_expected_version_changed_meanwhile_is_a_conflict(
    engine: Engine, instance_id: int
) -> None:
    version = engine.runtime.get(instance_id).version
    right, left = _task(engine, instance_id, "right"), _task(engine, instance_id, "left")
    MEANWHILE.append(lambda: engine.tasks.complete(right, "an", {"r": 2}))
    with pytest.raises(ConcurrentModification):
        engine.tasks.complete(left, "an", {"l": 1}, expected_version=version)
    assert RUNS == [True]
    assert engine.tasks.get(left).state == "ready"
    assert _completions(engine, instance_id) == ["right"]


def test_the_same_task_completed_meanwhile_is_refused_and_counted_once(engine: Engine, instance_id: int) -> None:
    left = _task(engine, instance_id, "left")
    MEANWHILE.append(lambda: engine.tasks.complete(left, "admin", {"by": "admin"}))
    with pytest.raises(InvalidState, match="completed"):
        engine.tasks.complete(left, "an", {"by": "an"})
    assert RUNS == [False, True]  # the other completion ran its own check (once), inside the first try
    assert _completions(engine, instance_id) == ["left"]
    assert engine.tasks.get(left).completed_by == "admin"


def test_a_claim_meanwhile_makes_the_other_claim_start_again_and_find_the_task_taken(
    engine: Engine, instance_id: int
) -> None:
    """A claim, too, reads without the write lock: the one that commits first wins, the other is refused."""
    left = _task(engine, instance_id, "left")
    meanwhile = [lambda: engine.tasks.claim(left, "admin")]

    def claim_meanwhile(_event: TaskClaimed) -> None:  # inside an's claim, after its checks, before its writes
        if meanwhile:
            other = threading.Thread(target=meanwhile.pop())
            other.start()
            other.join(timeout=10)
            assert not other.is_alive()

    engine.executor.listeners.subscribe(TaskClaimed, claim_meanwhile)
    restarts = engine.db.restarts
    with pytest.raises(TaskAlreadyClaimed, match="admin"):
        engine.tasks.claim(left, "an")
    assert engine.db.restarts == restarts + 1
    assert engine.tasks.get(left).assignee == "admin"
    assert [e.actor for e in engine.history.for_task(left) if e.action == "task_claimed"] == ["admin"]
