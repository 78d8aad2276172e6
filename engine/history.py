"""The audit trail: who did what to which instance or task, when, with the data before and after."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.db import Database, insert_at_flush
from engine.models import Event, ProcessInstance


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    instance: ProcessInstance | None = None,
    task_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event to the caller's transaction (so it commits with the change it records). The
    trail is append-only: the row goes in with the command's other writes, in one ``executemany``."""
    row = {
        "at": clock.now(),
        "actor": actor,
        "action": action,
        "instance_id": instance.id if instance is not None else None,
        "business_key": instance.business_key if instance is not None else None,
        "task_id": task_id,
        "before": before,
        "after": after,
        "details": details,
    }
    insert_at_flush(session, Event, row)


class HistoryService:
    """Reads the audit trail."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def for_instance(self, instance_id: int) -> list[Event]:
        """Every event of one instance, oldest first."""
        with self.db.reading() as session:
            stmt = select(Event).where(Event.instance_id == instance_id).order_by(Event.at, Event.id)
            return list(session.scalars(stmt))

    def for_task(self, task_id: str) -> list[Event]:
        """Every event of one task (claims, escalations, completion), oldest first."""
        with self.db.reading() as session:
            stmt = select(Event).where(Event.task_id == task_id).order_by(Event.at, Event.id)
            return list(session.scalars(stmt))

    def recent(self, limit: int = 100) -> list[Event]:
        with self.db.reading() as session:
            return list(session.scalars(select(Event).order_by(Event.id.desc()).limit(limit)))

    def administration(self, limit: int = 50, actions: Collection[str] | None = None) -> list[Event]:
        """The newest events that concern no instance (deployments, users, calendars), newest first;
        ``actions`` keeps only those (the users page shows user events). Administrators' pages call it."""
        stmt = select(Event).where(Event.instance_id.is_(None))
        if actions is not None:
            stmt = stmt.where(Event.action.in_(actions))
        with self.db.reading() as session:
            return list(session.scalars(stmt.order_by(Event.at.desc(), Event.id.desc()).limit(limit)))
