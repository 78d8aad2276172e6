"""The designer's changes as one history: deployments (with what each file changed), calendar changes and
whatever other part of the workbench records through :func:`record_change`, each an audit event with who, when
and what changed; and the rollback of a process, a form or a decision file to its previous version.

A rollback never rewrites history: the previous version's diagram, with the forms and decisions deployed
beside it, is deployed again as a new version, in one transaction with its own audit event. Only a designer
or an administrator may change the design; the check runs inside the command's transaction, whatever page,
API or command called it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import history
from engine.db import Database
from engine.errors import InvalidInput, NotFound, PermissionDenied
from engine.identity import SYSTEM_ACTOR
from engine.models import Event, Resource, User
from engine.repository import DeploymentResult, RepositoryService

__all__ = [
    "CALENDAR_ACTIONS",
    "DESIGN_ACTIONS",
    "DESIGNER_GROUP",
    "FILE_ROLLED_BACK",
    "DesignChange",
    "DesignHistory",
    "record_change",
    "require_designer",
]

#: The group whose members design processes (besides administrators).
DESIGNER_GROUP = "designer"
#: The audit actions of calendar administration (the calendar page lists them).
CALENDAR_ACTIONS = (
    "calendar_created",
    "calendar_day_added",
    "calendar_swap_added",
    "calendar_day_removed",
    "calendar_units_changed",
    "calendar_restored",
)
#: The audit action of a form or DMN file rolled back to its previous version.
FILE_ROLLED_BACK = "file_rolled_back"
#: The audit actions that are a designer's changes (the workbench history lists them).
DESIGN_ACTIONS = ("deployed", "deployment_rolled_back", FILE_ROLLED_BACK, *CALENDAR_ACTIONS, "design_changed")


def require_designer(session: Session, actor: str) -> None:
    """PermissionDenied unless ``actor`` is the system or an active designer or administrator."""
    if actor == SYSTEM_ACTOR:
        return
    row = session.scalar(select(User).where(User.username == actor))
    if row is None or not row.active or not (row.is_admin or DESIGNER_GROUP in (row.groups or [])):
        raise PermissionDenied(f"{actor} may not change the design (designers and administrators only)")


def record_change(
    session: Session,
    actor: str,
    kind: str,
    subject: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """The hook other parts of the workbench call inside their own transaction: ``kind`` names what changed
    (``rule_set``, ``form``, ``template`` …), ``subject`` which one; ``before``/``after`` what it was and is.
    Checks the actor's role first, so a change nobody may make is refused with nothing written."""
    require_designer(session, actor)
    details = {"kind": kind, "subject": subject}
    history.record(session, actor, "design_changed", before=before, after=after, details=details)


@dataclass(frozen=True)
class DesignChange:
    """One designer's change as the history page lists it."""

    id: int
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class DesignHistory:
    """Reads the designer's changes and rolls a process back to its previous version."""

    def __init__(self, db: Database, repository: RepositoryService) -> None:
        self.db = db
        self.repository = repository

    def changes(self, limit: int = 100, also: Collection[str] = ()) -> list[DesignChange]:
        """The newest designer's changes first (deployments, calendars, the hook's, and the actions ``also``
        names: what the layers above record of their own, such as a rule set published)."""
        actions = (*DESIGN_ACTIONS, *also)
        stmt = select(Event).where(Event.instance_id.is_(None), Event.action.in_(actions))
        with self.db.reading() as session:
            events = session.scalars(stmt.order_by(Event.at.desc(), Event.id.desc()).limit(limit))
            return [
                DesignChange(e.id, e.at, e.actor, e.action, dict(e.details or {}), _dict(e.before), _dict(e.after))
                for e in events
            ]

    def roll_back_process(self, key: str, actor: str) -> DeploymentResult:
        """Deploy the diagram of the version before the newest again, as a new version (history stays as it
        was), audited ``deployment_rolled_back``; NotFound for an unknown process, InvalidInput when it has
        one version only, PermissionDenied unless a designer or administrator. One transaction."""
        with self.db.transaction() as session:
            require_designer(session, actor)
            versions = self.repository.definitions(key)
            if not versions:
                raise NotFound(f"no deployed process {key!r}")
            if len(versions) < 2:
                raise InvalidInput(f"process {key!r} has no earlier version", {"key": ["has one version only"]})
            newest, previous = versions[0], versions[1]
            files = _content_of(session, previous.deployment_id, previous.resource_name)
            result = self.repository.deploy(files, actor=actor, name=f"rollback {key}")
            restored = next((v.version for v in result.definitions if v.key == key), None)
            history.record(
                session,
                actor,
                "deployment_rolled_back",
                before={"version": newest.version},
                after={"version": restored, "content_of": previous.version},
                details={"process": key, "deployment": result.deployment_id},
            )
            return result


    def roll_back_file(self, name: str, actor: str) -> DeploymentResult:
        """Deploy the version before the newest of a form or DMN file again, as its next version, with the files
        deployed beside the newest (a decision table's process gets a new version deciding by the old table),
        audited ``file_rolled_back``; NotFound for a file never deployed, InvalidInput when it has one version
        only, PermissionDenied unless a designer or administrator. One transaction."""
        with self.db.transaction() as session:
            require_designer(session, actor)
            stmt = select(Resource).where(Resource.name == name, Resource.kind.in_(("form", "dmn")))
            found = list(session.scalars(stmt.order_by(Resource.id.desc()).limit(2)))
            if not found:
                raise NotFound(f"no deployed form or decision file {name!r}")
            if len(found) < 2:
                raise InvalidInput(f"{name!r} has no earlier version", {"name": ["has one version only"]})
            newest, rest = found[0], found[1:]
            beside = select(Resource).where(Resource.deployment_id == newest.deployment_id)
            files = {r.name: r.content.encode() for r in session.scalars(beside)}
            files[name] = rest[0].content.encode()
            result = self.repository.deploy(files, actor=actor, name=f"rollback {name}")
            history.record(
                session,
                actor,
                FILE_ROLLED_BACK,
                before={"resource": newest.id},
                after={"content_of": rest[0].id},
                details={"file": name, "file_kind": newest.kind, "deployment": result.deployment_id},
            )
            return result


def _content_of(session: Session, deployment_id: int, bpmn_file: str) -> dict[str, bytes]:
    """A version's content as it was deployed: its BPMN file and the forms and DMN of its deployment (the
    version's content hash covers them), not the deployment's other diagrams."""
    stmt = select(Resource).where(Resource.deployment_id == deployment_id)
    return {r.name: r.content.encode() for r in session.scalars(stmt) if r.kind != "bpmn" or r.name == bpmn_file}


def _dict(value: object) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None
