"""In Chromium: a desk officer receives a dossier and the receipt shows the right appointment date; the council
secretary records the sitting with the live tally; anyone looks the dossier up by its code.

The clock stands at Monday 09/02/2026 08:00 (Hà Nội). Chiến sĩ thi đua cấp tỉnh has a limit of 20 working days
(processes/catalogue/2025-07-01.yaml), counted from the working day after receipt. By hand: Tue 10/02 – Fri 13/02
are days 1–4; Tết takes 14/02 – 22/02; 23/02 – 27/02 are 5–9, 02/03 – 06/03 are 10–14, 09/03 – 13/03 are 15–19;
Monday 16/03 is day 20, so the appointment is 17:30 on 16/03/2026 (domain.md's example).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from engine import clock
from tests.browser import dossiers
from tests.browser.dossiers import drive_to, pdf_file

PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN")

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    virtual = clock.VirtualClock(datetime(2026, 2, 9, 1, 0, tzinfo=UTC))  # Mon 09/02/2026 08:00 +07:00
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)


def test_the_desk_receives_a_dossier_and_the_receipt_shows_the_appointment(page, sign_in, shot, engine) -> None:
    sign_in("motcua", ["desk"])
    page.goto("/desk")
    assert not page.is_checked("input[name=accept]"), "nothing is pre-ticked"
    page.select_option("select[name=award_type]", "CSTD_TINH")
    page.select_option("select[name=unit]", label="Sở Giáo dục và Đào tạo")
    page.fill("input[name=title]", "Đề nghị tặng danh hiệu Chiến sĩ thi đua cấp tỉnh năm 2025")
    row = page.locator("#nominees tr.nominee").nth(0)
    row.locator("input[name=nominee_name]").fill("Nguyễn Thị Hoa")
    row.locator("input[name=nominee_position]").fill("Giáo viên")
    row.locator("input[name=nominee_unit]").fill("Trường THPT Chuyên")
    page.click("#add-nominee")
    row = page.locator("#nominees tr.nominee").nth(1)
    row.locator("input[name=nominee_name]").fill("Lê Văn Bình")
    row.locator("select[name=nominee_gender]").select_option("nam")
    row.locator("select[name=nominee_leader]").select_option("1")
    row.locator("input[name=nominee_position]").fill("Hiệu trưởng")

    # the wrong turn: "complete" ticked with the initiative's proof missing
    for code in PAPERS[:3]:
        page.set_input_files(f"input[name=paper_{code}]", files=[pdf_file(code)])
    page.check("input[name=accept]")
    shot("desk-receive")
    page.click("#receive-form button[type=submit]")
    page.wait_for_selector("#incomplete")
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc: Minh chứng sáng kiến" in page.inner_text(".flash.error")
    names = page.locator("#nominees input[name=nominee_name]")
    assert [names.nth(i).input_value() for i in range(names.count())] == ["Nguyễn Thị Hoa", "Lê Văn Bình"]
    assert page.locator("#nominees select[name=nominee_leader]").nth(1).input_value() == "1"
    assert page.input_value("select[name=unit]") == "so-gd"
    again = page.inner_text("#reattach")
    assert "Vui lòng đính kèm lại" in again and "to_trinh.pdf" in again and "bao_cao_thanh_tich.pdf" in again
    assert engine.runtime.list() == [], "nothing was registered"
    shot("desk-receive-missing-paper")

    for code in PAPERS:
        page.set_input_files(f"input[name=paper_{code}]", files=[pdf_file(code)])
    page.click("#receive-form button[type=submit]")
    page.wait_for_selector("#receipt")
    assert page.inner_text("#appointment").strip() == "17:30 16/03/2026"
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page.inner_text("#receipt")
    assert "08:00 09/02/2026" in page.inner_text("#receipt")
    assert page.locator("#papers li").count() == 4
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the dossier page fits a phone"
    shot("desk-dossier-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot("desk-receipt")
    href = page.get_attribute("#receipt a.print", "href")
    assert href is not None and page.request.get(href).body().startswith(b"%PDF")
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert code.startswith("HS-2026-")

    # the council secretary records the sitting: 8 of 9 present all approve, the absent TV09 approves in writing
    drive_to(engine, code, "record_session")
    sign_in("thuky", ["council_secretary"])
    page.goto("/council")
    page.click(f"#council-tasks tr:has-text('{code}') a")
    page.wait_for_selector("#session-form")
    assert "Chưa đủ túc số" in page.inner_text("#quorum")
    for member in [f"TV0{i}" for i in range(1, 9)]:
        page.check(f"input[name=present_{member}]")
    assert "Đủ túc số" in page.inner_text("#quorum")
    candidate = page.locator("#tally tr[data-candidate]").nth(0)
    candidate.locator("input.ballot").fill("8")
    assert candidate.locator(".verdict").inner_text() == "Không đạt"  # 8/9 < 90 % of ALL members
    page.locator("#members tr[data-member=TV09] input.written").nth(0).check()
    assert candidate.locator(".total").inner_text() == "9"
    assert candidate.locator(".verdict").inner_text() == "Đạt"
    shot("council-session")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("#minutes")
    assert "Biên bản kiểm phiếu" in page.inner_text("#minutes")

    # anyone looks it up by its code: status and appointment only
    page.context.clear_cookies()
    page.goto("/tra-cuu")
    page.fill("input[name=code]", code)
    page.click("#lookup-form button[type=submit]")
    result = page.inner_text("#lookup-result")
    assert "16/03/2026" in result and "Đang xử lý" in result and "Hoa" not in page.content()
    shot("public-lookup")


def test_the_desk_finds_a_dossier_among_many_on_a_phone(page, sign_in, shot, world) -> None:
    """25 dossiers: the list pages by 20, finds one by a nominee's name and by status, and fits 390 px."""
    desk = world.engine.identity.actor("motcua")
    for i in range(25):
        body = {"award_type": "CSTD_TINH", "unit": "so-yt", "unit_name": "Sở Y tế", "achievement_year": 2025}
        nominee = {"name": f"Trần Văn Số{i:02d}", "kind": "individual", "gender": "nam", "position": "Bác sĩ"}
        uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in PAPERS]
        world.dossiers.receive(desk, world.dossiers.submission_of({**body, "nominees": [nominee]}, uploaded))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("motcua", ["desk"])
    page.goto("/desk")
    assert page.locator("#dossiers tbody tr").count() == 20
    assert "Trang 1/2" in page.inner_text("#pager")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no horizontal overflow at 390 px"
    shot("desk-list-390")
    page.click("#pager a[rel=next]")
    assert page.locator("#dossiers tbody tr").count() == 5
    page.fill("input[name=q]", "Số07")
    page.click("#desk-filters button[type=submit]")
    assert page.locator("#dossiers tbody tr").count() == 1
    assert "Trần Văn Số07" in page.inner_text("#dossiers")
    page.fill("input[name=q]", "Mới đăng ký")
    page.select_option("select[name=sort]", "code")
    page.click("#desk-filters button[type=submit]")
    assert page.locator("#dossiers tbody tr").count() == 20
    assert page.locator("#dossiers tbody tr").nth(0).inner_text().count("HS-2026-000001") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("desk-list-search-390")
