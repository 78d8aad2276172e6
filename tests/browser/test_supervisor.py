"""A supervisor's day: the dashboard after the virtual clock moves, the overdue list behind a number, the Excel
and PDF files (opened and read here), and the wrong turn of a date range typed backwards. Units, steps and people
read by their Vietnamese names everywhere, never by their codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from engine import Engine
from engine.clock import VirtualClock
from tests.engine.conftest import complete
from tests.pdf_text import pdf_text

SLA = Path(__file__).parent.parent / "fixtures" / "sla"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def dossiers(engine: Engine, vclock: VirtualClock) -> dict[str, int]:
    """Five dossiers received Mon 02/03/2026 08:00; every B1 (0.5 WD) is due 14:00 the same day.

    By 10:00: HS-002, HS-003 and HS-004 (so-tai-chinh) have B1 done on time; HS-003's B2 done early at 11:00.
    HS-001 and HS-005 are untouched.
    """
    engine.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")
    engine.identity.ensure_user("chi", display_name="Nguyễn Thị Chi", groups=["desk"], unit="so-noi-vu")
    engine.identity.ensure_user("hoa", display_name="Phạm Thu Hoà", groups=["desk"], unit="so-tai-chinh")
    engine.identity.ensure_user("an", display_name="Lê Văn An", groups=["appraiser"], unit="so-noi-vu")
    ids = {}
    for code, desk in (("HS-001", "chi"), ("HS-002", "chi"), ("HS-003", "chi"), ("HS-004", "hoa"), ("HS-005", "chi")):
        data = {"limit": "20WD", "policy": "resume"}
        ids[code] = engine.runtime.start("sla_dossier", business_key=code, data=data, actor=desk).id
    vclock.set(vn(2, 3, 10))
    for code, desk in (("HS-002", "chi"), ("HS-003", "chi"), ("HS-004", "hoa")):
        complete(engine, ids[code], "check_papers", user=desk)
    vclock.set(vn(2, 3, 11))
    complete(engine, ids["HS-003"], "appraise", {"needs_supplement": False}, user="an")
    return ids


def test_supervisor_sees_overdue_work_drills_down_and_downloads_excel(
    engine: Engine, vclock: VirtualClock, sign_in, page, shot, tmp_path: Path
) -> None:
    ids = dossiers(engine, vclock)
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard")
    assert page.inner_text("h1") == "Giám sát tiến độ giải quyết hồ sơ"
    assert page.inner_text("#tile-overdue .num") == "0", "nothing is overdue at 11:00"

    vclock.set(vn(2, 3, 15))  # every open B1 was due at 14:00
    complete(engine, ids["HS-005"], "check_papers", user="chi")  # done late
    assert engine.timers.fire_due() >= 1, "HS-001's overdue mark fires"
    page.reload()
    assert page.inner_text("#tile-overdue .num") == "1"
    assert "15:00 02/03/2026" in page.inner_text("main")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('rate-chart')) !== undefined")
    rates = page.locator("#table-rates tbody tr").first.inner_text()
    assert rates.split("\t") == ["Tháng 03/2026", "1", "3", "1", "5", "80,0 %"]
    shot("dashboard")

    page.click("#tile-overdue")
    page.wait_for_url("**/dashboard/drill**")
    assert page.inner_text("h1") == "Việc quá hạn"
    rows = page.locator("#table-items tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t")[:3] == ["HS-001", "Sở Nội vụ", "B1 Tiếp nhận, kiểm tra hồ sơ"]
    assert rows.first.locator(".badge").inner_text() == "Quá hạn"
    task = next(t for t in engine.tasks.for_instance(ids["HS-001"]) if t.state == "ready")
    assert rows.first.locator("a").get_attribute("href") == f"/tasks/{task.id}"
    shot("dashboard-drilldown")

    page.click("#back")
    page.wait_for_url("**/dashboard?**")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == "giam-sat-20260101-20261231.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved)
    units = [[c.value for c in row] for row in book["Đang xử lý theo đơn vị"].iter_rows(min_row=2)]
    assert units == [
        ["Đơn vị", "Trong hạn", "Trong đó sắp đến hạn", "Quá hạn", "Tổng"],
        ["Sở Nội vụ", 3, 0, 1, 4],
        ["Sở Tài chính", 1, 0, 0, 1],
        ["Tổng cộng", 4, 0, 1, 5],
    ]
    rates_sheet = book["Tỷ lệ đúng hạn"]
    assert [c.value for c in rates_sheet[3]] == ["Tháng 03/2026", 1, 3, 1, 5, 0.8]
    assert ["Thời điểm lập", "15:00 02/03/2026"] in [[c.value for c in r] for r in book["Thông tin"].iter_rows()]


def test_the_whole_dashboard_with_late_dossiers_and_awards(
    engine: Engine, vclock: VirtualClock, sign_in, page, shot
) -> None:
    """The other sections filled (a late dossier with its reason, award shares), in Vietnamese and English."""
    from tests.web.conftest import PEOPLE
    from tests.web.test_pages_dashboard import make_awards, make_world

    for name in ("desk", "desk2", "an", "division_head"):  # the people make_world acts as
        engine.identity.ensure_user(name, groups=PEOPLE[name][0], unit=PEOPLE[name][1])
    make_world(engine, vclock)
    make_awards(engine)
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard?group_by=unit")
    late = page.locator("#table-late tbody tr").first.inner_text().split("\t")
    assert late[0] == "R-LATE" and late[-1] == "Chờ ý kiến hiệp y của cơ quan thuế"
    assert page.locator("#table-awards tfoot tr").inner_text().split("\t")[-1] == "50,0 %"
    shot("dashboard-full")
    page.goto("/dashboard?group_by=unit&lang=en")
    assert page.inner_text("h1") == "Dossier processing supervision"
    shot("dashboard-full-en")


CODES = ("so-noi-vu", "so-tai-chinh", "check_papers", "appraise")


def test_a_supervisors_day_by_person_in_names_with_both_files_and_a_backwards_range(
    engine: Engine, vclock: VirtualClock, sign_in, page, shot, tmp_path: Path
) -> None:
    """The rates by person and the open work by unit read in names on the page, in the workbook and in the PDF;
    a range typed backwards and a date that is no date are refused in Vietnamese naming the field (no 500)."""
    ids = dossiers(engine, vclock)
    vclock.set(vn(2, 3, 15))
    complete(engine, ids["HS-005"], "check_papers", user="chi")  # late
    engine.timers.fire_due()
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard")
    page.select_option("select[name=group_by]", "person")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url("**group_by=person**")
    rates = page.inner_text("#table-rates")
    assert "Nguyễn Thị Chi" in rates and "Phạm Thu Hoà" in rates and "Lê Văn An" in rates
    by_unit = page.inner_text("#table-pending_unit")
    assert "Sở Nội vụ" in by_unit and "Sở Tài chính" in by_unit
    assert not any(code in page.inner_text("main") for code in CODES), "no code on the page"
    assert page.inner_text("#scope") == "tất cả đơn vị"
    shot("supervisor-by-person")

    # the overdue list of one unit, picked by its name
    page.select_option("select[name=unit]", "so-tai-chinh")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_url("**unit=so-tai-chinh**")
    assert page.inner_text("#scope") == "Sở Tài chính"
    assert page.inner_text("#tile-overdue .num") == "0"
    page.select_option("select[name=unit]", "")
    page.click("#dash-filters button[type=submit]")
    page.wait_for_load_state()
    page.click("#tile-overdue")
    page.wait_for_url("**/dashboard/drill**")
    assert "Phạm vi: tất cả đơn vị" in page.inner_text(".drill-details")
    assert page.locator("#table-items tbody tr").first.inner_text().split("\t")[1] == "Sở Nội vụ"
    page.click("#back")
    page.wait_for_url("**/dashboard?**")

    with page.expect_download() as download:
        page.click("#export-xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved)
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert {"Nguyễn Thị Chi", "Lê Văn An", "Sở Nội vụ", "Sở Tài chính"} <= cells
    assert not cells & set(CODES + ("chi", "an", "hoa")), "the workbook groups by names, not codes"
    assert ["Phạm vi", "tất cả đơn vị"] in [[c.value for c in r] for r in book["Thông tin"].iter_rows()]

    with page.expect_download() as download:
        page.click("#export-pdf")
    assert download.value.suggested_filename == "giam-sat-20260101-20261231.pdf"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = pdf_text(saved.read_bytes())
    for name in ("Sở Nội vụ", "Sở Tài chính", "Nguyễn Thị Chi", "Lê Văn An", "B1 Tiếp nhận, kiểm tra hồ sơ"):
        assert name in text, name
    assert not any(code in text for code in CODES), "the PDF groups by names, not codes"

    # the wrong turn at the end of a long day: the range typed backwards, then a day that does not exist; the
    # dashboard stays, with the filters as typed and the reason next to the field
    page.select_option("select[name=group_by]", "unit")
    page.fill("input[name=from]", "31/12/2026")
    page.fill("input[name=to]", "01/01/2026")
    with page.expect_navigation() as sent:
        page.click("#dash-filters button[type=submit]")
    assert sent.value is not None and sent.value.status == 400
    assert page.inner_text("h1") == "Giám sát tiến độ giải quyết hồ sơ"
    assert "Đến ngày: ngày bắt đầu phải trước ngày kết thúc" in page.inner_text("#filter-refusal")
    assert page.inner_text(".field-error[data-field=to]") == "ngày bắt đầu phải trước ngày kết thúc"
    assert (page.input_value("input[name=from]"), page.input_value("input[name=to]")) == ("31/12/2026", "01/01/2026")
    assert page.input_value("select[name=group_by]") == "unit", "the other filters stay as chosen"
    assert "to:" not in page.inner_text("main") and "Traceback" not in page.content()
    shot("supervisor-backwards-range")
    page.fill("input[name=from]", "31/02/2026")
    page.fill("input[name=to]", "31/12/2026")
    with page.expect_navigation() as sent:
        page.click("#dash-filters button[type=submit]")
    assert sent.value is not None and sent.value.status == 400
    assert "Từ ngày: ngày dạng dd/mm/yyyy" in page.inner_text("#filter-refusal")
    assert page.locator(".field-error").count() == 1
    page.fill("input[name=from]", "01/03/2026")
    with page.expect_navigation() as sent:
        page.click("#dash-filters button[type=submit]")
    assert sent.value is not None and sent.value.status == 200 and page.locator("#filter-refusal").count() == 0
