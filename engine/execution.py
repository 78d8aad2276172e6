"""The command executor's core: load an instance, change it, advance it, and save everything it implies.

Every service that changes an instance goes through :class:`Executor` inside the caller's transaction,
so workflow state, the human-task index, timers, subscriptions, incidents and audit events are written
together or not at all. The instance row's ``version`` column makes a concurrent change fail loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import clock, history, values
from engine.access import in_units
from engine.bpmn.spiff import (
    BpmnWorkflow,
    SpecSet,
    SpecSource,
    StepFailure,
    ThrownEvent,
    WaitingTimer,
    Workflows,
)
from engine.db import DEPLOYING_KEY, expect_unchanged, insert_at_flush, write_at_flush
from engine.errors import ConcurrentModification, InvalidInput, InvalidState, LimitExceeded, NotFound, Unstorable
from engine.events import Deployed, InstanceEnded, Listeners, TaskClosed, TaskReady
from engine.models import (
    Deployment,
    HumanTask,
    Incident,
    ProcessDefinition,
    ProcessInstance,
    Resource,
    Subscription,
    Timer,
)
from engine.row_writes import row_values

#: Where :func:`deployment_count` keeps its answer for the running transaction.
DEPLOYMENT_COUNT_KEY = "awardflow.deployment_count"
#: ids of the instances this transaction created (:func:`created_here`)
CREATED_KEY = "awardflow.created_instances"
#: How many deployments there are, asked once per transaction (a statement built once, see
#: :func:`deployment_count`).
_DEPLOYMENT_COUNT = select(func.count()).select_from(Deployment)
K = TypeVar("K")
V = TypeVar("V")
#: How far one action may cascade through messages between instances before we stop it.
MAX_HOPS = 20


@dataclass(frozen=True)
class ExecutionContext:
    """What a handler called from a service task may use: the open transaction, the instance, the actor."""

    session: Session
    instance: ProcessInstance
    actor: str


_CONTEXT: ContextVar[ExecutionContext | None] = ContextVar("awardflow_execution", default=None)


def current_execution() -> ExecutionContext:
    """The instance whose engine steps are running now; handlers write through its session (one commit)."""
    context = _CONTEXT.get()
    if context is None:
        raise RuntimeError("no process instance is executing; handlers run only inside engine steps")
    return context


@contextmanager
def executing(session: Session, instance: ProcessInstance, actor: str) -> Iterator[None]:
    token = _CONTEXT.set(ExecutionContext(session, instance, actor))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


Waits = tuple[tuple[WaitingTimer, ...], tuple[str, ...], tuple[str, ...]]
#: What an instance that is not active (or not yet saved) waits for.
NO_WAITS: Waits = ((), (), ())


@dataclass(frozen=True)
class Mirror:
    """What the index tables hold of a workflow: its ready human tasks and what it waits for."""

    ready: frozenset[str]
    waits: Waits

    def without_timer(self, task_id: str) -> Mirror:
        """The mirror once the timer row of ``task_id`` is no longer waiting (the worker took it): if the
        workflow still waits for it after all, the save writes a new row."""
        timers, messages, signals = self.waits
        return Mirror(self.ready, (tuple(t for t in timers if t.task_id != task_id), messages, signals))


@dataclass
class Loaded:
    """An instance row with its workflow deserialized, ready to change, and its mirror as stored."""

    instance: ProcessInstance
    workflow: BpmnWorkflow
    stored: Mirror = field(default_factory=lambda: Mirror(frozenset(), NO_WAITS))


class Executor:
    """Loads, advances and saves instances for the services (runtime, tasks, timers)."""

    def __init__(
        self,
        workflows: Workflows,
        script_engine: Any,
        listeners: Listeners,
        *,
        max_data_bytes: int = 1_000_000,
        max_workflow_bytes: int = 16_000_000,
    ) -> None:
        self.workflows = workflows
        self.script_engine = script_engine
        #: told what happens to tasks and instances, inside the transaction (the SLA, the award domain)
        self.listeners = listeners
        #: the most bytes of JSON the data of one completion or start may take (Settings.max_task_data_bytes)
        self.max_data_bytes = max_data_bytes
        #: the most bytes one stored workflow may take (Settings.workflow_max_bytes)
        self.max_workflow_bytes = max_workflow_bytes
        self._spec_sets: DeploymentCache[tuple[str, tuple[int, ...]], SpecSet] = DeploymentCache()
        #: :meth:`resolve`'s answers by definition id
        self._resolved: DeploymentCache[int, list[int]] = DeploymentCache()

    # -- specs ------------------------------------------------------------------------------------
    def resolve(self, session: Session, definition: ProcessDefinition) -> list[int]:
        """The definition ids an instance of ``definition`` runs: itself and, recursively, the latest
        version of every process it calls. Only a deployment changes them: cached like the specs."""
        return list(self._resolved.get(session, definition.id, lambda: self._callees(session, definition)))

    @staticmethod
    def _callees(session: Session, definition: ProcessDefinition) -> list[int]:
        ids, queue, seen = [definition.id], list(definition.calls), {definition.key}
        while queue:
            key = queue.pop(0)
            if key in seen:
                continue
            seen.add(key)
            callee = latest_definition(session, key)
            if callee is None:
                raise NotFound(f"process {definition.key} calls {key}, which is not deployed")
            ids.append(callee.id)
            queue.extend(callee.calls)
        return ids

    def spec_set(self, session: Session, process_key: str, spec_ids: list[int]) -> SpecSet:
        """The parsed specs of these definitions and the newest DMN decisions.

        Deployed files never change, so the set is cached by definition ids and the count of deployments
        (only a deployment can bring newer decisions): one small query per transaction instead of the files."""

        def parse() -> SpecSet:
            definitions = session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(spec_ids))).all()
            resource_ids = sorted({d.resource_id for d in definitions})
            sources = [
                SpecSource(f"bpmn:{r.id}:{r.content_hash}", "bpmn", r.normalized or r.content)
                for r in session.scalars(select(Resource).where(Resource.id.in_(resource_ids)))
            ]
            sources.extend(dmn_sources(session))
            return self.workflows.specs(process_key, sources)

        return self._spec_sets.get(session, (process_key, tuple(spec_ids)), parse)

    # -- lifecycle --------------------------------------------------------------------------------
    def create(
        self,
        session: Session,
        definition: ProcessDefinition,
        business_key: str | None,
        data: dict[str, Any],
        actor: str,
        unit: str | None = None,
    ) -> Loaded:
        """A new instance row and workflow, not yet advanced."""
        spec_ids = self.resolve(session, definition)
        workflow = self.workflows.create(self.spec_set(session, definition.key, spec_ids), self.script_engine, data)
        instance = ProcessInstance(
            definition_id=definition.id,
            definition=definition,
            process_key=definition.key,
            business_key=business_key,
            unit=unit,
            state="running",
            started_by=actor,
            started_at=clock.now(),
            spec_ids=spec_ids,
            serializer_version="1.5",
            workflow="{}",
        )
        session.add(instance)
        session.flush()
        session.info.setdefault(CREATED_KEY, set()).add(instance.id)
        return Loaded(instance, workflow)

    def load(self, session: Session, instance_id: int, expected_version: int | None = None) -> Loaded:
        """The instance and its workflow; ``expected_version`` guards against a stale caller."""
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(f"no process instance {instance_id}")
        if expected_version is not None and instance.version != expected_version:
            raise ConcurrentModification(
                f"instance {instance_id} is at version {instance.version}, not {expected_version}; reload and retry"
            )
        expect_unchanged(session, instance, "version")
        specs = self.spec_set(session, instance.process_key, instance.spec_ids)
        workflow = self.workflows.load(instance.workflow, specs, self.script_engine)
        return Loaded(instance, workflow, self.mirror(instance, workflow))

    def mirror(self, instance: ProcessInstance, workflow: BpmnWorkflow) -> Mirror:
        """The index rows an instance in this state should have (only active instances wait)."""
        ready = frozenset(self.workflows.ready_task_ids(workflow))
        if instance.state not in ("running", "error"):
            return Mirror(ready, NO_WAITS)
        timers, messages, signals = self.workflows.waiting(workflow)
        return Mirror(ready, (tuple(timers), tuple(messages), tuple(signals)))

    def check_data(self, data: dict[str, Any]) -> None:
        """Refuse, before anything changes, data the store cannot hold or past the bound per command:
        InvalidInput naming each field (a lone surrogate once broke an instance for good)."""
        fields: dict[str, list[str]] = {}
        for name, value in data.items():
            found = values.problem(name) or values.problem(value)
            if found is not None:
                fields[values.printable(str(name))] = [found]
        if fields:
            raise InvalidInput("the data holds values that cannot be stored", fields)
        size = values.json_size(data)
        if size > self.max_data_bytes:
            raise LimitExceeded(
                f"the data is {size} bytes of JSON, more than the bound of {self.max_data_bytes} per command "
                "(setting max_task_data_bytes, AWARDFLOW_MAX_TASK_DATA_BYTES)",
                {"data": [f"at most {self.max_data_bytes} bytes (setting max_task_data_bytes)"]},
            )

    @staticmethod
    def require_active(instance: ProcessInstance) -> None:
        if instance.state in ("completed", "cancelled"):
            raise InvalidState(f"instance {instance.id} is {instance.state}")
        if instance.state == "suspended":
            raise InvalidState(f"instance {instance.id} is suspended; resume it first")

    def advance(self, session: Session, loaded: Loaded, actor: str, hops: int = 0) -> None:
        """Run engine steps to the next wait, record a failure as an incident, save, deliver events."""
        try:
            with executing(session, loaded.instance, actor):
                self.workflows.run_engine_steps(loaded.workflow)
        except StepFailure as failure:
            self.open_incident(session, loaded, failure, actor)
        else:
            self.check_stall(session, loaded, actor)
        thrown = self.workflows.thrown_events(loaded.workflow)
        self.save(session, loaded, actor)
        for event in thrown:
            self.deliver(session, event, loaded.instance, actor, hops + 1)

    def check_stall(self, session: Session, loaded: Loaded, actor: str) -> None:
        """An instance that can no longer move (nothing ready, nothing awaited, or its next task out of
        SpiffWorkflow's reach) becomes an incident saying why: it never just stops."""
        if loaded.instance.state != "running":
            return
        stall = self.workflows.stall(loaded.workflow)
        if stall is not None:
            message, element_id = stall
            self.record_incident(session, loaded.instance, element_id, None, message, actor)

    def open_incident(self, session: Session, loaded: Loaded, failure: StepFailure, actor: str) -> Incident:
        return self.record_incident(
            session, loaded.instance, failure.element_id, failure.task_id, failure.message, actor
        )

    @staticmethod
    def record_incident(
        session: Session,
        instance: ProcessInstance,
        element_id: str | None,
        task_id: str | None,
        message: str,
        actor: str,
    ) -> Incident:
        """An incident at ``element_id``: the instance stops in ``error`` until it is retried."""
        incident = Incident(
            instance_id=instance.id,
            element_id=element_id,
            spiff_task_id=task_id,
            message=message,
            created_at=clock.now(),
        )
        session.add(incident)
        instance.state = "error"
        history.record(
            session,
            actor,
            "incident",
            instance=instance,
            task_id=task_id,
            details={"element_id": element_id, "message": message},
        )
        return incident

    def save(self, session: Session, loaded: Loaded, actor: str) -> None:
        """Write the workflow blob and everything mirrored from it; flush to run the version check."""
        instance, workflow = loaded.instance, loaded.workflow
        try:
            text = self.workflows.dump(workflow)
        except (TypeError, ValueError, UnicodeError, RecursionError) as err:  # a value no check caught
            raise Unstorable(
                f"instance {instance.id} would hold a value the workflow store cannot hold ({err}); nothing was changed"
            ) from err
        if len(text) > self.max_workflow_bytes:
            raise LimitExceeded(
                f"instance {instance.id} would store {len(text)} bytes of workflow, more than the bound of "
                f"{self.max_workflow_bytes} (setting AWARDFLOW_WORKFLOW_MAX_BYTES); nothing was changed"
            )
        instance.workflow = text
        if instance.state == "running" and self.workflows.is_completed(workflow):
            instance.state = "completed"
            instance.ended_at = clock.now()
            history.record(session, actor, "instance_completed", instance=instance)
            self.listeners.announce(InstanceEnded(session, instance, "completed", actor))
        mirror = self.mirror(instance, workflow)
        with session.no_autoflush:  # one flush at the end: the mirrors query nothing they just changed
            self._sync_tasks(session, instance, workflow, loaded.stored, mirror, actor)
            if mirror.waits != loaded.stored.waits:
                # an instance this transaction created and never saved waiting has no timer or subscription rows
                stored = loaded.stored.waits != NO_WAITS or not created_here(session, instance.id)
                self._sync_waits(session, instance, mirror, stored)
        loaded.stored = mirror
        flush(session)

    # -- timer start events -----------------------------------------------------------------------
    def schedule_start_timers(self, event: Deployed) -> None:
        """On deploy: the timer start events of each new definition wait in the timer table (as Spiff arms
        them in a new workflow: ISO date, duration, cycle, or working-time helpers), and those of the key's
        older versions no longer start anything. A timer start whose expression fails refuses the deployment,
        naming the element."""
        session = event.session
        for definition in event.definitions:
            older = select(ProcessDefinition.id).where(
                ProcessDefinition.key == definition.key, ProcessDefinition.id != definition.id
            )
            session.execute(
                update(Timer)
                .where(Timer.kind == "start", Timer.state == "waiting", Timer.definition_id.in_(older))
                .values(state="cancelled")
            )
            try:
                spec_ids = self.resolve(session, definition)
            except NotFound:  # a callee is not deployed yet: nothing of it can start
                continue
            specs = self.spec_set(session, definition.key, spec_ids)
            if not self.workflows.starts_on_timers_only(specs.spec):
                continue
            workflow = self.workflows.create(specs, self.script_engine, {})
            probe = ProcessInstance(process_key=definition.key, unit=None, state="running", started_by=event.actor)
            try:
                with executing(session, probe, event.actor):
                    self.workflows.run_engine_steps(workflow)
            except StepFailure as failure:
                raise InvalidInput(
                    f"process {definition.key}: the timer start event {failure.element_id} cannot be evaluated: "
                    f"{failure.message}",
                    {"files": [f"{definition.key}: {failure.element_id}: {failure.message}"]},
                ) from failure
            for start in self.workflows.start_timers(workflow):
                session.add(
                    _start_timer(definition.id, start.element_id, start.due_at, start.cycles_left, start.period_s)
                )

    def occur_timer_start(
        self, session: Session, loaded: Loaded, actor: str, element_id: str | None, moment: datetime
    ) -> None:
        """A new instance of a process that starts on timers only: its timer start event occurs at ``moment``,
        once (the instance is that occurrence). Other processes are left alone."""
        if not self.workflows.starts_on_timers_only(loaded.workflow.spec):
            return
        try:
            with executing(session, loaded.instance, actor):
                self.workflows.run_engine_steps(loaded.workflow)  # arms the start event, from now
        except StepFailure as failure:
            self.open_incident(session, loaded, failure, actor)
        self.workflows.occur_start_timer(loaded.workflow, element_id, moment)

    def start_on_timer(self, session: Session, row: Timer, actor: str) -> ProcessInstance:
        """A due timer start event: a new instance of its definition, its start event occurred at the row's
        due time (once); a cycle's next occurrence waits in a new row. Runs in the firing's transaction, so
        each occurrence starts exactly one instance."""
        definition = session.get(ProcessDefinition, row.definition_id)
        if definition is None:
            raise NotFound(f"timer {row.id} starts definition {row.definition_id}, which does not exist")
        loaded = self.create(session, definition, None, {}, actor, unit=None)
        history.record(
            session,
            actor,
            "instance_started",
            instance=loaded.instance,
            details={"on": "timer", "element_id": row.element_id, "due_at": row.due_at.isoformat()},
        )
        self.occur_timer_start(session, loaded, actor, row.element_id, row.due_at)
        self.advance(session, loaded, actor)
        if row.cycles_left and row.period_s and row.definition_id is not None:
            left = row.cycles_left - 1 if row.cycles_left > 0 else -1
            next_due = row.due_at + timedelta(seconds=row.period_s)
            session.add(_start_timer(row.definition_id, row.element_id, next_due, left, row.period_s))
        return loaded.instance

    # -- messages and signals ---------------------------------------------------------------------
    def deliver(self, session: Session, event: ThrownEvent, source: ProcessInstance, actor: str, hops: int) -> int:
        """Hand a thrown event to the instances waiting for it (messages: same business key)."""
        if hops > MAX_HOPS:
            raise InvalidState(f"event {event.name} cascaded through more than {MAX_HOPS} instances")
        business_key = event.correlations.get("business_key", source.business_key)
        targets = subscribers(session, event.kind, event.name, business_key if event.kind == "message" else None)
        targets = [t for t in targets if t != source.id]
        if not targets:
            history.record(session, actor, f"{event.kind}_unmatched", instance=source, details={"name": event.name})
        for target_id in targets:
            self.catch(session, target_id, event.kind, event.name, event.payload, actor, hops)
        return len(targets)

    def catch(
        self, session: Session, instance_id: int, kind: str, name: str, payload: Any, actor: str, hops: int = 0
    ) -> None:
        loaded = self.load(session, instance_id)
        if kind == "signal":
            self.workflows.catch_signal(loaded.workflow, name, payload)
        else:
            self.workflows.catch_message(loaded.workflow, name, payload)
        history.record(session, actor, f"{kind}_received", instance=loaded.instance, details={"name": name})
        self.advance(session, loaded, actor, hops)

    # -- mirrors ----------------------------------------------------------------------------------
    def _sync_tasks(
        self,
        session: Session,
        instance: ProcessInstance,
        workflow: BpmnWorkflow,
        stored: Mirror,
        mirror: Mirror,
        actor: str,
    ) -> None:
        """Cancel the rows of tasks no longer ready, add rows for tasks newly ready."""
        for task_id in sorted(stored.ready - mirror.ready):
            row = session.get(HumanTask, task_id)
            if row is not None and row.state == "ready":  # not the one just completed
                self.close_task(session, row, "cancelled", None)
        if not mirror.ready - stored.ready:
            return
        now = clock.now()
        for task in self.workflows.ready_human_tasks(workflow):
            if task.id in stored.ready:
                continue
            groups = _split(task.properties.get("candidate_groups")) or ([task.lane] if task.lane else [])
            users = _split(task.properties.get("candidate_users")) or ([] if groups else [instance.started_by])
            row = HumanTask(
                id=task.id,
                instance_id=instance.id,
                process_key=instance.process_key,
                business_key=instance.business_key,
                unit=instance.unit,
                element_id=task.element_id,
                name=task.name,
                lane=task.lane,
                form=task.properties.get("form"),
                properties=task.properties,
                state="ready",
                assignee=task.assignee or task.properties.get("assignee") or None,
                created_at=now,
            )
            row.set_candidates(groups, users)
            self.listeners.announce(TaskReady(session, instance, row, actor))  # the SLA sets its due time
            insert_at_flush(session, HumanTask, row_values(row))  # the row as the listeners left it

    def close_task(self, session: Session, row: HumanTask, state: str, actor: str | None) -> None:
        """The task leaves the inbox: completed (by ``actor``) or cancelled."""
        row.state, row.completed_at = state, clock.now()
        if state == "completed":
            row.completed_by = actor
            row.assignee = row.assignee or actor
        with session.no_autoflush:  # nothing below reads what was just changed; the command flushes once
            self.listeners.announce(TaskClosed(session, row, actor, aborted=state == "cancelled"))

    def _sync_waits(self, session: Session, instance: ProcessInstance, mirror: Mirror, stored: bool) -> None:
        """Bring the instance's timer rows and subscriptions to what its workflow waits for now; without
        ``stored`` rows of it, nothing is read or forgotten first."""
        timers, messages, signals = mirror.waits
        waiting = session.scalars(_WAITING_TIMERS, {"instance_id": instance.id}) if stored else ()
        existing = {row.spiff_task_id: row for row in waiting}
        wanted = {t.task_id: t for t in timers}
        for task_id, row in existing.items():
            if task_id not in wanted or row.due_at != wanted[task_id].due_at:
                session.delete(row)
        for task_id, timer in wanted.items():
            if task_id not in existing or existing[task_id].due_at != timer.due_at:
                values = {"instance_id": instance.id, "kind": "bpmn", "element_id": timer.element_id}
                insert_at_flush(session, Timer, {**values, "spiff_task_id": task_id, "due_at": timer.due_at})
        if stored:
            write_at_flush(session, _FORGET_SUBSCRIPTIONS, {"instance_id": instance.id})
        for kind, names in (("message", messages), ("signal", signals)):
            for name in names:
                insert_at_flush(session, Subscription, {"instance_id": instance.id, "kind": kind, "name": name})


def created_here(session: Session, instance_id: int) -> bool:
    """Whether this transaction created the instance: then nothing of it was stored before (its dossier clock is
    what this transaction made of it, no query needed). A rollback forgets it (:mod:`engine.db`)."""
    return instance_id in session.info.get(CREATED_KEY, ())


def deployment_count(session: Session) -> int | None:
    """How many deployments the transaction sees, read once per transaction: it keys what is cached of them.
    Deployments are never removed, so the count grows with each, in whatever order they commit (the newest id
    does not: on PostgreSQL a later deployment can commit first). None in a transaction that deploys: nothing
    it reads of deployments may be cached (:data:`~engine.db.DEPLOYING_KEY`)."""
    if session.info.get(DEPLOYING_KEY):
        return None
    count: int | None = session.info.get(DEPLOYMENT_COUNT_KEY)
    if count is None:
        # on the connection: only a deploying transaction writes deployments, and it never gets here, so there
        # is nothing to flush first (the session's way cost more than the count)
        count = session.info[DEPLOYMENT_COUNT_KEY] = session.connection().scalar(_DEPLOYMENT_COUNT) or 0
    return count


class DeploymentCache(Generic[K, V]):
    """Answers only a deployment can change (parsed specs, called versions, forms), kept by key and by the count
    of deployments the asking transaction sees; those of a newer count make the older ones dead. A transaction
    that deploys neither reads nor fills it (:func:`deployment_count` is None there)."""

    def __init__(self) -> None:
        self._found: dict[tuple[K, int], V] = {}

    def get(self, session: Session, key: K, compute: Callable[[], V]) -> V:
        count = deployment_count(session)
        if count is None:
            return compute()
        found = self._found.get((key, count))
        if found is None:
            found = compute()
            if any(seen < count for _key, seen in list(self._found)):  # a copy: other threads add meanwhile
                self._found.clear()
            self._found[(key, count)] = found
        return found


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalars(_LATEST_DEFINITION, {"key": key}).first()


#: statements of every save and start, built once (building one costs more than running it)
_WAITING_TIMERS = select(Timer).where(
    Timer.instance_id == bindparam("instance_id"), Timer.state == "waiting", Timer.kind == "bpmn"
)
_FORGET_SUBSCRIPTIONS = delete(Subscription).where(Subscription.instance_id == bindparam("instance_id"))
_LATEST_DEFINITION = (
    select(ProcessDefinition)
    .where(ProcessDefinition.key == bindparam("key"))
    .order_by(ProcessDefinition.version.desc())
    .limit(1)
)


def dmn_sources(session: Session) -> list[SpecSource]:
    """The newest DMN resource for each decision id (decisions are shared across deployments)."""
    newest: dict[str, Resource] = {}
    for resource in session.scalars(select(Resource).where(Resource.kind == "dmn").order_by(Resource.id)):
        for decision in resource.provides:
            newest[decision] = resource
    unique = {r.id: r for r in newest.values()}
    ordered = sorted(unique.values(), key=lambda r: r.id)
    return [SpecSource(f"dmn:{r.id}:{r.content_hash}", "dmn", r.content) for r in ordered]


def subscribers(
    session: Session, kind: str, name: str, business_key: str | None, units: Collection[str | None] | None = None
) -> list[int]:
    """Ids of active instances waiting for this message (of this business key) or signal, in ``units`` (None:
    every unit; engine-internal deliveries reach every unit)."""
    stmt = (
        select(Subscription.instance_id)
        .join(ProcessInstance, ProcessInstance.id == Subscription.instance_id)
        .where(Subscription.kind == kind, Subscription.name == name)
        .where(ProcessInstance.state.in_(("running", "error")))
        .order_by(Subscription.instance_id)
    )
    if units is not None:
        stmt = stmt.where(in_units(ProcessInstance.unit, units))
    if business_key is not None:
        stmt = stmt.where(ProcessInstance.business_key == business_key)
    return list(session.scalars(stmt))


def flush(session: Session) -> None:
    """Flush, turning SQLAlchemy's stale-version error into our conflict error."""
    try:
        session.flush()
    except StaleDataError as err:
        raise ConcurrentModification("the instance was changed by someone else; reload and retry") from err


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _start_timer(
    definition_id: int, element_id: str, due_at: datetime, cycles_left: int | None, period_s: float | None
) -> Timer:
    """A timer start event's next occurrence, waiting in the timer table with no instance yet."""
    return Timer(
        kind="start",
        definition_id=definition_id,
        element_id=element_id,
        spiff_task_id="",
        due_at=due_at,
        cycles_left=cycles_left,
        period_s=period_s,
    )
