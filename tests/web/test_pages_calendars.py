"""Named calendars in the browser: created and given to units on /admin/calendar, inheriting the national days,
listed with the units that use them, and restored to their previous revision; each change audited."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.test_pages_admin import day_row, form_errors, history_rows
from tests.web.test_pages_designer import sign_in
from tests.web.test_pages_session import csrf

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL = "Lịch Sở Nội vụ"


def calendar_row(html: str, name: str) -> list[str]:
    """The cells of one calendar's row in the list (name, description, units, revision), as text."""
    found = re.search(rf'<tr data-calendar="{re.escape(name)}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row for {name}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def page(client: FlaskClient, calendar: str = "default") -> str:
    return client.get(f"/admin/calendar?year=2026&calendar={quote(calendar)}").get_data(as_text=True)


def create(client: FlaskClient, name: str = LOCAL, units: tuple[str, ...] = ("so-noi-vu",)) -> int:
    data = {"csrf_token": csrf(page(client)), "new_name": name, "description": "Sở Nội vụ", "units": list(units)}
    return client.post("/admin/calendar/new", data=data).status_code


def test_a_designer_creates_a_calendar_for_a_unit_and_it_inherits_the_national_days(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    token = csrf(page(client))
    swap = {"csrf_token": token, "off": "19/10/2026", "work": "24/10/2026", "source": "TB 1/TB-VPCP", "name": ""}
    assert client.post("/admin/calendar/add/swap", data=swap).status_code == 302
    assert create(client) == 302
    html = page(client, LOCAL)
    assert f"Đã tạo lịch {LOCAL}." in html
    assert calendar_row(html, LOCAL)[2] == "Sở Nội vụ" and calendar_row(html, "default")[0].startswith("Lịch làm việc")
    assert day_row(html, "2026-10-19") == ["national off"] and day_row(html, "2026-10-24") == ["national work"]
    assert day_row(html, "2026-09-02") == ["package off"] and "Lịch chung" in html
    holiday = {
        "csrf_token": token,
        "calendar": LOCAL,
        "day": "15/07/2026",
        "name": "Ngày truyền thống",
        "source": "QĐ 12",
    }
    assert client.post("/admin/calendar/add/holiday", data=holiday).status_code == 302
    assert day_row(page(client, LOCAL), "2026-07-15") == ["admin off"]
    assert day_row(page(client), "2026-07-15") == [], "the national calendar does not show the unit's day"
    monday = datetime(2026, 7, 14, 10, tzinfo=HCM)
    due = engine.preview_timer("working_days_after(1)", "date", monday, unit="so-noi-vu").due
    assert due.astimezone(HCM) == datetime(2026, 7, 16, 10, tzinfo=HCM), "the unit's time limits use its calendar"


def test_units_are_given_and_taken_and_the_change_is_in_the_history(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    assert create(client) == 302
    assert create(client, "Lịch một cửa thứ Bảy", ("so-tai-chinh",)) == 302
    data = {"csrf_token": csrf(page(client)), "calendar": LOCAL, "units": ["so-noi-vu", "so-tai-chinh"]}
    assert client.post("/admin/calendar/units", data=data).status_code == 302
    html = page(client, LOCAL)
    assert calendar_row(html, LOCAL)[2] == "Sở Nội vụ, Sở Tài chính"
    assert calendar_row(html, "Lịch một cửa thứ Bảy")[2] == ""
    assert engine.calendar.calendars()[1].units == ["so-noi-vu", "so-tai-chinh"]
    newest = history_rows(html)[0]
    assert newest[2:4] == ["Gán đơn vị cho lịch", LOCAL] and "Sở Nội vụ, Sở Tài chính" in newest[4]
    created = history_rows(html)[-1]
    assert created[2] == "Tạo lịch" and "Đơn vị áp dụng: Sở Nội vụ" in created[4] and "so-noi-vu" not in created[4]


def test_calendar_forms_refuse_bad_input_naming_the_field(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    token = csrf(page(client))
    blank = client.post("/admin/calendar/new", data={"csrf_token": token, "new_name": " "})
    assert blank.status_code == 422 and "new_name" in form_errors(blank.get_data(as_text=True), "form-new")
    long = client.post("/admin/calendar/new", data={"csrf_token": token, "new_name": "x" * 65})
    assert form_errors(long.get_data(as_text=True), "form-new")["new_name"] == ["Tên lịch có từ 1 đến 64 ký tự."]
    stranger = client.post("/admin/calendar/new", data={"csrf_token": token, "new_name": LOCAL, "units": ["nowhere"]})
    assert stranger.status_code == 422 and "units" in form_errors(stranger.get_data(as_text=True), "form-new")
    assert create(client) == 302
    assert create(client) == 409
    unknown = client.post("/admin/calendar/units", data={"csrf_token": token, "calendar": "không có", "units": []})
    assert unknown.status_code == 404
    assert [c.name for c in engine.calendar.calendars()] == ["default", LOCAL]


def test_restore_undoes_the_last_change(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    token = csrf(page(client))
    nothing = client.post("/admin/calendar/restore", data={"csrf_token": token, "calendar": "default"})
    assert "Lịch chưa có thay đổi nào để hoàn tác." in client.get(nothing.headers["Location"]).get_data(as_text=True)
    holiday = {"csrf_token": token, "day": "15/06/2026", "name": "Nghỉ đột xuất", "source": "QĐ 9/UBND"}
    client.post("/admin/calendar/add/holiday", data=holiday)
    assert day_row(page(client), "2026-06-15") == ["admin off"]
    assert client.post("/admin/calendar/restore", data={"csrf_token": token, "calendar": "default"}).status_code == 302
    html = page(client)
    assert "Đã khôi phục lịch về phiên bản 0 (phiên bản mới 2)." in html
    assert day_row(html, "2026-06-15") == [] and engine.calendar.calendar().is_working(
        datetime(2026, 6, 15, 10, tzinfo=HCM)
    )
    assert history_rows(html)[0][2] == "Khôi phục phiên bản trước của lịch"


def test_only_designers_and_administrators_change_calendars(app: Flask, engine: Engine) -> None:
    appraiser = sign_in(app, engine, "an")
    token = csrf(appraiser.get("/inbox").get_data(as_text=True))
    assert appraiser.post("/admin/calendar/new", data={"csrf_token": token, "new_name": LOCAL}).status_code == 403
    assert appraiser.post("/admin/calendar/restore", data={"csrf_token": token}).status_code == 403
    assert [c.name for c in engine.calendar.calendars()] == ["default"]
