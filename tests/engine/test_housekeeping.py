"""Housekeeping purges what is past retention and no longer needed: mailed notifications, old job runs; it keeps
what still waits for mail and the runs that archived a report."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import Engine, clock
from engine.clock import VirtualClock
from engine.housekeeping import purge
from engine.models import Notification
from engine.notifications import notify
from engine.scheduler import JobRun

RETENTION = timedelta(days=180)


def run_row(job: str, outcome: str = "ok", minutes: int = 0) -> JobRun:
    now = clock.now()
    slot = now - timedelta(minutes=minutes)
    return JobRun(job=job, slot=slot, due_at=slot, worker="w", actor="scheduler", started_at=now, outcome=outcome)


def mailed(session: Session, message: str) -> None:
    """An's notification with this message went out by e-mail now."""
    session.execute(
        update(Notification)
        .where(Notification.recipient == "an", Notification.message == message)
        .values(emailed_at=clock.now())
    )


def test_old_rows_go_and_the_rest_stays(engine: Engine, vclock: VirtualClock) -> None:
    with engine.db.transaction() as session:
        notify(session, [("user", "an"), ("user", "binh")], "digest", "cũ")
        mailed(session, "cũ")
        session.add_all([run_row("digest"), run_row("period_report"), run_row("period_report", "failed", 1)])
    vclock.advance(days=181)
    with engine.db.transaction() as session:
        notify(session, [("user", "an")], "digest", "mới")
        mailed(session, "mới")
        counts = purge(session, clock.now(), RETENTION, mailing=True, keep_jobs=("period_report",))
    assert counts == {"notifications": 1, "job_runs": 2}
    with engine.db.reading() as session:
        assert sorted(session.scalars(select(Notification.message))) == ["cũ", "mới"], "the unmailed one waits"
        assert [(r.job, r.outcome) for r in session.scalars(select(JobRun))] == [("period_report", "ok")]
    with engine.db.transaction() as session:
        assert purge(session, clock.now(), RETENTION, mailing=False)["notifications"] == 1, "no mail: nothing waits"
