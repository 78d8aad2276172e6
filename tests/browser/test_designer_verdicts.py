"""In Chromium: the properties panel says in Vietnamese why a script or a timer is refused, and its header and
labels are Vietnamese for every element type a collaboration diagram can hold (pools, lanes, annotations,
data, message flows, the kinds of events)."""

from __future__ import annotations

import re

from engine import Engine
from tests.browser.test_designer_workbench import (
    boundary_timer,
    field,
    new_diagram,
    pad,
    replace,
    select_element,
    type_into,
)

#: the engine's English a verdict must not show on a Vietnamese page
VERDICT_ENGLISH = re.compile(r"\b(script|refused|import statements|allowed|line|not|is|name|defined|helper)\b")
#: bpmn-js-properties-panel's English (its header's type labels, groups and labels) the translations replace
PANEL_ENGLISH = re.compile(
    r"\b(Collaboration|Participant|Event|Task|Gateway|Flow|Annotation|Association|Group|Data|Reference|Lane|"
    r"Process|General|Name|Documentation|Executable|Error|Escalation|Signal|Terminate|Link|Message|Timer|Select|"
    r"Catch|Throw|Start|End|Boundary|Store|Object)\b"
)

#: the start event's process becomes a pool; beside it a second (collapsed) pool, a lane, an annotation, data,
#: a group and events of several kinds, so that the walk meets each header the panel can show
BUILD = """() => {
    const m = window.awardflowModeler;
    const modeling = m.get('modeling'), factory = m.get('elementFactory'), canvas = m.get('canvas');
    const start = m.get('elementRegistry').get('start_event');
    const pool = modeling.createShape({ type: 'bpmn:Participant' }, { x: 500, y: 200 }, canvas.getRootElement());
    const root = canvas.getRootElement();
    modeling.addLane(pool, 'bottom');
    const other = modeling.createShape(
        factory.createParticipantShape({ type: 'bpmn:Participant', isExpanded: false }), { x: 500, y: 560 }, root);
    const at = (attrs, x, y) => modeling.createShape(factory.createShape(attrs), { x, y }, pool);
    const task = at({ type: 'bpmn:Task' }, pool.x + 260, pool.y + 60);
    modeling.connect(start, task);
    modeling.connect(task, other);
    at({ type: 'bpmn:TextAnnotation' }, pool.x + 420, pool.y + 40);
    at({ type: 'bpmn:DataObjectReference' }, pool.x + 520, pool.y + 60);
    at({ type: 'bpmn:DataStoreReference' }, pool.x + 600, pool.y + 60);
    const event = (type, kind, x) => at({ type, eventDefinitionType: `bpmn:${kind}EventDefinition` }, x, pool.y + 200);
    for (const [i, kind] of ['Error', 'Escalation', 'Signal', 'Terminate', 'Message'].entries()) {
        event('bpmn:EndEvent', kind, pool.x + 120 + 70 * i);
    }
    event('bpmn:IntermediateCatchEvent', 'Link', pool.x + 520);
    event('bpmn:IntermediateThrowEvent', 'Link', pool.x + 590);
    at({ type: 'bpmn:ComplexGateway' }, pool.x + 660, pool.y + 200);
    return m.get('elementRegistry').filter(e => e.type !== 'label').map(e => e.id);
}"""
#: what the panel shows: its header's type, its groups' titles and its entries' labels
PANEL_TEXT = """() => [...document.querySelectorAll(
    '#panel .bio-properties-panel-header-type, #panel .bio-properties-panel-group-header-title, '
    + '#panel .bio-properties-panel-label, #panel .bio-properties-panel-placeholder-text'
)].map(e => e.textContent.trim()).filter(Boolean)"""


def test_a_refused_script_and_a_bad_timer_are_said_in_vietnamese(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    new_diagram(page, "loi_kich_ban", "Lỗi kịch bản")
    pad(page, "append.append-task")
    script = replace(page, "replace-with-script-task")
    type_into(page, "af-script", "import os")
    page.wait_for_selector("#af-script-verdict.bad")
    said = page.inner_text("#af-script-verdict .af-verdict-text")
    assert said == "Không chạy được: Không được dùng lệnh import (dòng 1); các hàm được phép đã có sẵn.", said
    type_into(page, "af-script", "x = a.__class__")
    page.wait_for_function("document.querySelector('#af-script-verdict').textContent.includes('__class__')")
    said = page.inner_text("#af-script-verdict .af-verdict-text")
    assert "Không được truy cập thuộc tính __class__" in said and not VERDICT_ENGLISH.search(said), said
    shot("verdict-script-refused")
    page.fill(field("af-script"), f"x = '{'a' * 100_000}'")  # 100,006 characters pasted: past what the check takes
    page.wait_for_function("document.querySelector('#af-script-verdict').textContent.includes('Dài quá')")
    said = page.inner_text("#af-script-verdict .af-verdict-text")
    assert said == "Không chạy được: Dài quá 100.000 ký tự; hãy tách thành bảng quyết định hoặc bước dịch vụ.", said
    shot("verdict-script-too-long")

    boundary_timer(page, script, "working_hours_after(2)")
    page.wait_for_selector("#af-timer-preview-due.bad")
    said = page.inner_text("#af-timer-preview-due .af-verdict-text")
    assert said.startswith("Không tính được: Không có hàm hay biến nào tên working_hours_after"), said
    assert not VERDICT_ENGLISH.search(said), said
    type_into(page, "timerEventDefinitionValue", "'mai'")
    page.wait_for_function("document.querySelector('#af-timer-preview-due').textContent.includes('mai')")
    said = page.inner_text("#af-timer-preview-due .af-verdict-text")
    assert "Giá trị «mai» không phải thời điểm ISO 8601" in said and not VERDICT_ENGLISH.search(said), said
    page.click("#af-timer-preview-due summary")  # Python's own words, folded away under the sentence
    assert page.inner_text("#af-timer-preview-due summary") == "Chi tiết kỹ thuật"
    shot("verdict-timer-refused")


def test_the_panel_header_is_vietnamese_for_a_collaboration_and_every_element(
    engine: Engine, sign_in, page, shot
) -> None:
    sign_in("thietke", ["designer"])
    new_diagram(page, "cong_tac", "Cộng tác")
    ids = page.evaluate(BUILD)
    page.evaluate("window.awardflowModeler.get('selection').select([])")
    page.wait_for_selector("#panel .bio-properties-panel-header-type")
    assert page.inner_text("#panel .bio-properties-panel-header-type") == "SƠ ĐỒ CỘNG TÁC"
    shot("verdict-collaboration-header")
    seen: dict[str, list[str]] = {}
    for element in ids:
        select_element(page, element)
        page.wait_for_timeout(50)
        seen[element] = page.evaluate(PANEL_TEXT)
    english = {element: [t for t in texts if PANEL_ENGLISH.search(t)] for element, texts in seen.items()}
    assert not {element: found for element, found in english.items() if found}, english
    headers = {texts[0] for texts in seen.values() if texts}
    assert {"Bên tham gia", "Làn", "Ghi chú", "Luồng thông điệp", "Kết thúc toàn bộ"} <= headers, headers
    page.evaluate("(ids) => window.awardflowModeler.get('selection').select(ids.map(id => "
                  "window.awardflowModeler.get('elementRegistry').get(id)))", ids[1:3])  # fmt: skip
    assert "Hãy chọn một phần tử" in page.inner_text("#panel")
    shot("verdict-walk")
