"""(6) Timers: many BPMN timers due within one minute, fired by two worker processes.

How lateness is measured, and why it is honest:

* Setup (not timed): ``timers`` instances of ``timer_bench`` (start → wait ``PT1H`` → a user task) are
  started under a virtual clock stepped so that their due times spread evenly over one window
  (a minute in the full run), starting at the virtual moment ``D0``.
* Run: every worker process installs a :class:`ShiftedClock`: the real clock, shifted so that ``D0`` falls
  at a wall moment ``W0`` a little after the workers start. Time then runs at real speed, so a timer due
  at ``D0 + x`` becomes due at exactly wall time ``W0 + x``; nothing is ever "moved" in a way that would
  make a whole backlog due at once or hide lateness.
* Workers are ``awardflow worker``: each runs the worker's own :class:`engine.worker.TimerLoop`. A tick
  claims up to ``Settings.timer_batch`` due timers and fires them in one commit; the loop then sleeps
  until the next due time, not at all after a full batch, and at most ``timer_poll_s``. The bench only
  adds an ``on_run`` hook, which takes the wall time right after each run's commit. Before the window,
  each worker warms up as a running worker would have long done (:func:`_warm_up`): otherwise its first
  firing, ~0.2–0.5 s of one-off imports and parsing, would make the first timers late.
* Lateness = the commit's wall time − the wall time the timer became due. A run reports the ids of the
  timers it fired, so every fired row gets the wall time of its own batch's commit; ``unmatched_commits``
  counts fired rows without one, or reported ids the database does not show fired by that worker.
  ``claim_lateness`` (``fired_at − due_at``, the moment the engine started firing the timer) is given too.
* ``missed``: bpmn timers still waiting at the end (the end is when none are left, or :func:`grace_s` after
  the last due time); ``twice``: timers with more than one ``timer_fired`` audit event;
  ``duplicate_tasks``: instances whose follow-up task was created more than once.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.harness import AWARD, TIMER, fresh_database, mp_context, open_engine, prepare, start_data
from bench.sizes import Sizes
from bench.stats import ms, percentile, rate
from engine import Engine, clock
from engine.models import Event, HumanTask, Timer
from engine.timers import Run
from engine.worker import TimerLoop

SETUP_START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 08:00 in Vietnam
DUE_AFTER = timedelta(hours=1)  # the diagram's PT1H
LEAD_S = 0.5  # between the moment every worker is ready and the first due time


def grace_s(window_s: float) -> float:
    """How long after the last due time the workers keep going (a backlog drains; a stall ends as missed)."""
    return max(10.0, 5 * window_s)


class ShiftedClock:
    """The wall clock moved by a fixed offset: runs at real speed, so due times arrive in real time."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _start_share(url: str, indices: list[int], count: int, window_s: float, results: Any) -> None:
    """Start the instances whose due times are ``indices`` of ``count`` steps across the window."""
    try:
        virtual = clock.VirtualClock(SETUP_START)
        clock.install(virtual)
        engine = open_engine(url)
        for i in indices:
            virtual.set(SETUP_START + timedelta(seconds=window_s * i / count))
            engine.runtime.start(TIMER, business_key=f"T-{i:06d}", data={"n": i}, actor="u_desk")
        engine.close()
        results.put({"started": len(indices)})
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


@dataclass(frozen=True)
class Plan:
    """What the timer workers share: where due times fall in wall time, and how long they may sleep."""

    url: str
    window_s: float
    poll_s: float
    #: how long after the last due time the workers keep going
    grace_s: float


def _worker(plan: Plan, name: str, ready: Any, go: Any, wall_zero: Any, results: Any) -> None:
    """A timer worker: the loop of ``awardflow worker``, with a hook that takes each run's commit time.

    It opens its engine, warms up and says it is ``ready``; once every worker is, the parent sets
    ``wall_zero`` and lets them ``go``; then the worker installs the shifted clock. It stops once no timer
    is left after the last due time, or ``plan.grace_s`` after it.
    """
    try:
        engine = open_engine(plan.url)
        _warm_up(engine, name)
        probe = create_engine(plan.url, isolation_level="AUTOCOMMIT")
        ready.wait()
        go.wait()
        zero = wall_zero.value
        clock.install(ShiftedClock(SETUP_START + DUE_AFTER - datetime.fromtimestamp(zero, UTC)))
        commits: dict[int, float] = {}
        failed = 0
        last_due_wall = zero + plan.window_s
        stop_wall = last_due_wall + plan.grace_s

        def on_run(run: Run) -> None:
            nonlocal failed
            committed = time.time()
            commits.update(dict.fromkeys(run.fired, committed))
            failed += len(run.failed)
            idle = not run.fired and committed > last_due_wall and _waiting(probe) == 0
            if idle or committed >= stop_wall:
                loop.stop.set()

        loop = TimerLoop(engine.timers, plan.poll_s, worker=name, on_run=on_run)
        loop.run()
        probe.dispose()
        engine.close()
        results.put({"name": name, "commits": commits, "failed": failed, "errors": loop.errors})
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


def _warm_up(engine: Engine, name: str) -> None:
    """Pay, before the window, the first-use costs a running worker has long paid (parsing the diagram,
    loading the holiday tables for a task's deadline, compiling statements): start a throwaway timer
    instance and a throwaway dossier (its first task gets a deadline), then cancel both (their timer rows
    and tasks go too)."""
    started = [
        engine.runtime.start(TIMER, business_key=f"warm-up-{name}", actor="u_desk"),
        engine.runtime.start(AWARD, business_key=f"warm-up-{name}", data=start_data(0), actor="u_desk"),
    ]
    for instance in started:
        engine.runtime.cancel(instance.id, actor="admin", reason="bench warm-up")


def _waiting(sql: Any) -> int:
    with sql.connect() as conn:
        return int(conn.execute(text("select count(*) from timer where state = 'waiting' and kind = 'bpmn'")).scalar())


def run_timers(url: str, sizes: Sizes, workers: int = 2, *, grace: float | None = None) -> dict[str, Any]:
    """Start ``sizes.timers`` timers due over the window, fire them with ``workers`` processes; ``grace``: how
    long past the window they may take (default :func:`grace_s`; a backlog meant to measure throughput needs
    more)."""
    engine = prepare(url)
    poll_s = sizes.timer_poll_s if sizes.timer_poll_s is not None else engine.settings.timer_poll_s
    batch = engine.settings.timer_batch
    engine.close()
    ctx = mp_context()
    results = ctx.Queue()
    started_at = time.time()
    starters = [
        ctx.Process(target=_start_share, args=(url, list(range(k, sizes.timers, workers)), sizes.timers,
                                                sizes.timer_window_s, results), daemon=True)
        for k in range(workers)
    ]  # fmt: skip
    _run(starters, results)
    setup_s = time.time() - started_at

    plan = Plan(url, sizes.timer_window_s, poll_s, grace_s(sizes.timer_window_s) if grace is None else grace)
    names = [f"bench-timer-{k}" for k in range(workers)]
    ready, go, shared_zero = ctx.Barrier(workers + 1), ctx.Barrier(workers + 1), ctx.Value("d", 0.0)
    procs = [
        ctx.Process(target=_worker, args=(plan, name, ready, go, shared_zero, results), daemon=True) for name in names
    ]
    for proc in procs:
        proc.start()
    ready.wait(timeout=300)
    wall_zero = shared_zero.value = time.time() + LEAD_S  # every worker is up: the first timer is due soon
    go.wait(timeout=60)
    reports = {r["name"]: r for r in _collect(procs, results)}
    return {
        "workers": workers,
        "timers": sizes.timers,
        "window_s": sizes.timer_window_s,
        "poll_s": poll_s,
        "batch": batch,
        "setup_s": round(setup_s, 1),
        **_outcome(url, reports, wall_zero, SETUP_START + DUE_AFTER),
    }


def _run(procs: list[Any], results: Any) -> list[dict[str, Any]]:
    for proc in procs:
        proc.start()
    return _collect(procs, results)


def _collect(procs: list[Any], results: Any) -> list[dict[str, Any]]:
    reports = [results.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise RuntimeError(errors[0])
    return reports


def _outcome(url: str, reports: dict[str, dict[str, Any]], wall_zero: float, due_zero: datetime) -> dict[str, Any]:
    engine = open_engine(url)
    try:
        with engine.db.transaction() as session:
            rows = session.execute(
                select(Timer.id, Timer.due_at, Timer.state, Timer.fired_at, Timer.fired_by).where(Timer.kind == "bpmn")
            ).all()
            twice = session.scalar(
                select(func.count()).select_from(
                    select(Event.instance_id, Event.task_id)
                    .where(Event.action == "timer_fired")
                    .group_by(Event.instance_id, Event.task_id)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
            duplicate_tasks = session.scalar(
                select(func.count()).select_from(
                    select(HumanTask.instance_id).group_by(HumanTask.instance_id).having(func.count() > 1).subquery()
                )
            )
    finally:
        engine.close()
    lateness, claim, unmatched = [], [], 0
    for name, report in reports.items():
        mine = {r.id: r for r in rows if r.fired_by == name and r.state == "fired"}
        unmatched += len(mine.keys() ^ report["commits"].keys())
        for timer_id in mine.keys() & report["commits"].keys():
            row = mine[timer_id]
            due_wall = wall_zero + (row.due_at - due_zero).total_seconds()
            lateness.append(report["commits"][timer_id] - due_wall)
            claim.append((row.fired_at - row.due_at).total_seconds())
    fired = sum(1 for r in rows if r.state == "fired")
    commits = [c for r in reports.values() for c in r["commits"].values()]
    return {
        "fired": fired,
        "missed": sum(1 for r in rows if r.state == "waiting"),
        "twice": int(twice or 0),
        "duplicate_tasks": int(duplicate_tasks or 0),
        "worker_errors": sum(r["errors"] for r in reports.values()),
        "failed_firings": sum(r["failed"] for r in reports.values()),
        "unmatched_commits": unmatched,
        "fired_per_worker": {name: len(r["commits"]) for name, r in reports.items()},
        "fired_per_s": rate(len(commits), max(commits) - wall_zero) if commits else None,
        "lateness_p50_ms": ms(percentile(lateness, 50)),
        "lateness_p99_ms": ms(percentile(lateness, 99)),
        "lateness_max_ms": ms(max(lateness)) if lateness else None,
        "claim_lateness_p50_ms": ms(percentile(claim, 50)),
        "claim_lateness_p99_ms": ms(percentile(claim, 99)),
    }


def measure(sizes: Sizes, pg_url: str | None) -> dict[str, Any]:
    kind = "postgresql" if pg_url else "sqlite"
    with fresh_database(kind, pg_url) as url:
        out = {"database": kind, **run_timers(url, sizes)}
    if not pg_url:
        out["note"] = "no PostgreSQL URL: ran on SQLite, where the write lock serializes the two workers"
    return out
