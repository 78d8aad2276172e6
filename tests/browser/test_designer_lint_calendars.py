"""In Chromium: the deploy check's problems in Vietnamese on the canvas (the element outlined), the lint rules
as the diagram is drawn (Vietnamese overlays), the path walk's toggle; named calendars on /admin/calendar."""

from __future__ import annotations

from pathlib import Path

from engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
READY = "body[data-designer-ready=true]"


def deploy(engine: Engine, *names: str) -> None:
    engine.repository.deploy({name: (FIXTURES / name).read_bytes() for name in names}, actor="admin")


def lint_messages(page, element_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The linter's messages on one element's overlay (shown on hover; in the page either way)."""
    selector = f".djs-overlays[data-container-id='{element_id}'] .bjsl-current-element-issues .message"
    page.wait_for_selector(selector, state="attached")
    found: list[str] = page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent.trim())")
    return found


def test_server_problems_show_in_vietnamese_on_their_element(engine: Engine, sign_in, page, shot) -> None:
    deploy(engine, "user_task.bpmn", "review.schema.json")
    sign_in("thietke", ["designer"])
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    page.evaluate(  # a budget the SLA cannot read, as a designer might type it
        """() => {
            const m = window.awardflowModeler;
            const review = m.get('elementRegistry').get('review');
            const budget = review.businessObject.extensionElements.values[0].properties.find(p => p.name === 'budget');
            m.get('modeling').updateModdleProperties(review, budget, { value: '2 ngày' });
        }"""
    )
    page.click("#validate-button")
    problem = page.locator("#problem-list li[data-element=review] .problem-text")
    problem.wait_for()
    assert problem.inner_text() == (
        "Thời hạn «2 ngày» của «Review dossier» phải tính bằng ngày hoặc giờ làm việc, ví dụ 0.5WD hoặc 4WH."
    )
    assert page.inner_text("#problem-list li[data-element=review] code") == "Review dossier", "named, not coded"
    assert page.locator("#canvas .djs-element.af-problem[data-element-id=review]").count() == 1, "outlined"
    shot("designer-problem-vietnamese")


def test_lint_rules_mark_the_canvas_in_vietnamese_as_you_draw(engine: Engine, sign_in, page, shot) -> None:
    deploy(engine, "exclusive_gateway.bpmn")
    sign_in("thietke", ["designer"])
    page.goto("/designer/exclusive_gateway")
    page.wait_for_selector(READY)
    assert lint_messages(page, "decide") == [
        "Bước người xử lý chưa thuộc làn nào và chưa có nhóm xử lý: việc sẽ giao cho người khởi động hồ sơ"
    ]
    assert "Cổng rẽ nhánh có nhiều luồng ra nhưng chưa có luồng mặc định" not in page.content()
    page.evaluate(
        """() => {
            const m = window.awardflowModeler;
            m.get('modeling').updateProperties(m.get('elementRegistry').get('approved_gateway'), { default: null });
        }"""
    )
    assert "Cổng rẽ nhánh có nhiều luồng ra nhưng chưa có luồng mặc định" in lint_messages(page, "approved_gateway")
    page.hover(".djs-overlays[data-container-id='approved_gateway'] .bjsl-overlay")
    shot("designer-lint-vietnamese")
    walk = page.locator("#simulate-button")
    assert walk.inner_text() == "Mô phỏng đường đi" and walk.get_attribute("aria-pressed") == "false"
    walk.click()
    page.wait_for_selector("#canvas .simulation, #canvas.simulation", state="attached")
    assert walk.get_attribute("aria-pressed") == "true"
    shot("designer-token-simulation")
    walk.click()
    assert walk.get_attribute("aria-pressed") == "false"


def test_a_timer_with_working_time_helpers_is_checked_as_you_draw(engine: Engine, sign_in, page) -> None:
    deploy(engine, "timer_catch.bpmn")
    sign_in("thietke", ["designer"])
    page.goto("/designer/timer_catch")
    page.wait_for_selector(READY)

    def set_timer(kind: str, body: str) -> None:
        page.evaluate(
            """([kind, body]) => {
                const m = window.awardflowModeler, moddle = m.get('moddle');
                const event = m.get('elementRegistry').get('wait_30m');
                const definition = event.businessObject.eventDefinitions[0];
                const expression = moddle.create('bpmn:FormalExpression', { body });
                m.get('modeling').updateModdleProperties(event, definition,
                    { timeDuration: undefined, timeDate: undefined, timeCycle: undefined, [kind]: expression });
            }""",
            [kind, body],
        )
        page.wait_for_timeout(300)

    set_timer("timeDuration", "working_days_after(2)")
    assert lint_messages(page, "wait_30m") == [
        "Hàm thời gian làm việc cho ra một thời điểm: hãy chọn loại hẹn giờ «Thời điểm»"
    ]
    set_timer("timeDate", 'working_days_after("2WD")')
    assert lint_messages(page, "wait_30m") == ["working_days_after cần số ngày làm việc, ví dụ working_days_after(2)"]
    set_timer("timeDate", 'working_time_after("4 giờ")')
    assert lint_messages(page, "wait_30m") == ['working_time_after cần thời gian làm việc như "4WH" hoặc "0.5WD"']
    set_timer("timeDate", '"2WD"')
    assert lint_messages(page, "wait_30m") == [
        'Thời gian làm việc không phải giá trị hẹn giờ: hãy viết working_time_after("2WD")'
    ]
    set_timer("timeDate", 'working_time_after("0.5WD")')
    page.wait_for_selector(".djs-overlays[data-container-id='wait_30m'] .bjsl-overlay", state="detached")


def test_named_calendars_in_the_browser(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    page.goto("/admin/calendar")
    page.fill("#form-new input[name=new_name]", "Lịch Sở Nội vụ")
    page.fill("#form-new input[name=description]", "Ngày truyền thống của Sở")
    page.check("#form-new input[name=units][value=so-noi-vu]")
    page.click("#form-new button[type=submit]")
    page.wait_for_selector("#form-units")
    page.fill("#form-holiday input[name=day]", "15/07/2026")
    page.fill("#form-holiday input[name=name]", "Ngày truyền thống")
    page.fill("#form-holiday input[name=source]", "QĐ 12/QĐ-SNV")
    page.click("#form-holiday button[type=submit]")
    page.wait_for_selector("tr.admin[data-day='2026-07-15']")
    assert page.locator("tr.package.off[data-day='2026-09-02']").count() == 1, "the national day is kept"
    assert page.locator("tr.package.work[data-day='2026-08-22']").count() == 1, "the swapped Saturday is worked"
    row = page.inner_text("#calendars tr[data-calendar='Lịch Sở Nội vụ']")
    assert "Sở Nội vụ" in row and "so-noi-vu" not in row
    shot("calendar-named")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#form-restore button[type=submit]")
    page.wait_for_selector("tr.admin[data-day='2026-07-15']", state="detached")
    assert engine.calendar.calendar("Lịch Sở Nội vụ").revision == 2
