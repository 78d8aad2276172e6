"""Process instances: start, correlate messages, broadcast signals, suspend / resume / cancel, retry, migrate."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, defer

from engine import clock, history
from engine.access import AccessPolicy, in_units
from engine.bpmn import migration
from engine.bpmn.migration import Activity
from engine.bpmn.spiff import StepFailure
from engine.db import Database
from engine.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from engine.events import InstanceEnded
from engine.execution import Executor, Loaded, executing, latest_definition, subscribers
from engine.identity import actor_of
from engine.models import HumanTask, Incident, ProcessDefinition, ProcessInstance, Timer
from engine.values import check_text, text_problem

#: The data bound of a service built without settings (tests): the setting's default.


@dataclass(frozen=True)
class InstanceView:
    """What callers get back: the row's facts plus the process data (read from the workflow)."""

    id: int
    process_key: str
    definition_version: int
    business_key: str | None
    unit: str | None
    state: str
    version: int
    started_by: str
    started_at: datetime
    ended_at: datetime | None
    data: dict[str, Any]
    incidents: list[dict[str, Any]]


@dataclass(frozen=True)
class MigrationPlan:
    """What moving an instance to a version needs: its current tasks' elements missing there, and the
    elements of that version they may be mapped to."""

    missing: list[Activity]
    targets: list[Activity]


#: The most entries a migration mapping may have, and the longest element id it may name.
MAX_MAPPING = 500
MAX_ELEMENT_ID = 200  # the element_id columns

#: States in which an instance has no open incident: an incident puts it in "error", and only a retry,
#: which resolves the incident, brings it back to "running".
CLEAR_STATES = ("running", "completed")


class RuntimeService:
    """Instances of deployed processes. Every method is one transaction with its audit events; every command
    checks the actor's reach (:class:`AccessPolicy`) inside it, before anything changes."""

    def __init__(self, db: Database, executor: Executor, access: AccessPolicy) -> None:
        self.db = db
        self.executor = executor
        self.access = access

    def start(
        self,
        key: str,
        *,
        business_key: str | None = None,
        data: dict[str, Any] | None = None,
        actor: str,
        version: int | None = None,
        unit: str | None = None,
    ) -> InstanceView:
        """Start the latest (or the given) version of ``key`` and run it to its first wait.

        ``unit`` is whose work it is; by default the starter's unit. Only someone who reaches every unit may
        start work for another unit (PermissionDenied, checked in the same transaction)."""
        if data is not None and not isinstance(data, dict):
            raise InvalidInput("data must be a JSON object", {"data": ["must be an object"]})
        check_text(business_key=business_key, key=key, unit=unit)
        self.executor.check_data(dict(data or {}))
        with self.db.transaction() as session:
            caller = actor_of(session, actor)
            if unit is not None and not self.access.reaches_unit(caller, unit):
                raise PermissionDenied(f"{caller.username} may start instances only for unit {caller.unit}")
            definition = _definition(session, key, version)
            unit = unit or caller.unit
            loaded = self.executor.create(session, definition, business_key, dict(data or {}), actor, unit)
            history.record(session, actor, "instance_started", instance=loaded.instance, after={"data": data or {}})
            # started by hand, a process that starts on a timer starts now, once
            moment = clock.now() - timedelta(microseconds=1)  # (Spiff fires a timer strictly past its time)
            self.executor.occur_timer_start(session, loaded, actor, None, moment)
            self.executor.advance(session, loaded, actor)
            return self._view(session, loaded.instance, loaded.workflow)

    def get(self, instance_id: int) -> InstanceView:
        with self.db.reading() as session:
            loaded = self.executor.load(session, instance_id)
            return self._view(session, loaded.instance, loaded.workflow)

    def version(self, instance_id: int) -> int:
        """The instance's optimistic-lock version, read alone (loading the row would load its workflow too);
        NotFound."""
        with self.db.reading() as session:
            version = session.scalar(select(ProcessInstance.version).where(ProcessInstance.id == instance_id))
        if version is None:
            raise NotFound(f"no process instance {instance_id}")
        return int(version)

    def ids_for(self, business_key: str) -> builtins.list[int]:
        """The ids of the instances of a business key, newest first, read alone (a run of the simulation asks it
        of every dossier it makes; :meth:`list` loads whole rows, their definitions joined)."""
        with self.db.reading() as session:
            return list(session.connection().scalars(_IDS_FOR, {"business_key": business_key}))

    def find(self, instance_id: int) -> ProcessInstance:
        """The instance row without deserializing its workflow (unit, state, version); NotFound."""
        with self.db.reading() as session:
            instance = session.get(ProcessInstance, instance_id)
            if instance is None:
                raise NotFound(f"no process instance {instance_id}")
            return instance

    def list(
        self,
        *,
        process_key: str | None = None,
        state: str | None = None,
        business_key: str | None = None,
        units: Collection[str | None] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ProcessInstance]:
        """Instance rows without their workflow (the large column: a list never needs it, and asking for it fails),
        newest first; ``units`` (None: all) scopes them."""
        with self.db.reading() as session:
            stmt = (
                select(ProcessInstance)
                .options(defer(ProcessInstance.workflow, raiseload=True))
                .order_by(ProcessInstance.id.desc())
            )
            if process_key:
                stmt = stmt.where(ProcessInstance.process_key == process_key)
            if state:
                stmt = stmt.where(ProcessInstance.state == state)
            if business_key:
                stmt = stmt.where(ProcessInstance.business_key == business_key)
            if units is not None:
                stmt = stmt.where(in_units(ProcessInstance.unit, units))
            return list(session.scalars(stmt.offset(offset).limit(limit)))

    def correlate(
        self, message: str, *, business_key: str | None, payload: Any = None, actor: str, all_matches: bool = False
    ) -> builtins.list[int]:
        """Deliver a message to the instance (or, with ``all_matches``, every instance) waiting for it, among
        the instances of the actor's units. NotFound when none of them waits; InvalidState when several do and
        not ``all_matches``; PermissionDenied for ``all_matches`` by someone who does not reach every unit;
        InvalidInput for a payload the store cannot hold."""
        self.executor.check_data({"payload": payload})
        with self.db.transaction() as session:
            caller = actor_of(session, actor)
            if all_matches:
                self.access.require_broadcast(caller, f"message {message!r}")
            targets = subscribers(session, "message", message, business_key, self.access.units(caller))
            if not targets:
                started = self._start_on(session, "message", message, business_key, payload, actor)
                if started:
                    return started
                raise NotFound(
                    f"no instance waits for message {message!r} with business key {business_key!r}, "
                    "and no process starts on it"
                )
            if len(targets) > 1 and not all_matches:
                raise InvalidState(f"{len(targets)} instances wait for message {message!r}; correlate all or narrow")
            for target in targets:
                self.executor.catch(session, target, "message", message, payload, actor)
            return targets

    def signal(self, name: str, *, payload: Any = None, actor: str) -> builtins.list[int]:
        """Broadcast a signal to every active instance waiting for it in the actor's units (all units for
        those who reach every unit)."""
        self.executor.check_data({"payload": payload})
        with self.db.transaction() as session:
            targets = subscribers(session, "signal", name, None, self.access.units(actor_of(session, actor)))
            for target in targets:
                self.executor.catch(session, target, "signal", name, payload, actor)
            return targets + self._start_on(session, "signal", name, None, payload, actor)

    def suspend(self, instance_id: int, *, actor: str) -> InstanceView:
        """Stop an instance from moving: its tasks can't be completed and its timers don't fire."""
        return self._set_state(instance_id, actor, "suspended", allowed=("running", "error"))

    def resume(self, instance_id: int, *, actor: str) -> InstanceView:
        return self._set_state(instance_id, actor, "resume", allowed=("suspended",))

    def cancel(self, instance_id: int, *, actor: str, reason: str | None = None) -> InstanceView:
        """End an instance for good: its open tasks are cancelled, its timers dropped."""
        with self.db.transaction() as session:
            loaded = self._load(session, instance_id, actor)
            before = loaded.instance.state
            if before in ("completed", "cancelled"):
                raise InvalidState(f"instance {instance_id} is already {before}")
            self.executor.workflows.cancel(loaded.workflow)
            loaded.instance.state = "cancelled"
            loaded.instance.ended_at = clock.now()
            self.executor.listeners.announce(InstanceEnded(session, loaded.instance, "cancelled", actor))
            history.record(
                session,
                actor,
                "instance_cancelled",
                instance=loaded.instance,
                before={"state": before},
                after={"state": "cancelled"},
                details={"reason": reason} if reason else None,
            )
            self.executor.save(session, loaded, actor)
            return self._view(session, loaded.instance, loaded.workflow)

    def retry(self, instance_id: int, *, actor: str, data: dict[str, Any] | None = None) -> InstanceView:
        """Run the failed task again (with corrected data merged in) after its cause was fixed."""
        self.executor.check_data(dict(data or {}))
        with self.db.transaction() as session:
            loaded = self._load(session, instance_id, actor)
            incident = _open_incident(session, instance_id)
            if loaded.instance.state != "error" or incident is None:
                raise InvalidState(f"instance {instance_id} has no open incident")
            incident.resolved_at, incident.resolved_by = clock.now(), actor
            loaded.instance.state = "running"
            self._rearm_failed_timers(session, instance_id)
            history.record(
                session,
                actor,
                "incident_retried",
                instance=loaded.instance,
                after={"data": data or {}},
                details={"incident": incident.id, "element_id": incident.element_id},
            )
            failed = self.executor.workflows.failed_task(loaded.workflow)
            try:
                if failed is not None:
                    with executing(session, loaded.instance, actor):
                        self.executor.workflows.run_task(failed, data or {})
            except StepFailure as failure:
                self.executor.open_incident(session, loaded, failure, actor)
            self.executor.advance(session, loaded, actor)
            return self._view(session, loaded.instance, loaded.workflow)

    @staticmethod
    def _rearm_failed_timers(session: Session, instance_id: int) -> None:
        """Timers that failed for good (an incident each) wait again, tries counted afresh, on a retry."""
        session.execute(
            update(Timer)
            .where(Timer.instance_id == instance_id, Timer.state == "failed")
            .values(state="waiting", attempts=0, retry_at=None)
        )

    def migrate(
        self,
        instance_id: int,
        *,
        actor: str,
        to_version: int | None = None,
        mapping: Mapping[str, str] | None = None,
    ) -> InstanceView:
        """Move an instance to a newer version of its definition: each current task to the element with its id,
        or to the one ``mapping`` (old element id -> new element id: renamed or moved activities) names.

        InvalidInput naming the field for a mapping that is not text to text, or names an element neither
        version has; InvalidState naming every current task without a counterpart. Nothing changes then."""
        mapping = checked_mapping(mapping)
        with self.db.transaction() as session:
            loaded = self._load(session, instance_id, actor)
            instance = loaded.instance
            self.executor.require_active(instance)
            target = _definition(session, instance.process_key, to_version)
            if target.version <= instance.definition.version:
                raise InvalidInput(
                    f"version {target.version} is not newer than {instance.definition.version}",
                    {"to_version": ["must be newer than the instance's version"]},
                )
            spec_ids = self.executor.resolve(session, target)
            specs = self.executor.spec_set(session, target.key, spec_ids)
            problems = migration.mapping_problems(loaded.workflow, specs, mapping)
            if problems:
                raise InvalidInput(f"the mapping names unknown elements: {', '.join(problems)}", problems)
            missing = migration.migrate(loaded.workflow, specs, mapping)
            if missing:
                raise InvalidState(
                    f"cannot migrate instance {instance_id} to version {target.version}: current task(s) "
                    f"{', '.join(_named(a) for a in missing)} do not exist there; map each to an element of "
                    f"version {target.version}"
                )
            self._relabel_tasks(session, loaded.workflow)
            before = instance.definition.version
            instance.definition_id, instance.definition, instance.spec_ids = target.id, target, spec_ids
            history.record(
                session,
                actor,
                "instance_migrated",
                instance=instance,
                before={"version": before},
                after={"version": target.version, **({"mapping": dict(mapping)} if mapping else {})},
            )
            self.executor.advance(session, loaded, actor)
            return self._view(session, instance, loaded.workflow)

    def _relabel_tasks(self, session: Session, workflow: Any) -> None:
        """Open task rows follow the element their task stands on after a migration: its id, name, form and
        properties (the row keeps its claim, candidates and due time; its control-slip step keeps the name it
        began under)."""
        for task in self.executor.workflows.ready_human_tasks(workflow):
            row = session.get(HumanTask, task.id)
            if row is not None and row.state == "ready":
                row.element_id, row.name = task.element_id, task.name
                row.form, row.properties = task.properties.get("form"), task.properties

    def migration_plan(self, instance_id: int, *, actor: str, to_version: int) -> MigrationPlan:
        """What migrating to ``to_version`` needs: the current tasks' elements missing there, and that version's
        elements to map them to (for the designer's page). A read; NotFound out of the actor's reach."""
        with self.db.reading() as session:
            loaded = self._load(session, instance_id, actor)
            target = _definition(session, loaded.instance.process_key, to_version)
            specs = self.executor.spec_set(session, target.key, self.executor.resolve(session, target))
            missing = migration.plan(loaded.workflow, specs, {}).missing
            return MigrationPlan(missing, migration.activities(specs))

    # -- helpers ----------------------------------------------------------------------------------
    def _start_on(
        self, session: Session, kind: str, name: str, business_key: str | None, payload: Any, actor: str
    ) -> builtins.list[int]:
        """Start an instance of the newest version of every process with a ``kind`` start event for ``name``
        (in the actor's unit), and hand it the event: its ids. One transaction with the caller's."""
        started = []
        unit = actor_of(session, actor).unit
        for definition in _latest_definitions(session):
            try:
                spec_ids = self.executor.resolve(session, definition)
            except NotFound:  # a callee is not deployed: it cannot start (starting it by hand says so)
                continue
            specs = self.executor.spec_set(session, definition.key, spec_ids)
            if (kind, name) not in self.executor.workflows.start_triggers(specs):
                continue
            loaded = self.executor.create(session, definition, business_key, {}, actor, unit)
            history.record(
                session, actor, "instance_started", instance=loaded.instance, details={"on": kind, "name": name}
            )
            self.executor.advance(session, loaded, actor)  # to its start event, which waits for this event
            self.executor.catch(session, loaded.instance.id, kind, name, payload, actor)
            started.append(loaded.instance.id)
        return started

    def _load(self, session: Session, instance_id: int, actor: str) -> Loaded:
        """The instance a command changes, once the actor's reach is checked (NotFound before its workflow is
        read when it is out of reach)."""
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(f"no process instance {instance_id}")
        self.access.require_instance(actor_of(session, actor), instance)
        return self.executor.load(session, instance_id)

    def _set_state(self, instance_id: int, actor: str, action: str, allowed: tuple[str, ...]) -> InstanceView:
        with self.db.transaction() as session:
            loaded = self._load(session, instance_id, actor)
            instance = loaded.instance
            if instance.state not in allowed:
                raise InvalidState(f"instance {instance_id} is {instance.state}; cannot {action}")
            before = instance.state
            if action == "suspended":
                instance.state = "suspended"
                session.execute(
                    update(Timer)
                    .where(Timer.instance_id == instance_id, Timer.state == "waiting")
                    .values(state="suspended")
                )
            else:
                instance.state = "error" if _open_incident(session, instance_id) else "running"
                session.execute(
                    update(Timer)
                    .where(Timer.instance_id == instance_id, Timer.state == "suspended")
                    .values(state="waiting")
                )
            verb = "instance_suspended" if action == "suspended" else "instance_resumed"
            history.record(
                session, actor, verb, instance=instance, before={"state": before}, after={"state": instance.state}
            )
            return self._view(session, instance, loaded.workflow)

    def _view(self, session: Session, instance: ProcessInstance, workflow: Any) -> InstanceView:
        incidents: Any = ()
        if instance.state not in CLEAR_STATES:
            incidents = session.scalars(
                select(Incident).where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None))
            )
        return InstanceView(
            id=instance.id,
            process_key=instance.process_key,
            definition_version=instance.definition.version,
            business_key=instance.business_key,
            unit=instance.unit,
            state=instance.state,
            version=instance.version,
            started_by=instance.started_by,
            started_at=instance.started_at,
            ended_at=instance.ended_at,
            data=self.executor.workflows.data(workflow),
            incidents=[
                {"id": i.id, "element_id": i.element_id, "message": i.message, "created_at": i.created_at}
                for i in incidents
            ],
        )


def checked_mapping(mapping: Any) -> dict[str, str]:
    """A migration mapping as the engine takes it: at most :data:`MAX_MAPPING` element ids to element ids."""
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise InvalidInput("mapping must be an object", {"mapping": ["must map element ids to element ids"]})
    if len(mapping) > MAX_MAPPING:
        raise InvalidInput("mapping is too long", {"mapping": [f"at most {MAX_MAPPING} entries"]})
    for source, target in mapping.items():
        if not all(isinstance(v, str) and 0 < len(v) <= MAX_ELEMENT_ID for v in (source, target)):
            raise InvalidInput(
                "mapping entries must be element ids",
                {"mapping": [f"keys and values must be element ids (text of 1 to {MAX_ELEMENT_ID} characters)"]},
            )
        if problem := text_problem(source) or text_problem(target):
            raise InvalidInput(f"mapping: {problem}", {"mapping": [problem]})
    return dict(mapping)


def _named(activity: Activity) -> str:
    return f"{activity.id} ({activity.name})" if activity.name else activity.id


def _definition(session: Session, key: str, version: int | None) -> ProcessDefinition:
    if version is None:
        definition = latest_definition(session, key)
    else:
        definition = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == key, ProcessDefinition.version == version)
        ).first()
    if definition is None:
        suffix = f" version {version}" if version is not None else ""
        raise NotFound(f"no deployed process {key!r}{suffix}")
    return definition


def _latest_definitions(session: Session) -> list[ProcessDefinition]:
    """The newest version of every process key."""
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    stmt = (
        select(ProcessDefinition)
        .join(newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))
        .order_by(ProcessDefinition.key)
    )
    return list(session.scalars(stmt))


def _open_incident(session: Session, instance_id: int) -> Incident | None:
    stmt = select(Incident).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
    return session.scalars(stmt.order_by(Incident.id.desc()).limit(1)).first()


_IDS_FOR = (
    select(ProcessInstance.id)
    .where(ProcessInstance.business_key == bindparam("business_key"))
    .order_by(ProcessInstance.id.desc())
)
