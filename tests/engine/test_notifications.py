"""Due-soon and overdue notifications reach people in the app and, with SMTP configured, by e-mail."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from engine import Engine
from engine.clock import VirtualClock
from engine.models import User
from tests.engine.test_sla import vn

SLA = Path(__file__).parent.parent / "fixtures" / "sla"


class Inbox:
    """A local SMTP server's mailbox."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_overdue_is_mailed_to_the_group_and_the_supervisor(engine: Engine, smtp, vclock: VirtualClock) -> None:
    inbox, port = smtp
    engine.notifications.settings = replace(engine.settings, smtp_host="127.0.0.1", smtp_port=port)
    engine.identity.ensure_user("chi", groups=["desk"], unit="so-noi-vu")
    with engine.db.transaction() as session:
        for name, address in (("chi", "chi@so-noi-vu.example"), ("an", "an@so-noi-vu.example")):
            session.query(User).filter_by(username=name).one().email = address
    engine.identity.ensure_user("giamsat", groups=["supervisor"])
    engine.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")
    engine.runtime.start("sla_dossier", business_key="HS-M", data={"limit": "20WD", "policy": "resume"}, actor="chi")
    vclock.set(vn(2, 3, 14, 1))  # B1 (0.5WD from 08:00) is overdue at 14:00
    assert len(engine.timers.run_job().fired) == 1
    assert [n.kind for n in engine.notifications.for_user("giamsat")] == ["task_overdue"]
    assert [n.kind for n in engine.notifications.for_user("chi")] == ["task_overdue"]
    assert [to for to, _ in inbox.messages] == [["chi@so-noi-vu.example"]]
    mail = email.message_from_string(inbox.messages[0][1], policy=email.policy.default)
    assert "HS-M" in mail["Subject"] and "quá hạn" in mail.get_content()
    assert engine.notifications.send_pending() == 0, "each notification is mailed once"


def test_without_smtp_notifications_stay_in_the_app(engine: Engine, vclock: VirtualClock) -> None:
    engine.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")
    engine.runtime.start("sla_dossier", business_key="HS-N", data={"limit": "20WD", "policy": "resume"}, actor="chi")
    vclock.set(vn(2, 3, 14, 1))
    assert len(engine.timers.run_job().fired) == 1
    assert engine.notifications.send_pending() == 0
    assert [n.kind for n in engine.notifications.for_user("chi")] == ["task_overdue"]
