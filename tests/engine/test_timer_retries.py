"""A failing timer backs off and, after the configured tries, becomes an incident; timers in back-off never
delay the others, and nothing fires twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.db import Database
from engine.models import Event, Incident, ProcessInstance, Timer
from tests.engine.conftest import ready_ids
from tests.engine.test_timers import flow, node, process, timer

MAX_ATTEMPTS = 3


def one_timer(pid: str, minutes: int) -> dict[str, bytes]:
    return process(
        pid,
        node("startEvent", "start_event", [], ["to_wait"]),
        timer("wait", minutes),
        node("userTask", "after", ["from_wait"], ["to_end_event"]),
        node("endEvent", "end_event", ["to_end_event"], []),
        flow("start_event", "wait"),
        flow("wait", "after", "from_wait"),
        flow("after", "end_event"),
    )


def test_poisoned_timers_back_off_into_incidents_and_never_starve_the_good_ones(
    database: Database, vclock: VirtualClock
) -> None:
    engine = Engine(
        Settings(database_url=database.url, timer_batch=10, timer_max_attempts=MAX_ATTEMPTS, timer_retry_base_s=60),
        database=database,
    )
    engine.ensure_admin()
    engine.repository.deploy({**one_timer("early", 5), **one_timer("late", 10)}, actor="admin")
    poisoned = [engine.runtime.start("early", actor="admin").id for _ in range(10)]  # due first
    good = [engine.runtime.start("late", actor="admin").id for _ in range(20)]
    with engine.db.transaction() as session:  # a row its worker cannot read: the firing fails, not the batch
        session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(poisoned)).values(workflow='{"broken'))
    vclock.advance(minutes=11)

    fired = engine.timers.fire_due(limit=1000)
    fired += engine.timers.fire_due(limit=1000)  # the first run met only poisoned timers and stopped
    assert fired == 20, "all twenty good timers fire while the poisoned ones back off"
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert engine.timers.fire_due(limit=1000) == 0, "in back-off: not tried before its retry time"
        vclock.advance(seconds=60 * 2 ** (attempt - 2) + 1)
        engine.timers.fire_due(limit=1000)
    vclock.advance(hours=24)
    assert engine.timers.fire_due(limit=1000) == 0

    with engine.db.reading() as session:
        timers = {t.instance_id: t for t in session.scalars(select(Timer).where(Timer.kind == "bpmn"))}
        assert {timers[i].state for i in good} == {"fired"}
        assert {(timers[i].state, timers[i].attempts) for i in poisoned} == {("failed", MAX_ATTEMPTS)}
        incidents = session.scalars(select(Incident)).all()
        assert sorted(i.instance_id for i in incidents) == sorted(poisoned)
        assert all(i.element_id == "wait" and "JSONDecodeError" in i.message for i in incidents)
        states = dict(session.execute(select(ProcessInstance.id, ProcessInstance.state)).tuples().all())
        assert {states[i] for i in poisoned} == {"error"}
        firings = Counter(e.instance_id for e in session.scalars(select(Event).where(Event.action == "timer_fired")))
        assert firings == Counter(good), "each good timer fired exactly once"


def test_retrying_the_incident_fires_the_timer_once(database: Database, vclock: VirtualClock) -> None:
    engine = Engine(Settings(database_url=database.url, timer_max_attempts=1), database=database)
    engine.ensure_admin()
    engine.repository.deploy(one_timer("early", 5), actor="admin")
    inst = engine.runtime.start("early", actor="admin")
    with engine.db.transaction() as session:
        row = session.get(ProcessInstance, inst.id)
        assert row is not None
        good_blob, row.workflow = row.workflow, '{"broken'
    vclock.advance(minutes=6)
    assert engine.timers.fire_due() == 0
    assert engine.runtime.find(inst.id).state == "error"
    with engine.db.transaction() as session:  # the cause is fixed
        session.execute(update(ProcessInstance).where(ProcessInstance.id == inst.id).values(workflow=good_blob))
    engine.runtime.retry(inst.id, actor="admin")  # the overdue timer fires in the retry's own steps
    assert engine.timers.fire_due() == 0
    after = engine.runtime.get(inst.id)
    assert after.state == "running" and after.incidents == []
    assert ready_ids(engine, inst.id) == ["after"]
