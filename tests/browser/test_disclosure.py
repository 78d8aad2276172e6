"""In Chromium: a citizen finds the proposal published for comment, answers the server's sum, sends an objection
and looks it up by its receipt code; the appraiser finds the comment in the inbox, reads it with its dossier and
answers it; the citizen then reads the answer. The council's page lists the comment and its handling."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from engine import Engine, clock
from handlers.domain import Domain
from tests.browser import dossiers

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_citizen_comments_and_the_appraiser_answers(
    world: Domain, engine: Engine, vclock: clock.VirtualClock, page, sign_in, shot
) -> None:
    vclock.set(datetime(2026, 11, 16, 9, 0, tzinfo=VN))  # the rule set that publishes CSTD_TINH is in force
    code = dossiers.received(world)
    dossiers.drive_to(engine, code, "convene_session")  # stops at the publication: nothing ready

    page.goto("/cong-khai")
    row = page.locator(f"#published tr[data-code='{code}']")
    assert "Nguyễn Thị Hoa" in row.inner_text() and "26/11/2026" in row.inner_text()
    assert "Hiệu trưởng" not in page.content(), "no position on the public list"
    shot("public-list")

    row.get_by_role("link", name="Góp ý").click()
    question = re.search(r"(\d+) \+ (\d+)", page.locator("#comment-form").inner_text())
    assert question is not None
    page.select_option("select[name=nominee]", label="Nguyễn Thị Hoa")
    page.select_option("select[name=kind]", "phan_anh")
    page.fill("input[name=author_name]", "Trần Văn Cường")
    page.fill("input[name=contact]", "0912 345 678")
    page.fill("textarea[name=text]", "<b>Xin xác minh</b> sáng kiến cấp tỉnh của bà Hoa.")
    page.fill("input[name=answer]", str(int(question.group(1)) + int(question.group(2))))
    page.click("#comment-form button[type=submit]")
    assert "không được chứa mã HTML" in page.locator("#comment-errors").inner_text()
    assert page.input_value("input[name=author_name]") == "Trần Văn Cường", "what was typed stays"
    shot("public-comment-refused")

    question = re.search(r"(\d+) \+ (\d+)", page.locator("#comment-form").inner_text())
    assert question is not None
    page.fill("textarea[name=text]", "Xin xác minh sáng kiến cấp tỉnh của bà Hoa.")
    page.fill("input[name=answer]", str(int(question.group(1)) + int(question.group(2))))
    page.click("#comment-form button[type=submit]")
    assert "Đã nhận ý kiến của bạn" in page.locator("#sent").inner_text()
    receipt = page.locator("#receipt-code").inner_text()
    assert receipt.startswith("GY-") and page.locator("#receipt-status").inner_text() == "Đang xác minh"
    shot("public-comment-receipt")

    appraiser = sign_in("thamdinh", ["appraiser"])
    appraiser.goto("/inbox")
    appraiser.locator("#inbox-table a.code", has_text=receipt).click()
    assert "Xin xác minh sáng kiến cấp tỉnh của bà Hoa." in appraiser.locator("#public-comment").inner_text()
    assert code in appraiser.content(), "the dossier the comment is about is shown"
    shot("appraiser-comment-task")
    appraiser.check("#f-substantiated")
    appraiser.fill("#f-answer", "Đã xác minh: sáng kiến được công nhận cấp tỉnh; đề nghị giữ nguyên.")
    appraiser.click("#complete")
    assert "Đã hoàn thành" in appraiser.locator(".flash").inner_text()

    appraiser.goto(f"/cong-khai/y-kien?receipt={receipt}")
    assert "Đã xử lý: có cơ sở" in appraiser.locator("#receipt-status").inner_text()
    assert "đề nghị giữ nguyên" in appraiser.locator("#receipt-answer").inner_text()
    shot("public-comment-answered")
