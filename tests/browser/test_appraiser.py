"""In Chromium: an appraiser claims and completes a task with a field error corrected on the way; the division
head assigns a dossier (a ghost appraiser refused) and the appraiser works it (reads it, opens its papers, leaves a
nominee out, a nominee 999 refused)."""

from __future__ import annotations

from pathlib import Path

from engine import Engine
from handlers.domain import Domain
from tests.browser import dossiers

BPMN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


def test_an_appraiser_claims_and_completes_a_task(engine: Engine, sign_in, page, shot) -> None:
    engine.identity.ensure_user("desk", groups=["desk"], unit="so-noi-vu")
    files = {name: (BPMN / name).read_bytes() for name in ("user_task.bpmn", "review.schema.json")}
    engine.repository.deploy(files, actor="admin")
    engine.runtime.start(
        "user_task",
        business_key="000.00.15.H01-260302-0001",
        actor="desk",
        data={"nominee": "Nguyễn Thị Lan", "award": "Chiến sĩ thi đua cơ sở", "received_on": "2026-03-02"},
    )

    sign_in("an", ["appraiser"])
    page.goto("/inbox")
    row = page.locator("#inbox-table tbody tr")
    assert row.count() == 1 and "còn 4 giờ làm việc" in row.inner_text()
    assert "14:00 02/03/2026" in row.inner_text()
    shot("inbox")

    row.get_by_role("button", name="Nhận việc").click()
    assert "Đã nhận việc" in page.locator(".flash").inner_text()
    page.click("#inbox-table a.code")
    assert page.locator("h1").inner_text() == "Review dossier"
    assert "Nhận việc" in page.locator("#history").inner_text()
    shot("task-page")

    page.select_option("#f-decision", "approve")
    page.fill("#f-comment", "Hồ sơ đầy đủ, thành tích rõ ràng. " * 16)
    page.click("#complete")
    error = page.locator("#f-comment-error")
    assert "Tối đa 500 ký tự" in error.inner_text()
    assert page.input_value("#f-decision") == "approve", "what was chosen stays chosen"
    shot("task-form-error")

    page.fill("#f-comment", "Hồ sơ đầy đủ, thành tích rõ ràng; đề nghị khen thưởng.")
    page.click("#complete")
    assert "Đã hoàn thành “Review dossier”" in page.locator(".flash").inner_text()
    assert page.locator("#inbox-empty").is_visible() and page.locator("#inbox-table").count() == 0
    shot("inbox-empty")


def _task_page(page, engine: Engine, code: str, element: str) -> None:
    instance = engine.runtime.list(business_key=code)[0].id
    task = next(t for t in engine.tasks.for_instance(instance) if t.element_id == element and t.state == "ready")
    page.goto(f"/tasks/{task.id}")
    if page.locator("#claim").count():
        with page.expect_navigation():  # the claimed page, not the one being left
            page.click("#claim")


def _submit(page) -> int:
    with page.expect_navigation() as went:
        page.click("#complete")
    return went.value.status


def _offer(page, select: str, value: str, label: str) -> None:
    """What a hand-made request would send: a value the list does not offer."""
    page.eval_on_selector(select, "(s, [v, l]) => { s.add(new Option(l, v)); s.value = v; }", [value, label])


def test_the_division_head_and_the_appraiser_work_a_dossier(world: Domain, sign_in, page, shot) -> None:
    engine = world.engine
    code = dossiers.received(world)

    # the division head picks the appraiser from the unit's appraisers; a ghost is refused
    sign_in("truongphong", ["division_head"])
    _task_page(page, engine, code, "assign_appraiser")
    options = page.locator("select[name=appraiser] option").all_inner_texts()
    assert (
        "thamdinh" in " ".join(page.locator("select[name=appraiser] option").evaluate_all("os => os.map(o => o.value)"))
        and len(options) >= 2
    )
    _offer(page, "select[name=appraiser]", "nguyenvana", "Nguyễn Văn A")
    assert _submit(page) == 422
    assert "không phải chuyên viên thẩm định" in page.inner_text("#task-work")
    shot("assign-appraiser-ghost-refused")
    page.select_option("select[name=appraiser]", "thamdinh")
    assert _submit(page) == 200
    assert "Đã hoàn thành" in page.inner_text(".flash")

    # the appraiser reads the dossier as a person reads it, opens its papers and the dossier page
    sign_in("thamdinh", ["appraiser"])
    _task_page(page, engine, code, "appraise")
    case = page.inner_text("#dossier")
    assert "Nguyễn Thị Hoa" in case and "Hiệu trưởng" in case and "Trường THPT Chuyên" in case
    assert "Chiến sĩ thi đua cơ sở: 2023, 2024, 2025" in case
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in case
    assert "award_dossier" not in case
    for raw in ("papers_check", "intake_outcome", "submission", "T01:", "+00:00", "{"):
        assert raw not in case, raw
    trail = page.inner_text("#history")
    assert "Kết quả kiểm tra: Tiếp nhận (hồ sơ đầy đủ, hợp lệ)" in trail and "completeness" not in trail
    assert "appraiser:" not in trail and "tiep_nhan" not in trail
    paper = page.locator("#case-papers a").first.get_attribute("href")
    assert paper is not None and page.request.get(paper).body().startswith(b"%PDF")
    shot("appraiser-task-dossier")
    dossier = page.request.get(f"/desk/{code}")
    assert dossier.status == 200 and 'id="check"' not in dossier.text() and 'id="withdraw"' not in dossier.text()

    # "Không đề nghị": nominees are picked from the dossier; a nominee 999 is refused, and rows do not pile up
    first = "select[name='excluded.0.nominee']"
    names = page.locator(f"{first} option").all_inner_texts()
    assert any("Lê Văn Bình" in n for n in names) and not any("999" in n for n in names)
    rows = page.locator("select[name$='.nominee']").count()
    _offer(page, first, "999", "Không có trong hồ sơ")
    page.fill("textarea[name='excluded.0.reason'], input[name='excluded.0.reason']", "Chưa đủ tiêu chuẩn")
    assert _submit(page) == 422
    shot("appraise-nominee-999-refused")
    assert "Không có đối tượng này trong hồ sơ: 999" in page.inner_text("#task-work")
    assert page.locator("select[name$='.nominee']").count() == rows + 1
    assert _submit(page) == 422
    assert page.locator("select[name$='.nominee']").count() == rows + 1, "a second refusal adds no rows"
    shot("appraise-nominee-999-refused")
    page.select_option(first, label=next(n for n in names if "Lê Văn Bình" in n))
    assert _submit(page) == 200
    assert "Đã hoàn thành" in page.inner_text(".flash")
    out = {n.name: n.state for n in world.dossiers.dossier(engine.identity.actor("thamdinh"), code).nominees}
    assert out == {"Nguyễn Thị Hoa": "eligible", "Lê Văn Bình": "excluded"}
