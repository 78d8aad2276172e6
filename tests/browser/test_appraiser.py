"""An appraiser signs in, claims and completes a task with a field error corrected on the way (Chromium)."""

from __future__ import annotations

from pathlib import Path

from engine import Engine

BPMN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


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
