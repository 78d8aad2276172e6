"""The worker's schedule on APScheduler, in the background of `serve` or in the foreground of `worker`.

Two APScheduler jobs with date triggers, each re-armed by a job listener once its run is over (so a run never
overlaps itself, and the next one is placed from what the run saw). Each arming is a new job with its own id: a
run that ends before APScheduler has finished submitting it calls the listener inside the scheduler's own loop,
which then removes the spent job by id, and would remove a re-armed job of the same id with it.

- ``timers`` runs the timer job (:meth:`TimerService.run_job`: one batch, one commit) and is re-armed for as
  long as the run says nothing can be due: not at all after a full batch, until the next due time otherwise,
  and never longer than ``timer_poll_s``, so that a timer another process writes meanwhile is seen within that.
  The timer table stays the source of truth; APScheduler only says when to look.
- ``periodic`` ticks the periodic jobs (:meth:`SchedulerService.tick`: each owed run claimed in the database)
  and is re-armed at the next run's due time, at most ``jobs_poll_s`` ahead.

Durations come from :mod:`engine.clock` (a virtual or shifted clock in tests and the bench); APScheduler gets
wall-clock run dates (:func:`engine.clock.wall`). Both jobs coalesce and have no misfire limit: a process that
was suspended past a run date runs it once on waking. Missed *periodic* runs across restarts are the database's
business (:func:`engine.schedule.owed`: coalesced, within each job's grace).
"""

from __future__ import annotations

import itertools
import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

from engine import clock
from engine.scheduler import SchedulerService
from engine.timers import Run, TimerService

log = logging.getLogger(__name__)

TIMER_JOB = "timers"
PERIODIC_JOB = "periodic"


class TimerLoop:
    """The worker: the timer job, and the periodic jobs when given, on an APScheduler scheduler, until
    :attr:`stop` is set; ``on_run`` sees every run of the timer job."""

    def __init__(
        self,
        timers: TimerService,
        poll_s: float,
        *,
        jobs: SchedulerService | None = None,
        jobs_poll_s: float = 60.0,
        worker: str | None = None,
        on_run: Callable[[Run], None] | None = None,
    ) -> None:
        self.timers = timers
        self.poll_s = poll_s
        self.jobs = jobs
        self.jobs_poll_s = jobs_poll_s
        self.worker = worker
        self.on_run = on_run
        self.stop = threading.Event()
        #: runs that failed as a whole (the database was unreachable, ...); each is retried after ``poll_s``
        self.errors = 0
        self._scheduler: BackgroundScheduler | None = None
        self._armings = itertools.count(1)

    def tick(self) -> float:
        """Run the timer job once; returns the seconds to wait before the next run."""
        try:
            run = self.timers.run_job(self.worker)
        except Exception:
            self.errors += 1
            log.exception("timer job failed; trying again in %s s", self.poll_s)
            return self.poll_s
        if self.on_run is not None:
            self.on_run(run)
        return self.wait_s(run)

    def wait_s(self, run: Run) -> float:
        """How long nothing can become due after ``run``, capped at ``poll_s``."""
        if run.full:
            return 0.0
        if run.next_due is None:
            return self.poll_s
        return min(self.poll_s, max(0.0, (run.next_due - clock.now()).total_seconds()))

    def tick_jobs(self) -> float:
        """Run what the periodic jobs owe now; returns the seconds until the next is due (at most
        ``jobs_poll_s``)."""
        if self.jobs is None:
            return self.jobs_poll_s
        try:
            self.jobs.tick(self.worker)
            upcoming = self.jobs.next_wake()
        except Exception:
            self.errors += 1
            log.exception("periodic jobs failed; trying again in %s s", self.poll_s)
            return self.poll_s
        if upcoming is None:
            return self.jobs_poll_s
        return min(self.jobs_poll_s, max(0.0, (upcoming - clock.now()).total_seconds()))

    def run(self) -> None:
        """Run the schedule until :attr:`stop` is set (then wait for the running job to end)."""
        scheduler = BackgroundScheduler(
            timezone="UTC", job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1}
        )
        scheduler.add_listener(self._rearm, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        self._scheduler = scheduler
        scheduler.start()
        self._arm(TIMER_JOB, 0.0)
        if self.jobs is not None:
            self._arm(PERIODIC_JOB, 0.0)
        try:
            while not self.stop.wait(_WAKE_S):
                pass
        finally:
            self.stop.set()
            scheduler.shutdown(wait=True)

    def _arm(self, kind: str, delay_s: float) -> None:
        """Place the next run of ``kind`` (the timer job or the periodic tick) ``delay_s`` from now."""
        scheduler = self._scheduler
        if scheduler is None or self.stop.is_set():
            return
        work = self.tick if kind == TIMER_JOB else self.tick_jobs
        when = clock.wall() + timedelta(seconds=delay_s)
        scheduler.add_job(work, DateTrigger(run_date=when), id=f"{kind}-{next(self._armings)}", name=kind)

    def _rearm(self, event: JobExecutionEvent) -> None:
        """The job listener: a run is over, place the next from what it returned."""
        delay = self.poll_s if event.exception is not None else float(event.retval)
        self._arm(event.job_id.rsplit("-", 1)[0], delay)


#: How often the waiting loop wakes. Python runs a signal's handler only in the main thread, and a signal the
#: kernel gave to another thread (the scheduler's) does not end a wait without a timeout: `serve` then found the
#: worker still running 30 s after its SIGTERM, now and then, and killed it.
_WAKE_S = 0.5


def _quiet_apscheduler() -> None:
    """APScheduler logs every run at INFO ("Running job ..."): once a second for the timer job. Keep its
    warnings and errors only."""
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def start_background(
    timers: TimerService, poll_s: float, *, jobs: SchedulerService | None = None, jobs_poll_s: float = 60.0
) -> TimerLoop:
    """Run the worker in a daemon thread of this process (the embedded default of `serve`)."""
    _quiet_apscheduler()
    loop = TimerLoop(timers, poll_s, jobs=jobs, jobs_poll_s=jobs_poll_s)
    threading.Thread(target=loop.run, name="awardflow-worker", daemon=True).start()
    return loop


def run_blocking(
    timers: TimerService, poll_s: float, *, jobs: SchedulerService | None = None, jobs_poll_s: float = 60.0
) -> None:
    """Run the worker until interrupted or terminated (`awardflow worker`). SIGTERM, what service managers and
    `serve` send, ends it as Ctrl-C does: the running batch commits (or rolls back) before the process exits."""
    _quiet_apscheduler()
    loop = TimerLoop(timers, poll_s, jobs=jobs, jobs_poll_s=jobs_poll_s)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: loop.stop.set())
    log.info("worker started; timers looked at within %s s, periodic jobs within %s s", poll_s, jobs_poll_s)
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.stop.set()
