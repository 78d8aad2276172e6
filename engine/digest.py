"""The morning digest: to each member of the recipient groups, their open work overdue, due today and due soon.

"Their work" is what their inbox shows (assigned to them, or claimable through their groups in the units they
reach), read with the inbox's own query; for those above claimants (division heads: ``reassigner_groups``) it is
every open task of the units they reach, whoever holds it. "Soon" is up to the end of the next working day. A
person with nothing in the three lists gets no digest. One in-app notification per person, in Vietnamese; the
notification outbox e-mails it after the run's commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import AccessPolicy, in_units
from engine.calendar import WorkCalendar
from engine.identity import actor_of
from engine.inbox import READY, InboxQuery, inbox_page
from engine.models import HumanTask, Membership, User
from engine.notifications import notify

__all__ = ["Digest", "digest_for", "members", "send_digests"]

KIND = "digest"
#: The most tasks one digest lists by name (the counts are always whole).
LISTED = 30


@dataclass
class Digest:
    """One person's work by due time."""

    username: str
    overdue: list[HumanTask] = field(default_factory=list)
    today: list[HumanTask] = field(default_factory=list)
    soon: list[HumanTask] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.today or self.soon)

    def message(self, zone: Any, day: datetime) -> str:
        """The notification's text: a summary line, then the tasks of each list."""
        head = (
            f"Tóm tắt công việc ngày {day:%d/%m/%Y}: {len(self.overdue)} việc quá hạn, "
            f"{len(self.today)} việc đến hạn hôm nay, {len(self.soon)} việc sắp đến hạn."
        )
        lines = [head]
        listed = 0
        for title, tasks in (("Quá hạn", self.overdue), ("Đến hạn hôm nay", self.today), ("Sắp đến hạn", self.soon)):
            if not tasks:
                continue
            lines.append(f"{title}:")
            for task in tasks:
                if listed == LISTED:
                    lines.append("…")
                    return "\n".join(lines)
                due = task.due_at.astimezone(zone) if task.due_at else None
                when = f"{due:%d/%m/%Y %H:%M}" if due else "—"
                lines.append(f"- {task.business_key or task.instance_id} · {task.name or task.element_id} · hạn {when}")
                listed += 1
        return "\n".join(lines)


def digest_for(session: Session, username: str, policy: AccessPolicy, calendar: WorkCalendar, now: datetime) -> Digest:
    """The person's open work due by the end of the next working day, split by due time."""
    actor = actor_of(session, username)
    local = now.astimezone(calendar.zone)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), calendar.zone)
    soon_end = calendar.day_end(calendar.working_day_after(local.date()))
    until = max(soon_end, tomorrow)
    if policy.is_above_claimants(actor) and not actor.is_admin:
        stmt = select(HumanTask).where(READY, HumanTask.due_at < until, in_units(HumanTask.unit, policy.units(actor)))
        rows = list(session.scalars(stmt.order_by(HumanTask.due_at).limit(500)))
    else:
        query = InboxQuery(
            due_before=until, per_page=500, units=policy.units(actor), cross_unit_groups=policy.task_groups(actor)
        )
        rows, _total = inbox_page(session, actor, query)
    digest = Digest(username)
    for task in sorted(rows, key=lambda t: (t.due_at, t.business_key or "", t.id)):
        due = task.due_at
        if due is None:
            continue
        bucket = digest.overdue if due < now else digest.today if due < tomorrow else digest.soon
        bucket.append(task)
    return digest


def members(session: Session, groups: Iterable[str]) -> list[str]:
    """Active users of any of ``groups``, by name."""
    wanted = sorted(set(groups))
    if not wanted:
        return []
    stmt = (
        select(User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group.in_(wanted), User.active.is_(True))
    )
    return sorted(set(session.scalars(stmt)))


def send_digests(
    session: Session, groups: Iterable[str], policy: AccessPolicy, calendar: WorkCalendar, now: datetime
) -> dict[str, Any]:
    """Write one digest notification per member of ``groups`` who has work due; returns who got one."""
    sent: list[str] = []
    for username in members(session, groups):
        digest = digest_for(session, username, policy, calendar, now)
        if digest:
            notify(session, [("user", username)], KIND, digest.message(calendar.zone, now.astimezone(calendar.zone)))
            sent.append(username)
    return {"sent": sent, "people": len(sent)}
