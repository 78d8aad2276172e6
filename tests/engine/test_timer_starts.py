"""Timer start events start instances from the timer table: a date, a duration, a cycle and a working-time
helper, each occurrence exactly once (also with two workers, and after downtime)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine import Engine
from engine.clock import VirtualClock
from engine.models import Timer
from tests.engine.conftest import files, race_timer_workers, ready_ids


def start_rows(engine: Engine) -> list[Timer]:
    with engine.db.reading() as session:
        return list(session.scalars(select(Timer).where(Timer.kind == "start").order_by(Timer.id)))


def instances(engine: Engine, key: str) -> list[int]:
    return sorted(i.id for i in engine.runtime.list(process_key=key))


def test_a_date_starts_one_instance_when_it_comes(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_start_date.bpmn")
    [row] = start_rows(engine)
    assert row.due_at == datetime(2026, 3, 5, 2, 0, tzinfo=UTC) and row.instance_id is None
    vclock.set(datetime(2026, 3, 5, 1, 59, tzinfo=UTC))
    assert engine.timers.fire_due() == 0 and instances(engine, "timer_start_date") == []
    vclock.advance(minutes=2)
    assert engine.timers.fire_due() == 1
    [started] = instances(engine, "timer_start_date")
    assert ready_ids(engine, started) == ["review"]
    assert engine.runtime.get(started).started_by == "timer"
    vclock.advance(days=30)
    assert engine.timers.fire_due() == 0 and len(instances(engine, "timer_start_date")) == 1


def test_a_duration_counts_from_the_deployment(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deployed_at = vclock.now()
    deploy("timer_start_duration.bpmn")
    [row] = start_rows(engine)
    assert row.due_at == deployed_at + timedelta(hours=2)
    vclock.advance(hours=2, seconds=1)
    engine.timers.fire_due()
    assert len(instances(engine, "timer_start_duration")) == 1


def test_a_cycle_starts_one_instance_per_occurrence(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_start_cycle.bpmn")  # R3/PT1H
    for hour in (1, 2, 3):
        vclock.advance(hours=1, seconds=1)
        engine.timers.fire_due()
        started = instances(engine, "timer_start_cycle")
        assert len(started) == hour
        assert ready_ids(engine, started[-1]) == ["review"]  # one token each, never two in one instance
    vclock.advance(hours=5)
    assert engine.timers.fire_due() == 0 and len(instances(engine, "timer_start_cycle")) == 3


def test_missed_occurrences_are_caught_up_once_each(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_start_cycle.bpmn")
    vclock.advance(hours=10)  # the worker was down for all three
    while engine.timers.fire_due():  # as the worker's runs do: each fired occurrence arms the next
        pass
    assert len(instances(engine, "timer_start_cycle")) == 3


def test_working_time_helpers_set_the_date(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_start_workdays.bpmn")  # working_days_after(2), deployed Monday 08:00
    [row] = start_rows(engine)
    assert row.due_at.astimezone(UTC) > vclock.now() + timedelta(days=1)
    vclock.set(row.due_at + timedelta(seconds=1))
    engine.timers.fire_due()
    assert len(instances(engine, "timer_start_workdays")) == 1


def test_a_new_version_replaces_the_old_ones_start_timers(engine: Engine, deploy, vclock: VirtualClock) -> None:
    deploy("timer_start_cycle.bpmn")
    text = files("timer_start_cycle.bpmn")["timer_start_cycle.bpmn"].replace(b'name="Review"', b'name="Check"')
    engine.repository.deploy({"timer_start_cycle.bpmn": text}, actor="admin")
    old, new = start_rows(engine)
    assert (old.state, new.state) == ("cancelled", "waiting")
    vclock.advance(hours=1, seconds=1)
    engine.timers.fire_due()
    [started] = instances(engine, "timer_start_cycle")
    assert engine.runtime.get(started).definition_version == 2


def test_started_by_hand_it_starts_at_once_with_one_token(engine: Engine, deploy) -> None:
    deploy("timer_start_cycle.bpmn")
    inst = engine.runtime.start("timer_start_cycle", actor="admin")
    assert ready_ids(engine, inst.id) == ["review"]


def test_each_occurrence_starts_exactly_one_instance_with_competing_workers(
    engine: Engine, deploy, vclock: VirtualClock
) -> None:
    deploy("timer_start_cycle.bpmn", "timer_start_date.bpmn", "timer_start_duration.bpmn")
    vclock.set(datetime(2026, 3, 9, 1, 0, tzinfo=UTC))  # every occurrence is due
    race_timer_workers(engine.db.url)
    keys = ("timer_start_cycle", "timer_start_date", "timer_start_duration")
    counts = {key: len(instances(engine, key)) for key in keys}
    assert counts == {"timer_start_cycle": 3, "timer_start_date": 1, "timer_start_duration": 1}
    assert [r.state for r in start_rows(engine)] == ["fired"] * 5
