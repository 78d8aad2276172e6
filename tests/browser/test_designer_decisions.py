"""In Chromium: the designer opens a deployed DMN table in dmn-js, changes a cell, checks and deploys it; the
bundle holding it gets a new version whose business-rule task decides by the edited table."""

from __future__ import annotations

from pathlib import Path

from engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
BUNDLE = ("business_rule.bpmn", "discount.dmn", "review.schema.json")
#: the output cell of the first rule (an amount of 1000 or more)
LARGE = "td[data-row-id=Rule_large][data-col-id=Output_discount]"


def _discount(engine: Engine, amount: int) -> object:
    instance = engine.runtime.start(
        "business_rule", business_key=f"giam-{amount}", data={"amount": amount}, actor="admin"
    )
    return engine.runtime.get(instance.id).data["discount"]


def test_a_table_cell_edited_in_dmn_js_is_deployed(engine: Engine, sign_in, page, shot) -> None:
    engine.repository.deploy({n: (FIXTURES / n).read_bytes() for n in BUNDLE}, actor="admin", name="giảm giá")
    assert _discount(engine, 1500) == 0.1
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("#open-decisions")
    page.click("tr[data-file='discount.dmn'] a")
    page.wait_for_selector("#decision-editor[data-ready='1']")
    assert page.locator("#dmn-view option").all_inner_texts() == ["Discount"]
    assert "Chính sách khớp" in page.inner_text("#dmn-canvas")  # dmn-js speaks Vietnamese here

    cell = page.locator(LARGE)
    assert cell.inner_text().strip() == "0.1"
    cell.locator("[contenteditable]").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.25")
    page.click("#dmn-validate")
    page.wait_for_selector("#decision-editor[data-answer='ok']")
    assert page.inner_text("#dmn-status") == "Hợp lệ: có thể triển khai."
    shot("decisions-01-edited")
    page.click("#dmn-deploy")
    page.wait_for_function("document.getElementById('dmn-status').textContent.startsWith('Đã triển khai')")
    assert "phiên bản 2" in page.inner_text("#dmn-status")
    shot("decisions-02-deployed")

    assert engine.repository.latest("business_rule").version == 2
    assert _discount(engine, 1500) == 0.25  # the new version decides by the edited table
    assert _discount(engine, 500) == 0.05  # the other rules are as they were
