"""In Chromium: the designer adds an award type (code, name, level, vote, papers, a condition with its numbers)
and removes one in a new rule-set version effective in the future; the preview names both, a hostile field is
refused in Vietnamese with nothing changed, the publication is audited with what changed; the desk's own
service refuses a dossier of the new type received before the date and takes it from the date, and the
removed type the other way round (the virtual clock moves, nothing sleeps)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import clock
from engine.errors import InvalidInput
from engine.models import Event
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.dossiers import pdf_file
from tests.web.dossier_world import submission

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

NEW_PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH")
CO_TINH_PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_CUM_KHOI")
NEW_NAME = "Bằng khen của Giám đốc Sở Nội vụ"


def _receive(world: Domain, award: str, papers: tuple[str, ...]) -> str:
    """A dossier of ``award`` brought to the desk today, through the desk's service; its code."""
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in papers]
    body = world.dossiers.submission_of(submission(award, papers), uploaded)
    return world.dossiers.receive(world.engine.identity.actor("motcua"), body)


def _award_options(page) -> list[str]:
    page.goto("/desk")
    return page.locator("select[name=award_type] option").evaluate_all("os => os.map(o => o.value)")


def test_an_award_type_added_and_one_removed_from_the_effective_date(
    world: Domain, vclock: clock.VirtualClock, sign_in, page, shot
) -> None:
    world.engine.identity.ensure_user("thietke", groups=["designer"], unit="so-noi-vu", display_name="Lê Thiết Kế")
    sign_in("thietke", ["designer"])
    page.goto("/designer/quy-tac/moi")
    page.fill("#f-version", "2026.04")
    page.fill("#f-name", "Quy tắc xét khen thưởng, thêm Bằng khen của Giám đốc Sở")
    page.fill("#f-effective_from", "01/04/2026")

    # hostile: a code already used is refused, in Vietnamese, naming the field; the draft is unchanged
    page.fill("#f-new-code", "CSTD_TINH")
    page.fill("#f-new-name", NEW_NAME)
    page.click("#add-award")
    assert "Mã hình thức: đã có hình thức khen thưởng mã CSTD_TINH" in page.inner_text("#problems")
    assert page.locator("section.award[id^=award-]").count() == 5
    assert page.input_value("#f-version") == "2026.04"  # what was typed stays

    page.fill("#f-new-code", "BK_SNV")
    page.select_option("#f-new-level", label="SỞ NỘI VỤ TỈNH AN BÌNH")
    page.select_option("#f-new-procedure", label="Xét khen thưởng do Thường trực Hội đồng thẩm định (không bỏ phiếu)")
    page.check("#new-award input[name='new_award.recipients'][value=individual]")
    for paper in NEW_PAPERS:
        page.check(f"#new-award input[name='new_award.required_papers'][value={paper}]")
    page.click("#add-award")
    added = page.locator("#award-BK_SNV")
    assert NEW_NAME in added.inner_text() and "SỞ NỘI VỤ TỈNH AN BÌNH" in added.inner_text()
    assert page.input_value("#f-new-code") == ""  # the add form is empty again
    # a condition with its numbers: "Hoàn thành xuất sắc nhiệm vụ" 2 years in a row
    added.locator("select[name='add_rule.BK_SNV.kind']").select_option("consecutive_titles")
    added.locator("button[value='add_rule:BK_SNV']").click()
    added = page.locator("#award-BK_SNV")
    added.locator("select[name='award_types.BK_SNV.eligibility.individual[1].title']").select_option("HTXSNV")
    added.locator("input[name='award_types.BK_SNV.eligibility.individual[1].count']").fill("2")
    added.locator("input[name='award_types.BK_SNV.bonus_multiple.individual']").fill("0.5")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value='remove_award:CO_TINH']")
    assert page.locator("#award-CO_TINH").count() == 0

    rows = page.locator("#changes tr.change")
    shown = {rows.nth(i).get_attribute("data-path"): rows.nth(i).inner_text() for i in range(rows.count())}
    assert f"thêm mới: {NEW_NAME} (BK_SNV)" in shown["award_types.BK_SNV"]
    assert "bỏ: Cờ thi đua cấp tỉnh (CO_TINH)" in shown["award_types.CO_TINH"]
    assert not any(path.startswith("award_types.BK_SNV.") for path in shown)  # one line for the new type
    shot("rule-awards-01-preview")
    page.click("#publish")
    assert "Đã công bố phiên bản 2026.04, hiệu lực từ 01/04/2026" in page.inner_text(".flash")

    with world.engine.db.reading() as session:
        event = session.scalars(select(Event).where(Event.action == "rule_set_published")).one()
        assert event.actor == "thietke"
        paths = {c["path"] for c in event.details["changes"]}
        assert {"award_types.BK_SNV", "award_types.CO_TINH"} <= paths
    stored = world.rulesets.content(max(v.id for v in world.rulesets.versions()))["award_types"]["BK_SNV"]
    assert stored["eligibility"]["individual"][1] == {"rule": "consecutive_titles", "title": "HTXSNV", "count": 2}
    assert stored["required_papers"] == list(NEW_PAPERS) and stored["issuing_body"] == "SNV"

    # before the effective date (Monday 02/03/2026) the new type does not exist, the removed one still does
    sign_in("motcua", ["desk"])
    assert "BK_SNV" not in _award_options(page) and "CO_TINH" in _award_options(page)
    with pytest.raises(InvalidInput) as refused:
        _receive(world, "BK_SNV", NEW_PAPERS)
    assert "award_type" in refused.value.fields
    kept = _receive(world, "CO_TINH", CO_TINH_PAPERS)

    vclock.set(datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    options = _award_options(page)
    assert "BK_SNV" in options and "CO_TINH" not in options
    shot("rule-awards-02-desk-from-the-date")
    new = _receive(world, "BK_SNV", NEW_PAPERS)
    with pytest.raises(InvalidInput) as removed:
        _receive(world, "CO_TINH", CO_TINH_PAPERS)
    assert "award_type" in removed.value.fields
    page.goto(f"/desk/{new}")
    assert "2026.04" in page.inner_text("dl.facts") and NEW_NAME in page.inner_text("h1")
    assert page.locator("#incomplete").count() == 0  # both papers the new type asks for are there
    shot("rule-awards-03-new-type-received")
    page.goto(f"/desk/{kept}")
    assert "2025.07" in page.inner_text("dl.facts")  # received before the date: the old rules, its type kept


def test_hostile_structural_fields_are_refused_by_name(
    world: Domain, vclock: clock.VirtualClock, sign_in, page
) -> None:
    """A forged button or field: a Vietnamese 4xx naming it, and nothing published."""
    sign_in("thietke", ["designer"])
    page.goto("/designer/quy-tac/moi")
    token = page.input_value("input[name=csrf_token]")
    draft = page.input_value("input[name=draft]")
    before = [v.version for v in world.rulesets.versions()]
    for op, field in (
        ("remove_award:KHONG_CO", "Bỏ hình thức này"),
        ("remove_rule:award_types.CSTD_TINH.eligibility.individual[9]", "Bỏ điều kiện"),
        ("add_rule:CSTD_TINH", "Thêm điều kiện"),
        ("xoa_het", "Thao tác"),
    ):
        sent = page.request.post(
            "/designer/quy-tac/moi",
            form={"csrf_token": token, "draft": draft, "op": op, "add_rule.CSTD_TINH.kind": "ratio"},
        )
        assert sent.status == 422, op
        assert field in sent.text(), op
    sent = {"csrf_token": token, "draft": draft, "op": "add_award", "new_award.name": "x" * 600}
    long = page.request.post("/designer/quy-tac/moi", form=sent)
    assert long.status == 422 and "dài quá 500 ký tự" in long.text()
    assert [v.version for v in world.rulesets.versions()] == before
