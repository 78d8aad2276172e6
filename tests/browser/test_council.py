"""The council secretary's day in Chromium: the dossiers waiting for the council, convening a sitting (which
records no result), the wrong turn of recording it before the meeting's date, the day itself on the virtual clock,
a sitting without quorum, ballots beyond those present, and the count of the 5-member council of Sở Nội vụ.

Chiến sĩ thi đua cơ sở (processes/catalogue/2025-07-01.yaml): council ``co_so`` of 5 members, quorum 2/3 of all
members (4), threshold 80 % of ALL members (4 votes, written votes of absentees counted). The clock stands at
Monday 02/03/2026 08:00 (Hà Nội); the meeting is on Thursday 05/03/2026.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine import Engine, clock
from handlers.domain import Domain
from handlers.models import CouncilSession, Dossier, Nominee
from tests.browser import dossiers
from tests.browser.contrast import illegible
from tests.browser.dossiers import drive_to, pdf_file
from tests.pdf_text import pdf_text

PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN")
MEMBERS = ("CS01", "CS02", "CS03", "CS04", "CS05")

engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    virtual = clock.VirtualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # Mon 02/03/2026 08:00 +07:00
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)


def receive(world: Domain) -> str:
    """A CSTD_CS dossier of Sở Y tế with two nominees, received complete at the desk."""
    body = {"award_type": "CSTD_CS", "unit": "so-yt", "unit_name": "Sở Y tế", "achievement_year": 2025}
    nominees = [
        {"name": "Nguyễn Thị Hoa", "kind": "individual", "gender": "nu", "position": "Điều dưỡng trưởng"},
        {"name": "Lê Văn Bình", "kind": "individual", "gender": "nam", "position": "Bác sĩ"},
    ]
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in PAPERS]
    desk = world.engine.identity.actor("motcua")
    return world.dossiers.receive(desk, world.dossiers.submission_of({**body, "nominees": nominees}, uploaded))


def ready(engine: Engine, code: str) -> list[str]:
    instance = engine.runtime.list(business_key=code)[0].id
    return sorted(t.element_id for t in engine.tasks.for_instance(instance) if t.state == "ready")


def sittings(engine: Engine, code: str) -> list[tuple[int, list[str], bool]]:
    """(round, present, tallied) of each sitting of the dossier."""
    with engine.db.reading() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        rows = session.scalars(
            select(CouncilSession).where(CouncilSession.dossier_id == dossier.id).order_by(CouncilSession.round)
        )
        return [(r.round, list(r.present), r.tallied_at is not None) for r in rows]


def states(engine: Engine, code: str) -> dict[str, str]:
    with engine.db.reading() as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        return {n.name: n.state for n in session.scalars(select(Nominee).where(Nominee.dossier_id == dossier.id))}


def attend(page, present: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for member in MEMBERS:
        box = page.locator(f"input[name=present_{member}]")
        box.check() if member in present else box.uncheck()


def candidate(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#tally tr[data-candidate]:has-text('{name}')")


def test_a_council_secretarys_day(page, sign_in, shot, world: Domain, engine: Engine, vclock) -> None:
    code = receive(world)
    drive_to(engine, code, "convene_session")
    sign_in("thuky", ["council_secretary"])

    # what waits for the council, with a time-left badge that can be read
    page.goto("/council")
    row = page.locator(f"#council-tasks tr:has-text('{code}')")
    assert "Triệu tập phiên họp (B7)" in row.inner_text()
    assert "Chiến sĩ thi đua cơ sở · Sở Y tế" in row.inner_text(), "the dossier as the secretary knows it"
    assert illegible(page, "#council-tasks .badge") == []
    shot("council-waiting")

    # convening: a date that does not exist is refused, then the sitting is called for Thursday
    row.locator("a").click()
    page.wait_for_selector("#convene-form")
    page.fill("input[name=session_date]", "30/02/2026")
    page.click("#convene-form button[type=submit]")
    assert "Ngày họp ghi theo dạng dd/mm/yyyy." in page.inner_text("main")
    assert ready(engine, code) == ["convene_session"] and sittings(engine, code) == []
    page.fill("input[name=session_date]", "05/03/2026")
    page.click("#convene-form button[type=submit]")
    page.wait_for_selector("#not-met")
    result = page.inner_text("main")
    assert "Đã triệu tập phiên họp" in result and "Ngày họp: 05/03/2026" in result
    assert "Có mặt" not in result and "Không đạt" not in result and "Đạt" not in result, "convening votes nothing"
    shot("council-convened")

    page.goto("/council")
    waiting = page.inner_text(f"#council-tasks tr:has-text('{code}')")
    assert "Họp, bỏ phiếu, kiểm phiếu (B8)" in waiting and "Ngày họp: 05/03/2026" in waiting
    page.goto(f"/council/hoso/{code}")

    # the wrong turn: the attendance and the count typed on Monday, before the meeting
    page.click("text=Họp, bỏ phiếu, kiểm phiếu (B8)")
    page.wait_for_selector("#session-form")
    assert page.inner_text("#meeting-date") == "05/03/2026"
    assert "Chưa đến ngày họp (05/03/2026)" in page.inner_text("#before-meeting")
    attend(page, MEMBERS)
    candidate(page, "Nguyễn Thị Hoa").locator("input.ballot").fill("5")
    page.click("#session-form button[type=submit]")
    refused = page.inner_text(".flash.error >> nth=-1")
    assert "Chưa đến ngày họp (05/03/2026): chỉ ghi điểm danh và kết quả biểu quyết từ ngày họp." in refused
    assert ready(engine, code) == ["record_session"]
    assert sittings(engine, code) == [(1, [], False)], "nothing was recorded"
    assert set(states(engine, code).values()) == {"eligible"}
    shot("council-before-the-meeting")

    # Thursday: the sitting. Three of five came: the live tally says there is no quorum
    vclock.set(datetime(2026, 3, 5, 1, 30, tzinfo=UTC))  # Thu 05/03/2026 08:30
    page.goto(page.url)  # opened afresh (a reload would send Monday's refused form again)
    assert page.locator("#before-meeting").count() == 0
    attend(page, MEMBERS[:3])
    assert page.inner_text("#quorum") == "Có mặt: 3 / 5 — Chưa đủ túc số — phiên họp sẽ được triệu tập lại"
    assert illegible(page, "#quorum") == []

    # ballots beyond those present: the browser says so in Vietnamese, and so does the server to a form sent
    # anyway; nothing changes
    hoa = candidate(page, "Nguyễn Thị Hoa").locator("input.ballot")
    hoa.fill("4")
    assert hoa.evaluate("e => e.validationMessage") == (
        "Số phiếu đồng ý tại họp không thể nhiều hơn số thành viên có mặt (3)."
    )
    page.click("#session-form button[type=submit]")
    assert ready(engine, code) == ["record_session"], "the browser kept the form"
    page.evaluate("document.getElementById('session-form').noValidate = true")
    with page.expect_navigation() as sent:
        page.click("#session-form button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    refusal = page.inner_text("main")
    assert "Nguyễn Thị Hoa: 4 phiếu đồng ý tại họp, trong khi chỉ có 3 thành viên có mặt" in refusal
    assert "ballots" not in refusal and "present" not in refusal, "no field code, no English"
    assert sittings(engine, code) == [(1, [], False)] and ready(engine, code) == ["record_session"]
    shot("council-too-many-ballots")

    # the three present record what they can: no quorum, no vote, the council is convened again
    hoa = candidate(page, "Nguyễn Thị Hoa").locator("input.ballot")
    hoa.fill("3")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("#attendance")
    assert "Đã ghi điểm danh: phiên họp không đủ túc số" in page.inner_text(".flash")
    assert page.inner_text("#attendance") == "Có mặt: 3 / 5 — Chưa đủ túc số — phiên họp sẽ được triệu tập lại"
    assert "không đủ túc số nên Hội đồng không biểu quyết" in page.inner_text("#no-vote")
    assert page.locator(".verdict").count() == 0 and "Không đạt" not in page.inner_text("main")
    assert page.locator("#minutes").count() == 0
    assert ready(engine, code) == ["convene_session"]
    assert set(states(engine, code).values()) == {"eligible"}
    shot("council-no-quorum")

    # convened again for the same afternoon; four come, the fifth votes in writing for Hoa
    page.click("text=Triệu tập phiên họp (B7)")
    page.fill("input[name=session_date]", "05/03/2026")
    page.click("#convene-form button[type=submit]")
    page.wait_for_selector("#not-met")
    page.click("text=Họp, bỏ phiếu, kiểm phiếu (B8)")
    page.wait_for_selector("#session-form")
    assert page.locator("#before-meeting").count() == 0, "the meeting is today"
    attend(page, MEMBERS[:4])
    assert page.inner_text("#quorum") == "Có mặt: 4 / 5 — Đủ túc số"
    hoa, binh = candidate(page, "Nguyễn Thị Hoa"), candidate(page, "Lê Văn Bình")
    hoa.locator("input.ballot").fill("3")
    binh.locator("input.ballot").fill("3")
    assert hoa.locator(".verdict").inner_text() == "Không đạt", "3 of 4 present is 60 % of all five"
    page.locator("#members tr[data-member=CS05] input.written").nth(0).check()
    assert (hoa.locator(".total").inner_text(), hoa.locator(".verdict").inner_text()) == ("4", "Đạt")
    assert (binh.locator(".total").inner_text(), binh.locator(".verdict").inner_text()) == ("3", "Không đạt")
    assert illegible(page, "#tally .verdict") == [] and illegible(page, "#quorum") == []
    shot("council-session-count")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("#minutes")

    assert page.inner_text("#attendance") == "Có mặt: 4 / 5 — Đủ túc số"
    rows = {r.split("\t")[0]: r.split("\t")[1:] for r in page.locator("#result tbody tr").all_inner_texts()}
    assert rows["Nguyễn Thị Hoa"][:4] == ["3", "1", "4", "Đạt"]
    assert rows["Lê Văn Bình"][:3] == ["3", "0", "3"]
    assert rows["Lê Văn Bình"][3].startswith("Không đạt\nKhông đạt tỷ lệ phiếu: 3/5 thành viên đồng ý (60%)")
    assert illegible(page, "#result .verdict") == [] and illegible(page, "#attendance") == []
    assert states(engine, code) == {"Nguyễn Thị Hoa": "passed", "Lê Văn Bình": "failed"}
    assert ready(engine, code) == ["sign_decision"]
    assert [(r, len(p), t) for r, p, t in sittings(engine, code)] == [(1, 3, True), (2, 4, True)]
    shot("council-result")

    href = page.get_attribute("#minutes a", "href")
    assert href is not None
    minutes = page.request.get(href)
    assert minutes.ok and minutes.body().startswith(b"%PDF")
    text = pdf_text(minutes.body())
    assert "BIÊN BẢN KIỂM PHIẾU" in text and "phiên họp lần 2" in text and "Ngày họp: 05/03/2026" in text
    assert "Nguyễn Thị Hoa" in text and "Lê Văn Bình" in text
