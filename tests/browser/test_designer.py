"""The designer in Chromium: bpmn-js edits a step's budget, deploys version 2; validation points at elements."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lxml import etree

from engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
READY = "body[data-designer-ready=true]"
BUDGET = "#bio-properties-panel-af-budget"
FORM = "#bio-properties-panel-af-form"
PAGE = "#bio-properties-panel-af-page"


def deploy_user_task(engine: Engine) -> None:
    files = {name: (FIXTURES / name).read_bytes() for name in ("user_task.bpmn", "review.schema.json")}
    engine.repository.deploy(files, actor="admin")


def ready_task(engine: Engine, instance_id: int):  # type: ignore[no-untyped-def]
    (task,) = [t for t in engine.tasks.for_instance(instance_id) if t.state == "ready"]
    return task


def selected(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate("window.awardflowModeler.get('selection').get().map(e => e.id)")


def test_designer_changes_a_budget_and_deploys_version_2(engine: Engine, sign_in, page, shot) -> None:
    deploy_user_task(engine)
    first = engine.runtime.start("user_task", business_key="HS-001", actor="admin")
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    assert "User task in a lane" in page.inner_text("#processes")

    page.click("text=Soạn thảo phiên bản mới nhất")
    page.wait_for_selector(READY)
    assert page.locator("#canvas .djs-element[data-element-id=review]").count() == 1, "the diagram is drawn"
    page.click("#canvas .djs-element[data-element-id=review]")
    assert page.input_value(BUDGET) == "0.5WD"
    assert page.input_value(FORM) == "review.schema.json"
    assert page.input_value("#bio-properties-panel-name") == "Review dossier"
    page.fill(BUDGET, "một ngày")
    error = page.wait_for_selector("#panel .bio-properties-panel-error")  # a budget the SLA cannot read is refused
    assert "WD" in error.inner_text()
    page.fill(BUDGET, "1WD")
    page.wait_for_selector("#panel .bio-properties-panel-error", state="detached")
    page.wait_for_selector("#dirty:not([hidden])")
    shot("designer-editor")

    page.click("#deploy-button")
    page.wait_for_function("document.getElementById('status').dataset.version === '2'")
    assert page.inner_text("#status") == "Đã triển khai phiên bản 2."

    second = engine.runtime.start("user_task", business_key="HS-002", actor="admin")
    assert second.definition_version == 2
    task = ready_task(engine, second.id)
    assert task.budget == "1WD" and task.properties == {"form": "review.schema.json", "budget": "1WD"}
    assert engine.runtime.get(first.id).definition_version == 1
    assert ready_task(engine, first.id).budget == "0.5WD", "the older dossier keeps version 1"
    stored = etree.fromstring(engine.repository.xml("user_task", 2).encode())
    (review,) = stored.iter(f"{{{BPMN_NS}}}userTask")
    assert [p.get("value") for p in review.iter("{*}property") if p.get("name") == "budget"] == ["1WD"]
    assert page.input_value("#version-select") == "2"
    page.goto("/designer")
    assert page.inner_text("tr[data-version='2'] .running") == "1" == page.inner_text("tr[data-version='1'] .running")
    shot("designer-list")


def test_the_panel_offers_the_pages_a_step_may_be_done_on_and_deploys_the_choice(
    engine: Engine, sign_in, page, shot
) -> None:
    deploy_user_task(engine)
    sign_in("thietke", ["designer"])
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    page.click("#canvas .djs-element[data-element-id=review]")
    offered = page.locator(f"{PAGE} option").all_inner_texts()
    assert "Gửi đề nghị khen thưởng của cụm, khối" in offered, offered
    assert not [o for o in offered if "cluster." in o], "by their Vietnamese labels"
    page.select_option(PAGE, "cluster.proposal")
    page.wait_for_selector("#dirty:not([hidden])")
    shot("designer-task-page")
    page.click("#deploy-button")
    page.wait_for_function("document.getElementById('status').dataset.version === '2'")
    stored = etree.fromstring(engine.repository.xml("user_task", 2).encode())
    (review,) = stored.iter(f"{{{BPMN_NS}}}userTask")
    assert [p.get("value") for p in review.iter("{*}property") if p.get("name") == "page"] == ["cluster.proposal"]
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    page.click("#canvas .djs-element[data-element-id=review]")
    assert page.input_value(PAGE) == "cluster.proposal", "the deployed choice is shown again"


def test_validation_problems_select_their_element(engine: Engine, sign_in, page, shot) -> None:
    deploy_user_task(engine)
    sign_in("thietke", ["designer"])
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    page.click("#canvas .djs-element[data-element-id=review]")
    page.evaluate(  # a diagram naming a form that is not deployed (the panel offers only deployed ones)
        """() => {
            const m = window.awardflowModeler;
            const review = m.get('elementRegistry').get('review');
            const form = review.businessObject.extensionElements.values[0].properties.find(p => p.name === 'form');
            m.get('modeling').updateModdleProperties(review, form, { value: 'khong-co.schema.json' });
        }"""
    )
    page.fill("#bio-properties-panel-af-candidate_groups", "appraiser, division_head")
    page.click("#validate-button")
    problem = page.locator("#problem-list li[data-element=review]")
    problem.wait_for()
    assert "khong-co.schema.json" in problem.inner_text() and "1 lỗi" in page.inner_text("#status")
    assert page.locator("#canvas .djs-element.af-problem[data-element-id=review]").count() == 1
    page.keyboard.press("Escape")
    page.click("#canvas .djs-element[data-element-id=start_event]")
    assert selected(page) == ["start_event"]
    problem.click()
    assert selected(page) == ["review"], "clicking a problem selects its element"
    assert page.input_value(FORM) == "khong-co.schema.json", "a value not offered is still shown"
    page.click("#deploy-button")
    page.wait_for_function("document.getElementById('status').className === 'bad'")
    assert [d.version for d in engine.repository.definitions("user_task")] == [1], "refused: nothing deployed"


def test_the_editor_keeps_every_spiffworkflow_extension(engine: Engine, sign_in, page) -> None:
    """Every fixture and process diagram, imported into the editor and exported: the extensions and the
    multi-instance collection names are unchanged."""
    deploy_user_task(engine)
    sign_in("thietke", ["designer"])
    page.goto("/designer/user_task")
    page.wait_for_selector(READY)
    files = sorted(FIXTURES.glob("*.bpmn")) + sorted(PROCESSES.glob("*.bpmn"))
    # the editor opens drawn diagrams: a hand-written fixture without a layout (no BPMNDiagram) has nothing to show
    sources = {f.name: f.read_text() for f in files if "BPMNDiagram" in f.read_text()}
    assert len(sources) > 20, "the shipped processes and most fixtures are drawn"
    exported = page.evaluate(
        """async (sources) => {
            const descriptor = await (await fetch('/static/spiffworkflow-moddle.json')).json();
            const config = JSON.parse(document.getElementById('designer-data').textContent);
            const out = {};
            for (const [name, xml] of Object.entries(sources)) {
              const box = document.createElement('div');
              const panel = document.createElement('div');
              document.body.append(box, panel);
              const modeler = window.AwardflowEditor.createEditor({
                container: box, panel, moddle: descriptor, config,
              });
              await modeler.importXML(xml);
              out[name] = (await modeler.saveXML({ format: true })).xml;
              modeler.destroy();
              box.remove();
              panel.remove();
            }
            return out;
        }""",
        sources,
    )
    for name, source in sources.items():
        assert extensions(exported[name]) == extensions(source), name
        assert collections(exported[name]) == collections(source), f"{name}: multi-instance collections kept"
    assert any(collections(source) for source in sources.values()), "some diagram has a multi-instance collection"


def collections(xml: str) -> dict[str, str | None]:
    """The multi-instance collection names (SpiffWorkflow reads them as variable names), by tag and owner."""
    return {
        f"{ref.getparent().getparent().get('id')}/{etree.QName(ref).localname}": (ref.text or "").strip()
        for ref in etree.fromstring(xml.encode()).iter(
            f"{{{BPMN_NS}}}loopDataInputRef", f"{{{BPMN_NS}}}loopDataOutputRef"
        )
    }


def extensions(xml: str) -> dict[str, str]:
    """Each element's extensionElements, canonical and without layout whitespace."""
    found = {}
    for ext in etree.fromstring(xml.encode()).iter(f"{{{BPMN_NS}}}extensionElements"):
        for node in ext.iter():
            node.text = node.text if node.text and node.text.strip() else None
            node.tail = None
        found[ext.getparent().get("id")] = etree.tostring(ext, method="c14n").decode()
    return found


def test_migrate_an_older_dossier_in_the_browser(engine: Engine, sign_in, page, shot) -> None:
    deploy_user_task(engine)
    older = engine.runtime.start("user_task", business_key="HS-001", actor="admin")
    xml = (FIXTURES / "user_task.bpmn").read_text().replace('value="0.5WD"', 'value="2WD"')
    engine.repository.deploy({"user_task.bpmn": xml.encode()}, actor="admin")
    sign_in("thietke", ["designer"], unit=None)
    page.goto("/designer")
    page.click("tr[data-version='2'] >> text=Chuyển hồ sơ sang đây")
    page.check(f"#instance-{older.id}")
    page.click("#migrate-form button[type=submit]")
    outcome = page.locator(f"tr.outcome.ok[data-instance='{older.id}']")
    assert "Đã chuyển từ phiên bản 1 sang 2." in outcome.inner_text()
    assert engine.runtime.get(older.id).definition_version == 2
    shot("designer-migrate")


def test_calendar_admin_page(engine: Engine, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    engine.calendar.add_swap(date(2026, 1, 2), date(2026, 1, 10), "TB 123/TB-VPCP", "thietke")
    page.goto("/admin/calendar")
    page.fill("#form-holiday input[name=day]", "15/06/2026")
    page.fill("#form-holiday input[name=name]", "Nghỉ đột xuất")
    page.click("#form-holiday button[type=submit]")
    assert "Bắt buộc." in page.inner_text("#form-holiday"), "the missing source is flagged next to its field"
    page.fill("#form-holiday input[name=source]", "QĐ 9/UBND")
    page.click("#form-holiday button[type=submit]")
    page.wait_for_selector("tr[data-day='2026-06-15']")
    assert json.dumps(page.inner_text("tr[data-day='2026-06-15']"), ensure_ascii=False).count("QĐ 9/UBND") == 1
    shot("calendar-admin")
