"""`awardflow user` and the start-up's seeding: the admin gets in, people are managed without a browser, a
restart changes nobody and never undoes a designer's deployment."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine import Engine, Settings
from engine.db import Database
from engine.models import Event
from tests.web.test_cli import cli, run  # noqa: F401  (the fixture)
from web.boot import PROCESSES_DIR, SHIPPED, bundle_files, prepare


def test_add_passwd_email_groups(cli: CliRunner, database: Database) -> None:  # noqa: F811
    added = run(cli, "user", "add", "lan", "--name", "Nguyễn Thị Lan", "--unit", "so-tc", "--groups", "desk, appraiser",
                "--password", "mật-khẩu-1")  # fmt: skip
    assert added.exit_code == 0, added.output
    engine = Engine(Settings(database_url=database.url), database=database)
    lan = engine.identity.check_password("lan", "mật-khẩu-1")
    assert lan is not None and lan.unit == "so-tc" and lan.groups == {"appraiser", "desk"}
    assert run(cli, "user", "passwd", "lan", "--password", "ngắn").exit_code != 0
    assert run(cli, "user", "passwd", "lan", "--password", "mật-khẩu-2").exit_code == 0
    assert run(cli, "user", "email", "lan", "lan@so-tc.gov.vn").exit_code == 0
    assert run(cli, "user", "groups", "lan", "division_head").exit_code == 0
    lan = engine.identity.check_password("lan", "mật-khẩu-2")
    assert lan is not None and lan.groups == {"division_head"} and lan.unit == "so-tc"
    (view,) = [u for u in engine.identity.list_users() if u.username == "lan"]
    assert view.email == "lan@so-tc.gov.vn" and view.display_name == "Nguyễn Thị Lan"
    assert run(cli, "user", "passwd", "admin", "--password", "quản-trị-1").exit_code == 0
    admin = engine.identity.check_password("admin", "quản-trị-1")
    assert admin is not None and admin.is_admin
    missing = run(cli, "user", "email", "khong-co", "a@b.vn")
    assert missing.exit_code != 0 and "no user named" in missing.output
    listed = run(cli, "user", "list").output
    assert "Nguyễn Thị Lan" in listed and "lan@so-tc.gov.vn" in listed


def test_a_taken_name_is_refused_and_nothing_changes(cli: CliRunner, database: Database) -> None:  # noqa: F811
    engine = Engine(Settings(database_url=database.url), database=database)
    assert run(cli, "user", "add", "lan", "--name", "Nguyễn Thị Lan", "--unit", "so-tc", "--groups", "desk",
               "--email", "lan@so-tc.gov.vn", "--password", "mật-khẩu-1").exit_code == 0  # fmt: skip
    before, events = engine.identity.list_users(), _events(database)
    taken = run(cli, "user", "add", "lan", "--name", "Trần Văn Khác", "--groups", "leader", "--admin",
                "--email", "khac@x.vn", "--password", "mật-khẩu-2")  # fmt: skip
    assert taken.exit_code == 1
    assert taken.output.strip().splitlines() == ["Error: user lan exists"], "one line, naming the user"
    assert engine.identity.list_users() == before and _events(database) == events, "nothing changed, no audit"
    assert engine.identity.check_password("lan", "mật-khẩu-1") is not None
    assert engine.identity.check_password("lan", "mật-khẩu-2") is None


def _events(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


def test_a_restart_changes_nobody_and_leaves_the_designers_version(
    tmp_path: Path, vclock: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite'}", storage_dir=str(tmp_path / "files"))
    engine = prepare(settings, demo=True).engine
    first = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]
    assert first.count("password: ") == 1 and "sign-in: admin, motcua" in first
    assert engine.identity.check_password("admin", password) is not None
    assert engine.identity.check_password("thue", password) is not None
    # a designer deploys a changed appraisal (v2); the shipped files are as before
    files = bundle_files([PROCESSES_DIR])
    changed = files["appraisal.bpmn"].replace(b'name="', b'name="' + "(sửa) ".encode(), 1)
    mine = engine.repository.deploy({"appraisal.bpmn": changed}, actor="thietke", name="appraisal.bpmn")
    assert [d.version for d in mine.definitions] == [2]
    engine.close()
    # the shipped appraisal now differs from the newest version: the start leaves the designer's alone
    again = prepare(settings, demo=True).engine
    second = capsys.readouterr().out
    assert "password: " not in second and "keep their passwords" in second
    assert "left alone: appraisal version 2" in second
    assert again.identity.check_password("motcua", password) is not None
    assert again.repository.latest("appraisal").version == 2
    newer = files["appraisal.bpmn"].replace(b'name="', b'name="' + "(mới) ".encode(), 1)
    again.repository.deploy({"appraisal.bpmn": newer}, actor="admin", name=SHIPPED)
    assert again.repository.latest("appraisal").version == 3, (
        "only the start keeps others' versions: a deliberate deployment replaces it"
    )
