"""Every supported BPMN element, run through the persisted engine (each step a save and a reload)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event as sa_event

from engine import Engine
from engine.clock import VirtualClock
from tests.engine.conftest import complete, ready, ready_ids


def finished(engine: Engine, instance_id: int) -> dict:
    view = engine.runtime.get(instance_id)
    assert view.state == "completed", view
    return view.data


def test_user_task_goes_to_its_lane_group(engine: Engine, deploy) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    inst = engine.runtime.start("user_task", business_key="HS-1", actor="chi")
    [task] = ready(engine, inst.id)
    assert (task.element_id, task.name, task.lane, task.candidate_groups) == (
        "review",
        "Review dossier",
        "appraiser",
        ["appraiser"],
    )
    assert task.form == "review.schema.json" and task.properties["budget"] == "0.5WD"
    engine.tasks.complete(task.id, "an", {"decision": "approve", "comment": "ok"})
    assert finished(engine, inst.id) == {"decision": "approve", "comment": "ok"}


def test_manual_task(engine: Engine, deploy) -> None:
    deploy("manual_task.bpmn")
    inst = engine.runtime.start("manual_task", actor="chi")
    assert ready_ids(engine, inst.id) == ["hand_over"]
    complete(engine, inst.id, "hand_over", user="chi")
    finished(engine, inst.id)


def test_script_task(engine: Engine, deploy) -> None:
    deploy("script_task.bpmn")
    inst = engine.runtime.start("script_task", data={"a": 2, "b": 3}, actor="admin")
    assert inst.data["total"] == 5
    complete(engine, inst.id, "check")
    assert finished(engine, inst.id) == {"a": 2, "b": 3, "total": 5}


def test_service_task_calls_a_registered_handler(engine: Engine, deploy) -> None:
    deploy("service_task.bpmn")
    inst = engine.runtime.start("service_task", data={"name": "Lan"}, actor="admin")
    assert inst.data["echoed"] == "Lan"


@pytest.mark.parametrize(("amount", "discount"), [(1500, 0.1), (500, 0.05), (50, 0)])
def test_business_rule_task_uses_the_dmn_table(engine: Engine, deploy, amount: int, discount: float) -> None:
    deploy("business_rule.bpmn", "discount.dmn")
    inst = engine.runtime.start("business_rule", data={"amount": amount}, actor="admin")
    assert inst.data["discount"] == discount
    assert ready_ids(engine, inst.id) == ["confirm_discount"]


@pytest.mark.parametrize(("approved", "branch"), [(True, "yes_task"), (False, "no_task")])
def test_exclusive_gateway(engine: Engine, deploy, approved: bool, branch: str) -> None:
    deploy("exclusive_gateway.bpmn")
    inst = engine.runtime.start("exclusive_gateway", actor="admin")
    complete(engine, inst.id, "decide", {"approved": approved})
    assert ready_ids(engine, inst.id) == [branch]


def test_parallel_gateway_joins_both_branches(engine: Engine, deploy) -> None:
    deploy("parallel_gateway.bpmn")
    inst = engine.runtime.start("parallel_gateway", actor="admin")
    assert ready_ids(engine, inst.id) == ["left", "right"]
    complete(engine, inst.id, "right", {"r_val": 2})
    assert ready_ids(engine, inst.id) == ["left"]
    complete(engine, inst.id, "left", {"l_val": 1})
    assert ready_ids(engine, inst.id) == ["after"]
    complete(engine, inst.id, "after")
    assert finished(engine, inst.id) == {"l_val": 1, "r_val": 2}


@pytest.mark.parametrize(
    ("a", "b", "first"), [(True, True, ["task_a", "task_b"]), (True, False, ["task_a"]), (False, True, ["task_b"])]
)
def test_inclusive_gateway(engine: Engine, deploy, a: bool, b: bool, first: list[str]) -> None:
    deploy("inclusive_gateway.bpmn")
    inst = engine.runtime.start("inclusive_gateway", data={"a": a, "b": b}, actor="admin")
    assert ready_ids(engine, inst.id) == first
    for element in first:
        complete(engine, inst.id, element)
    assert ready_ids(engine, inst.id) == ["done"]


def test_event_gateway_message_wins(engine: Engine, deploy) -> None:
    deploy("event_gateway.bpmn")
    inst = engine.runtime.start("event_gateway", business_key="HS-EG", actor="admin")
    assert len(engine.timers.pending(inst.id)) == 1, "the gateway's hidden timer must be in the timer table"
    engine.runtime.correlate("go", business_key="HS-EG", actor="admin")
    assert ready_ids(engine, inst.id) == ["got_message"]
    assert engine.timers.pending(inst.id) == []


def test_a_new_instance_stores_what_it_waits_for_without_reading_any_first(engine: Engine, deploy) -> None:
    """The transaction that starts an instance knows nothing of it is stored: its first waits (the gateway's
    timer and message) are written without reading timer rows or forgetting subscriptions; a later save,
    of the instance as loaded, replaces them."""
    deploy("event_gateway.bpmn")
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa_event.listen(engine.db.engine, "before_cursor_execute", on_statement)
    try:
        inst = engine.runtime.start("event_gateway", business_key="HS-EG", actor="admin")
    finally:
        sa_event.remove(engine.db.engine, "before_cursor_execute", on_statement)
    assert [s for s in seen if s.startswith("SELECT") and "FROM timer" in s] == [], seen
    assert [s for s in seen if s.startswith("DELETE FROM subscription")] == [], seen
    assert [t.element_id for t in engine.timers.pending(inst.id)] == ["race"]  # the event-based gateway holds the timer
    assert engine.runtime.correlate("go", business_key="HS-EG", actor="admin") == [inst.id]
    assert engine.timers.pending(inst.id) == []
    assert ready_ids(engine, inst.id) == ["got_message"]


def test_event_gateway_timer_wins(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("event_gateway.bpmn")
    inst = engine.runtime.start("event_gateway", business_key="HS-EG", actor="admin")
    vclock.advance(minutes=59)
    assert engine.timers.fire_due() == 0
    vclock.advance(minutes=1, seconds=1)
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["timed_out"]


def test_embedded_subprocess(engine: Engine, deploy) -> None:
    deploy("embedded_subprocess.bpmn")
    inst = engine.runtime.start("embedded_subprocess", actor="admin")
    assert ready_ids(engine, inst.id) == ["inner"]
    complete(engine, inst.id, "inner", {"inner_note": "x"})
    complete(engine, inst.id, "outer")
    assert finished(engine, inst.id) == {"prepared": True, "inner_note": "x"}


def test_call_activity_across_deployments(engine: Engine, deploy) -> None:
    deploy("call_child.bpmn")
    deploy("call_parent.bpmn")
    inst = engine.runtime.start("call_parent", data={"seed": 7}, actor="admin")
    [child] = ready(engine, inst.id)
    assert child.element_id == "child_task"
    engine.tasks.complete(child.id, "admin", {"child_answer": "yes"})
    complete(engine, inst.id, "parent_after")
    assert finished(engine, inst.id) == {"seed": 7, "child_answer": "yes", "from_child": 1}


def test_interrupting_boundary_timer(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("boundary_timer_interrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    [timer] = engine.timers.pending(inst.id)
    assert timer.due_at == vclock.now() + timedelta(hours=2)
    vclock.advance(hours=1, minutes=59)
    assert engine.timers.fire_due() == 0
    vclock.advance(minutes=1, seconds=1)
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["escalated"]
    assert [t.state for t in engine.tasks.for_instance(inst.id) if t.element_id == "slow"] == ["cancelled"]


def test_boundary_timer_is_dropped_when_the_task_completes(engine: Engine, deploy) -> None:
    deploy("boundary_timer_interrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    complete(engine, inst.id, "slow", {"done": True})
    assert engine.timers.pending(inst.id) == []
    assert finished(engine, inst.id) == {"done": True}


def test_non_interrupting_boundary_timer(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("boundary_timer_noninterrupting.bpmn")
    inst = engine.runtime.start("boundary_timer_noninterrupting", actor="admin")
    vclock.advance(hours=1, seconds=1)
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["work"]
    vclock.advance(hours=2)
    assert engine.timers.fire_due() == 0
    complete(engine, inst.id, "work", {"finished": True})
    assert finished(engine, inst.id) == {"finished": True, "reminded": True}


def test_intermediate_timer_catch(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_catch.bpmn")
    inst = engine.runtime.start("timer_catch", actor="admin")
    vclock.advance(minutes=29)
    assert engine.timers.fire_due() == 0 and ready_ids(engine, inst.id) == []
    vclock.advance(minutes=1, seconds=1)
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["after_wait"]


def test_bare_iso_timer_is_taken_as_its_value(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_catch_bare_iso.bpmn")
    inst = engine.runtime.start("timer_catch_bare_iso", actor="admin")
    [timer] = engine.timers.pending(inst.id)
    assert timer.due_at == vclock.now() + timedelta(minutes=30)
    vclock.advance(minutes=31)
    engine.timers.fire_due()
    assert ready_ids(engine, inst.id) == ["after_wait"]


def test_message_between_instances_by_business_key(engine: Engine, deploy) -> None:
    deploy("message_receive.bpmn", "message_send.bpmn")
    other = engine.runtime.start("message_receive", business_key="HS-2", actor="admin")
    receiver = engine.runtime.start("message_receive", business_key="HS-1", actor="admin")
    sender = engine.runtime.start("message_send", business_key="HS-1", actor="admin")
    assert engine.runtime.get(sender.id).state == "completed"
    assert ready_ids(engine, receiver.id) == ["after_payment"]
    assert engine.runtime.get(receiver.id).data["payment"] == {"amount": 5}
    assert ready_ids(engine, other.id) == [], "a message goes only to its own business key"


def test_message_correlated_from_outside(engine: Engine, deploy) -> None:
    deploy("message_receive.bpmn")
    inst = engine.runtime.start("message_receive", business_key="HS-9", actor="chi")
    assert engine.runtime.correlate("payment_received", business_key="HS-9", payload={"amount": 7}, actor="chi") == [
        inst.id
    ]
    assert engine.runtime.get(inst.id).data["payment"] == {"amount": 7}


def test_signal_reaches_every_waiting_instance(engine: Engine, deploy) -> None:
    deploy("signal.bpmn")
    first = engine.runtime.start("signal", business_key="A", actor="admin")
    second = engine.runtime.start("signal", business_key="B", actor="admin")
    assert sorted(engine.runtime.signal("stop_all", actor="admin")) == [first.id, second.id]
    for inst in (first, second):
        assert ready_ids(engine, inst.id) == ["after_signal", "other"]


@pytest.mark.parametrize(("fail", "path"), [(True, "handle_error"), (False, "normal")])
def test_error_end_event_caught_by_boundary(engine: Engine, deploy, fail: bool, path: str) -> None:
    deploy("error_boundary.bpmn")
    inst = engine.runtime.start("error_boundary", data={"fail": fail}, actor="admin")
    assert ready_ids(engine, inst.id) == [path]


def test_parallel_multi_instance(engine: Engine, deploy) -> None:
    deploy("multi_instance_parallel.bpmn")
    inst = engine.runtime.start("multi_instance_parallel", data={"members": ["an", "binh", "chi"]}, actor="admin")
    children = ready(engine, inst.id)
    assert [t.element_id for t in children] == ["vote"] * 3
    for task in reversed(children):
        engine.tasks.complete(task.id, "admin", {"ballot": f"yes-{task.id[:4]}"})
    assert ready_ids(engine, inst.id) == ["tally"]
    assert len(engine.runtime.get(inst.id).data["votes"]) == 3


def test_sequential_multi_instance(engine: Engine, deploy) -> None:
    deploy("multi_instance_sequential.bpmn")
    inst = engine.runtime.start("multi_instance_sequential", data={"items": ["x", "y", "z"]}, actor="admin")
    for expected in ["x", "y", "z"]:
        [task] = ready(engine, inst.id)
        assert task.element_id == "handle_item"
        engine.tasks.complete(task.id, "admin", {"result": expected * 2})
    assert ready_ids(engine, inst.id) == ["summary"]
    assert engine.runtime.get(inst.id).data["results"] == ["xx", "yy", "zz"]
