"""In-app notifications (due soon, overdue, escalations), and their e-mail when SMTP is configured.

Notifications are rows written in the same transaction as the change that caused them; e-mail goes out
afterwards from that table (an outbox), so a rolled-back change never sends mail. Sending holds no
transaction open: the pending rows are read, mailed, and then marked sent in a short transaction of their own
(a crash in between sends a mail twice rather than never).
"""

from __future__ import annotations

import mimetypes
import smtplib
from collections.abc import Iterable, Sequence
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.db import Database, insert_at_flush
from engine.identity import actor_of
from engine.models import Membership, Notification, User
from engine.settings import Settings


def notify(
    session: Session,
    recipients: Iterable[tuple[str, str]],
    kind: str,
    message: str,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    attachments: Sequence[str] = (),
) -> None:
    """Add one notification per (``user``|``group``, name) recipient to the caller's transaction; its e-mail
    carries ``attachments`` (paths under ``Settings.storage_dir``). The rows are written with the command's
    other writes, those of one command in one statement (a late dossier's timers notify by the thousand)."""
    now = clock.now()
    for kind_, name in dict.fromkeys(recipients):
        row = {
            "created_at": now,
            "recipient_kind": kind_,
            "recipient": name,
            "kind": kind,
            "message": message,
            "instance_id": instance_id,
            "task_id": task_id,
            "attachments": list(attachments) or None,
        }
        insert_at_flush(session, Notification, row)


class NotificationService:
    """Reads a person's notifications and sends the pending ones by e-mail."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    def for_user(self, username: str, *, unread_only: bool = False) -> list[Notification]:
        """Notifications to the user or to any of their groups, newest first."""
        with self.db.reading() as session:
            actor = actor_of(session, username)
            mine = or_(
                and_(Notification.recipient_kind == "user", Notification.recipient == actor.username),
                and_(Notification.recipient_kind == "group", Notification.recipient.in_(sorted(actor.groups) or [""])),
            )
            stmt = select(Notification).where(mine).order_by(Notification.id.desc())
            if unread_only:
                stmt = stmt.where(Notification.read_at.is_(None))
            return list(session.scalars(stmt))

    def send_pending(self) -> int:
        """E-mail every notification not sent yet to the addresses of its recipients; returns how many."""
        if not self.settings.smtp_host:
            return 0
        with self.db.reading() as session:
            pending = list(session.scalars(select(Notification).where(Notification.emailed_at.is_(None)).limit(200)))
            mails = [(row.id, _addresses(session, row), row) for row in pending]
        sent, done = 0, []
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
            for row_id, addresses, row in mails:
                if addresses:
                    smtp.send_message(_mail(self.settings, addresses, row))
                    sent += 1
                done.append(row_id)
        with self.db.transaction() as session:
            session.execute(update(Notification).where(Notification.id.in_(done)).values(emailed_at=clock.now()))
        return sent


def _addresses(session: Session, row: Notification) -> list[str]:
    stmt = select(User.email).where(User.active.is_(True), User.email.is_not(None))
    if row.recipient_kind == "user":
        stmt = stmt.where(User.username == row.recipient)
    else:
        stmt = stmt.join(Membership, Membership.user_id == User.id).where(Membership.group == row.recipient)
    return sorted({email for email in session.scalars(stmt) if email})


def _mail(settings: Settings, to: list[str], row: Notification) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = settings.smtp_sender, ", ".join(to)
    mail["Subject"] = f"[awardflow] {row.message.splitlines()[0][:120] if row.message else ''}"
    mail.set_content(row.message)
    for name in row.attachments or []:
        path = Path(settings.storage_dir) / name
        kind = (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=path.name)
    return mail
