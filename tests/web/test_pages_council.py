"""The council secretary's pages: the waiting sittings, convening, recording attendance, written votes and the
ballot count (completed through the engine, tallied by handlers.tally) and the minutes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine import Engine
from engine.db import Database
from handlers.domain import Domain
from handlers.models import Dossier, Nominee
from tests.scenarios.conftest import DEFAULTS, WORKER
from tests.scenarios.conftest import PEOPLE as WORKERS
from tests.web.conftest import Api
from tests.web.dossier_world import domain_app, domain_engine, files_of, signed_in, submission

MEMBERS = [f"TV0{i}" for i in range(1, 10)]


@pytest.fixture
def world(database: Database, vclock: object, tmp_path: Path) -> Domain:
    domain = domain_engine(database, tmp_path / "files")
    for name, groups in WORKERS.items():
        domain.engine.identity.ensure_user(name, groups=groups, unit="so-noi-vu")
    return domain


@pytest.fixture
def engine(world: Domain) -> Engine:
    return world.engine


@pytest.fixture
def app(world: Domain) -> Flask:
    return domain_app(world)


def ready(engine: Engine, code: str) -> list[Any]:
    instance = engine.runtime.list(business_key=code)[0].id
    return sorted((t for t in engine.tasks.for_instance(instance) if t.state == "ready"), key=lambda t: t.element_id)


def dossier_at(app: Flask, engine: Engine, element: str) -> str:
    """A CSTD_TINH dossier received at the desk and worked until ``element`` is ready."""
    made = Api(app).post(
        "/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()}
    )
    code = made.json["code"]
    for _ in range(30):
        tasks = ready(engine, code)
        if element in [t.element_id for t in tasks]:
            return code
        task = tasks[0]
        engine.tasks.claim(task.id, WORKER[task.element_id])
        engine.tasks.complete(task.id, WORKER[task.element_id], dict(DEFAULTS[task.element_id]))
    raise AssertionError(f"{element} never became ready")


def task_of(engine: Engine, code: str, element: str) -> str:
    return next(t.id for t in ready(engine, code) if t.element_id == element)


def nominee_id(engine: Engine, code: str) -> int:
    with engine.db.transaction() as session:
        d = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        return session.scalars(select(Nominee.id).where(Nominee.dossier_id == d.id)).one()


def test_the_inbox_lists_the_council_steps(app: Flask, engine: Engine) -> None:
    code = dossier_at(app, engine, "convene_session")
    client, token = signed_in(app, engine, "thuky", ["council_secretary"])
    html = client.get("/council").get_data(as_text=True)
    assert code in html and "Triệu tập" in html
    task = task_of(engine, code, "convene_session")
    page = client.get(f"/council/{task}").get_data(as_text=True)
    assert 'id="convene-form"' in page
    bad = client.post(f"/council/{task}", data={"csrf_token": token, "session_date": "32/13/2026"})
    assert bad.status_code == 422 and "session_date" in bad.get_data(as_text=True)
    done = client.post(f"/council/{task}", data={"csrf_token": token, "session_date": "20/03/2026", "quota": ""})
    assert done.status_code == 302
    assert [t.element_id for t in ready(engine, code)] == ["record_session"]
    desk, _ = signed_in(app, engine, "motcua2", ["desk"])
    assert desk.get("/council").status_code == 403


def test_record_the_session_with_a_written_vote(app: Flask, engine: Engine) -> None:
    code = dossier_at(app, engine, "record_session")
    nid = nominee_id(engine, code)
    client, token = signed_in(app, engine, "thuky", ["council_secretary"])
    task = task_of(engine, code, "record_session")
    page = client.get(f"/council/{task}").get_data(as_text=True)
    assert 'data-members="9"' in page and 'data-quorum="6"' in page and 'data-needed="9"' in page
    assert "90% tổng số thành viên" in page and "Trần Quốc Hưng" in page
    form: dict[str, Any] = {"csrf_token": token, f"ballots_{nid}": "8", "written_TV09": str(nid)}
    form |= {f"present_{m}": "1" for m in MEMBERS[:8]}
    # a written vote from a member marked present is ignored, as the tally requires
    form["written_TV01"] = str(nid)
    bad = client.post(f"/council/{task}", data={**form, f"ballots_{nid}": "12"})
    assert bad.status_code == 422 and "ballots" in bad.get_data(as_text=True)
    done = client.post(f"/council/{task}", data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/council/hoso/{code}")
    result = client.get(f"/council/hoso/{code}").get_data(as_text=True)
    assert "Biên bản kiểm phiếu" in result and 'id="minutes"' in result and "Đạt" in result
    with engine.db.transaction() as session:
        assert session.get(Nominee, nid).state == "passed"
    assert [t.element_id for t in ready(engine, code)] == ["sign_decision"]


def test_below_the_threshold_of_all_members(app: Flask, engine: Engine) -> None:
    code = dossier_at(app, engine, "record_session")
    nid = nominee_id(engine, code)
    client, token = signed_in(app, engine, "thuky", ["council_secretary"])
    task = task_of(engine, code, "record_session")
    form = {"csrf_token": token, f"ballots_{nid}": "8", **{f"present_{m}": "1" for m in MEMBERS[:8]}}
    assert client.post(f"/council/{task}", data=form).status_code == 302
    result = client.get(f"/council/hoso/{code}").get_data(as_text=True)
    assert "Không đạt" in result and "8/9" in result


def test_convening_records_no_result_and_votes_wait_for_the_meeting(app: Flask, engine: Engine, vclock: Any) -> None:
    """Convening says it convened (no attendance, no verdict); a record before the meeting's date is refused in
    Vietnamese by the domain, on the page and through the task API alike; on the day it is accepted."""
    code = dossier_at(app, engine, "convene_session")
    client, token = signed_in(app, engine, "thuky", ["council_secretary"])
    convene = task_of(engine, code, "convene_session")
    day = {"csrf_token": token, "session_date": "09/03/2026"}
    done = client.post(f"/council/{convene}", data=day, follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Đã triệu tập phiên họp" in html and "Đã ghi kết quả" not in html
    assert 'id="not-met"' in html and "Có mặt" not in html and "Không đạt" not in html and "09/03/2026" in html
    nid = nominee_id(engine, code)
    task = task_of(engine, code, "record_session")
    form = {"csrf_token": token, f"ballots_{nid}": "9", **{f"present_{m}": "1" for m in MEMBERS}}
    early = client.post(f"/council/{task}", data=form)
    assert early.status_code == 422 and "Chưa đến ngày họp (09/03/2026)" in early.get_data(as_text=True)
    engine.tasks.claim(task, "thuky")
    data = {"present": MEMBERS, "ballots": [{"nominee": nid, "approve": 9}]}
    api = Api(app).post(f"/api/tasks/{task}/complete", "thuky", json={"data": data})
    assert api.status_code == 422 and "Chưa đến ngày họp" in api.get_data(as_text=True)
    assert [t.element_id for t in ready(engine, code)] == ["record_session"]
    vclock.set(datetime(2026, 3, 9, 1, 0, tzinfo=UTC))
    assert client.post(f"/council/{task}", data=form).status_code == 302
    assert [t.element_id for t in ready(engine, code)] == ["sign_decision"]


@pytest.mark.parametrize("number", ["²", "٣", "9" * 5000, str(2**31), "-1", "1e3"])
def test_a_quota_or_ballot_count_that_is_no_whole_number_is_422_naming_it(
    app: Flask, engine: Engine, number: str
) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` fails; 5000 digits pass ``isdigit`` and fail ``int``; a count
    past the integer column overflows it: each was a 500."""
    code = dossier_at(app, engine, "convene_session")
    client, token = signed_in(app, engine, "thuky", ["council_secretary"])
    task = task_of(engine, code, "convene_session")
    answer = client.post(f"/council/{task}", data={"csrf_token": token, "session_date": "20/03/2026", "quota": number})
    assert answer.status_code == 422 and "quota" in answer.get_data(as_text=True)
    assert [t.element_id for t in ready(engine, code)] == ["convene_session"]
