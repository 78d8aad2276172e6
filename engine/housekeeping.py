"""Housekeeping: rows the product no longer needs, purged by a periodic job so the outbox and the run log stay
small. Sign-ins are signed cookies and bearer tokens (nothing stored), so there are no sessions to purge.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, true
from sqlalchemy.orm import Session

from engine.models import Notification
from engine.scheduler import JobRun

__all__ = ["purge"]


def purge(
    session: Session, now: datetime, retention: timedelta, *, mailing: bool, keep_jobs: Collection[str] = ()
) -> dict[str, Any]:
    """Delete notifications older than ``retention`` that are no longer waiting for e-mail (all of them when
    no mail is sent), and job runs older than it except those of ``keep_jobs`` (their files are an archive)."""
    before = now - retention
    sent = Notification.emailed_at.is_not(None) if mailing else true()
    notifications = session.execute(delete(Notification).where(Notification.created_at < before, sent))
    old_runs = delete(JobRun).where(JobRun.started_at < before)
    if keep_jobs:
        old_runs = old_runs.where(or_(JobRun.job.not_in(sorted(keep_jobs)), JobRun.outcome != "ok"))
    runs = session.execute(old_runs)
    return {"notifications": notifications.rowcount, "job_runs": runs.rowcount}  # type: ignore[attr-defined]
