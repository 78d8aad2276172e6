"""Periodic jobs on the database: each run claimed once across racing workers, recorded with its outcome, and
managed by administrators only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.db import Database
from engine.errors import InvalidInput, PermissionDenied
from engine.models import Event, Notification
from engine.notifications import notify
from engine.scheduler import JobContext, JobRun, JobSpec
from tests.engine.test_sla import vn


def report(ctx: JobContext) -> dict[str, Any]:
    """A job whose every run leaves a notification in its transaction (what a digest or a report does)."""
    notify(ctx.session, [("group", "supervisor")], "report", f"report of {ctx.slot.isoformat()}")
    return {"slot": ctx.slot.isoformat()}


def daily(run: Callable[[JobContext], dict[str, Any]] = report, **kwargs: Any) -> JobSpec:
    return JobSpec("report", "Báo cáo", "0 8 * * *", run, grace=timedelta(days=1), **kwargs)


def workers(engine: Engine, count: int, spec: JobSpec) -> list[Engine]:
    """``count`` engines as separate processes would have them: each its own connection pool, same database."""
    found = []
    for _ in range(count):
        other = Engine(Settings(database_url=engine.db.url), database=Database(engine.db.url))
        other.jobs.register(spec)
        found.append(other)
    return found


def race(engines: list[Engine]) -> list[list[JobRun]]:
    """Every worker ticks at the same moment (released together)."""
    start = threading.Barrier(len(engines))
    results: list[list[JobRun]] = [[] for _ in engines]

    def tick(index: int) -> None:
        start.wait()
        results[index] = engines[index].jobs.tick(f"w{index}")

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def notifications(engine: Engine) -> list[str]:
    with engine.db.reading() as session:
        return list(session.scalars(select(Notification.message).order_by(Notification.id)))


@pytest.mark.parametrize("count", [2, 3])
def test_racing_workers_make_each_report_once(engine: Engine, vclock: VirtualClock, count: int) -> None:
    engine.jobs.register(daily())
    engine.jobs.tick()  # the job's settings are created now: runs are owed from here on
    engines = workers(engine, count, daily())
    try:
        for day in (3, 4, 5):  # three mornings, every worker ticking at 08:00:30
            vclock.set(vn(day, 3, 8, 0) + timedelta(seconds=30))
            results = race(engines)
            assert sorted(len(r) for r in results) == [0] * (count - 1) + [1], "one worker did the run"
    finally:
        for other in engines:
            other.db.dispose()
    assert notifications(engine) == [f"report of {vn(d, 3, 8).isoformat()}" for d in (3, 4, 5)]
    with engine.db.reading() as session:
        runs = session.scalars(select(JobRun).order_by(JobRun.slot)).all()
        audited = session.scalar(select(func.count()).select_from(Event).where(Event.action == "job_run"))
    assert [(r.outcome, r.manual) for r in runs] == [("ok", False)] * 3 and audited == 3


def test_a_worker_down_over_the_weekend_catches_up_once(engine: Engine, vclock: VirtualClock) -> None:
    engine.jobs.register(daily())
    vclock.set(vn(6, 3, 7))  # Friday
    engine.jobs.tick()
    vclock.set(vn(6, 3, 8, 1))
    assert len(engine.jobs.tick()) == 1
    vclock.set(vn(9, 3, 9, 30))  # back on Monday: Saturday's, Sunday's and Monday's slots were missed
    assert [r.slot for r in engine.jobs.tick()] == [vn(9, 3, 8)]
    assert engine.jobs.tick() == [], "done once, not as a burst"
    assert len(notifications(engine)) == 2


def test_a_failed_run_is_recorded_and_not_redone_by_the_schedule(engine: Engine, vclock: VirtualClock) -> None:
    calls = []

    def broken(ctx: JobContext) -> dict[str, Any]:
        calls.append(ctx.slot)
        notify(ctx.session, [("user", "an")], "report", "half done")
        raise RuntimeError("the report cannot be built")

    engine.jobs.register(daily(broken))
    engine.jobs.tick()
    vclock.set(vn(3, 3, 8, 5))
    [run] = engine.jobs.tick()
    assert run.outcome == "failed" and run.error == "RuntimeError: the report cannot be built"
    assert notifications(engine) == [], "its work was rolled back"
    vclock.advance(minutes=10)
    assert engine.jobs.tick() == [] and len(calls) == 1
    [view] = engine.jobs.overview()
    assert view.last is not None and view.last.outcome == "failed" and view.next_run == vn(4, 3, 8)


def test_only_administrators_manage_jobs(engine: Engine, vclock: VirtualClock) -> None:
    engine.jobs.register(daily())
    with pytest.raises(PermissionDenied):
        engine.jobs.run_now("report", "an")
    with pytest.raises(PermissionDenied):
        engine.jobs.set_enabled("report", False, "dung")
    with pytest.raises(InvalidInput) as bad:
        engine.jobs.configure("report", "admin", cron="every day", days="never", recipients=[])
    assert set(bad.value.fields) == {"cron", "days"}
    run = engine.jobs.run_now("report", "admin")
    assert run.manual and run.outcome == "ok" and run.actor == "admin"
    assert len(notifications(engine)) == 1


def test_a_paused_job_owes_nothing_and_resumes_from_its_next_slot(engine: Engine, vclock: VirtualClock) -> None:
    engine.jobs.register(daily())
    engine.jobs.tick()
    engine.jobs.set_enabled("report", False, "admin")
    vclock.set(vn(3, 3, 8, 1))
    assert engine.jobs.tick() == []
    engine.jobs.configure("report", "admin", cron="30 9 * * *", days="skip", recipients=["supervisor", " "])
    engine.jobs.set_enabled("report", True, "admin")
    [view] = engine.jobs.overview()
    assert (view.enabled, view.cron, view.days, view.recipients) == (True, "30 9 * * *", "skip", ("supervisor",))
    assert view.next_run == vn(3, 3, 9, 30)
    vclock.set(vn(3, 3, 9, 31))
    assert [r.slot for r in engine.jobs.tick()] == [vn(3, 3, 9, 30)]
