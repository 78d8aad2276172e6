"""In Chromium: the designer publishes a new rule-set version with a future effective date from the workbench; a
dossier received before that date keeps the old rules, one received on the date gets the new ones (the virtual
clock moves, nothing sleeps)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from engine import clock
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.dossiers import pdf_file
from tests.web.dossier_world import submission

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

PROOF = "Minh chứng sáng kiến, đề tài được công nhận"
WITHOUT_PROOF = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET")


def _received(world: Domain) -> str:
    """A Chiến sĩ thi đua cấp tỉnh dossier brought to the desk today without the initiative's proof."""
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in WITHOUT_PROOF]
    body = world.dossiers.submission_of(submission("CSTD_TINH", WITHOUT_PROOF), uploaded)
    return world.dossiers.receive(world.engine.identity.actor("motcua"), body)


def test_a_new_version_applies_from_its_date_only(
    world: Domain, vclock: clock.VirtualClock, sign_in, page, shot
) -> None:
    world.engine.identity.ensure_user("thietke", groups=["designer"], unit="so-noi-vu", display_name="Lê Thiết Kế")
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("#open-rules")
    assert page.locator("tr.in-force").get_attribute("data-version") == "2025.07"
    assert page.inner_text("tr.in-force td.publisher") == "Nạp từ tệp kèm sản phẩm"
    page.click("#new-version")
    page.fill("#f-version", "2026.04")
    page.fill("#f-name", "Quy tắc xét khen thưởng, sửa đổi tháng 4/2026")
    page.fill("#f-effective_from", "01/04/2026")
    award = page.locator("#award-CSTD_TINH")
    award.locator("input[name='award_types.CSTD_TINH.vote.threshold']").fill("80%")
    award.locator("input[value=MINH_CHUNG_SANG_KIEN]").uncheck()
    page.click("#preview")
    changes = page.locator("#changes tr.change")
    assert changes.count() == 3  # the name, the threshold, the papers
    threshold = page.locator("tr.change[data-path='award_types.CSTD_TINH.vote.threshold']")
    assert threshold.locator("td").all_inner_texts() == [
        "Chiến sĩ thi đua cấp tỉnh › Biểu quyết › Tỷ lệ phiếu đồng ý",
        "90%",
        "80%",
    ]
    assert PROOF in page.locator("tr.change[data-path='award_types.CSTD_TINH.required_papers'] td").nth(1).inner_text()
    shot("rules-01-preview")
    page.click("#publish")
    assert "Đã công bố phiên bản 2026.04, hiệu lực từ 01/04/2026 (3 thay đổi)." in page.inner_text(".flash")
    assert "Sắp có hiệu lực" in page.locator("tr[data-version='2026.04']").inner_text()
    assert page.inner_text("tr[data-version='2026.04'] td.publisher") == "Lê Thiết Kế"
    shot("rules-02-published")

    before = _received(world)  # Monday 02/03/2026: 2025.07 is still in force
    vclock.set(datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    after = _received(world)

    sign_in("motcua", ["desk"])
    page.goto(f"/desk/{before}")
    assert "2025.07" in page.inner_text("dl.facts")
    assert page.locator("#missing-papers li").all_inner_texts() == [PROOF]  # the old rules still ask for it
    shot("rules-03-received-before")
    page.goto(f"/desk/{after}")
    assert "2026.04" in page.inner_text("dl.facts")
    assert page.locator("#incomplete").count() == 0  # the new rules do not
    shot("rules-04-received-on-the-date")
    sign_in("thietke", ["designer"])
    page.goto("/designer/quy-tac")
    assert page.locator("tr.in-force").get_attribute("data-version") == "2026.04"
