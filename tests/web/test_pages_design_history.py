"""The workbench's history page: every designer's change with who and when, and a process rolled back to its
previous version as a new version (one transaction with its audit event, designers and administrators only)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask

from engine import Engine, history
from engine.design_history import record_change
from tests.web.test_pages_admin import history_rows
from tests.web.test_pages_designer import FORM, USER_TASK, sign_in, with_budget
from tests.web.test_pages_session import csrf

PAGE = "/thiet-ke/lich-su"


def deploy(engine: Engine, xml: str, actor: str = "designer") -> None:
    engine.repository.deploy({"user_task.bpmn": xml.encode(), "review.schema.json": FORM}, actor=actor)


def test_the_history_lists_deployments_and_calendar_changes_by_whom(app: Flask, engine: Engine) -> None:
    deploy(engine, USER_TASK)
    deploy(engine, with_budget("2WD"))
    engine.calendar.add_holiday(date(2026, 6, 15), "Nghỉ đột xuất", "QĐ 9/UBND", "designer")
    with engine.db.transaction() as session:
        record_change(session, "designer", "form", "review.schema.json", before={"version": 1}, after={"version": 2})
    client = sign_in(app, engine, "designer")
    assert 'href="/thiet-ke/lich-su"' in client.get("/designer").get_data(as_text=True)
    html = client.get(PAGE).get_data(as_text=True)
    rows = history_rows(html)
    assert [row[2] for row in rows] == ["Thay đổi thiết kế", "Thêm ngày", "Triển khai", "Triển khai"]
    assert rows[0][3] == "Biểu mẫu: review.schema.json"
    assert rows[1][3] == "Lịch làm việc chung" and "15/06/2026" in rows[1][4]
    assert rows[2][3:] == [
        "",
        "User task in a lane phiên bản 2; "
        "Tệp user_task.bpmn: sửa Bước người xử lý «Review dossier»: "
        "Thời hạn xử lý: 0,5 ngày làm việc → 2 ngày làm việc",
    ]  # what changed, not only the version, in words (the engine's "0.5WD" is no one's Vietnamese)
    english = history_rows(client.get(f"{PAGE}?lang=en").get_data(as_text=True))[2][4]
    assert english.endswith("Budget: 0.5 working days → 2 working days"), english
    assert rows[3][4] == "User task in a lane phiên bản 1"
    assert all(row[1] == "designer" or row[1] for row in rows)
    assert 'data-process="user_task"' in html


def test_a_rollback_deploys_the_previous_version_again(app: Flask, engine: Engine) -> None:
    deploy(engine, USER_TASK)
    deploy(engine, with_budget("2WD"))
    client = sign_in(app, engine, "designer")
    token = csrf(client.get(PAGE).get_data(as_text=True))
    done = client.post(f"{PAGE}/user_task/quay-lai", data={"csrf_token": token})
    assert done.status_code == 302
    html = client.get(PAGE).get_data(as_text=True)
    assert "Đã quay lại: User task in a lane phiên bản 3 mang nội dung của phiên bản 1." in html
    versions = engine.repository.definitions("user_task")
    assert [v.version for v in versions] == [3, 2, 1] and versions[0].content_hash == versions[2].content_hash
    newest = history_rows(html)[0]
    assert newest[2:] == [
        "Quay lại phiên bản trước",
        "User task in a lane",
        "phiên bản 3 mang nội dung của phiên bản 1 (thay phiên bản 2)",
    ]


def test_a_rollback_is_refused_without_a_previous_version_or_the_role(app: Flask, engine: Engine) -> None:
    deploy(engine, USER_TASK)
    designer = sign_in(app, engine, "designer")
    token = csrf(designer.get(PAGE).get_data(as_text=True))
    assert "Chưa có quy trình nào có từ hai phiên bản." in designer.get(PAGE).get_data(as_text=True)
    one = designer.post(f"{PAGE}/user_task/quay-lai", data={"csrf_token": token})
    assert "Quy trình này chỉ có một phiên bản." in designer.get(one.headers["Location"]).get_data(as_text=True)
    assert designer.post(f"{PAGE}/khong_co/quay-lai", data={"csrf_token": token}).status_code == 404
    deploy(engine, with_budget("2WD"))
    appraiser = sign_in(app, engine, "an")
    assert appraiser.get(PAGE).status_code == 403
    other = csrf(appraiser.get("/inbox").get_data(as_text=True))
    assert appraiser.post(f"{PAGE}/user_task/quay-lai", data={"csrf_token": other}).status_code == 403
    assert len(engine.repository.definitions("user_task")) == 2
    assert not re.search("deployment_rolled_back", str([c.action for c in engine.design.changes()]))


def test_the_domains_own_publishing_events_are_in_the_history(app: Flask, engine: Engine) -> None:
    """A rule set or a document template published is audited by the domain in its own words; the page lists it."""
    with engine.db.transaction() as session:
        after = {"version": "2026.09", "effective_from": "2026-09-01"}
        history.record(session, "designer", "rule_set_published", after=after, details={"source": "web"})
        history.record(session, "designer", "job_run", details={"job": "digest"})  # not a design change
    rows = history_rows(sign_in(app, engine, "designer").get(PAGE).get_data(as_text=True))
    assert [row[2:] for row in rows] == [["Công bố bộ quy tắc", "", "phiên bản 2026.09, áp dụng từ 01/09/2026"]]
