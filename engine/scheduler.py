"""Periodic jobs (digests, reports, housekeeping): each run done exactly once, however many workers tick.

A job is defined in code (:class:`JobSpec`: a default cron schedule, a day policy, a misfire grace, what it
does); the administrator's choices (schedule, on/off, recipients) are a :class:`JobSetting` row. A tick asks
:func:`engine.schedule.owed` which run each job owes now and claims it by inserting its :class:`JobRun` row
(unique on job + slot) in the very transaction that does the job's work and writes its audit event: the worker
that loses the insert skips, a worker killed mid-run leaves nothing (another does the run), and mail leaves
from the notification outbox only after the commit. A failed run is recorded as failed and not retried by the
schedule; the administrator may run it now.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import clock, history, schedule
from engine.calendar import WorkCalendar
from engine.calendar_store import CalendarService
from engine.db import Base, Database, IntPK
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.identity import actor_of
from engine.notifications import NotificationService
from engine.timers import worker_name

__all__ = ["JobContext", "JobRun", "JobSetting", "JobSpec", "JobView", "SchedulerService"]

log = logging.getLogger(__name__)

SCHEDULER_ACTOR = "scheduler"
#: The audit actions of job administration and runs.
JOB_ACTIONS = ("job_run", "job_configured", "job_paused", "job_resumed")


class JobSetting(Base):
    """The administrator's settings of one job; created with the code's defaults on first sight."""

    __tablename__ = "job_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    cron: Mapped[str] = mapped_column(String(100))
    #: any | next | skip: what a slot on a non-working day of ``calendar`` does
    days: Mapped[str] = mapped_column(String(8))
    enabled: Mapped[bool] = mapped_column(default=True)
    #: the groups the job addresses (digest, reports); empty for housekeeping
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    calendar: Mapped[str] = mapped_column(String(64), default="default")
    #: runs are owed only for slots after this (a new job does not run its history)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(100))


class JobRun(Base):
    """One run of a job, claimed by its unique (job, slot); ``manual`` runs are named by the moment asked."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot"), Index("ix_job_run_job_manual_slot", "job", "manual", "slot"))

    id: Mapped[IntPK]
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[datetime]
    manual: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime]
    worker: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    #: ok | failed
    outcome: Mapped[str] = mapped_column(String(10))
    duration_ms: Mapped[float | None]
    #: what the run did (counts, files), as its job says
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class JobContext:
    """What a job's code gets: the run's transaction, its slot and due moment, recipients, who asked."""

    session: Session
    job: str
    #: the working calendar the job's days follow (its setting's)
    calendar: WorkCalendar
    slot: datetime
    due: datetime
    recipients: tuple[str, ...]
    actor: str
    manual: bool


@dataclass(frozen=True)
class JobSpec:
    """A job defined in code: its defaults and its work (returns what it did, kept on the run's row)."""

    name: str
    #: the name people read (Vietnamese)
    title: str
    cron: str
    run: Callable[[JobContext], dict[str, Any]]
    days: str = "any"
    #: how late a missed run may still be done (after downtime); older ones are dropped
    grace: timedelta = timedelta(hours=12)
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobView:
    """One line of the admin page: the job, its settings, when it runs next, and its last run."""

    name: str
    title: str
    cron: str
    days: str
    enabled: bool
    recipients: tuple[str, ...]
    next_run: datetime | None
    last: JobRun | None


@dataclass
class SchedulerService:
    """The periodic jobs: their ticks (the worker's), the admin's commands and the overview."""

    db: Database
    calendars: CalendarService
    notifications: NotificationService
    specs: dict[str, JobSpec] = field(default_factory=dict)

    def register(self, *specs: JobSpec) -> None:
        for spec in specs:
            if spec.days not in schedule.DAY_POLICIES or schedule.check_cron(spec.cron, "UTC"):
                raise ValueError(f"job {spec.name}: bad default schedule")
            self.specs[spec.name] = spec

    # -- the worker's side ------------------------------------------------------------------------------

    def tick(self, worker: str | None = None) -> list[JobRun]:
        """Do every run owed now that no other worker has done; returns the runs this worker did."""
        done: list[JobRun] = []
        for spec in self.specs.values():
            setting = self._setting(spec)
            if not setting.enabled:
                continue
            with self.db.reading() as session:
                calendar = self.calendars.calendar_in(session, setting.calendar)
                last = self._last_slot(session, spec.name) or setting.created_at
            found = schedule.owed(setting.cron, setting.days, calendar, last, clock.now(), spec.grace)
            if found is not None:
                run = self._run(spec, setting, found.slot, found.due, SCHEDULER_ACTOR, worker, manual=False)
                if run is not None:
                    done.append(run)
        return done

    def next_wake(self) -> datetime | None:
        """The earliest moment a run of an enabled job falls due (the worker arms its wake-up there)."""
        moments = [view.next_run for view in self.overview() if view.enabled and view.next_run is not None]
        return min(moments, default=None)

    # -- the administrator's side -----------------------------------------------------------------------

    def overview(self) -> list[JobView]:
        """Every job with its settings, next due run and last run."""
        now = clock.now()
        views = []
        for spec in self.specs.values():
            setting = self._setting(spec, create=False)
            with self.db.reading() as session:
                calendar = self.calendars.calendar_in(session, setting.calendar)
                last_slot = self._last_slot(session, spec.name) or setting.created_at
                last = session.scalars(
                    select(JobRun).where(JobRun.job == spec.name).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                ).first()
            upcoming = schedule.next_due(setting.cron, setting.days, calendar, last_slot, now)
            views.append(
                JobView(
                    spec.name,
                    spec.title,
                    setting.cron,
                    setting.days,
                    setting.enabled,
                    tuple(setting.recipients),
                    upcoming,
                    last,
                )
            )
        return views

    def runs(self, name: str, *, outcome: str | None = None, limit: int = 50) -> list[JobRun]:
        """The job's runs, newest first (the dashboard lists the archived period reports from these)."""
        self._spec(name)
        stmt = select(JobRun).where(JobRun.job == name)
        if outcome is not None:
            stmt = stmt.where(JobRun.outcome == outcome)
        with self.db.reading() as session:
            return list(session.scalars(stmt.order_by(JobRun.slot.desc(), JobRun.id.desc()).limit(limit)))

    def run(self, run_id: int) -> JobRun:
        """One run; NotFound."""
        with self.db.reading() as session:
            found = session.get(JobRun, run_id)
        if found is None:
            raise NotFound(f"no job run {run_id}")
        return found

    def run_now(self, name: str, actor: str) -> JobRun:
        """Run the job at once for its slot "now" (administrators; PermissionDenied); NotFound. A failure is
        recorded on the run and returned."""
        spec = self._spec(name)
        setting = self._setting(spec)
        now = clock.now()
        run = self._run(spec, setting, now, now, actor, None, manual=True)
        if run is None:  # someone asked in the same microsecond
            raise InvalidInput("the job is running now", {"name": ["already running"]})
        return run

    def set_enabled(self, name: str, enabled: bool, actor: str) -> None:
        """Pause or resume the schedule of a job (administrators; PermissionDenied); audited."""
        spec = self._spec(name)
        self._setting(spec)
        with self.db.transaction() as session:
            self._require_admin(session, actor)
            row = session.get_one(JobSetting, name)
            row.enabled, row.updated_at, row.updated_by = enabled, clock.now(), actor
            history.record(session, actor, "job_resumed" if enabled else "job_paused", details={"job": name})

    def configure(self, name: str, actor: str, *, cron: str, days: str, recipients: Sequence[str]) -> None:
        """Change a job's schedule, day policy and recipients (administrators); InvalidInput names the field."""
        spec = self._spec(name)
        self._setting(spec)
        problems: dict[str, list[str]] = {}
        with self.db.transaction() as session:
            self._require_admin(session, actor)
            row = session.get_one(JobSetting, name)
            zone = self.calendars.calendar_in(session, row.calendar).zone.key
            if (problem := schedule.check_cron(cron, zone)) is not None:
                problems["cron"] = [problem]
            if days not in schedule.DAY_POLICIES:
                problems["days"] = [f"one of {', '.join(schedule.DAY_POLICIES)}"]
            if problems:
                raise InvalidInput("invalid job settings", problems)
            before = {"cron": row.cron, "days": row.days, "recipients": row.recipients}
            row.cron, row.days = cron.strip(), days
            row.recipients = sorted({r.strip() for r in recipients if r.strip()})
            row.updated_at, row.updated_by = clock.now(), actor
            after = {"cron": row.cron, "days": row.days, "recipients": row.recipients}
            history.record(session, actor, "job_configured", before=before, after=after, details={"job": name})

    # -- inside -----------------------------------------------------------------------------------------

    def _spec(self, name: str) -> JobSpec:
        spec = self.specs.get(name)
        if spec is None:
            raise NotFound(f"no job {name!r}")
        return spec

    @staticmethod
    def _require_admin(session: Session, username: str) -> None:
        if not actor_of(session, username).is_admin:
            raise PermissionDenied(f"{username} may not manage scheduled jobs")

    def _setting(self, spec: JobSpec, *, create: bool = True) -> JobSetting:
        """The job's settings row, created with the code's defaults the first time a worker or a command looks
        (a read, ``create=False``, gets the defaults unsaved)."""
        with self.db.reading() as session:
            found = session.get(JobSetting, spec.name)
        if found is not None:
            return found
        row = JobSetting(
            name=spec.name,
            cron=spec.cron,
            days=spec.days,
            enabled=True,
            recipients=list(spec.recipients),
            calendar="default",
            created_at=clock.now(),
        )
        if not create:
            return row
        try:
            with self.db.transaction() as session:
                session.add(row)
        except IntegrityError:  # another worker created it meanwhile
            with self.db.reading() as session:
                return session.get_one(JobSetting, spec.name)
        return row

    @staticmethod
    def _last_slot(session: Session, job: str) -> datetime | None:
        stmt = select(func.max(JobRun.slot)).where(JobRun.job == job, JobRun.manual.is_(False))
        return session.scalar(stmt)

    def _run(
        self,
        spec: JobSpec,
        setting: JobSetting,
        slot: datetime,
        due: datetime,
        actor: str,
        worker: str | None,
        *,
        manual: bool,
    ) -> JobRun | None:
        """Claim the run and do it in one transaction; None when another worker holds the claim."""
        worker = worker or worker_name()
        started, began = clock.now(), time.perf_counter()
        row = JobRun(
            job=spec.name,
            slot=slot,
            manual=manual,
            due_at=due,
            worker=worker,
            actor=actor,
            started_at=started,
            outcome="ok",
        )
        try:
            with self.db.transaction() as session:
                if manual:
                    self._require_admin(session, actor)
                _claim(session, row)
                calendar = self.calendars.calendar_in(session, setting.calendar)
                recipients = tuple(setting.recipients)
                context = JobContext(session, spec.name, calendar, slot, due, recipients, actor, manual)
                row.result = spec.run(context)
                row.finished_at, row.duration_ms = clock.now(), _ms_since(began)
                history.record(session, actor, "job_run", details=_audit(row))
                self.db.after_commit(self._send_mail)
            return row
        except _Taken:
            log.info("job %s, slot %s: done by another worker", spec.name, slot.isoformat())
            return None
        except PermissionDenied:
            raise
        except Exception as err:
            log.exception("job %s failed", spec.name)
            return self._failed(row, err, began)

    def _failed(self, row: JobRun, err: Exception, began: float) -> JobRun | None:
        """Record a failed run (its work was rolled back) so that the slot is not run again by the schedule."""
        failed = JobRun(
            job=row.job,
            slot=row.slot,
            manual=row.manual,
            due_at=row.due_at,
            worker=row.worker,
            actor=row.actor,
            started_at=row.started_at,
            finished_at=clock.now(),
            outcome="failed",
            duration_ms=_ms_since(began),
            error=f"{type(err).__name__}: {err}"[:2000],
        )
        try:
            with self.db.transaction() as session:
                _claim(session, failed)
                history.record(session, row.actor, "job_run", details=_audit(failed))
        except _Taken:
            return None
        return failed

    def _send_mail(self) -> None:
        try:
            self.notifications.send_pending()
        except OSError as err:  # the mail server is down: the outbox keeps them for the timer job's next run
            log.warning("could not send notifications: %s", err)


class _Taken(Exception):
    """Another worker claimed the run first."""


def _claim(session: Session, row: JobRun) -> None:
    """Insert the run's row: the unique (job, slot) lets one worker through; the others get :class:`_Taken`."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as err:
        raise _Taken from err


def _ms_since(began: float) -> float:
    return round((time.perf_counter() - began) * 1000, 1)


def _audit(row: JobRun) -> dict[str, Any]:
    return {
        "job": row.job,
        "slot": row.slot.isoformat(),
        "manual": row.manual,
        "worker": row.worker,
        "outcome": row.outcome,
        "duration_ms": row.duration_ms,
        "error": row.error,
    }
