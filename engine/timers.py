"""The timer table's worker: fire every due timer exactly once, also with several workers, and catch up.

One run of the job claims up to ``batch`` due rows, in due order, and fires them in one transaction, inside one
savepoint; when one of them fails, the savepoint is rolled back and they are fired again each inside its own: a
timer that fails (a bug, a broken row, a bound passed) is rolled back alone while the others commit. It is not
claimed again before its ``retry_at`` (``retry_base_s``, doubling with each failure), so timers in back-off never
fill a batch and delay the due ones behind them; after ``max_attempts`` failures it is marked failed and becomes
an incident on its instance. A timer whose instance merely changed meanwhile is retried by the next run and not
counted as a failure. A fired row is marked with the worker's name and time in the same commit as the instance's
new state, so a timer fires exactly once.

On PostgreSQL the claim is ``SELECT ... FOR NO KEY UPDATE OF timer, process_instance SKIP LOCKED``: workers
never wait for each other, and no two workers hold timers of one instance at once (which could deadlock, or
end in a version conflict after all the work). On SQLite the database's single write lock serializes them.
A run first looks, read-only, at the earliest waiting timer, so an idle run writes nothing and on SQLite
takes no write lock. Each run also says when the next timer is due, so the worker's loop
(:mod:`engine.worker`) can sleep exactly that long.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, inspect, or_, select
from sqlalchemy.orm import Session

from engine import clock, history
from engine.db import Database
from engine.errors import ConcurrentModification
from engine.execution import Executor
from engine.models import ProcessInstance, Timer
from engine.notifications import NotificationService
from engine.sla import SlaService

log = logging.getLogger(__name__)

TIMER_ACTOR = "timer"


def worker_name() -> str:
    """host:pid, recorded on every timer a worker fires."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Run:
    """What one run of the job did, and what it saw of the next one."""

    #: the timers it fired, all in one commit
    fired: tuple[int, ...]
    #: the timers it claimed but rolled back (left waiting for a later run)
    failed: tuple[int, ...]
    #: the claim was full and something fired: more may be due right now
    full: bool
    #: when the claim was not full: the earliest waiting timer that was not due yet then (None: none)
    next_due: datetime | None


class TimerService:
    """Fires due timers; `awardflow worker` (and `serve`) call :meth:`run_job` in a loop."""

    def __init__(
        self,
        db: Database,
        executor: Executor,
        sla: SlaService,
        notifications: NotificationService,
        batch: int = 10,
        *,
        max_attempts: int = 5,
        retry_base_s: float = 30.0,
    ) -> None:
        self.db = db
        #: how many due timers one run claims and fires in one transaction (Settings.timer_batch)
        self.batch = batch
        #: failed firings after which a timer becomes an incident (Settings.timer_max_attempts)
        self.max_attempts = max_attempts
        #: the back-off before the first retry; doubled for each further one (Settings.timer_retry_base_s)
        self.retry_base_s = retry_base_s
        self.executor = executor
        self.sla = sla
        self.notifications = notifications

    def run_job(self, worker: str | None = None) -> Run:
        """The worker's tick: fire one batch, then e-mail the notifications that caused."""
        run = self._fire_batch(self.batch, worker or worker_name())
        try:
            self.notifications.send_pending()
        except OSError as err:  # the mail server is down: notifications stay queued for the next run
            log.warning("could not send notifications: %s", err)
        return run

    def fire_due(self, *, limit: int = 100, worker: str | None = None) -> int:
        """Fire up to ``limit`` timers that are due now, in batches; returns how many fired."""
        worker = worker or worker_name()
        fired = 0
        while fired < limit:
            size = min(self.batch, limit - fired)
            run = self._fire_batch(size, worker)
            fired += len(run.fired)
            if not run.full:
                break
        return fired

    def _fire_batch(self, size: int, worker: str) -> Run:
        now = clock.now()
        fired: list[int] = []
        failed: list[int] = []
        with self.db.reading() as session:
            first = _next_due(session)
        if first is None or first >= now:
            return Run((), (), False, first)
        with self.db.transaction() as session:
            rows = self._claim(session, now, size)
            self.sla.prefetch(session, rows)
            try:  # all in one savepoint: their writes go together (one each cost a flush and two statements)
                with session.begin_nested():
                    fired = [row.id for row in rows if self._fire_unless_taken(session, row, worker)]
            except Exception as err:  # which one failed is found below, where each is on its own
                log.debug("a timer of the batch failed (%s); firing them one by one", err)
                fired, failed = self._fire_one_by_one(session, rows, worker, now)
            full = len(rows) == size and bool(fired)
            next_due = None if full else _next_due(session, now)
        return Run(tuple(fired), tuple(failed), full, next_due)

    def _fire_one_by_one(
        self, session: Session, rows: list[Timer], worker: str, now: datetime
    ) -> tuple[list[int], list[int]]:
        """A batch in which a timer failed, again with each timer in its own savepoint: a failure is that
        timer's alone (retried later, or an incident), and the others fire. The ids fired and failed."""
        fired: list[int] = []
        failed: list[int] = []
        for row in rows:
            timer_id = row.id
            try:
                with session.begin_nested():
                    if not self._fire_unless_taken(session, row, worker):
                        continue
            except ConcurrentModification as err:  # the instance moved meanwhile; a later run retries
                log.info("timer %s left for a later run: %s", timer_id, err)
                failed.append(timer_id)
            except Exception as err:  # one broken timer must not hold up the others
                log.exception("timer %s failed", timer_id)
                self._failed(session, row, err, now)
                failed.append(timer_id)
            else:
                fired.append(timer_id)
        return fired, failed

    def _fire_unless_taken(self, session: Session, row: Timer, worker: str) -> bool:
        """Fire ``row``, unless an earlier firing of its instance in this batch took it away (False)."""
        if inspect(row).was_deleted:
            return False
        self._fire(session, row, worker)
        return True

    def _claim(self, session: Session, now: datetime, size: int) -> list[Timer]:
        """Due rows in due order; on PostgreSQL locked with their instances, skipping what others hold."""
        stmt = (
            select(Timer)
            .where(Timer.state == "waiting", Timer.due_at < now, or_(Timer.retry_at.is_(None), Timer.retry_at < now))
            .order_by(Timer.due_at, Timer.id)
        )
        if self.db.dialect == "postgresql":
            # an instance's timers are locked with it; a start timer (no instance yet) alone
            of_instances = stmt.join(ProcessInstance, ProcessInstance.id == Timer.instance_id).with_for_update(
                skip_locked=True, key_share=True, of=(Timer, ProcessInstance)
            )
            starts = stmt.where(Timer.instance_id.is_(None)).with_for_update(skip_locked=True, key_share=True)
            rows = [*session.scalars(of_instances.limit(size)), *session.scalars(starts.limit(size))]
            return sorted(rows, key=lambda r: (r.due_at, r.id))[:size]
        return list(session.scalars(stmt.limit(size)))

    def _fire(self, session: Session, row: Timer, worker: str) -> None:
        row.state, row.fired_at, row.fired_by = "fired", clock.now(), worker
        if row.kind == "start":
            self.executor.start_on_timer(session, row, TIMER_ACTOR)
            return
        if row.kind != "bpmn" or row.instance_id is None:
            self.sla.fire(session, row)
            return
        loaded = self.executor.load(session, row.instance_id)
        loaded.stored = loaded.stored.without_timer(row.spiff_task_id)
        history.record(
            session,
            TIMER_ACTOR,
            "timer_fired",
            instance=loaded.instance,
            task_id=row.spiff_task_id,
            details={"element_id": row.element_id, "due_at": row.due_at.isoformat(), "worker": worker},
        )
        self.executor.advance(session, loaded, TIMER_ACTOR)

    def _failed(self, session: Session, row: Timer, err: Exception, now: datetime) -> None:
        """Count a failed firing (its savepoint is rolled back): back off, or after the last try an incident."""
        row.attempts += 1
        row.last_error = f"{type(err).__name__}: {err}"[:2000]
        if row.attempts < self.max_attempts:
            row.retry_at = now + timedelta(seconds=self.retry_base_s * 2 ** (row.attempts - 1))
            log.warning("timer %s: try %s of %s failed", row.id, row.attempts, self.max_attempts)
            return
        row.state = "failed"
        if row.instance_id is None:  # a timer start event: there is no instance to hold an incident
            log.error("start timer %s failed %s times and is no longer tried", row.id, row.attempts)
            return
        instance = session.get(ProcessInstance, row.instance_id)
        if instance is not None and instance.state in ("running", "error"):
            message = f"timer failed {row.attempts} times and is no longer tried: {row.last_error}"
            self.executor.record_incident(session, instance, row.element_id, row.spiff_task_id, message, TIMER_ACTOR)

    def pending(self, instance_id: int | None = None) -> list[Timer]:
        with self.db.transaction() as session:
            stmt = select(Timer).where(Timer.state == "waiting").order_by(Timer.due_at)
            if instance_id is not None:
                stmt = stmt.where(Timer.instance_id == instance_id)
            return list(session.scalars(stmt))


def _next_due(session: Session, since: datetime | None = None) -> datetime | None:
    """The earliest moment a waiting timer may fire (its due time, or its retry time after a failure), of
    those not before ``since`` if given. After a claim, rows due but held elsewhere are not waited for: their
    holder fires them, or a later run retries them."""
    if since is None:
        return session.scalar(_NEXT_DUE)
    return session.scalar(_NEXT_DUE_SINCE, {"since": since})


#: built once: every run of the timer job asks (a what-if run, at every day of its clock)
_MOMENT = func.coalesce(Timer.retry_at, Timer.due_at)
_NEXT_DUE = select(func.min(_MOMENT)).where(Timer.state == "waiting")
_NEXT_DUE_SINCE = _NEXT_DUE.where(_MOMENT >= bindparam("since"))
