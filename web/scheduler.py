"""APScheduler glue: the timer job, in the background of `serve` or in the foreground of `worker`."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.timers import TimerService

log = logging.getLogger(__name__)


def _add_job(scheduler: BaseScheduler, timers: TimerService, poll_s: float) -> None:
    scheduler.add_job(timers.run_job, "interval", seconds=poll_s, id="fire_due_timers", max_instances=1, coalesce=True)


def start_background(timers: TimerService, poll_s: float) -> BackgroundScheduler:
    """Run the timer job in a thread of this process (the embedded default of `serve`)."""
    scheduler = BackgroundScheduler(daemon=True)
    _add_job(scheduler, timers, poll_s)
    scheduler.start()
    return scheduler


def run_blocking(timers: TimerService, poll_s: float) -> None:
    """Run the timer job until interrupted (`awardflow worker`)."""
    scheduler = BlockingScheduler()
    _add_job(scheduler, timers, poll_s)
    log.info("timer worker started; polling every %s s", poll_s)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
