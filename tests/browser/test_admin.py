"""The administrator's day in Chromium: signing in with the password ``serve`` printed, a menu of pages that open,
a new colleague (full name, a unit picked by its name, roles by their Vietnamese names, e-mail, password), a new
password for another, a colleague who left locked out, and the working calendar's holiday and swap day; each with
the wrong turn a tired person takes (a name taken, an address that is none, a unit typed by hand, a day that does
not exist), refused in Vietnamese next to the field, with nothing changed."""

from __future__ import annotations

import re
from datetime import date

import pytest

from engine import Engine
from tests.browser import dossiers
from web.boot import seed_people

engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

PASSWORD_OF_LAN = "mật khẩu của Lan 2026"
PASSWORD_OF_BINH = "mật khẩu của Bình"


def log_in(page, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()


def refused(page, form: str, field: str) -> str:  # type: ignore[no-untyped-def]
    """Submit ``form``; the page must answer 422 with a message next to ``field``, which is returned."""
    with page.expect_navigation() as sent:
        page.click(f"{form} button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    return page.inner_text(f"{form} .field-error[data-field={field}]")


def people(engine: Engine) -> dict[str, tuple[str, str | None, tuple[str, ...], bool]]:
    return {u.username: (u.display_name, u.unit, u.groups, u.active) for u in engine.identity.list_users()}


def test_an_administrators_day(page, shot, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    engine.identity.ensure_user(
        "thue", display_name="Cán bộ Thuế tỉnh", groups=["agency_tax", "line_agency"], unit="thue-tinh"
    )
    engine.identity.ensure_user(
        "binh", display_name="Trần Văn Bình", groups=["desk"], unit="so-noi-vu", password=PASSWORD_OF_BINH
    )
    engine.identity.ensure_user("hoa", display_name="Ngô Thị Hoa", groups=["appraiser"], unit="so-noi-vu")
    seed_people(engine, "admin", [], None)  # what `serve` does on a fresh database
    printed = re.search(r"sign-in: admin; password: (\S+)", capsys.readouterr().out)
    assert printed is not None, "serve prints the administrator's password"
    log_in(page, "admin", printed.group(1))

    # the menu offers only pages that open for the administrator
    links = page.locator("header nav a")
    menu = {links.nth(i).inner_text(): links.nth(i).get_attribute("href") for i in range(links.count())}
    assert {"Quản trị", "Lịch làm việc"} <= set(menu), menu
    for label, href in menu.items():
        assert href is not None and page.request.get(href).status == 200, label
    shot("admin-home")

    page.goto("/admin/users")
    roles = page.inner_text("#user-form fieldset")
    assert "Chuyên viên thẩm định" in roles and "Thư ký Hội đồng" in roles and "Lãnh đạo phòng" in roles
    agency = page.inner_text("tr[data-user=thue]")
    assert "Thuế tỉnh An Bình" in agency and "Thuế" in agency and "Cơ quan hiệp y" in agency
    codes = ("division_head", "agency_tax", "line_agency", "council_secretary", "thue-tinh", "so-noi-vu")
    shown = " ".join(page.locator("#users td.groups, #users td.unit, #units td").all_inner_texts())
    assert not [c for c in codes if c in shown], "roles, groups and units by their names"

    # a new colleague
    page.fill("#user-form input[name=username]", "lan")
    page.fill("#user-form input[name=display_name]", "Nguyễn Thị Lan")
    page.select_option("#user-form select[name=unit]", label="Sở Nội vụ")
    page.check("#user-form input[name=roles][value=appraiser]")
    page.fill("#user-form input[name=email]", "lan@snv.angiang.gov.vn")
    page.fill("#user-form input[name=password]", PASSWORD_OF_LAN)
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("tr[data-user=lan]")
    row = page.inner_text("tr[data-user=lan]")
    assert "Nguyễn Thị Lan" in row and "Sở Nội vụ" in row and "Chuyên viên thẩm định" in row
    assert "lan@snv.angiang.gov.vn" in row
    lan = engine.identity.check_password("lan", PASSWORD_OF_LAN)
    assert lan is not None and lan.unit == "so-noi-vu" and lan.groups == {"appraiser"}
    before = people(engine)

    # wrong turns, each refused next to its field, nothing changed
    page.fill("#user-form input[name=username]", "lan")
    page.fill("#user-form input[name=display_name]", "Lê Thị Lan")
    page.fill("#user-form input[name=password]", "một mật khẩu khác")
    assert refused(page, "#user-form", "username") == "Đã có người dùng này; hãy sửa thay vì thêm."
    assert page.input_value("#user-form input[name=display_name]") == "Lê Thị Lan", "what was typed stays"
    page.fill("#user-form input[name=username]", "minh")
    page.fill("#user-form input[name=display_name]", "Phạm Văn Minh")
    page.fill("#user-form input[name=email]", "minh@snv")
    page.fill("#user-form input[name=password]", "mật khẩu của Minh")
    assert refused(page, "#user-form", "email") == "Địa chỉ thư điện tử không hợp lệ."
    shot("admin-user-bad-email")
    page.fill("#user-form input[name=email]", "minh@snv.angiang.gov.vn")
    page.fill("#user-form input[name=password]", "mật khẩu của Minh")
    page.eval_on_selector(  # a unit typed by hand into the request, as a script or a tampered form would send it
        "#user-form select[name=unit]",
        "s => { s.add(new Option('Sở Không Có', 'so-khong-co')); s.value = 'so-khong-co'; }",
    )
    assert refused(page, "#user-form", "unit") == "Chọn đơn vị trong danh sách."
    shot("admin-user-unknown-unit")
    assert people(engine) == before and engine.identity.check_password("lan", "một mật khẩu khác") is None

    # a new password for Hoa, who forgot hers
    page.goto("/admin/users")
    page.click("tr[data-user=hoa] >> text=Sửa")
    assert page.input_value("#user-form select[name=unit]") == "so-noi-vu"
    assert page.is_checked("#user-form input[name=roles][value=appraiser]")
    page.fill("#user-form input[name=password]", "mật khẩu mới của Hoa")
    page.click("#user-form button[type=submit]")
    page.wait_for_selector("text=Đã lưu người dùng hoa.")
    assert engine.identity.check_password("hoa", "mật khẩu mới của Hoa") is not None

    # Bình left the office: locked, he can no longer sign in
    page.click("tr[data-user=binh] >> text=Khoá")
    assert page.inner_text("tr[data-user=binh] .state") == "Đã khoá"
    shot("admin-users")

    # the working calendar: a day off with its legal basis, and a swap from the Government's notice
    page.goto("/admin/calendar?year=2026")
    days_before = engine.calendar.list_days(2026, "default")
    page.fill("#form-holiday input[name=day]", "31/06/2026")
    page.fill("#form-holiday input[name=name]", "Nghỉ kỷ niệm ngày thành lập tỉnh")
    page.fill("#form-holiday input[name=source]", "QĐ 1234/QĐ-UBND ngày 01/06/2026")
    assert refused(page, "#form-holiday", "day") == "Ngày không hợp lệ; nhập dd/mm/yyyy."
    assert page.input_value("#form-holiday input[name=source]") == "QĐ 1234/QĐ-UBND ngày 01/06/2026"
    assert engine.calendar.list_days(2026, "default") == days_before
    page.fill("#form-holiday input[name=day]", "30/06/2026")
    page.click("#form-holiday button[type=submit]")
    page.wait_for_selector("tr[data-day='2026-06-30']")
    assert "QĐ 1234/QĐ-UBND ngày 01/06/2026" in page.inner_text("tr[data-day='2026-06-30']")
    page.fill("#form-swap input[name=off]", "24/12/2026")
    page.fill("#form-swap input[name=work]", "19/12/2026")
    page.fill("#form-swap input[name=source]", "TB 99/TB-VPCP")
    page.click("#form-swap button[type=submit]")
    page.wait_for_selector("tr[data-day='2026-12-19']")
    assert "TB 99/TB-VPCP" in page.inner_text("tr[data-day='2026-12-24']")
    calendar = engine.calendar.calendar()
    assert not calendar.is_working_day(date(2026, 6, 30)) and not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.is_working_day(date(2026, 12, 19)), "Saturday 19/12 is worked"
    shot("admin-calendar")

    # the end of the day: Bình is refused at the door, Hoa comes in with her new password
    page.click("header form button[type=submit]")
    log_in(page, "binh", PASSWORD_OF_BINH)
    assert "Sai tên đăng nhập hoặc mật khẩu." in page.inner_text("main")
    assert page.url.endswith("/login") or "/login" in page.url
    log_in(page, "hoa", "mật khẩu mới của Hoa")
    assert "Ngô Thị Hoa" in page.inner_text("header .who")
