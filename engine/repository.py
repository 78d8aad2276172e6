"""Process definitions: validate and deploy bundles, version them by content, read them back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import clock, history
from engine.bpmn.blob import called_processes, has_entered
from engine.bpmn.validation import ValidatedBundle, validate_bundle
from engine.db import DEPLOYING_KEY, Database
from engine.design_diff import file_changes
from engine.errors import Conflict, InvalidInput, NotFound, Problem, VersionConflict
from engine.events import Deployed, Listeners
from engine.models import Deployment, ProcessDefinition, ProcessInstance, Resource
from engine.scripting import sandbox_check


@dataclass(frozen=True)
class DefinitionView:
    id: int
    key: str
    version: int
    name: str | None
    deployment_id: int
    resource_name: str
    deployed_at: datetime
    content_hash: str
    calls: list[str]
    #: open instances (running, suspended, with an incident) inside this version: their own process's, or a
    #: called process's while they are in it
    running_instances: int = 0
    #: completed instances that went through this version, as their own process or a called one
    finished_instances: int = 0


@dataclass(frozen=True)
class DeploymentResult:
    """What a deployment did: new versions (possibly none) and the warnings found."""

    deployment_id: int | None
    definitions: list[DefinitionView]
    unchanged: list[str]
    warnings: list[Problem]
    #: processes left at a newer version another deployment made (``keep_others``)
    kept: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileVersion:
    """One deployed version of a non-BPMN file (a form, a DMN file): its text and who deployed it when."""

    id: int
    name: str
    content: str
    deployment_id: int
    deployed_at: datetime
    deployed_by: str


class RepositoryService:
    """Deploys bundles (.bpmn, .dmn, form .json) and serves definitions and their XML."""

    def __init__(self, db: Database, listeners: Listeners | None = None) -> None:
        self.db = db
        #: told of each deployment's new definitions, inside its transaction (start timers are scheduled so)
        self.listeners = listeners or Listeners()
        #: the pages a user task may name as where it is done (``page`` property); the application registers
        #: them (the engine knows no pages); None: any name passes
        self.pages: Collection[str] | None = None

    def validate(self, files: Mapping[str, bytes]) -> ValidatedBundle:
        """Check a bundle against what is deployed; raises DeploymentInvalid, stores nothing."""
        with self.db.transaction() as session:
            return self._validate(session, files)

    def deploy(
        self,
        files: Mapping[str, bytes],
        *,
        actor: str,
        name: str | None = None,
        keep_others: bool = False,
        only_new: bool = False,
        based_on: Mapping[str, int | None] | None = None,
    ) -> DeploymentResult:
        """Validate then store a bundle; a process whose content is unchanged gets no new version. With
        ``keep_others`` (the shipped processes at start), a process whose newest version came from a deployment
        of another name (a designer's) is left alone: a restart never undoes the designer's work. With
        ``only_new`` (a table made from a blank), Conflict if a file's name or decision is deployed already,
        checked in the deployment's transaction so that two designers cannot both take it. ``based_on``
        (process key -> the version an editor opened, None for a new one): VersionConflict, nothing stored, when
        another version was deployed since (a second designer would otherwise overwrite the first)."""
        if not files:
            raise InvalidInput("the bundle is empty", {"files": ["at least one file is needed"]})
        with self.db.transaction() as session:
            for key, version in (based_on or {}).items():
                latest = _latest_version(session, key)
                if latest != version:
                    raise VersionConflict(key, version, latest)
            bundle = self._validate(session, files)
            if only_new:
                _refuse_taken(session, bundle)
            hashes = {fname: _hash(bundle, fname) for fname in bundle.bpmn}
            changed = {
                pid: info for pid, info in bundle.processes.items() if _latest_hash(session, pid) != hashes[info.file]
            }
            unchanged = sorted(set(bundle.processes) - set(changed))
            kept = sorted(
                pid for pid in changed if keep_others and _latest_deployment(session, pid) not in (None, name)
            )
            for pid in kept:
                del changed[pid]
            changed_resources = _changed_resources(session, bundle)
            if not changed and not changed_resources:
                return DeploymentResult(None, [], unchanged, bundle.warnings, kept)
            edits = _edits(session, bundle, [changed[pid].file for pid in changed] + changed_resources)
            now = clock.now()
            deployment = Deployment(
                name=_deployment_name(name, files),
                deployed_at=now,
                deployed_by=actor,
                warnings=[w.to_dict() for w in bundle.warnings],
            )
            session.add(deployment)
            session.info[DEPLOYING_KEY] = True
            resources = self._store_resources(session, deployment, bundle)
            views, definitions = [], []
            for pid, info in sorted(changed.items()):
                definition = ProcessDefinition(
                    key=pid,
                    version=(_latest_version(session, pid) or 0) + 1,
                    name=info.name,
                    content_hash=hashes[info.file],
                    deployment_id=deployment.id,
                    resource_id=resources[info.file].id,
                    calls=sorted(info.called),
                    deployed_at=now,
                )
                session.add(definition)
                session.flush()
                definitions.append(definition)
                views.append(_view(definition, resources[info.file].name))
            self.listeners.announce(Deployed(session, tuple(definitions), actor))
            history.record(
                session,
                actor,
                "deployed",
                details={
                    "deployment": deployment.id,
                    "versions": {v.key: v.version for v in views},
                    "files": sorted(changed_resources),
                    "warnings": [str(w) for w in bundle.warnings],
                    "changes": edits,
                },
            )
            return DeploymentResult(deployment.id, views, unchanged, bundle.warnings, kept)

    def definitions(self, key: str | None = None) -> list[DefinitionView]:
        """Every version (of ``key``, or of all keys), newest first, with the instances inside it now and those
        finished that went through it, called processes included (the appraisal shows the dossiers being
        appraised, not only instances started as ``appraisal``)."""
        with self.db.reading() as session:
            counts = _instance_counts(session)
            stmt = select(ProcessDefinition).options(selectinload(ProcessDefinition.resource))
            stmt = stmt.order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
            if key:
                stmt = stmt.where(ProcessDefinition.key == key)
            return [_view(d, d.resource.name, *counts.get(d.id, (0, 0))) for d in session.scalars(stmt)]

    def latest(self, key: str) -> DefinitionView:
        found = self.definitions(key)
        if not found:
            raise NotFound(f"no deployed process {key!r}")
        return found[0]

    def xml(self, key: str, version: int | None = None) -> str:
        """The BPMN file of a definition as it was deployed (what the editor opens)."""
        with self.db.reading() as session:
            stmt = select(ProcessDefinition).where(ProcessDefinition.key == key)
            stmt = stmt.where(ProcessDefinition.version == version) if version else stmt
            definition = session.scalars(stmt.order_by(ProcessDefinition.version.desc()).limit(1)).first()
            if definition is None:
                raise NotFound(f"no deployed process {key!r}" + (f" version {version}" if version else ""))
            return definition.resource.content

    def files(self, kind: str, name: str | None = None) -> list[FileVersion]:
        """Every deployed version of the files of ``kind`` (``form``, ``dmn``; of ``name`` only, if given), newest
        first: a file deployed again under its name is its next version (what the form editor lists)."""
        with self.db.reading() as session:
            stmt = select(Resource, Deployment).join(Deployment, Resource.deployment_id == Deployment.id)
            stmt = stmt.where(Resource.kind == kind).order_by(Resource.name, Resource.id.desc())
            if name is not None:
                stmt = stmt.where(Resource.name == name)
            return [
                FileVersion(r.id, r.name, r.content, d.id, d.deployed_at, d.deployed_by)
                for r, d in session.execute(stmt).tuples()
            ]

    def deployed_names(self) -> DeployedNames:
        """The process keys, forms and DMN decisions a new diagram may refer to (the designer's pick lists)."""
        with self.db.reading() as session:
            return _deployed_names(session)

    def _validate(self, session: Session, files: Mapping[str, bytes]) -> ValidatedBundle:
        known = _deployed_names(session)
        return validate_bundle(
            files,
            known_processes=known.processes,
            known_forms=known.forms,
            known_decisions=known.decisions,
            check_source=sandbox_check,
            known_pages=None if self.pages is None else frozenset(self.pages),
        )

    @staticmethod
    def _store_resources(session: Session, deployment: Deployment, bundle: ValidatedBundle) -> dict[str, Resource]:
        resources: dict[str, Resource] = {}
        for fname, original in bundle.originals.items():
            kind = "bpmn" if fname in bundle.bpmn else "dmn" if fname in bundle.dmn else "form"
            resource = Resource(
                name=fname,
                kind=kind,
                content=original,
                normalized=bundle.bpmn.get(fname),
                content_hash=hashlib.sha256(original.encode()).hexdigest(),
                provides=sorted(bundle.decisions_of.get(fname, ())) if kind == "dmn" else [],
            )
            deployment.resources.append(resource)
            resources[fname] = resource
        session.flush()
        return resources


def _refuse_taken(session: Session, bundle: ValidatedBundle) -> None:
    """Conflict naming the first file whose name, or one of whose decisions, a deployed file has."""
    decisions = _deployed_names(session).decisions
    for fname in sorted(bundle.originals):
        named = session.scalars(select(Resource.id).where(Resource.name == fname).limit(1)).first()
        if named is not None or bundle.decisions_of.get(fname, frozenset()) & decisions:
            raise Conflict(f"{fname} (or a decision it defines) is deployed already")


def _deployment_name(name: str | None, files: Mapping[str, bytes]) -> str:
    """The given name, else the file names, cut to fit the column."""
    text = name or ", ".join(sorted(files))
    return text if len(text) <= 200 else text[:197] + "..."


def _hash(bundle: ValidatedBundle, bpmn_file: str) -> str:
    """A process's content: its BPMN file plus the forms and DMN shipped with it."""
    digest = hashlib.sha256(bundle.bpmn[bpmn_file].encode())
    for fname in sorted(bundle.forms):
        digest.update(fname.encode() + json.dumps(bundle.forms[fname], sort_keys=True).encode())
    for fname in sorted(bundle.dmn):
        digest.update(fname.encode() + bundle.dmn[fname].encode())
    return digest.hexdigest()


def _changed_resources(session: Session, bundle: ValidatedBundle) -> list[str]:
    """Non-BPMN files (DMN, forms) whose content differs from the newest deployed file of that name."""
    changed = []
    for fname, original in bundle.originals.items():
        if fname in bundle.bpmn:
            continue
        newest = session.scalars(
            select(Resource.content_hash).where(Resource.name == fname).order_by(Resource.id.desc()).limit(1)
        ).first()
        if newest != hashlib.sha256(original.encode()).hexdigest():
            changed.append(fname)
    return changed


def _edits(session: Session, bundle: ValidatedBundle, names: list[str]) -> dict[str, dict[str, Any]]:
    """What each file deployed again changes against the newest earlier file of its name (a new file: nothing)."""
    found = {}
    for fname in sorted(set(names)):
        newest = session.scalars(select(Resource).where(Resource.name == fname).order_by(Resource.id.desc())).first()
        if newest is not None and newest.content != bundle.originals[fname]:
            found[fname] = file_changes(newest.kind, newest.content, bundle.originals[fname])
    return found


def _latest_hash(session: Session, key: str) -> str | None:
    stmt = select(ProcessDefinition.content_hash).where(ProcessDefinition.key == key)
    return session.scalars(stmt.order_by(ProcessDefinition.version.desc()).limit(1)).first()


def _latest_deployment(session: Session, key: str) -> str | None:
    """The name of the deployment that made the newest version of ``key`` (None: never deployed)."""
    stmt = select(Deployment.name).join(ProcessDefinition, ProcessDefinition.deployment_id == Deployment.id)
    return session.scalars(
        stmt.where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1)
    ).first()


def _latest_version(session: Session, key: str) -> int | None:
    return session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))


OPEN_STATES = ("running", "suspended", "error")


@dataclass(frozen=True)
class DeployedNames:
    """What is deployed, by name: process keys, form files, DMN decision ids."""

    processes: frozenset[str]
    forms: frozenset[str]
    decisions: frozenset[str]


def _deployed_names(session: Session) -> DeployedNames:
    return DeployedNames(
        frozenset(session.scalars(select(ProcessDefinition.key).distinct())),
        frozenset(session.scalars(select(Resource.name).where(Resource.kind == "form").distinct())),
        frozenset(
            d for provides in session.scalars(select(Resource.provides).where(Resource.kind == "dmn")) for d in provides
        ),
    )


def _instance_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Definition id → (open, completed) instances that are (or were) inside it: their own process's version,
    and a called process's version (of those resolved for the instance, ``spec_ids``) once the instance has
    entered it. An open instance counts for a called version only while it is in there.

    Which called processes an instance is in is read from the blob of an open instance (``called_processes``);
    a finished one is only searched for the called process's name (``has_entered``), so the count stays cheap
    as history grows; an instance of a process that calls nothing is counted from its columns alone."""
    keys = dict(session.execute(select(ProcessDefinition.id, ProcessDefinition.key)).tuples().all())
    counts: dict[int, list[int]] = {}
    rows = session.execute(
        select(
            ProcessInstance.definition_id, ProcessInstance.spec_ids, ProcessInstance.state, ProcessInstance.workflow
        ).where(ProcessInstance.state.in_((*OPEN_STATES, "completed")))
    )
    for own, spec_ids, state, workflow in rows.tuples():
        done = state == "completed"
        called = [d for d in spec_ids if d != own and d in keys]
        if done:
            inside = [own, *(d for d in called if has_entered(workflow, keys[d]))]
        else:
            entered = called_processes(workflow) if called else {}
            inside = [own, *(d for d in called if entered.get(keys[d]) is False)]
        for definition_id in inside:
            counts.setdefault(definition_id, [0, 0])[1 if done else 0] += 1
    return {definition_id: (found[0], found[1]) for definition_id, found in counts.items()}


def _view(d: ProcessDefinition, resource_name: str, running: int = 0, finished: int = 0) -> DefinitionView:
    return DefinitionView(
        d.id,
        d.key,
        d.version,
        d.name,
        d.deployment_id,
        resource_name,
        d.deployed_at,
        d.content_hash,
        list(d.calls),
        running,
        finished,
    )
