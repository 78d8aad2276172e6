"""Human tasks: the inbox (a query, never a deserialization), claim / unclaim / assign / delegate, complete."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

import jsonschema
from referencing.exceptions import Unresolvable
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, lazyload

from engine import clock, history
from engine.access import AccessPolicy
from engine.bpmn.forms import NO_RETRIEVAL
from engine.db import Database, expect_unchanged
from engine.errors import (
    ConcurrentModification,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    TaskAlreadyClaimed,
)
from engine.events import TaskClaimed
from engine.execution import DeploymentCache, Executor, executing
from engine.identity import Actor, actor_of
from engine.inbox import InboxQuery, check_query, count_limit, inbox_page
from engine.models import HumanTask, ProcessInstance, Resource
from engine.registry import HandlerRegistry

#: The data bound of a service built without settings (tests): the setting's default.


@dataclass(frozen=True)
class TaskView:
    """A human task as callers see it."""

    id: str
    instance_id: int
    process_key: str
    business_key: str | None
    unit: str | None
    element_id: str
    name: str | None
    lane: str | None
    form: str | None
    state: str
    assignee: str | None
    owner: str | None
    delegation: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    budget: str | None = None
    sla_state: str | None = None
    classification: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    #: the instance's optimistic-lock version, when the call that returns the view knows it
    instance_version: int | None = None

    @classmethod
    def of(cls, row: Any) -> TaskView:
        """The view of a :class:`HumanTask`, or of a row of its table read without the ORM (same names)."""
        return cls(
            id=row.id,
            instance_id=row.instance_id,
            process_key=row.process_key,
            business_key=row.business_key,
            unit=row.unit,
            element_id=row.element_id,
            name=row.name,
            lane=row.lane,
            form=row.form,
            state=row.state,
            assignee=row.assignee,
            owner=row.owner,
            delegation=row.delegation,
            candidate_groups=row.candidate_groups,
            candidate_users=row.candidate_users,
            created_at=row.created_at,
            due_at=row.due_at,
            completed_at=row.completed_at,
            completed_by=row.completed_by,
            budget=row.budget,
            sla_state=row.sla_state,
            classification=row.classification,
            properties=dict(row.properties or {}),
        )


@dataclass(frozen=True)
class Page:
    """One page of the inbox. ``total`` is exact when ``total_exact``; else counting stopped there (more)."""

    items: list[TaskView]
    total: int
    page: int
    per_page: int
    total_exact: bool = True


class TaskService:
    """Everything a person does with a human task. Each call is one transaction with its audit event."""

    def __init__(
        self,
        db: Database,
        executor: Executor,
        access: AccessPolicy,
        checks: HandlerRegistry | None = None,
    ) -> None:
        self.db = db
        self.executor = executor
        self.access = access
        #: where a task's ``check`` property (a handler name) is looked up: the rule an answer must keep
        self.checks = checks or HandlerRegistry()
        self._forms: DeploymentCache[tuple[int, str], str] = DeploymentCache()

    # -- reading ----------------------------------------------------------------------------------
    def inbox(self, user: str | Actor, query: InboxQuery | None = None) -> Page:
        """Ready tasks the user may work on: assigned to them and/or claimable through their groups. A caller
        that has just checked who the user is passes the :class:`Actor` instead of the name."""
        q = query or InboxQuery()
        check_query(q)
        with self.db.reading() as session:
            actor = user if isinstance(user, Actor) else actor_of(session, user)
            rows, total = inbox_page(session, actor, q)
            items = [TaskView.of(r) for r in rows]
            return Page(items, total, q.page, q.per_page, total_exact=total <= count_limit(q))

    def get(self, task_id: str) -> TaskView:
        with self.db.reading() as session:
            return TaskView.of(_task(session, task_id))

    def for_instance(self, instance_id: int, *, state: str | None = None) -> list[TaskView]:
        """The instance's tasks in the order they arose; with ``state``, only those in it (``"ready"``: what
        someone can work on now, without the instance's whole history)."""
        with self.db.reading() as session:
            if state is None:
                rows = session.connection().execute(_OF_INSTANCE, {"instance_id": instance_id})
            else:
                rows = session.connection().execute(_OF_INSTANCE_IN, {"instance_id": instance_id, "state": state})
            return [TaskView.of(r) for r in rows]

    def form(self, task_id: str) -> dict[str, Any] | None:
        """The JSON Schema of the task's form, or None when it has none."""
        with self.db.reading() as session:
            return self._form_schema(session, _task(session, task_id))

    # -- assignment -------------------------------------------------------------------------------
    # Each command locks the task's instance, checks the expected version, loads the actor and checks their
    # reach and role on the task, all in the transaction that then changes it. NotFound when the task is out
    # of the actor's reach; ConcurrentModification when ``expected_version`` is stale. Each runs through
    # :meth:`_assignment`, so on SQLite it takes the write lock only to write.
    def claim(self, task_id: str, username: str, *, expected_version: int | None = None) -> TaskView:
        """Take an unassigned task of one of my groups. PermissionDenied (not a candidate), TaskAlreadyClaimed."""

        def change(session: Session, actor: Actor, row: HumanTask) -> None:
            if row.assignee == actor.username:
                return
            if row.assignee is not None:
                raise TaskAlreadyClaimed(f"task {task_id} is already claimed by {row.assignee}")
            self._require_may_work(actor, row)
            self._reassign(session, row, actor.username, "task_claimed", actor.username)

        return self._assignment(task_id, username, expected_version, change)

    def unclaim(self, task_id: str, username: str, *, expected_version: int | None = None) -> TaskView:
        """Give my task back to its groups (administrators: anyone's). PermissionDenied."""

        def change(session: Session, actor: Actor, row: HumanTask) -> None:
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied(f"task {task_id} is not claimed by {actor.username}")
            self._reassign(session, row, None, "task_unclaimed", actor.username)
            row.owner = row.delegation = None

        return self._assignment(task_id, username, expected_version, change)

    def assign(self, task_id: str, username: str, assignee: str, *, expected_version: int | None = None) -> TaskView:
        """Give a task to one of its candidates: a claimed task only by someone above the claimant (division
        head, supervisor, administrator), an unclaimed one also by its candidates. PermissionDenied;
        InvalidInput naming ``assignee`` when they are not an active candidate."""

        def change(session: Session, actor: Actor, row: HumanTask) -> None:
            if not self.access.may_reassign(actor, row):
                whose = f"claimed by {row.assignee}" if row.assignee else "not of their groups"
                raise PermissionDenied(f"{actor.username} may not assign task {task_id} ({whose})")
            if not self.access.is_candidate(_named_user(session, assignee, "assignee"), row):
                raise InvalidInput(
                    f"{assignee} is not a candidate of task {task_id}", {"assignee": ["not a candidate of the task"]}
                )
            self._reassign(session, row, assignee, "task_assigned", actor.username)

        return self._assignment(task_id, username, expected_version, change)

    def delegate(self, task_id: str, username: str, delegate: str, *, expected_version: int | None = None) -> TaskView:
        """Hand my task to someone to work on; it comes back to me when they resolve it. PermissionDenied;
        InvalidInput naming ``delegate`` when they are not an active user."""

        def change(session: Session, actor: Actor, row: HumanTask) -> None:
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied(f"only the assignee may delegate task {task_id}")
            _named_user(session, delegate, "delegate")
            row.owner = row.owner or row.assignee or actor.username
            row.delegation = "pending"
            self._reassign(session, row, delegate, "task_delegated", actor.username)

        return self._assignment(task_id, username, expected_version, change)

    def resolve(
        self,
        task_id: str,
        username: str,
        data: dict[str, Any] | None = None,
        *,
        expected_version: int | None = None,
    ) -> TaskView:
        """The delegate gives the task back to its owner (their data is kept for the owner to complete).
        InvalidState when not delegated; PermissionDenied."""

        def change(session: Session, actor: Actor, row: HumanTask) -> None:
            if row.delegation != "pending":
                raise InvalidState(f"task {task_id} is not delegated")
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied(f"only the delegate may resolve task {task_id}")
            row.delegation = "resolved"
            self._reassign(session, row, row.owner, "task_resolved", actor.username, data)

        return self._assignment(task_id, username, expected_version, change)

    def _assignment(
        self,
        task_id: str,
        username: str,
        expected_version: int | None,
        change: Callable[[Session, Actor, HumanTask], None],
    ) -> TaskView:
        """Run ``change`` on the command's actor and task (see :meth:`_command`) through
        :meth:`Database.command`: it may run more than once, so it changes nothing outside the session."""

        def work(session: Session) -> TaskView:
            actor, row, _instance = self._command(session, task_id, username, expected_version)
            change(session, actor, row)
            return TaskView.of(row)

        return self.db.command(work)

    # -- completion -------------------------------------------------------------------------------
    def complete(
        self,
        task_id: str,
        username: str,
        data: dict[str, Any] | None = None,
        *,
        expected_version: int | None = None,
    ) -> TaskView:
        """Validate the form data, complete the task and run the process to its next wait; the answer carries
        the instance's new version. NotFound, PermissionDenied, InvalidInput (the form), InvalidState,
        ConcurrentModification."""
        if data is not None and not isinstance(data, dict):
            raise InvalidInput("data must be a JSON object", {"data": ["must be an object"]})
        data = dict(data or {})
        self.executor.check_data(data)
        return self.db.command(
            lambda session: self._complete(session, task_id, username, copy.deepcopy(data), expected_version)
        )

    def _complete(
        self, session: Session, task_id: str, username: str, data: dict[str, Any], expected_version: int | None
    ) -> TaskView:
        """The completion's one try (:meth:`Database.command` may run it again: it changes only the session)."""
        actor, row, instance = self._command(session, task_id, username, expected_version)
        self._require_may_complete(actor, row)
        loaded = self.executor.load(session, instance.id)
        _validate_form(self._form_schema(session, row), data)
        self.executor.require_active(loaded.instance)
        task = self.executor.workflows.find_task(loaded.workflow, task_id)
        if task is None:
            raise InvalidState(f"task {task_id} is no longer ready")
        self._check_answer(session, loaded.instance, row, actor.username, data)
        before = {k: v for k, v in self.executor.workflows.task_data(task).items() if k in data}
        self.executor.workflows.run_task(task, data)
        self.executor.close_task(session, row, "completed", actor.username)
        history.record(
            session,
            actor.username,
            "task_completed",
            instance=loaded.instance,
            task_id=task_id,
            before=before,
            after=data,
            details={"element_id": row.element_id},
        )
        self.executor.advance(session, loaded, actor.username)
        return replace(TaskView.of(row), instance_version=loaded.instance.version)

    def _check_answer(
        self, session: Session, instance: ProcessInstance, row: HumanTask, actor: str, data: dict[str, Any]
    ) -> None:
        """The task's ``check`` handler judges the answer before the process moves: a rule the form's schema
        cannot state (it needs the instance's records) refuses with InvalidInput, and nothing has changed."""
        name = (row.properties or {}).get("check")
        if not name:
            return
        with executing(session, instance, actor):
            self.checks.call(name, {"answer": dict(data)}, data)

    def _command(
        self, session: Session, task_id: str, username: str, expected_version: int | None
    ) -> tuple[Actor, HumanTask, ProcessInstance]:
        """The actor and the ready task a command changes, and its instance: instance locked and at
        ``expected_version``, task row-locked and in the actor's reach (checked before its state is told). The
        caller keeps the instance: the session holds loaded rows only while someone refers to them."""
        instance = _lock_instance_of(session, task_id)
        if expected_version is not None and instance.version != expected_version:
            raise ConcurrentModification(
                f"instance {instance.id} is at version {instance.version}, not {expected_version}; reload and retry"
            )
        actor = actor_of(session, username)
        row = session.scalars(_TASK_FOR_UPDATE, {"task_id": task_id}).first()
        if row is None:
            raise NotFound(f"no task {task_id}")
        expect_unchanged(session, row, "state", "assignee", "owner", "delegation")
        self.access.require_task(actor, row)
        if row.state != "ready":
            raise InvalidState(f"task {task_id} is {row.state}")
        return actor, row, instance

    def _require_may_work(self, actor: Actor, row: HumanTask) -> None:
        if not self.access.may_work(actor, row):
            groups = ", ".join(row.candidate_groups) or "no group"
            raise PermissionDenied(f"task {row.id} belongs to {groups}; {actor.username} is not a candidate")

    def _require_may_complete(self, actor: Actor, row: HumanTask) -> None:
        if row.delegation == "pending" and not actor.is_admin:
            raise InvalidState(f"task {row.id} is delegated to {row.assignee}; it must be resolved back first")
        if row.assignee is not None:
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied(f"task {row.id} is claimed by {row.assignee}; only they may complete it")
            return
        self._require_may_work(actor, row)

    def _form_schema(self, session: Session, row: HumanTask) -> dict[str, Any] | None:
        """The task's form from its definition's deployment (else the newest one of that name).

        Deployed files never change: the answer is cached by definition (whose deployment never changes) and
        form (:class:`~engine.execution.DeploymentCache`)."""
        if not row.form:
            return None
        instance = session.get(ProcessInstance, row.instance_id)
        assert instance is not None

        def read() -> str:
            stmt = select(Resource).where(Resource.kind == "form", Resource.name == row.form)
            resource = (
                session.scalars(stmt.where(Resource.deployment_id == instance.definition.deployment_id)).first()
                or session.scalars(stmt.order_by(Resource.id.desc())).first()
            )
            if resource is None:
                raise NotFound(f"form {row.form} of task {row.id} is not deployed")
            return resource.content

        content = self._forms.get(session, (instance.definition_id, row.form), read)
        schema: dict[str, Any] = json.loads(content)
        return schema

    def _reassign(
        self,
        session: Session,
        row: HumanTask,
        assignee: str | None,
        action: str,
        actor: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        before = row.assignee
        row.assignee = assignee
        row.claimed_at = clock.now() if assignee else None
        self.executor.listeners.announce(TaskClaimed(session, row))
        instance = session.get(ProcessInstance, row.instance_id)
        history.record(
            session,
            actor,
            action,
            instance=instance,
            task_id=row.id,
            before={"assignee": before},
            after={"assignee": assignee, **({"data": data} if data else {})},
        )


def _task(session: Session, task_id: str) -> HumanTask:
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"no task {task_id}")
    return row


#: :func:`_lock_instance_of`'s statement, built once (every command on a task runs it). It locks the instance,
#: not its definition (other instances share it), which it does not load either: a command needs only its id.
_INSTANCE_OF_TASK = (
    select(ProcessInstance)
    .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
    .where(HumanTask.id == bindparam("task_id"))
    .options(lazyload(ProcessInstance.definition))
    .with_for_update(key_share=True, of=ProcessInstance)
)

#: The task a command changes, row-locked (``session.get`` would build this statement on every call).
_TASK_FOR_UPDATE = select(HumanTask).where(HumanTask.id == bindparam("task_id")).with_for_update()


def _lock_instance_of(session: Session, task_id: str) -> ProcessInstance:
    """Lock the task's instance before the task itself: the timer worker locks an instance, then changes its
    tasks, so taking them in the other order could deadlock a completion against a firing boundary timer. One
    statement: the task row only leads to its instance here (it is locked next)."""
    instance = session.scalars(_INSTANCE_OF_TASK, {"task_id": task_id}).first()
    if instance is None:
        raise NotFound(f"no task {task_id}")
    expect_unchanged(session, instance, "version")
    return instance


def _named_user(session: Session, username: str, field_name: str) -> Actor:
    """The user a command hands a task to; InvalidInput naming the field when there is no such active user."""
    try:
        return actor_of(session, username)
    except NotFound:
        raise InvalidInput(f"no active user named {username!r}", {field_name: ["no such active user"]}) from None


def _validate_form(schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    if schema is None:
        return
    validator = jsonschema.validators.validator_for(schema)(schema, registry=NO_RETRIEVAL)  # never fetches
    fields: dict[str, list[str]] = {}
    try:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    except Unresolvable as err:  # a form deployed before references were checked
        raise InvalidState(f"the task's form cannot be checked: {err}; deploy a corrected form") from err
    for error in errors:
        path = ".".join(str(p) for p in error.absolute_path)
        if not path and error.validator == "required":
            path = error.message.split("'")[1] if "'" in error.message else ""
        fields.setdefault(path or "_", []).append(error.message)
    if fields:
        raise InvalidInput("the form data is not valid", fields)


#: An instance's tasks as plain rows, built once: a what-if run asks after every step, and the ORM's loading of
#: the rows cost more than the query.
_TASK_ROWS = cast(Any, HumanTask.__table__)
_OF_INSTANCE = (
    select(_TASK_ROWS).where(_TASK_ROWS.c.instance_id == bindparam("instance_id")).order_by(_TASK_ROWS.c.created_at)
)
_OF_INSTANCE_IN = _OF_INSTANCE.where(_TASK_ROWS.c.state == bindparam("state"))
