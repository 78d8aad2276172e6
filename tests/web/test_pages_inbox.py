"""The inbox page: my tasks and tasks to claim, working time left and its colour, filters, sort, pages, one-click
claim, unit scoping; and the notifications page."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import Flask

from engine import Engine, clock
from engine.notifications import notify
from tests.web.pages_support import codes_in_order, deploy, signed_in, start, task_of, token_of, user_task

# The virtual clock starts on Monday 02/03/2026 08:00 (Asia/Ho_Chi_Minh); working hours are 07:30–11:30 and
# 13:30–17:30, so a 0.5WD step started then is due at 14:00 (3.5 h before noon + 0.5 h after).


def row_of(page: str, code: str) -> str:
    """ "<row class>|<row cells>" of the inbox row of dossier ``code``."""
    for state, body in re.findall(r'<tr class="([^"]*)" data-task="[^"]*">(.*?)</tr>', page, re.S):
        if f">{code}</a>" in body:
            return f"{state}|{html.unescape(body)}"
    raise AssertionError(f"{code} is not in the inbox")


def test_the_inbox_lists_my_tasks_and_my_groups_tasks_and_claims_in_one_click(app: Flask, engine: Engine) -> None:
    deploy(engine)
    first, second = start(engine, "HS-1"), start(engine, "HS-2")
    client = signed_in(app, engine, "an")
    page = client.get("/inbox").get_data(as_text=True)
    assert "Việc cần xử lý" in page and sorted(codes_in_order(page)) == ["HS-1", "HS-2"]
    row = row_of(page, "HS-1")
    assert "Review dossier" in row and "User task in a lane" in row, "step and process by name"
    assert "14:00 02/03/2026" in row, "due time HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh"
    assert row.startswith("due_soon|") and '<span class="badge due_soon">còn 4 giờ làm việc</span>' in row
    assert page.count('action="/tasks/') == 2, "a claim form per claimable row"

    task = task_of(engine, first)
    refused = client.post(f"/tasks/{task.id}/claim", data={"next": "/inbox"})
    assert refused.status_code == 400, "a claim without the form's CSRF token is refused"
    claimed = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": token_of(client), "next": "/inbox"})
    assert claimed.status_code == 302 and claimed.headers["Location"] == "/inbox"
    assert engine.tasks.get(task.id).assignee == "an"
    after = client.get("/inbox").get_data(as_text=True)
    assert "Đã nhận việc “Review dossier” của hồ sơ HS-1." in after
    assert "Tôi" in row_of(after, "HS-1").split("</td>")[-2] and after.count('action="/tasks/') == 1

    assert codes_in_order(client.get("/inbox?scope=mine").get_data(as_text=True)) == ["HS-1"]
    assert codes_in_order(client.get("/inbox?scope=claimable").get_data(as_text=True)) == ["HS-2"]
    assert task_of(engine, second).assignee is None

    other = signed_in(app, engine, "appraiser")
    taken = other.post(f"/tasks/{task.id}/claim", data={"csrf_token": token_of(other), "next": "/inbox"})
    assert taken.status_code == 302
    assert "Việc này đã có người khác nhận." in other.get("/inbox").get_data(as_text=True)


def test_colours_follow_the_working_time_left(app: Flask, engine: Engine, vclock: clock.VirtualClock) -> None:
    deploy(engine, {"user_task.bpmn": user_task("2WD")})
    start(engine, "HS-1")  # Mon 08:00 + 16 working hours = Wed 04/03 08:00
    client = signed_in(app, engine, "an")

    def row() -> str:
        return row_of(client.get("/inbox").get_data(as_text=True), "HS-1")

    assert "08:00 04/03/2026" in row()
    expected = [
        (timedelta(0), "trong_han", "còn 2 ngày làm việc"),  # 16 h
        (timedelta(hours=7), "trong_han", "còn 1 ngày 3 giờ làm việc"),  # Mon 15:00: 2.5 h + 8 h + 0.5 h = 11 h
        (timedelta(hours=17), "trong_han", "còn 1 ngày làm việc"),  # Tue 08:00: exactly 8 h is not "soon"
        (timedelta(minutes=1), "due_soon", "còn 7 giờ 59 phút làm việc"),  # Tue 08:01
        (timedelta(hours=1, minutes=59), "due_soon", "còn 6 giờ làm việc"),  # Tue 10:00: 1.5 h + 4 h + 0.5 h
        (timedelta(hours=24), "qua_han", "quá hạn 2 giờ"),  # Wed 10:00: 2 working hours past 08:00
        (timedelta(hours=8), "qua_han", "quá hạn 7 giờ 30 phút"),  # Wed 18:00: 08:00–11:30 + 13:30–17:30
    ]
    for step, state, text in expected:
        vclock.advance(step)
        assert row().startswith(f"{state}|") and f'<span class="badge {state}">{text}</span>' in row(), text
    assert codes_in_order(client.get("/inbox?overdue=1").get_data(as_text=True)) == ["HS-1"]


def test_overdue_only_leaves_out_tasks_within_time(app: Flask, engine: Engine) -> None:
    deploy(engine)
    start(engine, "HS-1")
    client = signed_in(app, engine, "an")
    page = client.get("/inbox?overdue=1").get_data(as_text=True)
    assert codes_in_order(page) == [] and "Không có việc nào." in page
    assert 'name="overdue" value="1" checked' in page, "the filter form shows the filter in use"


@pytest.fixture
def three(engine: Engine, vclock: clock.VirtualClock) -> None:
    """HS-1 (user_task) at 08:00, HS-2 (second_task, step "Kiểm tra hồ sơ") at 09:00, HS-3 (user_task) at 10:00."""
    deploy(engine)
    second = user_task(key="second_task", name="Kiểm tra hồ sơ").replace(
        b"User task in a lane", "Quy trình thứ hai".encode()
    )
    deploy(engine, {"second_task.bpmn": second})
    start(engine, "HS-1")
    vclock.advance(hours=1)
    start(engine, "HS-2", key="second_task")
    vclock.advance(hours=1)
    start(engine, "HS-3")


@pytest.mark.usefixtures("three")
def test_sorting_by_due_time_received_time_and_name(app: Flask, engine: Engine) -> None:
    client = signed_in(app, engine, "an")

    def order(query: str) -> list[str]:
        return codes_in_order(client.get(f"/inbox{query}").get_data(as_text=True))

    assert order("") == ["HS-1", "HS-2", "HS-3"], "due first by default"
    assert order("?sort=due&order=desc") == ["HS-3", "HS-2", "HS-1"]
    assert order("?sort=created&order=desc") == ["HS-3", "HS-2", "HS-1"]
    assert order("?sort=name") == ["HS-2", "HS-1", "HS-3"], "Kiểm tra … before Review …, then by received time"
    assert order("?sort=name&order=desc")[-1] == "HS-2"
    assert order("?sort=nonsense") == ["HS-1", "HS-2", "HS-3"], "an unknown sort falls back to the due time"


@pytest.mark.usefixtures("three")
def test_filters_by_process_step_code_and_due_dates(app: Flask, engine: Engine) -> None:
    client = signed_in(app, engine, "an")

    def found(query: str) -> list[str]:
        return codes_in_order(client.get(f"/inbox?{query}").get_data(as_text=True))

    page = client.get("/inbox").get_data(as_text=True)
    assert '<option value="second_task" >Quy trình thứ hai</option>' in page
    assert '<option value="check" >Kiểm tra hồ sơ</option>' in page
    assert found("process=second_task") == ["HS-2"]
    assert found("process=user_task") == ["HS-1", "HS-3"]
    assert found("step=check") == ["HS-2"] and found("step=review") == ["HS-1", "HS-3"]
    assert found("code=HS-3") == ["HS-3"] and found("code=HS-9") == []
    assert found("due_before=2026-03-02") == ["HS-1", "HS-2", "HS-3"], "due until a day includes that whole day"
    assert found("due_before=01/03/2026") == []
    assert found("due_after=2026-03-02") == ["HS-1", "HS-2", "HS-3"]
    assert found("due_after=03/03/2026") == []
    assert found("process=user_task&sort=due&order=desc&code=HS-1") == ["HS-1"]
    bad = client.get("/inbox?due_after=31/02/2026")
    assert bad.status_code == 400 and "Ngày không hợp lệ" in bad.get_data(as_text=True)
    assert codes_in_order(bad.get_data(as_text=True)) == ["HS-1", "HS-2", "HS-3"], "the bad filter is ignored"


@pytest.mark.usefixtures("three")
def test_pages_keep_the_filters(app: Flask, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.inbox.PER_PAGE", 2)
    client = signed_in(app, engine, "an")
    first = client.get("/inbox?sort=created").get_data(as_text=True)
    assert codes_in_order(first) == ["HS-1", "HS-2"] and "3 việc · trang 1/2" in first
    assert 'href="/inbox?sort=created&amp;page=2" rel="next"' in first
    second = client.get("/inbox?sort=created&page=2").get_data(as_text=True)
    assert codes_in_order(second) == ["HS-3"] and 'href="/inbox?sort=created" rel="prev"' in second
    assert codes_in_order(client.get("/inbox?page=9").get_data(as_text=True)) == []


@pytest.mark.usefixtures("three")
def test_a_count_that_stopped_says_more_than(app: Flask, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.pages.inbox.PER_PAGE", 1)
    monkeypatch.setattr("engine.inbox.COUNT_LIMIT", 2)  # the inbox stops counting after 2 matches
    client = signed_in(app, engine, "an")
    first = client.get("/inbox?sort=created").get_data(as_text=True)
    assert "Hơn 2 việc · trang 1" in first and "3 việc" not in first
    assert 'href="/inbox?sort=created&amp;page=2" rel="next"' in first
    counted = client.get("/api/tasks?per_page=1").get_json()
    assert counted["total_exact"] is False and counted["total"] == 3, "2 counted, and a third says 'more'"
    exact = client.get("/api/tasks?per_page=3").get_json()
    assert exact["total_exact"] is True and exact["total"] == 3, "a page as deep as the matches counts them all"


def test_unit_scoping_is_the_apis(app: Flask, engine: Engine) -> None:
    deploy(engine)
    own = start(engine, "HS-1")  # so-noi-vu
    start(engine, "HS-2", actor="desk2")  # so-tai-chinh
    tax = user_task(key="tax_check").replace(b'name="appraiser"', b'name="thue"')
    deploy(engine, {"tax_check.bpmn": tax})
    start(engine, "HS-T", key="tax_check")  # so-noi-vu, for the tax office's group

    assert codes_in_order(signed_in(app, engine, "an").get("/inbox").get_data(as_text=True)) == ["HS-1"]
    khac = signed_in(app, engine, "khac")
    assert codes_in_order(khac.get("/inbox").get_data(as_text=True)) == ["HS-2"]
    refused = khac.post(f"/tasks/{task_of(engine, own).id}/claim", data={"csrf_token": token_of(khac)})
    assert refused.status_code == 404 and task_of(engine, own).assignee is None
    assert codes_in_order(signed_in(app, engine, "hiepy").get("/inbox").get_data(as_text=True)) == ["HS-T"]
    admin = codes_in_order(signed_in(app, engine, "admin").get("/inbox").get_data(as_text=True))
    assert sorted(admin) == ["HS-1", "HS-2", "HS-T"], "the administrator may claim in every unit"


def test_the_inbox_needs_a_sign_in_and_speaks_english(app: Flask, engine: Engine) -> None:
    assert app.test_client().get("/inbox").headers["Location"].startswith("/login")
    deploy(engine)
    start(engine, "HS-1")
    page = signed_in(app, engine, "an").get("/inbox?lang=en").get_data(as_text=True)
    assert "<h1>Inbox</h1>" in page and "4 hours of working time left" in page and "14:00 02/03/2026" in page


def test_notifications_page_lists_mine_and_my_groups(app: Flask, engine: Engine) -> None:
    deploy(engine)
    task = task_of(engine, start(engine, "HS-1"))
    client = signed_in(app, engine, "an")
    assert "Chưa có thông báo nào." in client.get("/notifications").get_data(as_text=True)
    with engine.db.transaction() as session:
        notify(session, [("group", "appraiser")], "task_warning", "Hồ sơ HS-1 sắp đến hạn", task_id=task.id)
        notify(session, [("user", "an")], "escalation", "Hồ sơ HS-1 được chuyển cấp", task_id=task.id)
        notify(session, [("user", "khac")], "task_overdue", "Không phải của an")
    page = client.get("/notifications").get_data(as_text=True)
    assert page.index("được chuyển cấp") < page.index("sắp đến hạn"), "newest first"
    assert '<span class="badge due_soon">Sắp đến hạn</span>' in page and "Chuyển cấp" in page
    assert "Không phải của an" not in page and f'href="/tasks/{task.id}"' in page
    assert 'href="/notifications"' in client.get("/inbox").get_data(as_text=True), "reached from the inbox"
