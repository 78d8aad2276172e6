"""The timer table and its worker: exactly once, with several workers, in batches, and catching up after
downtime."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.models import HumanTask, ProcessInstance, Timer
from tests.engine.conftest import BPMN, ready_ids

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def process(pid: str, *elements: str) -> dict[str, bytes]:
    """A one-process bundle from flow elements (no layout: these diagrams exist for the tests only)."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="{XSI}" '
        f'id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="{pid}" isExecutable="true">{"".join(elements)}</bpmn:process></bpmn:definitions>'
    )
    return {f"{pid}.bpmn": xml.encode()}


def node(tag: str, id_: str, incoming: list[str], outgoing: list[str], inner: str = "") -> str:
    flows = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming)
    flows += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing)
    return f'<bpmn:{tag} id="{id_}">{flows}{inner}</bpmn:{tag}>'


def timer(id_: str, minutes: int) -> str:
    duration = f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT{minutes}M"</bpmn:timeDuration>'
    inner = f"<bpmn:timerEventDefinition>{duration}</bpmn:timerEventDefinition>"
    return node("intermediateCatchEvent", id_, [f"to_{id_}"], [f"from_{id_}"], inner)


def flow(source: str, target: str, id_: str | None = None) -> str:
    return f'<bpmn:sequenceFlow id="{id_ or f"to_{target}"}" sourceRef="{source}" targetRef="{target}"/>'


#: two timers of one instance, in parallel branches (30 and 40 minutes), joined before a user task
TWO_TIMERS = process(
    "two_timers",
    node("startEvent", "start_event", [], ["to_split"]),
    node("parallelGateway", "split", ["to_split"], ["to_wait_a", "to_wait_b"]),
    timer("wait_a", 30),
    timer("wait_b", 40),
    node("parallelGateway", "join", ["from_wait_a", "from_wait_b"], ["to_after_wait"]),
    node("userTask", "after_wait", ["to_after_wait"], ["to_end_event"]),
    node("endEvent", "end_event", ["to_end_event"], []),
    flow("start_event", "split"),
    flow("split", "wait_a"),
    flow("split", "wait_b"),
    flow("wait_a", "join", "from_wait_a"),
    flow("wait_b", "join", "from_wait_b"),
    flow("join", "after_wait"),
    flow("after_wait", "end_event"),
)

#: a 30-minute timer, then a script that fails (an incident) when the instance's ``divisor`` is 0
TIMER_THEN_SCRIPT = process(
    "timer_then_script",
    node("startEvent", "start_event", [], ["to_wait"]),
    timer("wait", 30),
    node("scriptTask", "divide", ["from_wait"], ["to_after_wait"], "<bpmn:script>result = 1 / divisor</bpmn:script>"),
    node("userTask", "after_wait", ["to_after_wait"], ["to_end_event"]),
    node("endEvent", "end_event", ["to_end_event"], []),
    flow("start_event", "wait"),
    flow("wait", "divide", "from_wait"),
    flow("divide", "after_wait"),
    flow("after_wait", "end_event"),
)


def with_batch(engine: Engine, handlers, batch: int) -> Engine:
    """Another engine on the same database (another worker process's) with its own ``timer_batch``."""
    return Engine(Settings(database_url=engine.db.url, timer_batch=batch), handlers=handlers)


def timer_fired_count(engine: Engine, instance_id: int) -> int:
    return [e.action for e in engine.history.for_instance(instance_id)].count("timer_fired")


@pytest.mark.parametrize("batch", [1, 5])
def test_each_due_timer_fires_exactly_once_with_competing_workers(
    engine: Engine, deploy, handlers, vclock: VirtualClock, batch: int
) -> None:
    deploy("timer_catch.bpmn")
    engine.repository.deploy(TWO_TIMERS, actor="admin")
    single = [engine.runtime.start("timer_catch", business_key=f"T-{i}", actor="admin").id for i in range(12)]
    double = [engine.runtime.start("two_timers", business_key=f"D-{i}", actor="admin").id for i in range(4)]
    vclock.advance(minutes=41)
    workers = {name: with_batch(engine, handlers, batch) for name in ("w1", "w2")}  # two worker processes
    fired: dict[str, list[int]] = {name: [] for name in workers}

    def work(name: str) -> None:  # like the worker's loop: run again at once while the batch was full
        full = True
        while full:
            run = workers[name].timers.run_job(name)
            fired[name].extend(run.fired)
            full = run.full

    threads = [threading.Thread(target=work, args=(name,)) for name in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for eng in workers.values():
        eng.close()
    every = fired["w1"] + fired["w2"]
    assert len(every) == len(set(every)), "no timer is fired twice"
    with engine.db.reading() as session:
        rows = {r.id: r for r in session.scalars(select(Timer))}
        follow_ups = list(session.scalars(select(HumanTask.instance_id).where(HumanTask.element_id == "after_wait")))
    assert not [r for r in rows.values() if r.state == "waiting"]
    assert sorted(every) == sorted(i for i, r in rows.items() if r.state == "fired")
    assert all(rows[i].fired_by == name for name, ids in fired.items() for i in ids)
    assert sorted(follow_ups) == sorted(single + double), "each instance went on exactly once"
    for instance_id in single:
        assert timer_fired_count(engine, instance_id) == 1
    for instance_id in double:  # firing one runs Spiff past every timer of the instance that is due
        assert timer_fired_count(engine, instance_id) in (1, 2)


def test_worker_catches_up_after_downtime(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_catch.bpmn", "boundary_timer_interrupting.bpmn")
    a = engine.runtime.start("timer_catch", actor="admin")
    b = engine.runtime.start("boundary_timer_interrupting", actor="admin")
    vclock.advance(days=3)  # the worker was down for three days
    assert engine.timers.fire_due() == 2
    assert ready_ids(engine, a.id) == ["after_wait"] and ready_ids(engine, b.id) == ["escalated"]
    with engine.db.transaction() as session:
        fired = list(session.scalars(select(Timer).where(Timer.state == "fired").order_by(Timer.due_at)))
    assert [t.fired_at for t in fired] == [vclock.now(), vclock.now()]
    assert fired[0].due_at < fired[1].due_at


def test_timer_not_yet_due_is_left_alone(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_catch.bpmn")
    inst = engine.runtime.start("timer_catch", actor="admin")
    [timer] = engine.timers.pending(inst.id)
    vclock.set(timer.due_at - timedelta(seconds=1))
    assert engine.timers.fire_due() == 0
    assert engine.timers.pending(inst.id)[0].state == "waiting"


def test_a_row_due_before_the_workflow_s_own_time_is_armed_again(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_catch.bpmn")
    inst = engine.runtime.start("timer_catch", actor="admin")
    [timer] = engine.timers.pending(inst.id)
    with engine.db.transaction() as session:  # a row that says "due" while the workflow's timer is not
        session.execute(update(Timer).where(Timer.id == timer.id).values(due_at=vclock.now() - timedelta(hours=1)))
    assert engine.timers.fire_due() == 1
    [again] = engine.timers.pending(inst.id)
    assert again.id != timer.id and again.due_at == timer.due_at, "the workflow still waits: a new row"
    vclock.set(timer.due_at + timedelta(seconds=1))
    assert engine.timers.fire_due() == 1
    assert ready_ids(engine, inst.id) == ["after_wait"]


def test_the_scheduled_job_fires_at_most_the_configured_batch_in_due_order(
    database, handlers, vclock: VirtualClock
) -> None:
    eng = Engine(Settings(database_url=database.url, timer_batch=2), handlers=handlers, database=database)
    eng.ensure_admin()
    eng.repository.deploy({"timer_catch.bpmn": (BPMN / "timer_catch.bpmn").read_bytes()}, actor="admin")
    for i in range(3):
        eng.runtime.start("timer_catch", business_key=f"B-{i}", actor="admin")
        vclock.advance(minutes=1)
    by_due = [t.id for t in eng.timers.pending()]
    vclock.advance(minutes=31)
    first = eng.timers.run_job()
    assert first.fired == tuple(by_due[:2]) and first.full, "Settings.timer_batch caps one run; earliest first"
    second = eng.timers.run_job()
    assert second.fired == (by_due[2],) and not second.full, "the rest waits for the next run"
    assert second.next_due is None


def test_a_timer_that_fails_is_rolled_back_alone_and_left_for_a_later_run(
    engine: Engine, deploy, vclock: VirtualClock
) -> None:
    deploy("timer_catch.bpmn")
    ids = []
    for i in range(3):  # due a minute apart, so the broken one is in the middle of the batch
        ids.append(engine.runtime.start("timer_catch", business_key=f"F-{i}", actor="admin").id)
        vclock.advance(minutes=1)
    broken = ids[1]
    [timer] = engine.timers.pending(broken)
    with engine.db.transaction() as session:
        saved = session.get(ProcessInstance, broken).workflow
        session.execute(update(ProcessInstance).where(ProcessInstance.id == broken).values(workflow="{}"))
    vclock.advance(minutes=31)
    run = engine.timers.run_job()
    assert run.failed == (timer.id,) and len(run.fired) == 2
    assert ready_ids(engine, ids[0]) == ready_ids(engine, ids[2]) == ["after_wait"], "the others committed"
    assert [t.id for t in engine.timers.pending()] == [timer.id], "the broken one still waits"
    with engine.db.transaction() as session:  # repaired, a later run fires it
        session.execute(update(ProcessInstance).where(ProcessInstance.id == broken).values(workflow=saved))
    assert engine.timers.run_job().fired == (), "it backs off first"
    vclock.advance(seconds=engine.settings.timer_retry_base_s + 1)
    assert engine.timers.run_job().fired == (timer.id,)
    assert ready_ids(engine, broken) == ["after_wait"]
    assert [timer_fired_count(engine, i) for i in ids] == [1, 1, 1]


def test_an_incident_in_a_batch_is_that_timer_s_outcome_and_the_others_fire(
    engine: Engine, vclock: VirtualClock
) -> None:
    engine.repository.deploy(TIMER_THEN_SCRIPT, actor="admin")
    ids = [engine.runtime.start("timer_then_script", data={"divisor": d}, actor="admin").id for d in (1, 0, 1)]
    vclock.advance(minutes=31)
    run = engine.timers.run_job()
    assert len(run.fired) == 3 and not run.failed
    failing = engine.runtime.get(ids[1])
    assert failing.state == "error" and [i["element_id"] for i in failing.incidents] == ["divide"]
    assert ready_ids(engine, ids[0]) == ready_ids(engine, ids[2]) == ["after_wait"]
    assert not engine.timers.pending()


def test_two_due_timers_of_one_instance_in_one_batch(engine: Engine, vclock: VirtualClock) -> None:
    engine.repository.deploy(TWO_TIMERS, actor="admin")
    inst = engine.runtime.start("two_timers", actor="admin")
    vclock.advance(minutes=41)
    run = engine.timers.run_job()
    with engine.db.reading() as session:
        rows = list(session.scalars(select(Timer).where(Timer.instance_id == inst.id)))
        tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == inst.id)))
    # firing the first runs Spiff past both; the second's row goes with that commit and is skipped, not fired
    assert [(r.element_id, r.state) for r in rows] == [("wait_a", "fired")]
    assert run.fired == (rows[0].id,) and not run.failed
    assert timer_fired_count(engine, inst.id) == 1
    assert [t.element_id for t in tasks] == ["after_wait"]
