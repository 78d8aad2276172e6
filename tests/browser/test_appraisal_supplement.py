"""In Chromium: the appraiser asks for a supplement during appraisal; the public look-up shows what to bring and
how the time limit goes on; the desk receives the papers and the task comes back to her inbox, where the form
no longer offers a second request."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine import Engine, clock
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.dossiers import drive_to, pdf_file
from tests.web.dossier_world import submission

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


def _dossier(world: Domain) -> str:
    """A received Bằng khen dossier (the award whose clock restarts after a supplement), all papers attached."""
    papers = world.dossiers.catalogue().award("BK_UBND").required_papers
    body = submission("BK_UBND", papers)
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in papers]
    return world.dossiers.receive(
        world.engine.identity.actor("motcua"), world.dossiers.submission_of(body, uploaded), accept=True
    )


def _open_appraise(page, engine: Engine, code: str) -> None:
    instance = engine.runtime.list(business_key=code)[0].id
    task = next(t for t in engine.tasks.for_instance(instance) if t.element_id == "appraise" and t.state == "ready")
    page.goto(f"/tasks/{task.id}")


def test_the_appraiser_asks_once_and_the_dossier_comes_back(
    world: Domain, vclock: clock.VirtualClock, sign_in, page, shot
) -> None:
    engine = world.engine
    code = _dossier(world)
    drive_to(engine, code, "appraise")

    sign_in("thamdinh", ["appraiser"])
    _open_appraise(page, engine, code)
    outcome = "select[name=appraisal_outcome]"
    assert page.locator(f"{outcome} option").all_inner_texts()[-2:] == [
        "Hoàn thành thẩm định",
        "Yêu cầu bổ sung, hoàn thiện hồ sơ (một lần)",
    ]
    page.select_option(outcome, "bo_sung")
    with page.expect_navigation() as went:  # the list of what is missing is required
        page.click("#complete")
    assert went.value.status == 422
    assert page.locator("#f-supplement_missing.invalid").count() == 1
    page.select_option(outcome, "bo_sung")
    page.check("input[name=supplement_missing][value=BAO_CAO_THANH_TICH]")
    asked_at = vclock.now()
    page.fill("[name=supplement_note]", "Báo cáo thành tích chưa có xác nhận của thủ trưởng đơn vị.")
    shot("appraise-supplement-asked")
    with page.expect_navigation() as went:
        page.click("#complete")
    assert went.value.status == 200 and "Đã hoàn thành" in page.inner_text(".flash")
    assert page.locator("#inbox-table").count() == 0 or code not in page.inner_text("#inbox-table")

    # anyone may look it up: what to bring, and what the return does to the time limit
    page.goto(f"/tra-cuu?code={code}")
    result = page.inner_text("#lookup-result")
    assert "5. Yêu cầu bổ sung" in result and "Tạm dừng, chờ bổ sung hồ sơ" in result
    assert page.locator("#to-bring li").all_inner_texts() == ["Báo cáo thành tích (Mẫu số 05)"]
    assert "thời hạn giải quyết (20 ngày làm việc) được tính lại từ đầu" in page.inner_text("#on-return")
    assert "Yêu cầu bổ sung ngày 02/03/2026" in page.inner_text("#asked-on")
    shot("lookup-supplement-in-processing")

    # nine days later (Wed 11/03 14:00) the desk receives the papers, the same action as at intake
    vclock.set(datetime(2026, 3, 11, 14, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    sign_in("motcua", ["desk"])
    page.goto(f"/desk/{code}")
    assert "Báo cáo thành tích (Mẫu số 05)" in page.inner_text("#supplement")
    assert "Tạm dừng, chờ bổ sung hồ sơ" in page.inner_text("#paused")
    page.set_input_files("input[name=paper_BAO_CAO_THANH_TICH]", files=[pdf_file("BAO_CAO_THANH_TICH")])
    page.click("#supplement button[type=submit]")
    page.wait_for_load_state()
    assert "Đã cập nhật hồ sơ" in page.inner_text(".flash")
    assert "Đang xử lý" in page.inner_text("main") and page.locator("#supplement").count() == 0
    appointment = world.dossiers.lookup(code).appointment
    assert appointment == "08/04/2026" and appointment in page.inner_text("main")  # 20 WD again from 11/03
    shot("desk-supplement-received")

    # back in her inbox; no second request is offered
    sign_in("thamdinh", ["appraiser"])
    page.goto("/inbox")
    row = page.locator(f"#inbox-table tbody tr:has-text('{code}')")
    assert row.count() == 1 and "Thẩm định hồ sơ (B3)" in row.inner_text()
    shot("appraiser-inbox-after-supplement")
    row.locator("a.code").click()
    page.wait_for_load_state()
    assert "Yêu cầu bổ sung" not in " ".join(page.locator(f"{outcome} option").all_inner_texts())
    assert page.locator("[name=supplement_missing], [name=supplement_note]").count() == 0
    trail = page.inner_text("#history")
    assert "Tạm dừng tính hạn" in trail and "Tiếp tục tính hạn" in trail and "bo_sung" not in trail
    assert f"tính lại từ đầu, hạn 17:30 {appointment}" in trail and "Nhận hồ sơ bổ sung" in trail
    paused = engine.sla.calendar_of().between(asked_at, vclock.now()) / timedelta(hours=1)
    assert paused > 0 and page.inner_text("#slip-paused") == f"{paused:g} giờ".replace(".", ",")
    assert "Kết quả thẩm định: Yêu cầu bổ sung, hoàn thiện hồ sơ (một lần)" in trail
    shot("appraise-after-supplement")
