"""The timer table's worker: fire every due timer exactly once, also with several workers, and catch up.

Each due row is claimed and fired in its own transaction: on PostgreSQL the claim is
``SELECT ... FOR UPDATE SKIP LOCKED`` so workers never wait for each other; on SQLite the database's
single write lock serializes them. A fired row is marked with the worker's name and time, in the
same commit as the instance's new state.
"""

from __future__ import annotations

import logging
import os
import socket

from sqlalchemy import select

from engine import clock, history
from engine.db import Database
from engine.errors import ConcurrentModification
from engine.execution import Executor
from engine.models import Timer
from engine.notifications import NotificationService
from engine.sla import SlaService

log = logging.getLogger(__name__)

TIMER_ACTOR = "timer"


def worker_name() -> str:
    """host:pid, recorded on every timer a worker fires."""
    return f"{socket.gethostname()}:{os.getpid()}"


class TimerService:
    """Fires due timers; `awardflow worker` (and `serve`) call :meth:`fire_due` on a schedule."""

    def __init__(
        self, db: Database, executor: Executor, sla: SlaService, notifications: NotificationService, batch: int = 100
    ) -> None:
        self.db = db
        #: how many due timers one run of the job fires at most (Settings.timer_batch)
        self.batch = batch
        self.executor = executor
        self.sla = sla
        self.notifications = notifications

    def run_job(self) -> int:
        """The scheduled job: fire what is due, then e-mail the notifications that caused."""
        fired = self.fire_due(limit=self.batch)
        try:
            self.notifications.send_pending()
        except OSError as err:  # the mail server is down: notifications stay queued for the next run
            log.warning("could not send notifications: %s", err)
        return fired

    def fire_due(self, *, limit: int = 100, worker: str | None = None) -> int:
        """Fire up to ``limit`` timers that are due now; returns how many fired."""
        worker = worker or worker_name()
        fired = 0
        while fired < limit:
            try:
                if self._fire_one(worker) is None:
                    break
            except ConcurrentModification as err:  # the instance moved meanwhile; the next run retries
                log.info("timer left for the next run: %s", err)
                break
            fired += 1
        return fired

    def _fire_one(self, worker: str) -> int | None:
        now = clock.now()
        with self.db.transaction() as session:
            stmt = (
                select(Timer)
                .where(Timer.state == "waiting", Timer.due_at < now)
                .order_by(Timer.due_at, Timer.id)
                .limit(1)
            )
            if self.db.dialect == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = session.scalars(stmt).first()
            if row is None:
                return None
            row.state, row.fired_at, row.fired_by = "fired", now, worker
            if row.kind != "bpmn":
                self.sla.fire(session, row)
                return row.id
            loaded = self.executor.load(session, row.instance_id)
            history.record(
                session,
                TIMER_ACTOR,
                "timer_fired",
                instance=loaded.instance,
                task_id=row.spiff_task_id,
                details={"element_id": row.element_id, "due_at": row.due_at.isoformat(), "worker": worker},
            )
            self.executor.advance(session, loaded, TIMER_ACTOR)
            return row.id

    def pending(self, instance_id: int | None = None) -> list[Timer]:
        with self.db.transaction() as session:
            stmt = select(Timer).where(Timer.state == "waiting").order_by(Timer.due_at)
            if instance_id is not None:
                stmt = stmt.where(Timer.instance_id == instance_id)
            return list(session.scalars(stmt))
