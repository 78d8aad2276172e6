"""The designer's workbench in Chromium: a procedure built from a blank diagram with the palette, the context
pad and the properties panel only (no XML, no text editor), checked as it is drawn, deployed, run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from engine import Engine, clock

READY = "body[data-designer-ready=true]"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def selected(page) -> str:  # type: ignore[no-untyped-def]
    found: str = page.evaluate("window.awardflowModeler.get('selection').get().map(e => e.id)[0]")
    return found


def pad(page, action: str) -> None:  # type: ignore[no-untyped-def]
    """Click one entry of the context pad of the selected element."""
    page.click(f".djs-context-pad .entry[data-action='{action}']")


def replace(page, option: str) -> str:  # type: ignore[no-untyped-def]
    """Change the selected element's type through the wrench menu; the new element's id."""
    pad(page, "replace")
    page.click(f".djs-popup .entry[data-id='{option}']")
    return selected(page)


def field(entry: str) -> str:
    return f"#bio-properties-panel-{entry}"


def type_into(page, entry: str, text: str, delay: float = 0) -> None:  # type: ignore[no-untyped-def]
    """Type into a properties-panel entry as a person does (the panel saves after a short pause)."""
    page.fill(field(entry), "")
    page.type(field(entry), text, delay=delay)
    page.wait_for_timeout(400)


def select_element(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(
        "(id) => { const m = window.awardflowModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )


def flow_between(page, source: str, target: str) -> str:  # type: ignore[no-untyped-def]
    found: str = page.evaluate(
        """([s, t]) => window.awardflowModeler.get('elementRegistry')
            .find(e => e.type === 'bpmn:SequenceFlow' && e.source.id === s && e.target.id === t).id""",
        [source, target],
    )
    return found


def new_diagram(page, key: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """A new process from a blank diagram, its start event selected."""
    page.goto("/designer")
    page.fill("#new-key", key)
    page.fill("#new-name", name)
    page.click("#new-form button[type=submit]")
    page.wait_for_selector(READY)
    page.click("#canvas .djs-element[data-element-id=start_event]")


def boundary_timer(page, task: str, expression: str) -> str:  # type: ignore[no-untyped-def]
    """A timer dropped from the palette on the lower edge of ``task``, due at ``expression``; its id."""
    box = page.locator(f"#canvas .djs-element[data-element-id={task}]").bounding_box()
    page.click(".djs-palette .entry[data-action='create.intermediate-event']")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    event = selected(page)
    assert page.evaluate(f"window.awardflowModeler.get('elementRegistry').get('{event}').type") == "bpmn:BoundaryEvent"
    timer = replace(page, "replace-with-timer-boundary")
    page.select_option(field("timerEventDefinitionType"), "timeDate")
    type_into(page, "timerEventDefinitionValue", expression)
    return timer


def test_build_a_procedure_from_a_blank_diagram(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    new_diagram(page, "duyet_nhanh", "Duyệt nhanh")

    # start → script task, with a deliberate error first
    pad(page, "append.append-task")
    script = replace(page, "replace-with-script-task")
    type_into(page, "name", "Tính số ngày")
    type_into(page, "af-script", "import os")
    page.wait_for_selector("#af-script-verdict.bad")
    assert "import" in page.inner_text("#af-script-verdict")
    page.wait_for_selector(f"#canvas .djs-element.af-problem[data-element-id={script}]")
    shot("workbench-script-error")
    type_into(page, "af-script", "so_ngay = 2", delay=450)  # typed slower than the panel saves, as people do
    page.wait_for_selector("#af-script-verdict.ok")
    assert page.input_value(field("af-script")) == "so_ngay = 2"
    page.wait_for_selector(f"#canvas .djs-element.af-problem[data-element-id={script}]", state="detached")

    # script → gateway → user task (condition) / end (condition)
    pad(page, "append.gateway")
    gateway = selected(page)
    pad(page, "append.append-task")
    review = replace(page, "replace-with-user-task")
    type_into(page, "name", "Duyệt hồ sơ")
    type_into(page, "af-budget", "1WD")
    type_into(page, "af-candidate_groups", "appraiser")
    select_element(page, review)
    pad(page, "append.end-event")
    select_element(page, gateway)
    pad(page, "append.end-event")
    skipped = selected(page)
    select_element(page, flow_between(page, gateway, review))
    type_into(page, "af-condition", "so_ngay > 1")
    page.wait_for_selector("#af-condition-verdict.ok")
    select_element(page, flow_between(page, gateway, skipped))
    type_into(page, "af-condition", "so_ngay <= 1")
    page.wait_for_selector("#af-condition-verdict.ok")
    page.wait_for_function("document.getElementById('problems').hidden")  # the live check finds nothing left
    shot("workbench-condition")

    # a boundary timer on the review: working_days_after(2), with the due time shown for an example start
    timer = boundary_timer(page, review, "working_days_after(2)")
    example = datetime.fromisoformat(page.input_value("#af-timer-preview-start")).replace(tzinfo=VN)
    with engine.db.reading() as session:
        expected = engine.sla.calendar_for(session).add(example, "2WD").astimezone(VN)
    page.wait_for_selector("#af-timer-preview-due.ok")
    assert page.inner_text("#af-timer-preview-due") == f"Đến hạn lúc: {expected:%d/%m/%Y %H:%M}"
    shot("workbench-timer")
    pad(page, "append.end-event")
    type_into(page, "name", "Quá hạn")
    page.wait_for_function("document.getElementById('problems').hidden")

    # validate, deploy: the new process's first version opens
    page.click("#validate-button")
    page.wait_for_function("document.getElementById('status').className === 'ok'")
    assert page.inner_text("#status").startswith("Hợp lệ"), page.inner_text("#status")
    page.click("#deploy-button")
    page.wait_for_url("**/designer/duyet_nhanh?version=1")
    page.wait_for_selector(READY)
    shot("workbench-deployed")

    # run it: the script, the condition and the timer work as drawn; the review completes the process
    instance = engine.runtime.start("duyet_nhanh", business_key="HS-WB-1", actor="admin")
    (task,) = [t for t in engine.tasks.for_instance(instance.id) if t.state == "ready"]
    assert (task.element_id, task.name, task.budget) == (review, "Duyệt hồ sơ", "1WD")
    (armed,) = [t for t in engine.timers.pending(instance.id) if t.kind == "bpmn"]
    started = clock.now()
    with engine.db.reading() as session:
        due = engine.sla.calendar_for(session).add(started, "2WD")
    assert (armed.element_id, armed.due_at) == (timer, due.astimezone(armed.due_at.tzinfo))
    engine.tasks.complete(task.id, "admin", {})
    assert engine.runtime.get(instance.id).state == "completed"
    page.goto("/designer")
    assert page.inner_text("#process-duyet_nhanh tr[data-version='1'] .finished") == "1"


def test_the_difference_between_two_versions_is_marked(engine: Engine, sign_in, page, shot) -> None:
    """bpmn-js-differ on two deployed versions: the renamed step is changed, the new step added, the dropped one
    removed, on the diagrams and in the list."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
    first = (fixtures / "call_child.bpmn").read_text()
    engine.repository.deploy({"call_child.bpmn": first.encode()}, actor="admin")
    second = first.replace('name="Child task"', 'name="Việc con đã đổi tên"').replace(
        'id="mark_child" name="Mark from child"', 'id="mark_again" name="Đánh dấu lại"'
    )
    second = second.replace('"mark_child"', '"mark_again"').replace("mark_child_di", "mark_again_di")
    second = second.replace("Flow_child_task_to_mark_child", "Flow_child_task_to_mark_again")
    second = second.replace("Flow_mark_child_to_end_event", "Flow_mark_again_to_end_event")
    engine.repository.deploy({"call_child.bpmn": second.encode()}, actor="admin")
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("#process-call_child tr[data-version='2'] >> text=So với bản trước")
    page.wait_for_selector("body[data-diff-ready=true]")
    kinds = {
        row.get_attribute("data-element"): row.get_attribute("class")
        for row in page.query_selector_all("#diff-table tbody tr")
    }
    assert kinds["child_task"] == "changed" and kinds["mark_again"] == "added" and kinds["mark_child"] == "removed"
    assert 'name: "Child task" → "Việc con đã đổi tên"' in page.inner_text("#diff-table tr[data-element=child_task]")
    assert page.locator("#new-canvas .djs-element.diff-added[data-element-id=mark_again]").count() == 1
    assert page.locator("#old-canvas .djs-element.diff-removed[data-element-id=mark_child]").count() == 1
    assert page.locator("#new-canvas .djs-element.diff-changed[data-element-id=child_task]").count() == 1
    shot("designer-diff")


def test_service_tasks_and_call_activities_pick_from_what_is_registered(engine: Engine, sign_in, page, shot) -> None:
    """On the shipped procedure: a service task's handler and its documented parameters, a call activity's target
    from the deployed processes; a changed parameter is what the deployed version holds."""
    processes = Path(__file__).resolve().parents[2] / "processes"
    shipped = {p.name: p.read_bytes() for p in processes.rglob("*") if p.suffix in (".bpmn", ".dmn", ".json")}
    engine.repository.deploy(shipped, actor="admin")
    sign_in("thietke", ["designer"])
    page.goto("/designer/intake")
    page.wait_for_selector(READY)
    select_element(page, "start_clock")
    assert page.input_value(field("af-operator")) == "sla.start_clock"
    assert page.input_value(field("af-param-limit")) == 'dossier["limit"]'
    assert "sla.finish" in page.inner_text(field("af-operator")), "every registered handler is offered"
    type_into(page, "af-param-limit", '"20WD"')
    shot("workbench-service-task")
    page.click("#deploy-button")
    page.wait_for_function("document.getElementById('status').dataset.version === '2'")
    stored = etree.fromstring(engine.repository.xml("intake", 2).encode())
    (limit,) = stored.xpath("//*[@id='start_clock']//*[local-name()='parameter'][@id='limit']")
    assert limit.get("value") == '"20WD"'
    page.goto("/designer/award_dossier")
    page.wait_for_selector(READY)
    select_element(page, "call_appraisal")
    assert page.input_value(field("af-called")) == "appraisal"
    options = page.inner_text(field("af-called"))
    assert "intake" in options and "award_dossier" not in options, "the deployed processes, not itself"
    shot("workbench-call-activity")
