"""The timer worker's loop, in the background of `serve` or in the foreground of `worker`.

Each tick is one run of the timer job (:meth:`TimerService.run_job`: one batch, one commit). The loop then
sleeps for as long as the run says nothing can be due: not at all after a full batch, until the next due
time otherwise, and never longer than ``timer_poll_s``, so that a timer another process writes meanwhile
is seen within that. An idle worker thus runs one tick (a claim and a look at the next due time) per
``timer_poll_s``, and a due timer waits for no poll interval.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from engine import clock
from engine.timers import Run, TimerService

log = logging.getLogger(__name__)


class TimerLoop:
    """Runs the timer job tick after tick until :attr:`stop` is set; ``on_run`` sees every run."""

    def __init__(
        self,
        timers: TimerService,
        poll_s: float,
        *,
        worker: str | None = None,
        on_run: Callable[[Run], None] | None = None,
    ) -> None:
        self.timers = timers
        self.poll_s = poll_s
        self.worker = worker
        self.on_run = on_run
        self.stop = threading.Event()
        #: runs that failed as a whole (the database was unreachable, ...); each is retried after ``poll_s``
        self.errors = 0

    def tick(self) -> float:
        """Run the job once; returns the seconds to sleep before the next tick."""
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

    def run(self) -> None:
        while not self.stop.is_set():
            self.stop.wait(self.tick())


def start_background(timers: TimerService, poll_s: float) -> TimerLoop:
    """Run the timer loop in a daemon thread of this process (the embedded default of `serve`)."""
    loop = TimerLoop(timers, poll_s)
    threading.Thread(target=loop.run, name="awardflow-timers", daemon=True).start()
    return loop


def run_blocking(timers: TimerService, poll_s: float) -> None:
    """Run the timer loop until interrupted (`awardflow worker`)."""
    loop = TimerLoop(timers, poll_s)
    log.info("timer worker started; sleeping at most %s s between runs", poll_s)
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.stop.set()
