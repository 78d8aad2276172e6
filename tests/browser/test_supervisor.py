"""A supervisor opens the dashboard, sees an overdue dossier after the virtual clock moves, drills down and
downloads the Excel file (opened and checked here)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from engine import Engine
from engine.clock import VirtualClock
from tests.engine.conftest import complete

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
    engine.identity.ensure_user("chi", groups=["desk"], unit="so-noi-vu")
    engine.identity.ensure_user("hoa", groups=["desk"], unit="so-tai-chinh")
    engine.identity.ensure_user("an", groups=["appraiser"], unit="so-noi-vu")
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
