"""The engine's tables: definitions, instances, the human-task index, timers, incidents, audit, identity.

SQLAlchemy 2 typed style. Workflow state is one text blob per instance (never ``jsonb``: SpiffWorkflow's
task-data deltas depend on key order); everything a query needs is
mirrored into indexed columns so that no list or inbox ever deserializes a workflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, IntPK

Json = dict[str, Any]


class Deployment(Base):
    """One bundle deployed at once; its files are kept as resources."""

    __tablename__ = "deployment"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(200))
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(100))
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    resources: Mapped[list[Resource]] = relationship(back_populates="deployment", lazy="selectin")


class Resource(Base):
    """A file of a deployment: BPMN (original and normalized), DMN or a form schema."""

    __tablename__ = "resource"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)

    id: Mapped[IntPK]
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # bpmn | dmn | form
    content: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str | None] = mapped_column(Text)  # BPMN as the engine parses it
    content_hash: Mapped[str] = mapped_column(String(64))
    #: for DMN: the decision ids it defines; for forms: empty
    provides: Mapped[list[str]] = mapped_column(JSON, default=list)
    deployment: Mapped[Deployment] = relationship(back_populates="resources")


class ProcessDefinition(Base):
    """One version of one process key."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[IntPK]
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    #: process keys this definition calls through call activities
    calls: Mapped[list[str]] = mapped_column(JSON, default=list)
    deployed_at: Mapped[datetime]
    #: loaded on use only: instances join their definition, and the file is tens of kilobytes
    resource: Mapped[Resource] = relationship()


class ProcessInstance(Base):
    """A running (or finished) process; ``version`` is the optimistic lock."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_instance_key_state", "process_key", "state"),)

    id: Mapped[IntPK]
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    #: the organisational unit whose work this is (scopes who sees it)
    unit: Mapped[str | None] = mapped_column(String(100), index=True)
    #: running | suspended | error | completed | cancelled
    state: Mapped[str] = mapped_column(String(20))
    started_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: the definition ids whose specs this instance runs (root first, then called processes)
    spec_ids: Mapped[list[int]] = mapped_column(JSON)
    serializer_version: Mapped[str] = mapped_column(String(10))
    workflow: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class Subscription(Base):
    """A message or signal an instance waits for, so correlation needs no deserialization."""

    __tablename__ = "subscription"
    __table_args__ = (Index("ix_subscription_kind_name", "kind", "name"),)

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # message | signal
    name: Mapped[str] = mapped_column(String(200), primary_key=True)


#: Partial indexes of human_task: open tasks, and open tasks nobody has claimed yet (queries name the state as a
#: literal, so that SQLite may use them).
_OPEN_ROWS, _CLAIMABLE_ROWS = text("state = 'ready'"), text("state = 'ready' AND assignee IS NULL")
_OPEN: dict[str, Any] = {"sqlite_where": _OPEN_ROWS, "postgresql_where": _OPEN_ROWS}
_CLAIMABLE: dict[str, Any] = {"sqlite_where": _CLAIMABLE_ROWS, "postgresql_where": _CLAIMABLE_ROWS}


class HumanTask(Base):
    """The inbox index: one row per user or manual task that became ready."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_state_assignee_due", "state", "assignee", "due_at"),
        Index("ix_human_task_state_due", "state", "due_at"),
        Index("ix_human_task_instance_state", "instance_id", "state"),
        # Open tasks only (partial): the inbox's unassigned tasks in its order, over all units and per unit;
        # and every open task by unit, with its due time and step, which the pending-work report counts
        Index("ix_human_task_claimable_due", "state", "due_at", "created_at", "id", **_CLAIMABLE),
        Index("ix_human_task_claimable_unit_due", "state", "unit", "due_at", "created_at", "id", **_CLAIMABLE),
        Index("ix_human_task_open_unit_due", "state", "unit", "due_at", "element_id", **_OPEN),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow's task uuid
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    process_key: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    unit: Mapped[str | None] = mapped_column(String(100), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(255))
    properties: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: ready | completed | cancelled
    state: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(100))
    #: the person a delegated task goes back to when resolved
    owner: Mapped[str | None] = mapped_column(String(100))
    delegation: Mapped[str | None] = mapped_column(String(20))  # pending | resolved
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    #: the step's budget in working time (e.g. "0.5WD"), from the BPMN property
    budget: Mapped[str | None] = mapped_column(String(20))
    #: pending | met | violated | not_applicable | aborted (the states jBPM records)
    sla_state: Mapped[str | None] = mapped_column(String(20))
    #: trong_han | qua_han while open; truoc_han | dung_han | qua_han once done
    classification: Mapped[str | None] = mapped_column(String(20))
    #: who may claim it: groups (the lane or ``candidate_groups``) and single users; the inbox reads these
    candidate_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list[str]] = mapped_column(JSON, default=list)

    def set_candidates(self, groups: list[str], users: list[str]) -> None:
        """Who may claim the task (sorted, without repeats, so lists compare and display alike)."""
        self.candidate_groups, self.candidate_users = sorted(set(groups)), sorted(set(users))


class Timer(Base):
    """A due time the worker must act on: a BPMN timer of an instance, an SLA mark, or (kind ``start``) a
    timer start event of a process definition, which starts an instance."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_state_due", "state", "due_at"),)

    id: Mapped[IntPK]
    #: None for a timer start event (no instance yet)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    #: the definition a timer start event starts (kind ``start``)
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))
    #: a cycle start timer: occurrences left after this one (-1: without end); its period
    cycles_left: Mapped[int | None]
    period_s: Mapped[float | None]
    kind: Mapped[str] = mapped_column(String(20), default="bpmn")
    element_id: Mapped[str] = mapped_column(String(200))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime]
    #: waiting | fired | cancelled | failed (tried ``timer_max_attempts`` times: an incident; a retry re-arms it)
    state: Mapped[str] = mapped_column(String(20), default="waiting")
    fired_at: Mapped[datetime | None]
    fired_by: Mapped[str | None] = mapped_column(String(100))
    #: failed firings so far
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: after a failed firing: not tried again before this (growing back-off); the others fire meanwhile
    retry_at: Mapped[datetime | None]
    #: why the last firing failed
    last_error: Mapped[str | None] = mapped_column(Text)


class Incident(Base):
    """A failure that stopped an instance: where (element), what (message) and when."""

    __tablename__ = "incident"

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(200))
    spiff_task_id: Mapped[str | None] = mapped_column(String(36))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class Event(Base):
    """The audit trail: append-only, one row per action with actor, time and before/after."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_instance_at", "instance_id", "at"),)

    id: Mapped[IntPK]
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(index=False)
    task_id: Mapped[str | None] = mapped_column(String(36))
    business_key: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[Json | None] = mapped_column(JSON)
    after: Mapped[Json | None] = mapped_column(JSON)
    details: Mapped[Json | None] = mapped_column(JSON)


class User(Base):
    """A person who signs in; ``groups`` are lanes / candidate groups and roles at once."""

    __tablename__ = "app_user"

    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    unit: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    memberships: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def groups(self) -> list[str]:
        return sorted(m.group for m in self.memberships)


class Membership(Base):
    """User ↔ group."""

    __tablename__ = "membership"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    group: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class SlaClock(Base):
    """A dossier's one-stop clock: received, due (the appointment date), pauses, the one reschedule."""

    __tablename__ = "sla_clock"
    # the on-time report of dossiers counts a period's finished dossiers by unit from the index alone
    __table_args__ = (Index("ix_sla_clock_finished", "finished_at", "unit", "classification"),)

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    unit: Mapped[str | None] = mapped_column(String(100), index=True)
    calendar: Mapped[str] = mapped_column(String(64))
    calendar_revision: Mapped[int]
    limit: Mapped[str] = mapped_column(String(20))
    #: what a supplement does to the clock on the applicant's return: resume | restart
    policy: Mapped[str] = mapped_column(String(10))
    received_at: Mapped[datetime]
    started_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    original_due_at: Mapped[datetime]
    rescheduled_at: Mapped[datetime | None]
    rescheduled_by: Mapped[str | None] = mapped_column(String(100))
    reschedule_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None]
    paused_s: Mapped[float] = mapped_column(default=0.0)
    pauses: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]
    sla_state: Mapped[str] = mapped_column(String(20), default="pending")
    classification: Mapped[str] = mapped_column(String(20), default="trong_han")


class SlaSegment(Base):
    """One row of the control slip (phiếu kiểm soát): a hand-over, its budget, due, time used and result."""

    __tablename__ = "sla_segment"
    __table_args__ = (
        Index("ix_sla_segment_instance", "instance_id", "id"),
        # the on-time report counts a period's finished steps by unit, step or person from the index alone
        Index("ix_sla_segment_finished", "finished_at", "unit", "classification", "element_id", "finished_by"),
    )

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    element_id: Mapped[str] = mapped_column(String(200))
    step: Mapped[str | None] = mapped_column(String(255))
    unit: Mapped[str | None] = mapped_column(String(100))
    from_actor: Mapped[str | None] = mapped_column(String(100))
    to_actor: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    budget: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
    finished_by: Mapped[str | None] = mapped_column(String(100))
    used_s: Mapped[float | None]
    paused_at: Mapped[datetime | None]
    paused_s: Mapped[float] = mapped_column(default=0.0)
    sla_state: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str | None] = mapped_column(String(20))


class Notification(Base):
    """An in-app message (due soon, overdue, escalation) for a user or a group; e-mailed when SMTP is set."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient", "recipient_kind", "recipient", "read_at"),)

    id: Mapped[IntPK]
    created_at: Mapped[datetime]
    recipient_kind: Mapped[str] = mapped_column(String(10))  # user | group
    recipient: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None]
    task_id: Mapped[str | None] = mapped_column(String(36))
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
    #: files the e-mail carries (paths under ``Settings.storage_dir``), e.g. a report's Excel and PDF
    attachments: Mapped[list[str] | None] = mapped_column(JSON)
