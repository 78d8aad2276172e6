"""The public disclosure pages without an account: the list open for comment, a citizen's comment with the
server's challenge and its receipt, the refusals of hostile input (nothing stored, no task made), and the
published decisions."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import Engine, clock
from engine.models import ProcessInstance
from handlers.domain import Domain
from handlers.models import PublicComment
from tests.browser import dossiers
from tests.scenarios.conftest import DEFAULTS, WORKER
from tests.web.conftest import Api
from tests.web.dossier_world import domain_app, files_of, signed_in, submission

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CHALLENGE = re.compile(r"Câu hỏi kiểm tra: (\d+) \+ (\d+) bằng bao nhiêu\?")
TOKEN = re.compile(r'name="challenge" value="([^"]+)"')

#: the dossier world (the shipped processes, the domain, a worker per role), shared with the browser tests
world = dossiers.world


@pytest.fixture(autouse=True)
def in_november(vclock: clock.VirtualClock) -> None:
    """Under the rule set that publishes CSTD_TINH (in force from 01/10/2026)."""
    vclock.set(datetime(2026, 11, 16, 9, 0, tzinfo=VN))


@pytest.fixture
def app(world: Domain) -> Flask:
    return domain_app(world)


def work_until_published(app: Flask, engine: Engine) -> str:
    """A CSTD_TINH dossier received at the desk and worked until nothing is ready: it is being published."""
    made = Api(app).post(
        "/api/dossiers", "desk", data={"dossier": json.dumps(submission(accept=True)), "files": files_of()}
    )
    code = made.json["code"]
    instance = engine.runtime.list(business_key=code)[0].id
    for _ in range(30):
        tasks = [t for t in engine.tasks.for_instance(instance) if t.state == "ready"]
        if not tasks:
            return code
        task = tasks[0]
        engine.tasks.claim(task.id, WORKER[task.element_id])
        engine.tasks.complete(task.id, WORKER[task.element_id], dict(DEFAULTS[task.element_id]))
    raise AssertionError("the dossier was never published")


def fresh_form(client: FlaskClient, code: str) -> dict[str, Any]:
    """The comment form's challenge answered, with a citizen's valid comment."""
    html = client.get(f"/cong-khai/{code}/gop-y").get_data(as_text=True)
    question, token = CHALLENGE.search(html), TOKEN.search(html)
    assert question is not None and token is not None
    return {
        "challenge": token.group(1),
        "answer": str(int(question.group(1)) + int(question.group(2))),
        "kind": "phan_anh",
        "author_name": "Trần Văn Bình",
        "contact": "0912 345 678",
        "text": "Đề nghị xác minh lại thành tích sáng kiến.",
    }


def stored(engine: Engine) -> tuple[int, int]:
    """(comments stored, comment-handling instances started)."""
    with engine.db.reading() as s:
        comments = s.scalar(select(func.count()).select_from(PublicComment))
        started = s.scalar(
            select(func.count()).select_from(ProcessInstance).where(ProcessInstance.process_key == "public_comment")
        )
        return int(comments or 0), int(started or 0)


def test_a_citizen_comments_without_an_account_and_looks_the_comment_up(app: Flask, world: Domain) -> None:
    engine = world.engine
    code = work_until_published(app, engine)
    client = app.test_client()
    listing = client.get("/cong-khai").get_data(as_text=True)
    assert (
        "Nguyễn Thị Hoa" in listing and "Chiến sĩ thi đua cấp tỉnh" in listing and f"/cong-khai/{code}/gop-y" in listing
    )
    assert "Giáo viên" not in listing, "no position or other personal data on the public list"
    sent = client.post(f"/cong-khai/{code}/gop-y", data=fresh_form(client, code))
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    receipt = re.search(r'id="receipt-code">(GY-[0-9A-F]+)<', page)
    assert receipt is not None and "Đang xác minh" in page and "Đã nhận ý kiến của bạn" in page
    assert stored(engine) == (1, 1)
    comment_instance = engine.runtime.list(business_key=receipt.group(1))[0]
    (task,) = engine.tasks.for_instance(comment_instance.id)
    assert (task.element_id, task.assignee, task.properties["budget"]) == ("handle_comment", "thamdinh", "3WD")
    assert client.get("/cong-khai/y-kien?receipt=GY-KHONGCO").status_code == 404


def test_hostile_comments_are_refused_and_change_nothing(app: Flask, world: Domain) -> None:
    engine = world.engine
    code = work_until_published(app, engine)
    client = app.test_client()
    url = f"/cong-khai/{code}/gop-y"

    def refused(status: int, field: str | None, **changes: Any) -> None:
        form = {**fresh_form(client, code), **changes}
        answer = client.post(url, data=form)
        assert answer.status_code == status, (changes.keys(), answer.status_code)
        if field:
            assert f'data-field="{field}"' in answer.get_data(as_text=True)
        assert stored(engine) == (0, 0)

    refused(422, "answer", answer="99")
    refused(422, "answer", answer="１２")  # full-width digits are not an answer
    refused(422, "answer", challenge="forged.token.value")
    refused(422, "text", text="<script>alert(1)</script> thành tích")
    refused(422, "text", text="Xem tại javascript:alert(1)")
    refused(422, "text", text="x" * 4001)
    refused(422, "text", text="   ")
    refused(422, "contact", contact="")
    refused(422, "kind", kind="khen")
    refused(422, "nominee", nominee="123456")
    refused(422, "nominee", nominee="1e3")
    refused(422, "author_name", author_name="<img src=x onerror=alert(1)>")
    refused(422, "attachment", attachment=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "bang-chung.pdf"))
    refused(422, "attachment", attachment=(io.BytesIO(b"%PDF-1.4\n" + b"0" * 800_000), "lon.pdf"))
    # bad Unicode and NUL: the input boundary refuses them before any view runs
    for body in (b"text=%00abc", b"text=%ED%A0%80", b"text=%FF%FE"):
        bad = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert bad.status_code in (400, 422) and stored(engine) == (0, 0)
    huge = client.post(url, data={**fresh_form(client, code), "text": "a" * 2_000_000})
    assert huge.status_code == 413 and stored(engine) == (0, 0)


def test_one_challenge_sends_one_comment_and_floods_are_limited(app: Flask, world: Domain) -> None:
    engine = world.engine
    code = work_until_published(app, engine)
    client = app.test_client()
    url = f"/cong-khai/{code}/gop-y"
    form = fresh_form(client, code)
    assert client.post(url, data=form).status_code == 303
    again = client.post(url, data=form)
    assert again.status_code == 422 and 'data-field="answer"' in again.get_data(as_text=True)
    for _ in range(4):  # the rule set's 5 an hour from one address
        assert client.post(url, data=fresh_form(client, code)).status_code == 303
    flood = client.post(url, data=fresh_form(client, code))
    assert flood.status_code == 429 and "5 ý kiến trong một giờ" in flood.get_data(as_text=True)
    assert stored(engine) == (5, 5)
    clock.current().advance(hours=1, minutes=1)  # type: ignore[attr-defined]
    assert client.post(url, data=fresh_form(client, code)).status_code == 303


def test_after_the_period_the_form_is_closed(app: Flask, world: Domain, vclock: clock.VirtualClock) -> None:
    code = work_until_published(app, world.engine)
    client = app.test_client()
    form = fresh_form(client, code)
    vclock.set(datetime(2026, 11, 26, 9, 0, 1, tzinfo=VN))
    world.engine.timers.fire_due()
    assert client.post(f"/cong-khai/{code}/gop-y", data=form).status_code == 404
    assert "Hiện không có danh sách nào" in client.get("/cong-khai").get_data(as_text=True)
    assert stored(world.engine) == (0, 0)


def test_the_public_decision_list_searches_and_bad_pages_are_the_first(app: Flask, world: Domain) -> None:
    client = app.test_client()
    empty = client.get("/cong-khai/quyet-dinh?q=hoa&page=abc")
    assert empty.status_code == 200 and "Không có kết quả" in empty.get_data(as_text=True)
    assert client.get("/cong-khai/quyet-dinh?page=99999999999999999999").status_code == 200


def test_the_appraiser_sees_the_comment_and_the_council_cannot_vote_until_it_is_handled(
    app: Flask, world: Domain, vclock: clock.VirtualClock
) -> None:
    engine = world.engine
    code = work_until_published(app, engine)
    citizen = app.test_client()
    proof = b"%PDF-1.4\n% bang chung\n"
    citizen.post(
        f"/cong-khai/{code}/gop-y",
        data={**fresh_form(citizen, code), "attachment": (io.BytesIO(proof), "bằng chứng.pdf")},
    )
    vclock.set(datetime(2026, 11, 26, 9, 0, 1, tzinfo=VN))
    engine.timers.fire_due()
    instance = engine.runtime.list(business_key=code)[0].id
    convene = next(t for t in engine.tasks.for_instance(instance) if t.state == "ready")
    engine.tasks.claim(convene.id, "thuky")
    engine.tasks.complete(convene.id, "thuky", {"session_date": "2026-11-26"})
    record = next(t for t in engine.tasks.for_instance(instance) if t.state == "ready")

    secretary, token = signed_in(app, engine, "thuky", ["council_secretary"])
    page = secretary.get(f"/council/{record.id}").get_data(as_text=True)
    assert 'id="public-comments"' in page and "Đề nghị xác minh lại thành tích sáng kiến." in page
    assert "Đang xác minh" in page
    form = {"csrf_token": token, **{f"present_TV0{i}": "1" for i in range(1, 10)}}
    refused = secretary.post(f"/council/{record.id}", data=form)
    assert refused.status_code == 422 and "Chưa thể biểu quyết" in refused.get_data(as_text=True)
    assert [t.element_id for t in engine.tasks.for_instance(instance) if t.state == "ready"] == ["record_session"]

    appraiser, token = signed_in(app, engine, "thamdinh", ["appraiser"])
    (comment_task,) = [t for t in engine.tasks.inbox("thamdinh").items if t.element_id == "handle_comment"]
    task_page = appraiser.get(f"/tasks/{comment_task.id}").get_data(as_text=True)
    assert 'id="public-comment"' in task_page and "Đề nghị xác minh lại thành tích sáng kiến." in task_page
    assert "Nguyễn Thị Hoa" in task_page, "the dossier the comment is about is shown with it"
    link = re.search(r'id="comment-attachment" href="([^"]+)"', task_page)
    assert link is not None
    download = appraiser.get(link.group(1))
    assert download.data == proof and download.headers["Content-Disposition"].startswith("attachment")
    assert app.test_client().get(link.group(1)).status_code in (302, 401), "not for the public"
    other, _ = signed_in(app, engine, "khac", ["appraiser"], unit="so-tai-chinh")
    assert other.get(link.group(1)).status_code == 404, "nor for another unit"


def test_the_report_counts_comments_handling_and_changed_proposals_per_unit(app: Flask, world: Domain) -> None:
    engine = world.engine
    code = work_until_published(app, engine)
    citizen = app.test_client()
    citizen.post(f"/cong-khai/{code}/gop-y", data=fresh_form(citizen, code))
    citizen.post(f"/cong-khai/{code}/gop-y", data={**fresh_form(citizen, code), "kind": "ung_ho"})
    objection = next(t for t in engine.tasks.inbox("thamdinh").items if t.element_id == "handle_comment")
    engine.tasks.complete(
        objection.id,
        "thamdinh",
        {"substantiated": True, "answer": "Đã xác minh, đề nghị điều chỉnh.", "changes_proposal": True},
    )
    supervisor, _ = signed_in(app, engine, "giamsat", ["supervisor"])
    page = supervisor.get("/bao-cao/gop-y?start=01/11/2026&end=30/11/2026").get_data(as_text=True)
    row = re.search(r"<td>Sở Giáo dục và Đào tạo</td>((?:<td>\d+</td>){6})", page)
    assert row is not None, page
    assert re.findall(r"\d+", row.group(1)) == ["2", "1", "1", "1", "1", "1"]
    earlier = supervisor.get("/bao-cao/gop-y?start=01/10/2026&end=31/10/2026").get_data(as_text=True)
    assert "Không có ý kiến nào" in earlier
    bad = supervisor.get("/bao-cao/gop-y?start=31/02/2026")
    assert bad.status_code == 400 and 'data-field="start"' in bad.get_data(as_text=True)
    citizen_report = app.test_client().get("/bao-cao/gop-y")
    assert citizen_report.status_code in (302, 401, 403)
