"""The timer worker's loop: how long it sleeps between runs (on the virtual clock: nothing here sleeps)."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.models import ProcessInstance
from engine.timers import Run
from engine.worker import TimerLoop, run_blocking
from tests.engine.conftest import BPMN

POLL_S = 1.0


@pytest.fixture
def timer_catch(engine: Engine) -> None:
    engine.repository.deploy({"timer_catch.bpmn": (BPMN / "timer_catch.bpmn").read_bytes()}, actor="admin")


def start(engine: Engine, count: int) -> list[int]:
    return [engine.runtime.start("timer_catch", business_key=f"L-{i}", actor="admin").id for i in range(count)]


def batched(engine: Engine, batch: int) -> Engine:
    return Engine(Settings(database_url=engine.db.url, timer_batch=batch), database=engine.db)


def test_an_idle_worker_sleeps_the_whole_poll_interval(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    loop = TimerLoop(engine.timers, POLL_S)
    assert loop.tick() == POLL_S, "no timer at all"
    start(engine, 1)  # due in 30 minutes
    assert loop.tick() == POLL_S, "the next timer is further away than the poll interval"


def test_an_idle_tick_only_reads_one_row(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    """An idle worker does not hammer the database: no claim, no write lock (SQLite's BEGIN IMMEDIATE)."""
    start(engine, 1)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(" ".join(statement.split()).upper())

    event.listen(engine.db.engine, "before_cursor_execute", record)
    try:
        TimerLoop(engine.timers, POLL_S).tick()
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", record)
    assert [s.split()[0] for s in statements if s != "BEGIN"] == ["SELECT"]
    assert "FOR " not in statements[-1] and "LIMIT" not in statements[-1]


def test_the_worker_wakes_when_the_next_timer_falls_due(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    start(engine, 1)
    [timer] = engine.timers.pending()
    vclock.set(timer.due_at - timedelta(seconds=0.25))
    runs: list[Run] = []
    loop = TimerLoop(engine.timers, POLL_S, on_run=runs.append)
    assert loop.tick() == pytest.approx(0.25)
    assert runs[-1].fired == () and runs[-1].next_due == timer.due_at
    vclock.advance(seconds=0.25, microseconds=1)
    assert loop.tick() == POLL_S
    assert runs[-1].fired == (timer.id,)


def test_after_a_full_batch_the_worker_runs_again_at_once(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    start(engine, 5)
    vclock.advance(minutes=31)
    runs: list[Run] = []
    loop = TimerLoop(batched(engine, 2).timers, POLL_S, on_run=runs.append)
    assert [loop.tick() for _ in range(3)] == [0.0, 0.0, POLL_S]
    assert [len(r.fired) for r in runs] == [2, 2, 1]


def test_a_full_batch_that_fired_nothing_does_not_spin(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    broken = start(engine, 2)
    with engine.db.transaction() as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id.in_(broken)).values(workflow="{}"))
    vclock.advance(minutes=31)
    runs: list[Run] = []
    loop = TimerLoop(batched(engine, 2).timers, POLL_S, on_run=runs.append)
    assert loop.tick() == POLL_S
    assert len(runs[-1].failed) == 2 and not runs[-1].full


def test_the_loop_runs_until_stopped(engine: Engine, timer_catch, vclock: VirtualClock) -> None:
    start(engine, 3)
    vclock.advance(minutes=31)
    fired: list[int] = []

    def on_run(run: Run) -> None:
        fired.extend(run.fired)
        if not run.full:
            loop.stop.set()

    loop = TimerLoop(batched(engine, 2).timers, POLL_S, on_run=on_run)
    loop.run()
    assert len(fired) == 3 and loop.errors == 0


def test_the_scheduler_fires_timers_batch_after_batch_and_runs_periodic_jobs(
    engine: Engine, timer_catch, vclock: VirtualClock
) -> None:
    """APScheduler runs the worker: the timer job is re-armed after each run (at once after a full batch), and
    the periodic tick does what is owed. Waits on events, never sleeps; the virtual clock does not move."""
    from engine.scheduler import JobContext, JobSpec

    periodic = threading.Event()

    def job(ctx: JobContext) -> dict[str, object]:
        periodic.set()
        return {}

    engine.jobs.register(JobSpec("probe", "Thử", "0 * * * *", job))
    engine.jobs.tick()  # created now; its 09:00 slot falls due below
    start(engine, 3)
    vclock.advance(minutes=61)
    fired: list[int] = []
    all_fired = threading.Event()

    def on_run(run: Run) -> None:
        fired.extend(run.fired)
        if len(fired) == 3:
            all_fired.set()

    loop = TimerLoop(batched(engine, 1).timers, POLL_S, jobs=engine.jobs, on_run=on_run)
    worker = threading.Thread(target=loop.run)
    worker.start()
    try:
        assert all_fired.wait(20), f"fired {fired}"
        assert periodic.wait(20)
    finally:
        loop.stop.set()
        worker.join(20)
    assert not worker.is_alive() and loop.errors == 0
    assert len(set(fired)) == 3 and engine.timers.pending() == []


def test_the_timer_job_keeps_being_rearmed_however_fast_its_runs_end(engine: Engine, vclock: VirtualClock) -> None:
    """Idle runs back to back (no wait between them), each re-arming the next from the job listener. (A run that
    ends before APScheduler has finished submitting it re-arms from inside the scheduler's loop; that race is
    rare and the bench met it, this test seldom does: it holds the re-arming itself.)"""
    runs = 0
    enough = threading.Event()

    def on_run(_run: Run) -> None:
        nonlocal runs
        runs += 1
        if runs == 500:
            enough.set()

    loop = TimerLoop(engine.timers, 0.0, on_run=on_run)
    worker = threading.Thread(target=loop.run)
    worker.start()
    try:
        assert enough.wait(60), f"the worker stopped after {runs} runs"
    finally:
        loop.stop.set()
        worker.join(20)


def test_a_sigterm_that_reaches_another_thread_still_stops_the_worker(engine: Engine) -> None:
    """The kernel may give a process's SIGTERM to any of its threads; Python runs the handler in the main thread
    only, so a worker waiting without a timeout never saw one that reached the scheduler's thread (`serve`
    killed it after 30 s). Here the signal is sent to a thread of the test's own, as the kernel may."""
    original = signal.signal(signal.SIGTERM, lambda *_: None)  # a signal sent too early: nothing happens
    ours = signal.getsignal(signal.SIGTERM)
    done, rescued = threading.Event(), threading.Event()

    def sender() -> None:
        while signal.getsignal(signal.SIGTERM) is ours:  # until the worker has put its handler in
            if done.wait(0.01):
                return
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        if not done.wait(10):  # the worker did not stop: unblock it the way that always works, and say so
            rescued.set()
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGTERM)

    thread = threading.Thread(target=sender)
    thread.start()
    try:
        run_blocking(engine.timers, POLL_S)
    finally:
        done.set()
        thread.join()
        signal.signal(signal.SIGTERM, original)
    assert not rescued.is_set(), "the worker stopped only when the main thread itself got the signal"
