"""Administration pages: the calendar's days (designers) and users with their units (administrators only)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask

from engine import Engine
from engine.calendar_store import CALENDAR_ACTIONS
from engine.identity import USER_ACTIONS
from engine.models import Event
from tests.web.test_pages_designer import sign_in
from tests.web.test_pages_session import csrf


def form_errors(html: str, form: str) -> dict[str, list[str]]:
    """The field errors shown inside one form of the page."""
    found = re.search(rf'<form [^>]*id="{form}">(.*?)</form>', html, re.S)
    assert found, f"no form {form}"
    errors: dict[str, list[str]] = {}
    for field, message in re.findall(r'<span class="field-error" data-field="(\w+)">(.*?)</span>', found.group(1)):
        errors.setdefault(field, []).append(message)
    return errors


def day_row(html: str, day: str) -> list[str]:
    return re.findall(rf'<tr class="([^"]*)" data-day="{day}">', html)


def history_rows(html: str) -> list[list[str]]:
    """The cells of the page's history table (when, by, action, subject, details), newest first."""
    found = re.search(r'<div class="card" id="admin-history"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no history section"
    rows = re.findall(r'<tr class="log">(.*?)</tr>', found.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows
    ]


def audited(engine: Engine, actions: tuple[str, ...], actor: str) -> list[Event]:
    """The events of ``actions`` by ``actor``, oldest first."""
    return [e for e in reversed(engine.history.administration(100, actions)) if e.actor == actor]


# -- calendar ----------------------------------------------------------------------------------------------


def test_calendar_lists_package_holidays_with_their_origin(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert "Lịch làm việc 2026" in html, "the virtual clock's year by default"
    assert "02/09/2026" in html and "Quốc khánh" in html and "Mặc định" in html
    assert day_row(html, "2026-08-22") == ["package work"], "the package's make-up Saturday"
    assert "Tết Dương lịch" in client.get("/admin/calendar?year=2027").get_data(as_text=True)
    assert "Working calendar 2026" in client.get("/admin/calendar?lang=en").get_data(as_text=True)


def test_calendar_forms_show_errors_next_to_their_fields(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    token = csrf(client.get("/admin/calendar").get_data(as_text=True))
    bad = client.post(
        "/admin/calendar/add/swap", data={"csrf_token": token, "off": "31/02/2026", "work": "", "source": " "}
    )
    assert bad.status_code == 422
    errors = form_errors(bad.get_data(as_text=True), "form-swap")
    assert errors == {
        "off": ["Ngày không hợp lệ; nhập dd/mm/yyyy."],
        "work": ["Bắt buộc."],
        "source": ["Bắt buộc."],
    }
    assert form_errors(bad.get_data(as_text=True), "form-holiday") == {}, "only the posted form shows errors"
    # 01/03/2026 is a Sunday, 02/03/2026 a Monday: the engine says which field is wrong
    swapped = client.post(
        "/admin/calendar/add/swap",
        data={"csrf_token": token, "off": "01/03/2026", "work": "2026-03-02", "source": "CV 1/2026"},
    )
    assert swapped.status_code == 422
    html = swapped.get_data(as_text=True)
    errors = form_errors(html, "form-swap")
    assert "01/03/2026" in errors["off"][0] and "02/03/2026" in errors["work"][0]
    assert 'value="CV 1/2026"' in html, "typed values stay in the form"
    assert not [d for d in engine.calendar.list_days(2026) if d.origin == "admin"]


def test_add_swap_holiday_and_working_day_then_remove(app: Flask, engine: Engine) -> None:
    client = sign_in(app, engine, "designer")
    token = csrf(client.get("/admin/calendar").get_data(as_text=True))
    swap = {"csrf_token": token, "off": "02/01/2026", "work": "10/01/2026", "source": "TB 123/TB-VPCP", "name": ""}
    assert client.post("/admin/calendar/add/swap", data=swap).status_code == 302
    holiday = {"csrf_token": token, "day": "2026-06-15", "name": "Nghỉ đột xuất", "source": "QĐ 9/UBND"}
    assert client.post("/admin/calendar/add/holiday", data=holiday).status_code == 302
    workday = {"csrf_token": token, "day": "02/09/2026", "name": "Trực lễ", "source": "QĐ 10/UBND"}
    assert client.post("/admin/calendar/add/workday", data=workday).status_code == 302
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Đã lưu (phiên bản lịch 3)." in html
    assert day_row(html, "2026-01-02") == ["admin off"] and day_row(html, "2026-01-10") == ["admin work"]
    assert day_row(html, "2026-06-15") == ["admin off"] and "QĐ 9/UBND" in html and "Quản trị nhập" in html
    assert day_row(html, "2026-09-02") == ["package off overridden", "admin work"]
    assert "designer" in re.search(r'data-day="2026-06-15">(.*?)</tr>', html, re.S).group(1), "who entered it"
    assert not engine.calendar.calendar().is_working_day(date(2026, 6, 15))
    # a date that already has an active row: the form says why
    again = client.post("/admin/calendar/add/holiday", data={**holiday, "name": "Lần nữa"})
    assert again.status_code == 409 and "Ngày 15/06/2026 đã có trong lịch" in again.get_data(as_text=True)
    removed = client.post("/admin/calendar/remove", data={"csrf_token": token, "day": "15/06/2026", "year": "2026"})
    assert removed.status_code == 302
    html = client.get("/admin/calendar?year=2026").get_data(as_text=True)
    assert "Đã gỡ ngày 15/06/2026 (phiên bản lịch 4)." in html and day_row(html, "2026-06-15") == []
    assert engine.calendar.calendar().is_working_day(date(2026, 6, 15))
    client.post("/admin/calendar/remove", data={"csrf_token": token, "day": "15/06/2026"})
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert "Ngày 15/06/2026 không có mục nào để bỏ." in html
    # each change is one audit event by the signed-in designer; the refused ones left none
    events = audited(engine, CALENDAR_ACTIONS, "designer")
    assert [(e.action, e.details["revision"]) for e in events] == [
        ("calendar_swap_added", 1),
        ("calendar_day_added", 2),
        ("calendar_day_added", 3),
        ("calendar_day_removed", 4),
    ]
    assert len(engine.history.administration(100, CALENDAR_ACTIONS)) == 4
    rows = history_rows(html)
    assert [row[1:3] for row in rows] == [
        ["designer", "Gỡ bỏ ngày"],
        ["designer", "Thêm ngày"],
        ["designer", "Thêm ngày"],
        ["designer", "Hoán đổi ngày làm việc"],
    ]
    assert rows[0][3] == "Lịch làm việc chung" and "15/06/2026 Nghỉ: Nghỉ đột xuất (QĐ 9/UBND)" in rows[0][4]
    assert "phiên bản lịch 4" in rows[0][4]
    english = history_rows(client.get("/admin/calendar?lang=en").get_data(as_text=True))
    assert english[0][2] == "Day removed" and "calendar revision 4" in english[0][4]


def test_calendar_admin_is_for_designers_and_admins(app: Flask, engine: Engine) -> None:
    assert sign_in(app, engine, "an").get("/admin/calendar").status_code == 403
    assert sign_in(app, engine, "admin").get("/admin/calendar").status_code == 200
    designer = sign_in(app, engine, "designer")
    refused = designer.post("/admin/calendar/add/holiday", data={"day": "15/06/2026", "name": "x", "source": "y"})
    assert refused.status_code == 400, "no CSRF token"


# -- users -------------------------------------------------------------------------------------------------


def user_row(html: str, username: str) -> str:
    found = re.search(rf'<tr class="[^"]*" data-user="{username}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {username}"
    return found.group(1)


def test_users_list_and_create(app: Flask, engine: Engine) -> None:
    admin = sign_in(app, engine, "admin")
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "Người dùng và đơn vị" in html and "hiepy" in user_row(html, "hiepy")
    # units and groups by name; a code the directories do not know is shown as it is
    assert "cuc-thue" in user_row(html, "hiepy") and "Cơ quan hiệp y" in user_row(html, "hiepy")
    assert "line_agency" not in user_row(html, "hiepy")
    assert all(f'name="roles" value="{role}"' in html for role in ("desk", "appraiser", "designer", "admin"))
    created = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf(html),
            "username": "lan",
            "display_name": "Nguyễn Thị Lan",
            "unit": "so-tai-chinh",
            "roles": ["appraiser", "line_agency"],
            "groups": "thue, hai-quan",
            "email": "lan@sotaichinh.gov.vn",
            "password": "mật khẩu của Lan",
        },
    )
    assert created.status_code == 302
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "Đã lưu người dùng lan." in html and "Nguyễn Thị Lan" in user_row(html, "lan")
    lan = engine.identity.check_password("lan", "mật khẩu của Lan")
    assert lan is not None and lan.unit == "so-tai-chinh" and not lan.is_admin
    assert lan.groups == {"appraiser", "line_agency", "thue", "hai-quan"}
    stored = next(u for u in engine.identity.list_users() if u.username == "lan")
    assert stored.has_password and "mật khẩu" not in repr(stored) and stored.email == "lan@sotaichinh.gov.vn"
    (event,) = audited(engine, USER_ACTIONS, "admin")
    assert (event.action, event.details) == ("user_created", {"username": "lan", "password_changed": True})
    assert event.after == {
        "display_name": "Nguyễn Thị Lan",
        "unit": "so-tai-chinh",
        "groups": ["appraiser", "hai-quan", "line_agency", "thue"],
        "is_admin": False,
        "email": "lan@sotaichinh.gov.vn",
    }
    (row,) = [row for row in history_rows(html) if row[1] == engine.identity.display_names()["admin"]]
    assert row[2:4] == ["Thêm người dùng", "lan"]
    assert "Đơn vị: Sở Tài chính" in row[4] and "Nhóm: Chuyên viên thẩm định, hai-quan, Cơ quan hiệp y" in row[4]
    assert "đặt mật khẩu mới" in row[4] and "đặt mật khẩu mới" in row[4] and "mật khẩu của" not in html


def test_user_form_errors(app: Flask, engine: Engine) -> None:
    admin = sign_in(app, engine, "admin")
    token = csrf(admin.get("/admin/users").get_data(as_text=True))
    duplicate = admin.post("/admin/users", data={"csrf_token": token, "username": "an", "password": "12345678"})
    assert duplicate.status_code == 422
    assert form_errors(duplicate.get_data(as_text=True), "user-form") == {
        "username": ["Đã có người dùng này; hãy sửa thay vì thêm."]
    }
    bad = admin.post("/admin/users", data={"csrf_token": token, "username": "co dau cach", "password": "ngan"})
    errors = form_errors(bad.get_data(as_text=True), "user-form")
    assert set(errors) == {"username", "password"} and errors["password"] == ["Ít nhất 8 ký tự."]
    by_hand = {"csrf_token": token, "username": "moi", "password": "12345678", "unit": "so-khong-co"}
    unknown_unit = admin.post("/admin/users", data=by_hand)
    assert unknown_unit.status_code == 422
    assert form_errors(unknown_unit.get_data(as_text=True), "user-form") == {"unit": ["Chọn đơn vị trong danh sách."]}
    no_address = admin.post("/admin/users", data={**by_hand, "unit": "so-noi-vu", "email": "moi@donvi"})
    assert no_address.status_code == 422
    bad_address = ["Địa chỉ thư điện tử không hợp lệ."]
    assert form_errors(no_address.get_data(as_text=True), "user-form") == {"email": bad_address}
    assert "moi" not in {u.username for u in engine.identity.list_users()}
    no_password = admin.post("/admin/users", data={"csrf_token": token, "username": "moi"})
    assert form_errors(no_password.get_data(as_text=True), "user-form") == {"password": ["Bắt buộc."]}
    self_demote = admin.post(
        "/admin/users", data={"csrf_token": token, "username": "admin", "original": "admin", "roles": ["designer"]}
    )
    assert "roles" in form_errors(self_demote.get_data(as_text=True), "user-form")
    assert engine.identity.actor("admin").is_admin
    assert audited(engine, USER_ACTIONS, "admin") == [], "refused forms change nothing and record nothing"


def test_update_keeps_the_password_and_deactivate(app: Flask, engine: Engine) -> None:
    engine.identity.ensure_user("lan", groups=["appraiser"], unit="so-noi-vu", password="mật khẩu cũ 2026")
    admin = sign_in(app, engine, "admin")
    edit = admin.get("/admin/users?edit=lan").get_data(as_text=True)
    assert "Sửa người dùng lan" in edit and 'name="original" value="lan"' in edit
    assert 'value="appraiser" checked' in edit and 'value="so-noi-vu"' in edit
    updated = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf(edit),
            "original": "lan",
            "username": "lan",
            "unit": "so-tai-chinh",
            "roles": ["desk"],
        },
    )
    assert updated.status_code == 302
    lan = engine.identity.check_password("lan", "mật khẩu cũ 2026")
    assert lan is not None and lan.groups == {"desk"} and lan.unit == "so-tai-chinh"
    (event,) = audited(engine, USER_ACTIONS, "admin")
    assert (event.action, event.details) == ("user_updated", {"username": "lan"}), "the password was kept"
    assert (event.before, event.after) == (
        {"unit": "so-noi-vu", "groups": ["appraiser"]},
        {"unit": "so-tai-chinh", "groups": ["desk"]},
    )
    off = admin.post("/admin/users/lan/active", data={"csrf_token": csrf(edit), "active": "0"})
    assert off.status_code == 302
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "Đã khoá lan." in html and "Đã khoá" in user_row(html, "lan") and "Mở khoá" in user_row(html, "lan")
    assert engine.identity.check_password("lan", "mật khẩu cũ 2026") is None
    admin.post("/admin/users/lan/active", data={"csrf_token": csrf(html), "active": "1"})
    assert engine.identity.check_password("lan", "mật khẩu cũ 2026") is not None
    admin.post("/admin/users/admin/active", data={"csrf_token": csrf(html), "active": "0"})
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "Không thể tự khoá" in html
    assert engine.identity.actor("admin").username == "admin", "still active"
    actions = [e.action for e in audited(engine, USER_ACTIONS, "admin")]
    assert actions == ["user_updated", "user_deactivated", "user_reactivated"], "the refused self-lock left none"
    assert [row[2] for row in history_rows(html) if row[1] == engine.identity.display_names()["admin"]] == [
        "Mở khoá người dùng",
        "Khoá người dùng",
        "Sửa người dùng",
    ]
    assert "Đơn vị: Sở Nội vụ → Sở Tài chính" in history_rows(html)[2][4]


def test_a_deactivated_user_is_signed_out(app: Flask, engine: Engine) -> None:
    appraiser = sign_in(app, engine, "an")
    assert 'class="user" title="an"' in appraiser.get("/", follow_redirects=True).get_data(as_text=True)
    engine.identity.set_active("an", False, actor="admin")
    assert appraiser.get("/").headers["Location"].endswith("/login")


def test_users_admin_is_for_administrators_only(app: Flask, engine: Engine) -> None:
    for username in ("designer", "supervisor", "an"):
        client = sign_in(app, engine, username)
        assert client.get("/admin/users").status_code == 403
        html = client.get("/admin/calendar" if username == "designer" else "/login").get_data(as_text=True)
        refused = client.post("/admin/users", data={"csrf_token": csrf(html), "username": "x", "password": "12345678"})
        assert refused.status_code == 403
        assert client.post("/admin/users/an/active", data={"csrf_token": csrf(html), "active": "0"}).status_code == 403
    assert engine.identity.actor("an").username == "an"
    nav = sign_in(app, engine, "admin").get("/admin/calendar").get_data(as_text=True)
    assert 'href="/admin/users"' in nav and 'href="/designer"' in nav
    designer_nav = sign_in(app, engine, "designer").get("/admin/calendar").get_data(as_text=True)
    assert 'href="/admin/users"' not in designer_nav and 'href="/admin/calendar"' in designer_nav
