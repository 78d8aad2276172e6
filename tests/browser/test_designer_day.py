"""A designer's day in Chromium, with the wrong turns people take: every workbench page opened and photographed
(test-artifacts/screenshots/day-*.png), its visible text read for English, raw codes or JSON; then a diagram
whose form is missing, a key already taken, a calendar day in year 9999, a rule set dated before the one in
force, leaving the editor with changes not deployed, and a second designer deploying over the first. Each
answer is Vietnamese and says what to do; nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

from engine import Engine
from tests.browser import dossiers

#: the dossier world's fixtures (the shipped processes, rule sets and documents)
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

BPMN = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
READY = "body[data-designer-ready=true]"
#: Words of an English sentence, or raw JSON: none belongs on a Vietnamese page.
ENGLISH = re.compile(r"\b(the|is|not|must|cannot|invalid|error|failed|refused|already|missing)\b|\{\"", re.I)

PAGES = [
    ("list", "/designer"),
    ("editor", "/designer/appraisal"),
    ("diff", "/designer/appraisal/diff"),
    ("history", "/thiet-ke/lich-su"),
    ("rules", "/designer/quy-tac"),
    ("rules-new", "/designer/quy-tac/moi"),
    ("decisions", "/designer/quyet-dinh"),
    ("forms", "/designer/forms"),
    ("form-editor", "/designer/forms/appraise.schema.json"),
    ("documents", "/designer/documents"),
    ("document-editor", "/designer/documents/receipt"),
    ("calendars", "/admin/calendar"),
    ("simulation", "/designer/simulate"),
]


def main_text(page) -> str:  # type: ignore[no-untyped-def]
    """What a person reads in the page's main part (hidden elements and collapsed details excluded)."""
    found: str = page.inner_text("main")
    return found


def submitted(page, values: dict[str, str], button: str) -> str:  # type: ignore[no-untyped-def]
    """Fill the fields (selector -> text), press ``button``, and read the answer's main text."""
    for selector, text in values.items():
        page.fill(selector, text)
    page.click(button)
    return main_text(page)


def no_english(name: str, text: str) -> None:
    found = ENGLISH.search(text)
    assert found is None, (
        f"{name}: English or JSON on a Vietnamese page: …{text[max(0, found.start() - 80) : found.end() + 80]}…"
    )


def test_every_workbench_page_reads_in_vietnamese(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    for name, url in PAGES:
        answer = page.goto(url)
        assert answer is not None and answer.status == 200, (name, answer and answer.status)
        if name == "editor":
            page.wait_for_selector(READY, timeout=40_000)
        page.wait_for_load_state("networkidle")
        shot(f"day-{name}")
        no_english(name, main_text(page))


def test_wrong_turns_get_vietnamese_answers_and_store_nothing(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer", "admin"])
    versions = len(engine.repository.definitions())

    # a diagram whose form is not in the bundle and not deployed
    page.goto("/designer")
    xml = (BPMN / "user_task.bpmn").read_text().replace("review.schema.json", "khong_co.schema.json")
    page.set_input_files(
        "#upload-files", files=[{"name": "user_task.bpmn", "mimeType": "application/xml", "buffer": xml.encode()}]
    )
    page.click("#upload-form button[type=submit]")
    text = main_text(page)
    assert "Biểu mẫu «khong_co.schema.json»" in text and "chưa được triển khai" in text, text[:600]
    shot("day-wrong-missing-form")
    no_english("missing form", text)

    # a key already taken
    text = submitted(page, {"#new-key": "appraisal", "#new-name": "Thẩm định lại"}, "#new-form button[type=submit]")
    assert "đã có quy trình appraisal" in text and "hãy mở nó" in text, text[:400]
    shot("day-wrong-key-taken")

    # a calendar day in year 9999
    page.goto("/admin/calendar")
    form = page.locator("form[action$='/calendar/add/holiday']")
    form.locator("input[name=day]").fill("01/01/9999")
    form.locator("input[name=name]").fill("Nghỉ thử")
    form.locator("input[name=source]").fill("QĐ 1/UBND")
    form.locator("button[type=submit]").click()
    text = main_text(page)
    assert "Năm phải trong khoảng 1970–2200." in text, text[:600]
    shot("day-wrong-calendar-year")
    no_english("calendar", text)

    # a rule set dated before the one in force
    page.goto("/designer/quy-tac/moi")
    text = submitted(page, {"#f-version": "2019.01", "#f-effective_from": "01/01/2019"}, "#publish")
    assert "Chưa lưu được" in text and "Ngày hiệu lực" in text, text[:600]
    shot("day-wrong-rules-date")
    no_english("rules", text)
    assert len(engine.repository.definitions()) == versions


def test_leaving_unsaved_changes_asks_and_a_second_designer_is_told(
    engine: Engine, browser, server: str, sign_in, page, shot
) -> None:
    sign_in("thietke", ["designer"])
    page.goto("/designer/appraisal")
    page.wait_for_selector(READY, timeout=40_000)
    latest = engine.repository.latest("appraisal").version

    # a second designer opens the same version and deploys a change first
    other = browser.new_context(base_url=server, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
    engine.identity.ensure_user("thietke2", groups=["designer"], unit="so-noi-vu", password="mật-khẩu thử 2026")
    other.goto("/login")
    other.fill("input[name=username]", "thietke2")
    other.fill("input[name=password]", "mật-khẩu thử 2026")
    other.click("#login-form button[type=submit]")
    other.goto("/designer/appraisal")
    other.wait_for_selector(READY, timeout=40_000)
    rename = """(name) => {
        const m = window.awardflowModeler;
        const task = m.get('elementRegistry').filter((e) => e.type === 'bpmn:UserTask')[0];
        m.get('modeling').updateLabel(task, name);
    }"""
    other.evaluate(rename, "Thẩm định (bản của người thứ hai)")
    other.click("#deploy-button")
    other.wait_for_selector("#status.ok")
    assert engine.repository.latest("appraisal").version == latest + 1

    # the first designer's change, made from the version before, is refused with what to do
    page.evaluate(rename, "Thẩm định (bản của người thứ nhất)")
    assert page.locator("#dirty").is_visible()
    page.click("#deploy-button")
    page.wait_for_selector("#status.bad")
    said = page.inner_text("#status")
    assert f"Người khác vừa triển khai phiên bản {latest + 1}" in said and "xem khác biệt" in said, said
    shot("day-wrong-version-conflict")
    assert engine.repository.latest("appraisal").version == latest + 1

    # leaving with the change not deployed: the browser asks first
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.evaluate("window.location.assign('/designer')")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"], asked
    assert page.url.endswith("/designer/appraisal")
