"""In Chromium: the decision editor (dmn-js) and the path walk (bpmn-js-token-simulation) speak Vietnamese. Each
test reads what a designer sees — the visible text, the tooltips and the menus once opened — and fails on any of
the libraries' English words the translations replace."""

from __future__ import annotations

import re
from pathlib import Path

from engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
READY = "body[data-designer-ready=true]"
#: the start event of exclusive_gateway.bpmn
START = "start_event"

#: dmn-js's English that the decision editor replaces (heads, hit policy, types, menus, popups)
DMN_ENGLISH = (
    "Hit policy", "When", "Then", "And", "Annotations", "Add rule", "Unique", "First", "Priority", "Collect",
    "Rule order", "Output order", "No overlap is possible", "Rules may overlap", "string", "number", "boolean",
    "Input", "Output", "Add input column left", "Add input column right", "Remove input column", "Copy input column",
    "Add rule above", "Add rule below", "Remove rule", "Copy rule", "Cut rule", "Paste rule above",
    "Add output column left", "Remove output column", "Input label", "Input expression", "Input values",
    "Input type", "Output name", "Output label", "Output values", "Output type", "Edit string", "Match one",
    "Set value", "Strings must be in double quotes", "View DRD", "Add cell description", "Expression language",
    "Predefined values", "Custom values", "Edit number", "Comparison", "Range", "Equals", "Yes", "No",
)  # fmt: skip
#: bpmn-js-token-simulation's English that the path walk replaces
SIMULATION_ENGLISH = (
    "Token Simulation", "Simulation Log", "No Entries", "Reset Simulation", "Play/Pause Simulation",
    "Toggle Simulation Log", "Trigger Event", "Set Sequence Flow", "started", "Finished", "pause point",
    "Set animation speed", "Pause Simulation", "Play Simulation", "Focus process instance", "Close",
    "Start Event", "End Event", "Exclusive Gateway", "User Task",
)  # fmt: skip

#: every text node and tooltip under a selector, as one string per piece
SEEN = """root => {
    const found = [];
    for (const el of [root, ...root.querySelectorAll('*')]) {
        for (const name of ['title', 'aria-label', 'placeholder']) {
            if (el.getAttribute(name)) found.push(el.getAttribute(name));
        }
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { if (walker.currentNode.nodeValue.trim()) found.push(walker.currentNode.nodeValue); }
    return found;
}"""


def english_in(texts: list[str], words: tuple[str, ...]) -> list[str]:
    """The replaced English words found, each as a whole word (case-sensitive), with where it was seen."""
    return [
        f"{word!r} in {text!r}"
        for text in texts
        for word in words
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    ]


def test_the_decision_editor_shows_no_replaced_english(engine: Engine, sign_in, page, shot) -> None:
    files = ("business_rule.bpmn", "discount.dmn", "review.schema.json")
    engine.repository.deploy({n: (FIXTURES / n).read_bytes() for n in files}, actor="admin", name="giảm giá")
    sign_in("thietke", ["designer"])
    page.goto("/designer/quyet-dinh/discount.dmn/mo")
    page.wait_for_selector("#decision-editor[data-ready='1']")
    seen = page.eval_on_selector("#dmn-canvas", SEEN)
    assert "Chính sách khớp:" in seen and "Khi" in seen and "Thì" in seen
    page.click("td[data-row-id=Rule_large][data-col-id=Output_discount]", button="right")  # the rule's menu
    page.wait_for_selector(".context-menu")
    seen += page.eval_on_selector(".context-menu", SEEN)
    assert "Thêm quy tắc phía trên" in seen
    shot("vietnamese-01-dmn-rule-menu")
    page.keyboard.press("Escape")
    page.dblclick("th.input-cell")  # the input column's popup: expression, type, predefined values
    page.wait_for_selector(".context-menu")
    seen += page.eval_on_selector(".context-menu", SEEN)
    page.keyboard.press("Escape")
    page.click(".hit-policy .dms-input-select")  # the hit policy's list
    page.wait_for_selector(".dms-select-options")
    seen += page.eval_on_selector_all(".dms-select-options", f"nodes => nodes.flatMap(n => ({SEEN})(n))")
    shot("vietnamese-02-dmn-hit-policy")
    assert english_in(seen, DMN_ENGLISH) == []


def test_the_path_walk_shows_no_replaced_english(engine: Engine, sign_in, page, shot) -> None:
    engine.repository.deploy(
        {"exclusive_gateway.bpmn": (FIXTURES / "exclusive_gateway.bpmn").read_bytes()}, actor="admin"
    )
    sign_in("thietke", ["designer"])
    page.goto("/designer/exclusive_gateway")
    page.wait_for_selector(READY)
    page.click("#simulate-button")
    page.wait_for_selector("#canvas .bts-toggle-mode.active, #canvas .simulation", state="attached")
    page.click("#canvas .bts-palette .bts-entry >> nth=-1")  # open the log
    page.wait_for_selector("#canvas .bts-log:not(.hidden)")
    trigger = "#canvas .djs-overlays[data-container-id='{}'] .bts-context-pad[title='Kích hoạt sự kiện']"
    page.click(trigger.format(START))  # a token from the start event
    page.wait_for_selector("#canvas .bts-log .bts-entry:not(.placeholder)")
    page.locator("#canvas .bts-context-pad[title='Chọn luồng đi tiếp']").first.wait_for(state="attached")
    seen = page.eval_on_selector_all("#canvas [class*=bts-]", f"nodes => nodes.flatMap(n => ({SEEN})(n))")
    assert "Mô phỏng đường đi" in " ".join(seen)
    assert any("bắt đầu" in text for text in seen), seen  # the log: "Quy trình bắt đầu"
    shot("vietnamese-03-token-simulation")
    assert english_in(seen, SIMULATION_ENGLISH) == []
