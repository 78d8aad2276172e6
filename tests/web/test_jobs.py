"""The product's periodic jobs on the virtual clock, with a real SMTP server: the morning digest on exactly the
working days, the weekly overdue report with the dashboard's files, the archived period reports."""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.db import Database
from engine.models import User
from tests.engine.conftest import complete
from tests.engine.test_notifications import Inbox, smtp  # noqa: F401  (the SMTP server fixture)
from tests.engine.test_sla import SLA, vn
from web import jobs
from web.app import create_app

PEOPLE = {
    "an": (["appraiser"], "so-noi-vu"),
    "binh": (["appraiser"], "so-noi-vu"),
    "dung": (["division_head"], "so-noi-vu"),
    "chi": (["desk"], "so-noi-vu"),
    "giamsat": (["supervisor"], None),
}


@pytest.fixture
def engine(database: Database, vclock: VirtualClock, smtp, tmp_path: Path) -> Iterator[Engine]:  # noqa: F811
    _inbox, port = smtp
    settings = Settings(
        database_url=database.url, smtp_host="127.0.0.1", smtp_port=port, storage_dir=str(tmp_path / "files")
    )
    eng = Engine(settings, database=database)
    eng.ensure_admin()
    for name, (groups, unit) in PEOPLE.items():
        eng.identity.ensure_user(name, groups=groups, unit=unit)
    with eng.db.transaction() as session:
        for user in session.query(User).filter(User.username.in_(PEOPLE)):
            user.email = f"{user.username}@so-noi-vu.example"
    eng.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")
    yield eng


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-not-for-production"}, engine=engine)


def only(engine: Engine, *names: str) -> None:
    """Pause every job but ``names`` (as the administrator would on /admin/jobs)."""
    for view in engine.jobs.overview():
        engine.jobs.set_enabled(view.name, view.name in names, "admin")


def start(engine: Engine, code: str) -> int:
    found = engine.runtime.start(
        "sla_dossier", business_key=code, data={"limit": "20WD", "policy": "resume"}, actor="chi"
    )
    return found.id


def walk(engine: Engine, vclock: VirtualClock, until: datetime, step: timedelta = timedelta(minutes=30)) -> None:
    """A worker ticking every ``step`` until ``until``."""
    while vclock.now() < until:
        vclock.advance(step)
        engine.jobs.tick()


def mails(inbox: Inbox) -> list[tuple[str, email.message.EmailMessage]]:
    found = []
    for recipients, text in inbox.messages:
        message = email.message_from_string(text, policy=email.policy.default)
        found.extend((to, message) for to in recipients)
    return found  # type: ignore[return-value]


def test_digests_come_on_exactly_the_working_days(app: Flask, engine: Engine, vclock: VirtualClock, smtp) -> None:  # noqa: F811
    """Fri 21/08 to Fri 04/09/2026: the make-up Saturday 22/08 has a digest; the weekend and the National Day
    holiday (Mon 31/08 off in exchange, Tue 01/09, Wed 02/09) have none. The appraisers get theirs (the task is
    claimable by them), the division head the unit's; the desk, with nothing due, none."""
    inbox, _port = smtp
    vclock.set(vn(3, 8, 9))
    late = start(engine, "HS-TRE")
    complete(engine, late, "check_papers", user="chi")  # appraise due 8 WD later: overdue from 13/08
    vclock.set(vn(21, 8, 0))
    only(engine, jobs.DIGEST_JOB)
    walk(engine, vclock, vn(4, 9, 23))
    digests = [(to, m) for to, m in mails(inbox) if "Tóm tắt công việc" in m["Subject"]]
    days = Counter(m["Subject"].split("ngày ")[1][:10] for _, m in digests)
    working = ["21/08", "22/08", "24/08", "25/08", "26/08", "27/08", "28/08", "03/09", "04/09"]
    assert days == {f"{d}/2026": 3 for d in working}, "one digest a working day to each of the three"
    assert {to for to, _ in digests} == {f"{name}@so-noi-vu.example" for name in ("an", "binh", "dung")}
    body = digests[0][1].get_content()
    assert "HS-TRE" in body and "1 việc quá hạn" in body
    assert len([n for n in engine.notifications.for_user("an") if n.kind == "digest"]) == len(working)


def test_the_weekly_report_brings_the_dashboard_files_to_supervisors(
    app: Flask,
    engine: Engine,
    vclock: VirtualClock,
    smtp,  # noqa: F811
) -> None:
    inbox, _port = smtp
    start(engine, "HS-1")  # Mon 02/03 08:00; check_papers overdue from 14:00
    only(engine, jobs.WEEKLY_JOB)
    walk(engine, vclock, vn(9, 3, 8, 30))  # to the next Monday's report
    [(to, mail)] = mails(inbox)
    assert to == "giamsat@so-noi-vu.example" and "1 việc quá hạn" in mail.get_body(("plain",)).get_content()
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["pdf", "xlsx"]
    xlsx = next(data for name, data in files.items() if name.endswith(".xlsx"))
    sheets = load_workbook(BytesIO(xlsx)).sheetnames
    assert len(sheets) > 3
    [note] = [n for n in engine.notifications.for_user("giamsat") if n.kind == "weekly_report"]
    assert "09/03/2026" in note.message
    walk(engine, vclock, vn(9, 3, 18))
    assert len(mails(inbox)) == 1, "once a week"


def test_the_archived_quarter_report_has_the_report_services_numbers(
    app: Flask, engine: Engine, vclock: VirtualClock
) -> None:
    early, late = start(engine, "Q-EARLY"), start(engine, "Q-LATE")
    vclock.set(vn(2, 3, 9))
    for step in ("check_papers", "appraise", "draft_decision"):
        data = {"needs_supplement": False} if step == "appraise" else None
        complete(engine, early, step, data, user="chi" if step == "check_papers" else "an")
    only(engine, jobs.PERIOD_JOB)
    walk(engine, vclock, vn(1, 4, 7), step=timedelta(hours=6))  # the 1st of April: March and Q1 archived
    reports = {r["period"]: r for r in jobs.archived(engine)}
    assert set(reports) == {"2026-03", "2026-Q1"}
    [rate] = engine.reports.on_time(date(2026, 1, 1), date(2026, 3, 31), period="quarter", level="dossier")
    quarter = reports["2026-Q1"]
    expected = {k: v for k, v in rate.to_dict().items() if k not in ("period", "group")}
    received = engine.reports.received(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter["numbers"] == {"received": received, **expected}
    assert (received, rate.early, rate.late, rate.finished) == (2, 1, 0, 1)
    [xlsx] = [p for p in quarter["files"] if p.endswith(".xlsx")]
    path = jobs.archive_file(engine, quarter["run_id"], Path(xlsx).name)
    assert path is not None and path.is_file()
    sheet = next(s for s in load_workbook(path).worksheets if s.title.lower().startswith("tỷ lệ") or "rates" in s.title)
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert any(rate.early in row and rate.finished in row for row in values), values
    del late
