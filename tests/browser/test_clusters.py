"""An emulation cluster's year in Chromium, as the member unit's officer and the cluster's head work it: the head
opens the year and circulates the pledge, a member signs it, fills its self-score sheet with evidence files
(a score above its maximum refused first, nothing kept), cross-grades another unit, the head closes the rounds,
reconciles the one gap beyond the tolerance, records the meeting's ballot, sees the ranking with each
criterion's points, exports it and sends the proposal; the supervisor sees the clusters on the dashboard.

The area cluster ``cum-huyen`` (8 units, head UBND thành phố An Bình) in 2026; the other units act through the
cluster service, the pages under test are the member's and the head's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from engine import clock
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.contrast import illegible
from tests.cluster_story import (
    BALLOTS,
    CLUSTER,
    EVIDENCE_CRITERIA,
    HEAD,
    INFLATED,
    PDF,
    TRUE,
    UNITS,
    YEAR,
    ClusterStory,
    officer,
    sheet,
)

engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world
MEMBER = "ubnd-hl"
BASE = f"/cum-khoi/{CLUSTER}/{YEAR}"


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    virtual = clock.VirtualClock(datetime(2026, 1, 5, 1, 0, tzinfo=UTC))  # Mon 05/01/2026 08:00 +07:00
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)


def as_officer(page, sign_in: Callable[..., object], unit: str):  # type: ignore[no-untyped-def]
    """Sign out whoever is signed in, and sign in as the unit's emulation officer."""
    page.context.clear_cookies()
    groups = ["cluster_head", "cluster_member"] if unit == HEAD else ["cluster_member"]
    sign_in(officer(unit), groups, unit)
    return page


def head_step(page, step: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(BASE)
    page.click(f"#head-steps button[data-step={step}]")
    page.wait_for_selector(".flash")


def fill_sheet(page, points: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    for code, value in points.items():
        page.fill(f"input[name='score.{code}']", str(value))


def test_a_member_and_the_head_work_the_cluster_year(
    page, sign_in, shot, world: Domain, vclock: clock.VirtualClock
) -> None:
    story = ClusterStory(world, vclock)
    clusters = world.clusters

    # the head opens the year and circulates the pledge
    as_officer(page, sign_in, HEAD)
    page.goto("/")
    page.click("header nav >> text=Cụm, khối thi đua")
    assert "Cụm thi đua các huyện, thị xã, thành phố" in page.inner_text("#clusters")
    head_step(page, "open_year")
    assert page.inner_text("#phase") == "Trưởng cụm gửi giao ước"
    page.fill("input[name=note]", "Giao ước thi đua năm 2026 của cụm")
    page.click("#head-steps button[data-step=circulate_pledge]")
    page.wait_for_selector("#phase:has-text('Các thành viên ký giao ước')")
    shot("cluster-year-head")

    # a member signs the pledge for its unit
    as_officer(page, sign_in, MEMBER)
    page.goto(BASE)
    page.click("#sign-pledge")
    assert "Đơn vị đã ký giao ước thi đua." in page.inner_text(".flash")
    assert "Đã ký 05/01/2026" in page.inner_text("#members tr.mine")
    assert illegible(page, "#members .badge") == []
    shot("cluster-pledge-signed")
    for unit in UNITS:
        if unit != MEMBER:
            clusters.sign_pledge(story.who(unit), CLUSTER, YEAR)
    as_officer(page, sign_in, HEAD)
    head_step(page, "close_pledges")
    assert clusters.year(CLUSTER, YEAR).phase == "waiting"

    # 02/11: the scoring round opens; the member fills its sheet — 31 of 30 points refused, then sent with evidence
    vclock.set(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    world.engine.timers.fire_due()
    as_officer(page, sign_in, MEMBER)
    page.goto(BASE)
    page.click("#self-link")
    own = sheet(INFLATED[MEMBER])
    fill_sheet(page, {**own, "I.1": 31})
    for code in EVIDENCE_CRITERIA:
        page.set_input_files(
            f"input[name='evidence.{code}']",
            files=[{"name": f"minh-chung-{code}.pdf", "mimeType": "application/pdf", "buffer": PDF + code.encode()}],
        )
    page.click("#send-sheet")
    assert "Điểm tiêu chí I.1 phải từ 0 đến 30 (đã nhập 31)" in page.inner_text("[data-field='scores.I.1']")
    assert clusters.sheets(CLUSTER, YEAR) == [], "nothing kept of a refused sheet"
    shot("cluster-self-score-refused")
    fill_sheet(page, own)
    for code in EVIDENCE_CRITERIA:  # a refused form keeps no file: they are chosen again
        page.set_input_files(
            f"input[name='evidence.{code}']",
            files=[{"name": f"minh-chung-{code}.pdf", "mimeType": "application/pdf", "buffer": PDF + code.encode()}],
        )
    page.click("#send-sheet")
    page.wait_for_selector("#submitted")
    assert "Đã nộp bảng tự chấm điểm." in page.inner_text(".flash")
    assert "minh-chung-I.2.pdf" in page.inner_text("#sheet-form")
    shot("cluster-self-score-sent")
    for unit in UNITS:
        if unit != MEMBER:
            story.self_score(unit, INFLATED[unit])
    as_officer(page, sign_in, HEAD)
    head_step(page, "close_self_scores")

    # the member cross-grades UBND huyện Vĩnh Lộc on its page (the others grade through the service)
    as_officer(page, sign_in, MEMBER)
    page.goto(f"{BASE}/cham-cheo")
    assert page.locator("#to-grade a.grade").count() == len(UNITS) - 1
    page.click("#to-grade tr:has-text('UBND huyện Vĩnh Lộc') a.grade")
    assert "minh-chung-I.1.pdf" in page.inner_text("#sheet-form"), "the graded unit's evidence is listed"
    fill_sheet(page, sheet(TRUE["ubnd-vl"]))
    page.click("#send-sheet")
    page.wait_for_selector("#to-grade")
    assert "Đã nộp bảng chấm chéo cho UBND huyện Vĩnh Lộc." in page.inner_text(".flash")
    shot("cluster-cross-grading")
    for grader in UNITS:
        for graded in clusters.to_grade(story.who(grader), CLUSTER, YEAR):
            if (grader, graded) != (MEMBER, "ubnd-vl"):
                clusters.submit_cross_grade(story.who(grader), CLUSTER, YEAR, graded, sheet(TRUE[graded]))

    # the head closes the round and reconciles the gap of UBND huyện Vĩnh Lộc (86 against 75)
    as_officer(page, sign_in, HEAD)
    head_step(page, "close_cross_grades")
    page.click("#reconcile-link")
    assert page.locator("#gaps tr.beyond").count() == 1
    assert "UBND huyện Vĩnh Lộc" in page.inner_text("#gaps tr.beyond")
    assert illegible(page, "#gaps .badge") == []
    shot("cluster-reconcile")
    for code, value in {**sheet(TRUE["ubnd-vl"]), "I.3": 9}.items():
        page.fill(f"input[name='ubnd-vl.{code}']", str(value))
    page.fill("input[name='ubnd-vl.note']", "Đã xác minh hồ sơ minh chứng")
    page.click("#send-reconcile")
    page.wait_for_selector("#ranking")
    assert clusters.year(CLUSTER, YEAR).phase == "meeting"

    # the head records the meeting's secret ballot, sees the ranking with the points per criterion, and exports
    page.goto(BASE)
    page.click("#meeting-link")
    page.fill("input[name=held_on]", "03/12/2026")
    for unit, approvals in BALLOTS.items():
        page.fill(f"input[name='ballots.{unit}']", str(approvals))
    shot("cluster-meeting")
    page.click("#send-meeting")
    page.wait_for_selector("#ranking")
    assert "Đã ghi kết quả hội nghị và xếp hạng." in page.inner_text(".flash")
    first = page.inner_text("#ranking tbody tr >> nth=0")
    assert first.startswith("1") and "UBND huyện Hòa Lạc" in first and "90" in first
    assert "UBND huyện Vĩnh Lộc (Đã thẩm định)" in page.inner_text("#ranking")
    assert "Họp ngày 03/12/2026" in page.inner_text("#meeting")
    shot("cluster-ranking")
    with page.expect_download() as caught:
        page.click("#export-xlsx")
    book = load_workbook(BytesIO(open(caught.value.path(), "rb").read()))  # noqa: SIM115
    assert book["Xếp hạng"]["B3"].value == "UBND huyện Hòa Lạc"
    with page.expect_download() as caught:
        page.click("#export-minutes")
    assert caught.value.suggested_filename == f"bien-ban-{CLUSTER}-{YEAR}.pdf"
    assert open(caught.value.path(), "rb").read().startswith(b"%PDF")  # noqa: SIM115

    # the head proposes the leading unit for the flag and the next for the certificate, with the papers
    page.goto(BASE)
    page.click("#proposal-link")
    page.select_option("select[name='award.ubnd-hl']", "CO_TINH")
    page.select_option("select[name='award.ubnd-tp']", "BK_UBND")
    for code in ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_CUM_KHOI", "BIEN_BAN_BINH_XET"):
        page.set_input_files(
            f"input[name='paper.{code}']",
            files=[{"name": f"{code.lower()}.pdf", "mimeType": "application/pdf", "buffer": PDF + code.encode()}],
        )
    shot("cluster-proposal")
    page.click("#send-proposal")
    page.wait_for_selector("#ranking")
    assert "Đã gửi đề nghị; hồ sơ:" in page.inner_text(".flash")
    assert "Cờ thi đua cấp tỉnh" in page.inner_text("#ranking tbody tr >> nth=0")
    assert clusters.year(CLUSTER, YEAR).phase == "sent"

    # the supervisor's dashboard: the clusters' phase, deadline, working days left, who has not acted, the leader
    page.context.clear_cookies()
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard")
    row = page.inner_text("#clusters tr:has-text('Cụm thi đua các huyện')")
    assert "Đã gửi đề nghị" in row and "UBND huyện Hòa Lạc" in row
    blocs = page.inner_text("#clusters tr:has-text('Khối các sở quản lý kinh tế')")
    assert "Chưa mở" in blocs
    page.locator("#clusters").scroll_into_view_if_needed()
    shot("cluster-dashboard")
