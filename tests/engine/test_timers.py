"""The timer table and its worker: exactly once, with several workers, and catching up after downtime."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.models import Timer
from tests.engine.conftest import BPMN, ready_ids


def test_each_due_timer_fires_exactly_once_with_competing_workers(
    engine: Engine, deploy, handlers, vclock: VirtualClock
) -> None:
    deploy("timer_catch.bpmn")
    instances = [engine.runtime.start("timer_catch", business_key=f"T-{i}", actor="admin") for i in range(12)]
    vclock.advance(minutes=31)
    second = Engine(Settings(database_url=engine.db.url), handlers=handlers)  # another worker process's engine
    fired: list[int] = []

    def work(eng: Engine, name: str) -> None:
        fired.append(eng.timers.fire_due(limit=100, worker=name))

    threads = [threading.Thread(target=work, args=(e, n)) for e, n in ((engine, "w1"), (second, "w2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert sum(fired) == 12
    with engine.db.transaction() as session:
        rows = list(session.scalars(select(Timer)))
    assert len(rows) == 12 and all(r.state == "fired" for r in rows)
    for inst in instances:
        assert ready_ids(engine, inst.id) == ["after_wait"]
        assert [e.action for e in engine.history.for_instance(inst.id)].count("timer_fired") == 1


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


def test_the_scheduled_job_fires_at_most_the_configured_batch(database, handlers, vclock: VirtualClock) -> None:
    eng = Engine(Settings(database_url=database.url, timer_batch=2), handlers=handlers, database=database)
    eng.ensure_admin()
    eng.repository.deploy({"timer_catch.bpmn": (BPMN / "timer_catch.bpmn").read_bytes()}, actor="admin")
    for i in range(3):
        eng.runtime.start("timer_catch", business_key=f"B-{i}", actor="admin")
    vclock.advance(minutes=31)
    assert eng.timers.run_job() == 2, "Settings.timer_batch caps one run"
    assert eng.timers.run_job() == 1, "the rest waits for the next run"
