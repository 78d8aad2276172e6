"""Issue #15's first done-when, in Chromium: a procedure built from nothing without a text editor. A form made in
the form editor, a decision table made from a blank in dmn-js, a document template's wording edited and previewed;
then a diagram drawn with the palette and the properties panel (a user task with that form, a boundary timer of
``working_days_after(2)``, a business-rule task picking the new table, an exclusive gateway on its output),
validated with a deliberate error shown on the element, fixed, deployed, started and completed in the browser by
a user of the task's group, and checked against the engine: the timer armed, the path taken by the table's
output."""

from __future__ import annotations

import json
from datetime import date, timedelta

from SpiffWorkflow.util.task import TaskState

from engine import Engine, clock
from engine.clock import VirtualClock
from engine.models import ProcessInstance
from handlers import document_templates as wording
from handlers.domain import Domain
from tests.browser import dossiers
from tests.browser.test_designer_documents import READ_FRAME
from tests.browser.test_designer_forms import add_field
from tests.browser.test_designer_workbench import (
    READY,
    boundary_timer,
    field,
    flow_between,
    new_diagram,
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


def pick(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    """Select an element and wait until the properties panel shows it (a name still being saved can redraw the
    panel for the element before)."""
    shown = "(id) => (document.querySelector('#bio-properties-panel-id') || {}).value === id"
    for _ in range(3):
        select_element(page, element_id)
        page.wait_for_timeout(200)
        if page.evaluate(shown, element_id):
            return
    raise AssertionError(f"the panel never showed {element_id}")


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
    assert page.url.endswith(f"/designer/quyet-dinh/{DECISION}.dmn/mo"), "a reload opens the deployed table"
    assert "chưa triển khai" not in page.inner_text("h1")
    page.goto("/thiet-ke/lich-su")
    assert f"{DECISION}.dmn" in page.inner_text("body"), "the new table is in the design history"


def edit_document(world: Domain, page, shot) -> None:  # type: ignore[no-untyped-def]
    """The document templates: the apology's wording changed, its PDF previewed with the sample dossier, published."""
    page.goto("/designer/documents")
    page.click("#documents tr[data-kind=apology] a")
    page.wait_for_selector("body[data-document-editor-ready=true][data-preview-state=ok]")
    changed = wording.shipped("apology").replace("thành thật xin lỗi", "chân thành xin lỗi")
    before = page.get_attribute("#de-frame", "src")
    page.fill("#de-body", changed)
    page.wait_for_function(
        "(before) => document.body.dataset.previewState === 'ok' && document.getElementById('de-frame').src !== before",
        arg=before,
    )
    said = " ".join(pdf_text(bytes(page.evaluate(READ_FRAME))).split())
    assert "chân thành xin lỗi" in said and "thành thật xin lỗi" not in said
    shot("from-nothing-04-document-preview")
    page.fill("#de-effective", "10/03/2026")
    page.click("#de-publish")
    page.wait_for_selector("body[data-published=true]")
    assert world.document_templates.in_force("apology", date(2026, 3, 10)).body == changed


def draw(page, shot) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The diagram, drawn from a blank with the palette, the context pad and the properties panel; its ids."""
    new_diagram(page, "khen_nhanh", "Khen thưởng nhanh")
    pad(page, "append.append-task")
    ids = {"score": replace(page, "replace-with-user-task")}
    type_into(page, "name", "Chấm điểm")
    type_into(page, "af-budget", "1WD")
    type_into(page, "af-candidate_groups", "appraiser")
    assert FORM in page.inner_text(field("af-form")), "the form saved in the form editor is offered"
    page.select_option(field("af-form"), FORM)
    page.wait_for_timeout(400)

    pad(page, "append.append-task")
    ids["rule"] = replace(page, "replace-with-rule-task")
    type_into(page, "name", "Xác định mức khen")
    offered = page.inner_text(field("af-decision"))
    assert f"Mức khen thưởng ({DECISION})" in offered, "the table deployed from the decision editor, by its name"
    page.select_option(field("af-decision"), DECISION)
    page.wait_for_timeout(400)
    pad(page, "append.gateway")
    ids["gateway"] = selected(page)
    for end, name in (("award", "Khen thưởng"), ("no_award", "Không khen")):
        pick(page, ids["gateway"])
        pad(page, "append.end-event")
        ids[end] = selected(page)
        type_into(page, "name", name)
    pick(page, flow_between(page, ids["gateway"], ids["award"]))
    type_into(page, "af-condition", 'muc == "khen"')
    page.wait_for_selector("#af-condition-verdict.ok")

    # the boundary timer on the scoring: working_days_after(2), to an end of its own
    ids["timer"] = boundary_timer(page, ids["score"], "working_days_after(2)")
    page.wait_for_selector("#af-timer-preview-due.ok")
    pad(page, "append.end-event")
    ids["late"] = selected(page)
    type_into(page, "name", "Quá hạn chấm điểm")
    page.wait_for_selector(f"#problem-list li[data-element={ids['timer']}]", state="detached")  # the live check
    shot("from-nothing-05-drawn")  # one flow of the gateway still has no condition: marked
    return ids


def check_with_a_deliberate_error(page, shot, ids: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """A condition written as an assignment: refused as typed and by "Kiểm tra", marked on its flow; then fixed."""
    flow = flow_between(page, ids["gateway"], ids["no_award"])
    pick(page, flow)
    type_into(page, "af-condition", 'muc = "khong"')
    page.wait_for_selector("#af-condition-verdict.bad")
    page.click("#validate-button")
    page.wait_for_function("document.getElementById('status').className !== ''")
    page.wait_for_selector(f"#canvas .djs-element.af-problem[data-element-id={flow}]")
    assert page.locator(f"#problem-list li[data-element={flow}]").count() == 1
    shot("from-nothing-06-deliberate-error")
    pick(page, flow)
    type_into(page, "af-condition", 'muc != "khen"')
    page.wait_for_selector("#af-condition-verdict.ok")
    page.wait_for_selector(f"#canvas .djs-element.af-problem[data-element-id={flow}]", state="detached")
    page.click("#validate-button")
    page.wait_for_function("document.getElementById('status').className === 'ok'")
    assert page.inner_text("#status").startswith("Hợp lệ"), page.inner_text("#status")


def test_a_procedure_from_nothing(
    world: Domain, engine: Engine, vclock: VirtualClock, sign_in, page, shot
) -> None:
    sign_in("thietke", ["designer"])
    make_form(page, shot)
    make_decision(page, shot)
    edit_document(world, page, shot)
    ids = draw(page, shot)
    check_with_a_deliberate_error(page, shot, ids)
    page.click("#deploy-button")
    page.wait_for_url("**/designer/khen_nhanh?version=1")
    page.wait_for_selector(READY)
    shot("from-nothing-07-deployed")

    instance = start(page, sign_in)
    (task,) = [t for t in engine.tasks.for_instance(instance) if t.state == "ready"]
    assert (task.element_id, task.form, task.candidate_groups) == (ids["score"], FORM, ["appraiser"])
    (armed,) = [t for t in engine.timers.pending(instance) if t.kind == "bpmn"]
    with engine.db.reading() as session:
        due = engine.sla.calendar_for(session).add(clock.now(), "2WD")
    assert (armed.element_id, armed.due_at) == (ids["timer"], due.astimezone(armed.due_at.tzinfo))

    complete(page, sign_in, shot, task.id)
    finished = engine.runtime.get(instance)
    assert finished.state == "completed" and finished.data["so_diem"] == 95 and finished.data["muc"] == "khen"
    walked = completed_elements(engine, instance)
    assert {ids["score"], ids["rule"], ids["gateway"], ids["award"]} <= walked
    assert not {ids["no_award"], ids["timer"]} & walked, "the table's output chose the path; the timer never fired"
    assert engine.timers.pending(instance) == [], "the boundary timer is gone with its task"

    # a second dossier nobody scores: two working days later the timer takes it to its own end
    late = engine.runtime.start("khen_nhanh", business_key="HS-KHEN-2", actor="motcua").id
    vclock.advance(armed.due_at - clock.now() + timedelta(minutes=1))
    engine.timers.fire_due()
    assert engine.runtime.get(late).state == "completed"
    assert {ids["timer"], ids["late"]} <= completed_elements(engine, late)
    assert ids["score"] not in completed_elements(engine, late), "the scoring was cut short by the timer"


def start(page, sign_in) -> int:  # type: ignore[no-untyped-def]
    """The desk starts the procedure over the instances API from its browser session (no page starts an arbitrary
    process); the new instance's id."""
    page.context.clear_cookies()
    sign_in("motcua", ["desk"])
    started = page.evaluate(
        """async () => {
          const token = (await (await fetch('/api/auth/csrf')).json()).csrf_token;
          const answer = await fetch('/api/instances', {method: 'POST', headers:
            {'Content-Type': 'application/json', 'X-CSRF-Token': token},
            body: JSON.stringify({key: 'khen_nhanh', business_key: 'HS-KHEN-1'})});
          return [answer.status, await answer.json()];
        }"""
    )
    assert started[0] == 201, started
    return int(started[1]["id"])


def complete(page, sign_in, shot, task_id: int) -> None:  # type: ignore[no-untyped-def]
    """An appraiser takes the scoring on its task page, which shows exactly the form made in the editor."""
    page.context.clear_cookies()
    sign_in("thamdinh", ["appraiser"])
    page.goto(f"/tasks/{task_id}")
    if page.locator("#claim").count():
        with page.expect_navigation():
            page.click("#claim")
    shown = page.eval_on_selector_all("#task-form [id^=f-]", "els => els.map(e => [e.id, e.tagName.toLowerCase()])")
    assert shown == [["f-so_diem", "input"]], shown
    assert "Số điểm" in page.inner_text("#task-form")
    page.fill("#f-so_diem", "95")
    shot("from-nothing-08-task-page")
    with page.expect_navigation():
        page.click("#complete")
    shot("from-nothing-09-completed")


def completed_elements(engine: Engine, instance_id: int) -> set[str]:
    """The elements the instance went through, read from its stored workflow."""
    with engine.db.reading() as session:
        text = session.get(ProcessInstance, instance_id).workflow  # type: ignore[union-attr]
    tasks = json.loads(text)["tasks"].values()
    return {t["task_spec"] for t in tasks if t["state"] == TaskState.COMPLETED}
