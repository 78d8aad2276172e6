"""A reschedule gives the same result whichever way it comes: the command line, the instance API, the dossier
API and the desk page.

Four identical dossiers are accepted at the counter at the same moment and each is moved to the same new date
by one entry point. The control slip, the public look-up, the dossier's appointment and due date, and the one
apology letter must then be the same for all four (the dossier's date has one source: its clock).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.db import Database
from handlers.domain import Domain
from tests.pdf_text import pdf_text
from tests.web.conftest import Api
from tests.web.dossier_world import domain_app, domain_engine, files_of, signed_in, submission
from web.cli import main

NEW_DUE = "2026-04-10T17:30:00+07:00"
REASON = "Chờ ý kiến hiệp y của cơ quan thuế."
OFFICER = "desk"  # one desk officer moves every date, so the four letters are signed alike


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """The file store's folder, shared by the app and the command line."""
    return tmp_path / "files"


@pytest.fixture
def domain(database: Database, vclock: object, files: Path) -> Domain:
    return domain_engine(database, files)


@pytest.fixture
def api(domain: Domain) -> Api:
    return Api(domain_app(domain))


def accepted(api: Api) -> tuple[str, int]:
    """A dossier received and accepted at the counter: its code and process instance."""
    made = api.post(
        "/api/dossiers", OFFICER, data={"dossier": json.dumps(submission(accept=True)), "files": files_of()}
    )
    assert made.status_code == 201 and made.json is not None, made.data
    return made.json["code"], made.json["instance_id"]


#: one way of moving a dossier's date: given its code and process instance
Move = Callable[[str, int], None]


def by_command_line(database: Database, files: Path, monkeypatch: pytest.MonkeyPatch) -> Move:
    """`awardflow reschedule` on the test database and file store (the virtual clock is in this process)."""
    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", database.url)
    monkeypatch.setenv("AWARDFLOW_STORAGE_DIR", str(files))

    def move(_code: str, instance_id: int) -> None:
        args = ["reschedule", str(instance_id), "--new-due", NEW_DUE, "--reason", REASON, "--user", OFFICER]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output

    return move


def by_api(api: Api, url: str) -> Move:
    """``POST`` the new date to ``url`` (formatted with the dossier's ``code`` and ``instance_id``)."""

    def move(code: str, instance_id: int) -> None:
        body = {"new_due": NEW_DUE, "reason": REASON}
        moved = api.post(url.format(code=code, instance_id=instance_id), OFFICER, json=body)
        assert moved.status_code == 200, moved.json

    return move


def by_desk_page(api: Api, domain: Domain) -> Move:
    """The desk page's form, as the signed-in officer."""
    client, token = signed_in(api.app, domain.engine, OFFICER, ["desk"])

    def move(code: str, _instance_id: int) -> None:
        form = {"csrf_token": token, "new_day": "10/04/2026", "new_time": "17:30", "reason": REASON}
        moved = client.post(f"/desk/{code}/reschedule", data=form)
        assert moved.status_code == 302

    return move


def read(api: Api, url: str, user: str | None = OFFICER) -> Any:
    """The JSON a read answers (200)."""
    answer = api.get(url, user)
    assert answer.status_code == 200 and answer.json is not None, answer.data
    return answer.json


def outcome(api: Api, code: str, instance_id: int) -> dict[str, Any]:
    """What a reschedule shows everywhere, with nothing that tells the four dossiers apart."""
    slip = read(api, f"/api/instances/{instance_id}/slip")
    public = read(api, f"/api/public/dossiers/{code}", user=None)
    detail = read(api, f"/api/dossiers/{code}")
    letters = [d for d in read(api, f"/api/dossiers/{code}/documents") if d["kind"] == "apology"]
    pdfs = [api.get(f"/api/dossiers/{code}/documents/{d['id']}", OFFICER) for d in letters]
    return {
        "slip_due": slip["dossier"]["due_at"],
        "slip_original_due": slip["dossier"]["original_due_at"],
        "public_appointment": public["appointment"],
        "appointment": detail["appointment"],
        "due_at": detail["due_at"],
        "letters": [(d["kind"], d["format"], d.get("title")) for d in letters],
        "letter_texts": [" ".join(pdf_text(p.data).replace(code, "HS-…").split()) for p in pdfs],
    }


def test_every_entry_point_gives_the_same_slip_look_up_appointment_and_letter(
    api: Api, domain: Domain, database: Database, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ways = {
        "command line": by_command_line(database, files, monkeypatch),
        "instance API": by_api(api, "/api/instances/{instance_id}/reschedule"),
        "dossier API": by_api(api, "/api/dossiers/{code}/reschedule"),
        "desk page": by_desk_page(api, domain),
    }
    dossiers = {name: accepted(api) for name in ways}
    before = {name: outcome(api, *dossier) for name, dossier in dossiers.items()}
    assert all(seen == before["desk page"] for seen in before.values())
    assert before["desk page"]["appointment"] == "30/03/2026" and before["desk page"]["letters"] == []

    for name, move in ways.items():
        move(*dossiers[name])

    after = {name: outcome(api, *dossier) for name, dossier in dossiers.items()}
    expected = after["dossier API"]
    assert expected["slip_due"] == NEW_DUE
    assert expected["public_appointment"] == expected["appointment"] == "10/04/2026"
    assert expected["letters"] == [("apology", "pdf", "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")]
    assert "Thời gian hẹn trả kết quả mới: 17:30 10/04/2026 (ngày 10/04/2026)." in expected["letter_texts"][0]
    assert REASON in expected["letter_texts"][0]
    assert {name: seen for name, seen in after.items() if seen != expected} == {}
