"""The form editor in Chromium: a form made field by field (added, reordered, removed, a deliberate error shown on
its row), seen in the live preview, saved, picked for a step in the diagram editor's properties panel, deployed;
the task page then shows the same form, and completing it stores what the fields say."""

from __future__ import annotations

from pathlib import Path

from engine import Engine
from tests.browser import dossiers
from tests.browser.test_designer_workbench import READY, select_element

BPMN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
NAME = "y_kien_phong.schema.json"
FIELDS = "input[id^=f-], select[id^=f-], textarea[id^=f-]"

#: the dossier world's fixtures (the task page reads the dossier's lists)
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


def add_field(page, kind: str, label: str) -> object:  # type: ignore[no-untyped-def]
    """Add a row, choose its kind, type its label; the new row."""
    page.click("#fe-add")
    row = page.locator(".fe-row").last
    row.locator(".fe-kind").select_option(kind)
    row = page.locator(".fe-row").last  # the row is drawn again for its kind
    row.locator(".fe-label").fill(label)
    return row


def drawn(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The form's inputs as drawn: (id, kind of input) in order."""
    found: list[tuple[str, str]] = page.eval_on_selector_all(
        f"#preview {FIELDS}", "els => els.map(e => [e.id, e.tagName.toLowerCase()])"
    )
    return [tuple(pair) for pair in found]  # type: ignore[misc]


def test_a_form_made_in_the_editor_is_the_form_of_the_task(engine: Engine, sign_in, page, shot) -> None:
    files = {name: (BPMN / name).read_bytes() for name in ("user_task.bpmn", "review.schema.json")}
    engine.repository.deploy(files, actor="admin")
    sign_in("thietke", ["designer", "appraiser"])

    page.goto("/designer")
    page.click("#open-forms")
    page.fill("#new-form-name", NAME)
    page.click("#new-form-form button[type=submit]")
    page.wait_for_selector("body[data-form-editor-ready=true]")
    page.fill("#fe-title", "Ý kiến của phòng")

    outcome = add_field(page, "choice", "Kết luận")
    outcome.locator(".fe-required").check()
    page.wait_for_function("document.body.dataset.previewState === 'bad'")  # a choice with no choices yet
    assert "Cần ít nhất một lựa chọn." in outcome.inner_text()
    shot("form-editor-error")
    outcome.locator(".fe-choices").fill("Đồng ý\nKhông đồng ý")
    add_field(page, "integer", "Số phiếu")
    note = add_field(page, "text", "Nhận xét")
    note.locator(".fe-maxLength").fill("300")
    note.locator(".fe-help").fill("Tóm tắt ngắn gọn.")
    note.locator(".fe-up").click()  # Nhận xét before Số phiếu
    page.locator(".fe-row").nth(2).locator(".fe-remove").click()  # and Số phiếu goes
    page.wait_for_function("document.body.dataset.previewState === 'ok' && !!document.querySelector('#f-nhan_xet')")
    page.wait_for_function("!document.querySelector('#preview #f-so_phieu')")
    preview = drawn(page)
    assert preview == [("f-ket_luan", "select"), ("f-nhan_xet", "textarea")]  # over 200 characters: a textarea
    assert page.inner_text("#preview select#f-ket_luan").split("\n")[1:] == ["Đồng ý", "Không đồng ý"]
    assert "Tối đa 300 ký tự." in page.inner_text("#preview")
    shot("form-editor-preview")

    page.click("#fe-save")
    page.wait_for_selector("#fe-status[data-version='1']")
    assert page.inner_text("#fe-status") == f"Đã lưu {NAME} phiên bản 1."
    shot("form-editor-saved")

    # the diagram editor's properties panel offers the saved form; the step takes it; deploy
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    select_element(page, "review")
    page.select_option("#bio-properties-panel-af-form", NAME)
    page.wait_for_timeout(400)
    page.click("#deploy-button")
    page.wait_for_function("document.getElementById('status').dataset.version === '2'")

    engine.identity.ensure_user("desk", groups=["desk"], unit="so-noi-vu")
    instance = engine.runtime.start("user_task", business_key="HS-FORM-1", actor="desk")
    (task,) = [t for t in engine.tasks.for_instance(instance.id) if t.state == "ready"]
    assert task.form == NAME
    page.goto(f"/tasks/{task.id}")
    if page.locator("#claim").count():
        with page.expect_navigation():
            page.click("#claim")
    shot("form-on-task-page")
    on_task = page.eval_on_selector_all(f"#task-form {FIELDS}", "els => els.map(e => [e.id, e.tagName.toLowerCase()])")
    assert [tuple(pair) for pair in on_task] == preview, "the same fields, in the same order, as previewed"
    assert page.inner_text("#task-form select#f-ket_luan").split("\n")[1:] == ["Đồng ý", "Không đồng ý"]
    shot("form-on-task-page")

    page.select_option("#f-ket_luan", "khong_dong_y")
    page.fill("#f-nhan_xet", "Chưa đủ thành tích.")
    with page.expect_navigation():
        page.click("#complete")
    done = engine.tasks.for_instance(instance.id)[0]
    assert done.state == "completed"
    assert engine.runtime.get(instance.id).data["ket_luan"] == "khong_dong_y"
