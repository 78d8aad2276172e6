"""The dossier API: submit → status and receipt, paper limits, documents, supplement, withdrawal, the apology,
the public look-up (nothing personal), unit scoping and roles."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from engine import Engine, clock
from tests.web.conftest import Api
from tests.web.dossier_world import PDF, files_of, star, submission


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    """Monday 09/02/2026 08:00 in Hà Nội: 20 working days across Tết end on Monday 16/03/2026."""
    virtual = clock.VirtualClock(datetime(2026, 2, 9, 1, 0, tzinfo=UTC))
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)



def submit(api: Api, user: str = "desk", **extra: Any) -> Any:
    body = submission(**extra)
    return api.post(
        "/api/dossiers",
        user,
        data={"dossier": json.dumps(body), "files": files_of()},
        content_type="multipart/form-data",
    )


def test_submit_then_receive_gives_the_receipt_and_appointment(api: Api) -> None:
    made = submit(api)
    assert made.status_code == 201, made.json
    dossier = made.json
    assert dossier["code"].startswith("HS-2026-") and dossier["status"] == 1
    assert dossier["status_name"] == "Mới đăng ký"
    assert [t["element_id"] for t in dossier["tasks"]] == ["check_completeness"]
    assert [n["name"] for n in dossier["nominees"]] == ["Nguyễn Thị Hoa"]
    assert len(dossier["papers"]) == 4
    task = dossier["tasks"][0]["id"]
    assert api.post(f"/api/tasks/{task}/claim", "desk").status_code == 200
    done = api.post(f"/api/tasks/{task}/complete", "desk", json={"data": {"completeness": "tiep_nhan"}})
    assert done.status_code == 200, done.json
    got = api.get(f"/api/dossiers/{dossier['code']}", "desk").json
    assert got["status"] == 2 or got["status"] == 4
    assert got["appointment"] == "16/03/2026"
    assert got["due_at"].startswith("2026-03-16T10:30")  # 17:30 in Hà Nội
    assert got["received_at"].startswith("2026-02-09")
    assert [d["kind"] for d in got["documents"]] == ["receipt"]


def test_accept_at_the_counter_and_download_the_receipt(api: Api) -> None:
    made = api.post("/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()})
    assert made.status_code == 201, made.json
    code = made.json["code"]
    listed = api.get(f"/api/dossiers/{code}/documents", "desk")
    assert listed.status_code == 200 and [d["kind"] for d in listed.json] == ["receipt"]
    receipt = listed.json[0]
    got = api.get(f"/api/dossiers/{code}/documents/{receipt['id']}", "desk")
    assert got.status_code == 200 and got.mimetype == "application/pdf" and got.data.startswith(b"%PDF")
    assert receipt["filename"] in got.headers["Content-Disposition"]
    assert api.get(f"/api/dossiers/{code}/documents/999999", "desk").status_code == 404


def test_json_submission_with_earlier_uploads(api: Api) -> None:
    first = api.post("/api/dossiers", "desk", data={"dossier": json.dumps(submission()), "files": files_of()})
    code = first.json["code"]
    keys = []
    for paper in ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"):
        data = {"code": paper, "file": (io.BytesIO(PDF + b"x" + paper.encode()), "p.pdf")}
        up = api.post(f"/api/dossiers/{code}/papers", "desk", data=data)
        assert up.status_code == 201, up.json
        keys.append({"code": paper, "key": up.json["key"]})
    body = {**submission(award_type="BK_UBND"), "papers": keys, "nominees": [star("Lê Văn Bình", "nam")]}
    made = api.post("/api/dossiers", "desk", json=body)
    assert made.status_code == 201, made.json
    assert made.json["award_type"] == "BK_UBND" and len(made.json["papers"]) == 3
    forged = {**body, "papers": [{"code": "TO_TRINH", "key": "ab/not-there.pdf"}]}
    refused = api.post("/api/dossiers", "desk", json=forged)
    assert refused.status_code == 422 and "papers[0].key" in refused.json["fields"]


def test_bad_input_names_the_field_and_starts_nothing(api: Api, engine: Engine) -> None:
    bad = api.post("/api/dossiers", "desk", json={**submission(), "award_type": "NOPE", "papers": []})
    assert bad.status_code == 422 and "award_type" in bad.json["fields"]
    no_nominee = api.post("/api/dossiers", "desk", json={**submission(), "nominees": [], "papers": []})
    assert no_nominee.status_code == 422 and "nominees" in no_nominee.json["fields"]
    gender = {**submission(), "papers": [], "nominees": [{"name": "A", "gender": "x"}]}
    assert "nominees.0.gender" in api.post("/api/dossiers", "desk", json=gender).json["fields"]
    missing_file = api.post("/api/dossiers", "desk", data={"dossier": json.dumps(submission()), "files": []})
    assert missing_file.status_code == 422 and "papers[0].file" in missing_file.json["fields"]
    assert engine.runtime.list() == []


def test_paper_limits_413_and_422(api: Api, app: Flask) -> None:
    code = submit(api).json["code"]
    wrong = api.post(
        f"/api/dossiers/{code}/papers", "desk", data={"code": "TO_TRINH", "file": (io.BytesIO(b"hi"), "a.txt")}
    )
    assert wrong.status_code == 422 and "file.file" in wrong.json["fields"]
    kind = api.post(f"/api/dossiers/{code}/papers", "desk", data={"code": "NOPE", "file": (io.BytesIO(PDF), "a.pdf")})
    assert kind.status_code == 422 and "file.code" in kind.json["fields"]
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    big = PDF + b"0" * (20 * 1024 * 1024)
    large = api.post(
        f"/api/dossiers/{code}/papers", "desk", data={"code": "TO_TRINH", "file": (io.BytesIO(big), "b.pdf")}
    )
    assert large.status_code == 413 and "over the limit" in large.json["fields"]["file"][0]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert submit(api).status_code == 413


def test_supplement_once_then_return(api: Api) -> None:
    body = submission(papers=("TO_TRINH",))
    made = api.post("/api/dossiers", "desk", data={"dossier": json.dumps(body), "files": files_of(("TO_TRINH",))})
    code, task = made.json["code"], made.json["tasks"][0]["id"]
    api.post(f"/api/tasks/{task}/claim", "desk")
    asked = {
        "completeness": "bo_sung",
        "missing": ["BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"],
    }  # everything missing, at once
    assert api.post(f"/api/tasks/{task}/complete", "desk", json={"data": asked}).status_code == 200
    got = api.get(f"/api/dossiers/{code}", "desk").json
    assert got["status"] == 5 and got["appointment"] is None  # the clock starts once it is complete
    assert [i["code"] for i in got["supplement_items"]] == [
        "BAO_CAO_THANH_TICH",
        "BIEN_BAN_BINH_XET",
        "MINH_CHUNG_SANG_KIEN",
    ]
    up = api.post(
        f"/api/dossiers/{code}/papers",
        "desk",
        data={"code": "BAO_CAO_THANH_TICH", "file": (io.BytesIO(PDF + b"5"), "bc.pdf")},
    )
    back = api.post(
        f"/api/dossiers/{code}/supplement",
        "desk",
        json={"papers": [{"code": "BAO_CAO_THANH_TICH", "key": up.json["key"]}]},
    )
    assert back.status_code == 200, back.json
    assert [t["element_id"] for t in back.json["tasks"]] == ["recheck_completeness"]
    assert sum(p["supplement"] for p in back.json["papers"]) == 1
    again = api.post(f"/api/dossiers/{code}/supplement", "desk", json={"papers": []})
    assert again.status_code == 409


def test_withdraw_and_reschedule(api: Api) -> None:
    code = api.post(
        "/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()}
    ).json["code"]
    moved = api.post(
        f"/api/dossiers/{code}/reschedule", "desk", json={"new_due": "2026-04-10T17:30:00", "reason": "Chờ hiệp y."}
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["appointment"] == "10/04/2026"
    kinds = [d["kind"] for d in api.get(f"/api/dossiers/{code}/documents", "desk").json]
    assert kinds == ["receipt", "apology"]
    twice = api.post(
        f"/api/dossiers/{code}/reschedule", "desk", json={"new_due": "2026-04-20T17:30:00", "reason": "Lần hai."}
    )
    assert twice.status_code in (409, 422)
    assert api.post(f"/api/dossiers/{code}/withdraw", "desk", json={}).status_code == 422
    gone = api.post(f"/api/dossiers/{code}/withdraw", "desk", json={"reason": "Đơn vị xin rút."})
    assert gone.status_code == 200 and gone.json["status"] == 7
    assert api.post(f"/api/dossiers/{code}/withdraw", "desk", json={"reason": "Lại."}).status_code == 409


def test_public_look_up_tells_nothing_personal(api: Api) -> None:
    code = api.post(
        "/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()}
    ).json["code"]
    found = api.get(f"/api/public/dossiers/{code}")
    assert found.status_code == 200
    assert set(found.json) == {
        "code",
        "status",
        "status_name",
        "appointment",
        "to_bring",
        "asked_on",
        "on_return",
        "days_on_return",
    }
    assert (found.json["to_bring"], found.json["on_return"]) == ([], None)
    assert found.json["status"] in (2, 4) and found.json["appointment"]
    text = found.get_data(as_text=True)
    assert "Hoa" not in text and "so-gd" not in text
    missing = api.get("/api/public/dossiers/HS-2026-999999")
    assert missing.status_code == 404 and "Hoa" not in missing.get_data(as_text=True)
    typed = api.get(f"/api/public/dossiers/%20{code.lower()}%20")  # as a citizen types it
    assert typed.status_code == 200 and typed.json == found.json


def test_unit_scoping_and_roles(api: Api) -> None:
    code = submit(api).json["code"]
    listed = api.get("/api/dossiers", "desk").json
    assert listed["total"] == 1 and listed["items"][0]["code"] == code and listed["items"][0]["nominees"] == 1
    assert api.get("/api/dossiers?status=1", "appraiser").json["total"] == 1
    assert api.get("/api/dossiers?status=3", "desk").json["total"] == 0
    assert api.get("/api/dossiers?status=99", "desk").status_code == 400
    # another unit's desk neither lists nor reads it
    assert api.get("/api/dossiers", "desk2").json["total"] == 0
    assert api.get(f"/api/dossiers/{code}", "desk2").status_code == 404
    assert api.get(f"/api/dossiers/{code}/documents", "desk2").status_code == 404
    assert api.get("/api/dossiers", "supervisor").json["total"] == 1
    # roles: only the desk submits, uploads, returns supplements, withdraws
    assert api.post("/api/dossiers", "appraiser", json=submission()).status_code == 403
    assert api.post(f"/api/dossiers/{code}/withdraw", "leader", json={"reason": "x"}).status_code == 403
    assert (
        api.post(
            f"/api/dossiers/{code}/reschedule", "leader", json={"new_due": "2026-05-01", "reason": "x"}
        ).status_code
        == 403
    )
    assert api.get("/api/dossiers").status_code == 401
