"""The ISO clock: step budgets and due times in working time, the dossier's clock with its pauses and one
reschedule, early / on time / late classification, the control slip, and the SLA timers behind them.

It listens to the executor's task and instance events (:mod:`engine.events`) inside the transaction that
changes the task; the dossier clock is driven from BPMN through the ``sla.*`` service-task handlers;
``reschedule`` and ``slip`` are service calls of their own. Every change of a dossier clock is announced
(:class:`~engine.events.ClockChanged`), so whoever shows the due date follows the one clock row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from engine import clock, history
from engine.access import AccessPolicy
from engine.calendar import WorkCalendar, parse_duration
from engine.calendar_store import CalendarService
from engine.db import Database, insert_at_flush, write_at_flush
from engine.errors import InvalidInput, InvalidState, NotFound
from engine.events import ClockChanged, InstanceEnded, Listeners, TaskClaimed, TaskClosed, TaskReady
from engine.execution import created_here, current_execution
from engine.identity import actor_of
from engine.models import HumanTask, ProcessInstance, SlaClock, SlaSegment, Timer
from engine.notifications import notify
from engine.settings import Settings

EARLY, ON_TIME, LATE, WITHIN = "truoc_han", "dung_han", "qua_han", "trong_han"
PENDING, MET, VIOLATED, NOT_APPLICABLE, ABORTED = "pending", "met", "violated", "not_applicable", "aborted"
ESCALATIONS = ("escalate_unclaimed", "escalate_incomplete")
TASK_KINDS = ("task_warning", "task_overdue", *ESCALATIONS)
DOSSIER_KINDS = ("dossier_warning", "dossier_overdue")
POLICIES = ("resume", "restart")
#: how the intake's supplement resumes the clock: it starts anew on the day the dossier is complete
INTAKE_START = "start"
#: Where :func:`clock_row` keeps the dossier clocks the running transaction has read.
CLOCKS_KEY = "awardflow.sla_clocks"
#: session.info: the steps a batch of timers acts on (:meth:`SlaService.prefetch`), by task id
STEPS_KEY = "awardflow.sla_steps"

LABELS = {EARLY: "trước hạn", ON_TIME: "đúng hạn", LATE: "quá hạn", WITHIN: "trong hạn"}


def classify(calendar: WorkCalendar, due: datetime, finished: datetime | None, now: datetime) -> str:
    """trước hạn before the due working day, đúng hạn on it (before its end), quá hạn after; open: trong/quá hạn."""
    if finished is None:
        return LATE if now > due else WITHIN
    if finished > due:
        return LATE
    zone = calendar.zone if isinstance(calendar.zone, ZoneInfo) else ZoneInfo(calendar.zone)
    return EARLY if finished.astimezone(zone).date() < due.astimezone(zone).date() else ON_TIME


@dataclass(frozen=True)
class Slip:
    """The control slip of one dossier: its clock (if started) and every hand-over."""

    instance_id: int
    business_key: str | None
    clock: SlaClock | None
    segments: list[SlaSegment]

    def to_dict(self, zone: ZoneInfo) -> dict[str, Any]:
        """The slip as JSON: local times with their offset, hours of working time used and paused."""

        def local(moment: datetime | None) -> str | None:
            return moment.astimezone(zone).isoformat() if moment else None

        def hours(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds / 3600, 2)

        row = self.clock
        dossier = None
        if row is not None:
            dossier = {
                "received_at": local(row.received_at),
                "started_at": local(row.started_at),
                "limit": row.limit,
                "due_at": local(row.due_at),
                "original_due_at": local(row.original_due_at),
                "rescheduled_at": local(row.rescheduled_at),
                "reschedule_reason": row.reschedule_reason,
                "paused": row.paused_at is not None,
                "paused_hours": hours(row.paused_s),
                "finished_at": local(row.finished_at),
                "classification": row.classification,
                "sla_state": row.sla_state,
            }
        steps = [
            {
                "step": s.step,
                "element_id": s.element_id,
                "from": s.from_actor,
                "to": s.to_actor,
                "received_at": local(s.received_at),
                "budget": s.budget,
                "due_at": local(s.due_at),
                "finished_at": local(s.finished_at),
                "finished_by": s.finished_by,
                "used_hours": hours(s.used_s),
                "paused_hours": hours(s.paused_s),
                "classification": s.classification,
                "sla_state": s.sla_state,
            }
            for s in self.segments
        ]
        return {"instance_id": self.instance_id, "business_key": self.business_key, "dossier": dossier, "steps": steps}


class SlaService:
    """Budgets, due dates, pauses, the single reschedule, classification and the control slip."""

    def __init__(
        self,
        db: Database,
        calendars: CalendarService,
        settings: Settings,
        listeners: Listeners,
        access: AccessPolicy,
    ) -> None:
        self.db = db
        self.calendars = calendars
        self.settings = settings
        self.listeners = listeners
        self.access = access
        listeners.subscribe(TaskReady, lambda e: self.task_ready(e.session, e.instance, e.row, e.actor))
        listeners.subscribe(TaskClaimed, lambda e: self.task_claimed(e.session, e.row))
        listeners.subscribe(TaskClosed, lambda e: self.task_closed(e.session, e.row, e.actor, aborted=e.aborted))
        listeners.subscribe(InstanceEnded, self._instance_ended)

    # -- calendars --------------------------------------------------------------------------------
    def calendar_of(self, name: str | None = None, unit: str | None = None) -> WorkCalendar:
        """:meth:`calendar_for` in a reading unit of work of its own (pages that show working time left)."""
        with self.db.reading() as session:
            return self.calendar_for(session, name, unit)

    def calendar_for(self, session: Session, name: str | None = None, unit: str | None = None) -> WorkCalendar:
        """The calendar named by the process (task property / clock parameter), else the unit's, else the default."""
        if not name:
            name = self.calendars.name_for_unit(session, unit) if unit else None
        return self.calendars.calendar_in(session, name or self.settings.default_calendar)

    # -- step events (inside the caller's transaction) --------------------------------------------
    def task_ready(self, session: Session, instance: ProcessInstance, row: HumanTask, actor: str) -> None:
        """A task became ready: its due time from the budget, its warning/overdue timers, a slip row."""
        now = clock.now()
        calendar = self.calendar_for(session, row.properties.get("calendar"), instance.unit)
        row.budget = row.properties.get("budget") or None
        if row.budget:
            row.due_at = calendar.add(now, row.budget)
            row.sla_state, row.classification = PENDING, WITHIN
            warn = row.properties.get("warn_before") or self.settings.warn_before
            self._task_timers(session, row, calendar, warn, now)
        else:
            row.sla_state, row.classification = NOT_APPLICABLE, None
        for kind in ESCALATIONS:
            if row.properties.get(kind):
                self._escalation_timer(session, row, kind, row.properties[kind], calendar, now)
        segment = {
            "instance_id": instance.id,
            "task_id": row.id,
            "element_id": row.element_id,
            "step": row.name or row.element_id,
            "unit": instance.unit,
            "from_actor": actor,
            "to_actor": _recipients(row),
            "received_at": now,
            "budget": row.budget,
            "due_at": row.due_at,
            "sla_state": row.sla_state,
            "classification": row.classification,
            "paused_at": now if _paused(session, instance.id) else None,
        }
        insert_at_flush(session, SlaSegment, segment)  # the slip is append-only until the step ends

    def task_claimed(self, session: Session, row: HumanTask) -> None:
        """Keep the slip's "to whom" current when a task changes hands (held: the command's writes come last)."""
        write_at_flush(session, _SEGMENT_TO, {"task": row.id, "to": _recipients(row)})

    def task_closed(self, session: Session, row: HumanTask, actor: str | None, *, aborted: bool = False) -> None:
        """A task was completed (or cancelled): time used, classification, SLA state; its timers go."""
        now = clock.now()
        segment = _open_segment(session, row.id)
        calendar = self.calendar_for(session, row.properties.get("calendar"), row.unit)
        if aborted:
            row.sla_state = ABORTED
        elif row.due_at is not None:
            row.classification = classify(calendar, row.due_at, now, now)
            row.sla_state = VIOLATED if row.classification == LATE else MET
        if segment is not None:
            _close_pause(segment, calendar, now)
            segment.finished_at, segment.finished_by = now, actor
            segment.used_s = (calendar.between(segment.received_at, now)).total_seconds() - segment.paused_s
            segment.sla_state, segment.classification = row.sla_state or NOT_APPLICABLE, row.classification
            if aborted:
                segment.classification = None
        if row.due_at is not None or any(row.properties.get(kind) for kind in ESCALATIONS):
            write_at_flush(session, _TASK_TIMERS, {"task_id": row.id})  # nothing later reads or adds them

    def _instance_ended(self, event: InstanceEnded) -> None:
        """A cancelled dossier's clock stops as aborted; its SLA timers go."""
        if event.state != "cancelled":
            return
        session, instance = event.session, event.instance
        row = clock_row(session, instance.id)
        if row is not None and row.finished_at is None:
            row.finished_at, row.sla_state = clock.now(), ABORTED
        session.execute(delete(Timer).where(Timer.instance_id == instance.id, Timer.kind.in_(DOSSIER_KINDS)))

    # -- the dossier clock, driven by BPMN service tasks (sla.start_clock / pause / resume / finish) --
    def start_clock(self, limit: str, policy: str = "resume", calendar: str | None = None) -> dict[str, Any]:
        """The dossier is complete: start its clock now; returns the appointment date for the receipt."""
        _check_limit(limit)
        if policy not in POLICIES:
            raise InvalidInput(f"unknown supplement policy {policy!r}", {"policy": [f"one of {', '.join(POLICIES)}"]})
        ctx = current_execution()
        session, instance, now = ctx.session, ctx.instance, clock.now()
        if clock_row(session, instance.id) is not None:
            raise InvalidState(f"the clock of dossier {instance.business_key} is already running")
        cal = self.calendar_for(session, calendar, instance.unit)
        due = cal.due_date_for(now, limit)
        row = SlaClock(
            instance_id=instance.id,
            business_key=instance.business_key,
            unit=instance.unit,
            calendar=cal.name,
            calendar_revision=cal.revision,
            limit=limit,
            policy=policy,
            received_at=now,
            started_at=cal.receive(now),
            due_at=due,
            original_due_at=due,
        )
        session.add(row)
        session.info.setdefault(CLOCKS_KEY, {})[instance.id] = row
        self._dossier_timers(session, instance, row, cal)
        history.record(session, ctx.actor, "clock_started", instance=instance, after=self._facts(row))
        self.listeners.announce(ClockChanged(session, instance, row, "started", ctx.actor, due))
        return self._facts(row)

    def pause(self, reason: str = "") -> dict[str, Any]:
        """A supplement request: the dossier's clock and its open steps' clocks stop."""
        ctx = current_execution()
        row = _clock(ctx.session, ctx.instance.id)
        if row.paused_at is not None:
            raise InvalidState(f"the clock of dossier {row.business_key} is already paused")
        now = clock.now()
        row.paused_at, row.pauses = now, row.pauses + 1
        ctx.session.execute(
            update(SlaSegment)
            .where(SlaSegment.instance_id == row.instance_id, SlaSegment.finished_at.is_(None))
            .values(paused_at=now)
        )
        ctx.session.execute(
            update(Timer)
            .where(Timer.instance_id == row.instance_id, Timer.kind.in_(TASK_KINDS + DOSSIER_KINDS))
            .where(Timer.state == "waiting")
            .values(state="paused")
        )
        history.record(ctx.session, ctx.actor, "clock_paused", instance=ctx.instance, details={"reason": reason})
        self.listeners.announce(ClockChanged(ctx.session, ctx.instance, row, "paused", ctx.actor, row.due_at, reason))
        return self._facts(row)

    def resume(self, policy: str | None = None) -> dict[str, Any]:
        """The applicant is back: the clock resumes (due moves by the paused working time) or restarts, as
        the clock's policy says. ``policy="start"`` (a supplement asked at intake) starts it as if it had
        never run: the dossier counts as received today, complete ("kể từ ngày nhận đủ hồ sơ hợp lệ")."""
        ctx = current_execution()
        session, row, now = ctx.session, _clock(ctx.session, ctx.instance.id), clock.now()
        if row.paused_at is None:
            raise InvalidState(f"the clock of dossier {row.business_key} is not paused")
        how = policy or row.policy
        if how not in (*POLICIES, INTAKE_START):
            raise InvalidInput(f"unknown resume policy {how!r}", {"policy": [f"one of {', '.join(POLICIES)}, start"]})
        cal = self.calendar_for(session, row.calendar)
        paused = cal.between(row.paused_at, now)
        before, previous_due = self._facts(row), row.due_at
        row.paused_s += paused.total_seconds()
        if how == INTAKE_START:
            row.received_at, row.paused_s = now, 0.0
        if how in ("restart", INTAKE_START):
            row.started_at, row.due_at = cal.receive(now), cal.due_date_for(now, row.limit)
        else:
            row.due_at = cal.add(row.due_at, paused) if paused else row.due_at
        if how == INTAKE_START:
            row.original_due_at = row.due_at
        row.paused_at = None
        self._resume_steps(session, ctx.instance, cal, now, restart=how != "resume")
        session.execute(delete(Timer).where(Timer.instance_id == row.instance_id, Timer.kind.in_(DOSSIER_KINDS)))
        self._dossier_timers(session, ctx.instance, row, cal)
        history.record(
            session,
            ctx.actor,
            "clock_resumed",
            instance=ctx.instance,
            before=before,
            after=self._facts(row),
            details={"policy": how},
        )
        self.listeners.announce(ClockChanged(session, ctx.instance, row, "resumed", ctx.actor, previous_due))
        return self._facts(row)

    def finish(self, outcome: str = "done") -> dict[str, Any]:
        """The result is returned: the dossier's classification is fixed and stored. Ended while paused (withdrawn
        while the applicant completes it), the pause ends too and its time is not held against the office."""
        ctx = current_execution()
        session, row, now = ctx.session, _clock(ctx.session, ctx.instance.id), clock.now()
        cal = self.calendar_for(session, row.calendar)
        due = row.due_at
        if row.paused_at is not None:
            paused = cal.between(row.paused_at, now)
            row.paused_s, row.paused_at, due = row.paused_s + paused.total_seconds(), None, cal.add(due, paused)
        row.finished_at = now
        row.classification = classify(cal, due, now, now)
        row.sla_state = VIOLATED if row.classification == LATE else MET
        session.execute(delete(Timer).where(Timer.instance_id == row.instance_id, Timer.kind.in_(DOSSIER_KINDS)))
        history.record(
            session,
            ctx.actor,
            "clock_finished",
            instance=ctx.instance,
            details={"outcome": outcome},
            after=self._facts(row),
        )
        self.listeners.announce(ClockChanged(session, ctx.instance, row, "finished", ctx.actor, row.due_at))
        return self._facts(row)

    # -- service calls ----------------------------------------------------------------------------
    def reschedule(self, instance_id: int, new_due: datetime, reason: str, actor: str) -> SlaClock:
        """The apology and new date: once, and only until 1 working day before the current due date.
        NotFound when the instance is out of the actor's units; InvalidInput; InvalidState."""
        if not reason or not reason.strip():
            raise InvalidInput("an apology needs a reason", {"reason": ["required"]})
        if new_due.tzinfo is None:
            raise InvalidInput("the new date needs a time zone", {"new_due": ["give an offset, e.g. +07:00"]})
        with self.db.transaction() as session:
            instance = session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFound(f"no process instance {instance_id}")
            self.access.require_instance(actor_of(session, actor), instance)
            row = _clock(session, instance_id)
            now = clock.now()
            cal = self.calendar_for(session, row.calendar)
            if row.rescheduled_at is not None:
                raise InvalidState(
                    f"the due date of dossier {row.business_key} was already moved once "
                    f"(on {_vn(row.rescheduled_at)}); it cannot be moved again"
                )
            if row.finished_at is not None:
                raise InvalidState(f"dossier {row.business_key} is already finished")
            if cal.between(now, row.due_at) < cal.day_length:
                raise InvalidState(
                    f"too late to reschedule: the apology must come at least 1 working day before the due date "
                    f"{_vn(row.due_at)}"
                )
            if new_due <= row.due_at:
                raise InvalidInput("the new date must be after the current due date", {"new_due": ["too early"]})
            before, previous_due = self._facts(row), row.due_at
            row.due_at, row.rescheduled_at, row.rescheduled_by, row.reschedule_reason = new_due, now, actor, reason
            session.execute(delete(Timer).where(Timer.instance_id == instance_id, Timer.kind.in_(DOSSIER_KINDS)))
            self._dossier_timers(session, instance, row, cal)
            history.record(
                session,
                actor,
                "clock_rescheduled",
                instance=instance,
                before=before,
                after=self._facts(row),
                details={"reason": reason},
            )
            self.listeners.announce(ClockChanged(session, instance, row, "rescheduled", actor, previous_due, reason))
            return row

    def slip(self, instance_id: int) -> Slip:
        """The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ) of one dossier."""
        with self.db.reading() as session:
            instance = session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFound(f"no process instance {instance_id}")
            found = session.scalar(select(SlaClock).where(SlaClock.instance_id == instance_id))
            segments = list(
                session.scalars(select(SlaSegment).where(SlaSegment.instance_id == instance_id).order_by(SlaSegment.id))
            )
            return Slip(instance_id, instance.business_key, found, segments)

    def set_escalation(self, task_id: str, kind: str, rule: str | None, actor: str) -> None:
        """An administrator changes (or with ``None`` removes) the escalation of a running task."""
        if kind not in ("escalate_unclaimed", "escalate_incomplete"):
            raise InvalidInput(f"unknown escalation {kind!r}", {"kind": ["escalate_unclaimed or escalate_incomplete"]})
        with self.db.transaction() as session:
            row = session.get(HumanTask, task_id)
            if row is None or row.state != "ready":
                raise NotFound(f"no ready task {task_id}")
            session.execute(delete(Timer).where(Timer.spiff_task_id == task_id, Timer.kind == kind))
            properties = dict(row.properties)
            properties.pop(kind, None)
            if rule:
                calendar = self.calendar_for(session, properties.get("calendar"), row.unit)
                self._escalation_timer(session, row, kind, rule, calendar, row.created_at)
                properties[kind] = rule
            row.properties = properties
            history.record(
                session,
                actor,
                "escalation_changed",
                instance=session.get(ProcessInstance, row.instance_id),
                task_id=task_id,
                details={"kind": kind, "rule": rule},
            )

    def _facts(self, row: SlaClock) -> dict[str, Any]:
        return _clock_facts(row, ZoneInfo(self.settings.time_zone))

    # -- timers -----------------------------------------------------------------------------------
    def prefetch(self, session: Session, timers: Sequence[Timer]) -> None:
        """Read the steps and dossier clocks a batch of due timers acts on, in a query each for the batch instead
        of one per timer (warnings fire by the thousand); the transaction holds them (the session keeps a loaded
        row only while someone refers to it)."""
        steps: dict[str, HumanTask] = session.info.setdefault(STEPS_KEY, {})
        task_ids = {t.spiff_task_id for t in timers if t.kind in TASK_KINDS} - steps.keys()
        if task_ids:
            steps.update({row.id: row for row in session.scalars(_TASKS, {"ids": list(task_ids)})})
        clocks: dict[int, SlaClock | None] = session.info.setdefault(CLOCKS_KEY, {})
        instances = {t.instance_id for t in timers if t.kind in DOSSIER_KINDS and t.instance_id} - clocks.keys()
        if instances:
            found = {row.instance_id: row for row in session.scalars(_CLOCKS, {"ids": list(instances)})}
            clocks.update({instance_id: found.get(instance_id) for instance_id in instances})

    def fire(self, session: Session, timer: Timer) -> None:
        """Act on a due SLA timer: warn, mark overdue, or escalate. The instance row (its workflow is large) is
        loaded only by an escalation, whose audit event names its business key: warnings fire by the thousand."""
        assert timer.instance_id is not None
        instance_id = timer.instance_id
        if timer.kind in DOSSIER_KINDS:
            self._fire_dossier(session, instance_id, timer)
            return
        row = session.info.get(STEPS_KEY, {}).get(timer.spiff_task_id) or session.get(HumanTask, timer.spiff_task_id)
        if row is None or row.state != "ready":
            return
        if timer.kind == "task_warning" and _past(row.due_at):
            return  # caught up after the due time: only the step's current state (overdue) is announced
        if timer.kind == "task_overdue":
            row.classification, row.sla_state = LATE, VIOLATED
            write_at_flush(session, _SEGMENT_LATE, {"task": row.id})  # with the batch's other writes, not a flush each
        if timer.kind in ("escalate_unclaimed", "escalate_incomplete"):
            self._escalate(session, instance_id, row, timer)
            return
        label = {"task_warning": "sắp đến hạn", "task_overdue": "đã quá hạn"}[timer.kind]
        due = _vn(row.due_at) if row.due_at else ""
        message = f"Hồ sơ {row.business_key or instance_id}: bước “{row.name or row.element_id}” {label} ({due})"
        notify(
            session,
            _people(row) + [("group", self.settings.supervisor_group)],
            timer.kind,
            message,
            instance_id=instance_id,
            task_id=row.id,
        )

    def _fire_dossier(self, session: Session, instance_id: int, timer: Timer) -> None:
        row = _clock(session, instance_id)
        if row.finished_at is not None or timer.kind == "dossier_warning" and _past(row.due_at):
            return
        if timer.kind == "dossier_overdue":
            row.classification, row.sla_state = LATE, VIOLATED
        label = "sắp đến hạn trả kết quả" if timer.kind == "dossier_warning" else "đã quá hạn trả kết quả"
        message = f"Hồ sơ {row.business_key or instance_id} {label} ({_vn(row.due_at)})"
        notify(session, [("group", self.settings.supervisor_group)], timer.kind, message, instance_id=instance_id)

    def _escalate(self, session: Session, instance_id: int, row: HumanTask, timer: Timer) -> None:
        _, action, target = _escalation_rule(row.properties.get(timer.kind) or "")
        if timer.kind == "escalate_unclaimed" and row.assignee is not None:
            return
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        kind, name = target.split(":", 1) if ":" in target else ("group", target)
        message = f"Hồ sơ {row.business_key or instance.id}: bước “{row.name or row.element_id}” được chuyển cấp"
        before = after = None
        if action == "reassign":
            before = {"assignee": row.assignee, "candidates": row.candidate_groups + row.candidate_users}
            row.assignee = name if kind == "user" else None
            row.set_candidates([name] if kind == "group" else [], [name] if kind == "user" else [])
            self.task_claimed(session, row)
            after = {"assignee": row.assignee, "candidates": [name]}
        history.record(
            session,
            "sla",
            "task_escalated",
            instance=instance,
            task_id=row.id,
            before=before,
            after=after,
            details={"rule": timer.kind, "action": action, "target": target},
        )
        notify(session, [(kind, name)], "escalation", message, instance_id=instance.id, task_id=row.id)

    def _task_timers(self, session: Session, row: HumanTask, cal: WorkCalendar, warn: str, now: datetime) -> None:
        assert row.due_at is not None
        warn_at = cal.add(row.due_at, f"-{warn.lstrip('-')}")
        if warn_at > now:
            _timer(session, row.instance_id, "task_warning", row.element_id, row.id, warn_at)
        _timer(session, row.instance_id, "task_overdue", row.element_id, row.id, row.due_at)

    def _escalation_timer(
        self, session: Session, row: HumanTask, kind: str, rule: str, cal: WorkCalendar, start: datetime
    ) -> None:
        after, _, _ = _escalation_rule(rule)
        _timer(session, row.instance_id, kind, row.element_id, row.id, cal.add(start, after))

    def _dossier_timers(self, session: Session, instance: ProcessInstance, row: SlaClock, cal: WorkCalendar) -> None:
        now = clock.now()
        warn_at = cal.add(row.due_at, f"-{self.settings.warn_before}")
        if warn_at > now:
            _timer(session, instance.id, "dossier_warning", "dossier", "", warn_at)
        _timer(session, instance.id, "dossier_overdue", "dossier", "", row.due_at)

    def _resume_steps(
        self, session: Session, instance: ProcessInstance, cal: WorkCalendar, now: datetime, *, restart: bool
    ) -> None:
        """Open steps get their paused time back (or a fresh budget), and new timers."""
        for segment in session.scalars(
            select(SlaSegment).where(SlaSegment.instance_id == instance.id, SlaSegment.finished_at.is_(None))
        ):
            paused = _close_pause(segment, cal, now)
            row = session.get(HumanTask, segment.task_id) if segment.task_id else None
            if row is None or row.due_at is None or row.budget is None:
                continue
            if restart:
                segment.received_at, segment.paused_s = now, 0.0
                row.due_at = cal.add(now, row.budget)
            elif paused:
                row.due_at = cal.add(row.due_at, paused)
            segment.due_at = row.due_at
            row.classification, row.sla_state = WITHIN, PENDING
            segment.classification, segment.sla_state = WITHIN, PENDING
            session.execute(
                delete(Timer).where(Timer.spiff_task_id == row.id, Timer.kind.in_(("task_warning", "task_overdue")))
            )
            self._task_timers(session, row, cal, row.properties.get("warn_before") or self.settings.warn_before, now)


def _timer(session: Session, instance_id: int, kind: str, element_id: str, ref: str, due: datetime) -> None:
    """An SLA timer row, written with the command's other writes (timers of one command go in one statement)."""
    row = {"instance_id": instance_id, "kind": kind, "element_id": element_id, "spiff_task_id": ref, "due_at": due}
    insert_at_flush(session, Timer, row)


def _close_pause(segment: SlaSegment, cal: WorkCalendar, now: datetime) -> timedelta:
    if segment.paused_at is None:
        return timedelta(0)
    paused = cal.between(segment.paused_at, now)
    segment.paused_s += paused.total_seconds()
    segment.paused_at = None
    return paused


#: The hot reads of a completion, built once (building a statement cost more than running it).
_OPEN_SEGMENT = (
    select(SlaSegment)
    .where(SlaSegment.task_id == bindparam("task_id"), SlaSegment.finished_at.is_(None))
    .order_by(SlaSegment.id.desc())
    .limit(1)
)
_TASK_TIMERS = delete(Timer).where(
    Timer.spiff_task_id == bindparam("task_id"), Timer.kind.in_(TASK_KINDS), Timer.state == "waiting"
)
#: An open step's slip marked late when its overdue timer fires (built once: timers fire by the thousand).
_SEGMENT_LATE = (
    update(SlaSegment)
    .where(SlaSegment.task_id == bindparam("task"), SlaSegment.finished_at.is_(None))
    .values(classification=LATE, sla_state=VIOLATED)
)
#: An open step's slip given to whoever has the task now (at every claim)
_SEGMENT_TO = (
    update(SlaSegment)
    .where(SlaSegment.task_id == bindparam("task"), SlaSegment.finished_at.is_(None))
    .values(to_actor=bindparam("to"))
)
_CLOCK = select(SlaClock).where(SlaClock.instance_id == bindparam("instance_id"))
_CLOCKS = select(SlaClock).where(SlaClock.instance_id.in_(bindparam("ids", expanding=True)))
_TASKS = select(HumanTask).where(HumanTask.id.in_(bindparam("ids", expanding=True)))
_CLOCK_PAUSED_AT = select(SlaClock.paused_at).where(SlaClock.instance_id == bindparam("instance_id"))


def _open_segment(session: Session, task_id: str) -> SlaSegment | None:
    return session.scalars(_OPEN_SEGMENT, {"task_id": task_id}).first()


def clock_row(session: Session, instance_id: int) -> SlaClock | None:
    """The dossier's clock, read once per transaction (the service tasks that move it, and the domain's that
    read its dates, may run several times); not read for an instance the transaction created (a registration
    starts the clock of a dossier it has just made)."""
    clocks: dict[int, SlaClock | None] = session.info.setdefault(CLOCKS_KEY, {})
    if instance_id not in clocks:
        clocks[instance_id] = (
            None if created_here(session, instance_id) else session.scalar(_CLOCK, {"instance_id": instance_id})
        )
    return clocks[instance_id]


def _paused(session: Session, instance_id: int) -> bool:
    """Whether the dossier's clock stands (every task that becomes ready asks): the clock this transaction
    loaded, else one column of it (loading the clock as an object cost more than the query)."""
    clocks: dict[int, SlaClock | None] = session.info.get(CLOCKS_KEY, {})
    if instance_id in clocks:
        row = clocks[instance_id]
        return row is not None and row.paused_at is not None
    return session.scalar(_CLOCK_PAUSED_AT, {"instance_id": instance_id}) is not None


def _clock(session: Session, instance_id: int) -> SlaClock:
    row = clock_row(session, instance_id)
    if row is None:
        raise InvalidState(f"the dossier clock of instance {instance_id} has not been started")
    return row


def _check_limit(limit: str) -> None:
    try:
        parse_duration(limit)
    except ValueError as err:
        raise InvalidInput(str(err), {"limit": [str(err)]}) from err


def _escalation_rule(rule: str) -> tuple[str, str, str]:
    """``"4WH notify division_head"`` or ``"1WD reassign user:dung"`` → (after, action, target)."""
    parts = rule.split()
    if len(parts) != 3 or parts[1] not in ("notify", "reassign"):
        raise InvalidInput(
            f"escalation rule {rule!r} must read '<duration> notify|reassign <group or user:name>'",
            {"rule": ["e.g. '4WH notify division_head' or '1WD reassign user:dung'"]},
        )
    parse_duration(parts[0])
    return parts[0], parts[1], parts[2]


def _recipients(row: HumanTask) -> str:
    return row.assignee or ", ".join(row.candidate_groups + row.candidate_users)


def _people(row: HumanTask) -> list[tuple[str, str]]:
    if row.assignee:
        return [("user", row.assignee)]
    return [("group", g) for g in row.candidate_groups] + [("user", u) for u in row.candidate_users]


def _clock_facts(row: SlaClock, zone: ZoneInfo) -> dict[str, Any]:
    """The clock as the receipt and the audit trail show it: local times with their offset."""
    return {
        "received_at": row.received_at.astimezone(zone).isoformat(),
        "started_at": row.started_at.astimezone(zone).isoformat(),
        "due_at": row.due_at.astimezone(zone).isoformat(),
        "original_due_at": row.original_due_at.astimezone(zone).isoformat(),
        "paused": row.paused_at is not None,
        "paused_s": row.paused_s,
        "classification": row.classification,
        "sla_state": row.sla_state,
    }


def _past(due: datetime | None) -> bool:
    """Whether a due time has passed: a warning fired later (a worker catching up after downtime) is stale."""
    return due is not None and clock.now() >= due


def _vn(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")
