"""The designer's migrate page in Chromium: a step renamed in the new version is mapped in the page, and the
dossier waiting in it moves there."""

from __future__ import annotations

from pathlib import Path

from engine import Engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


def test_map_a_renamed_step_and_migrate_in_the_browser(engine: Engine, sign_in, page, shot) -> None:
    form = {"review.schema.json": (FIXTURES / "review.schema.json").read_bytes()}
    xml = (FIXTURES / "user_task.bpmn").read_text()
    engine.repository.deploy({"user_task.bpmn": xml.encode(), **form}, actor="admin")
    older = engine.runtime.start("user_task", business_key="HS-002", actor="admin")
    renamed = xml.replace('"review"', '"appraise"').replace("Review dossier", "Thẩm định hồ sơ")
    engine.repository.deploy({"user_task.bpmn": renamed.encode(), **form}, actor="admin")
    sign_in("thietke", ["designer"], unit=None)
    page.goto("/designer/user_task/versions/2/migrate")
    assert page.locator(f"tr[data-instance='{older.id}'] td.missing-steps").inner_text() == "Review dossier"
    page.select_option("select[name='map.review']", label="Thẩm định hồ sơ")
    page.check(f"#instance-{older.id}")
    shot("designer-migrate-mapping")
    page.click("#migrate-form button[type=submit]")
    outcome = page.locator(f"tr.outcome.ok[data-instance='{older.id}']")
    assert "Đã chuyển từ phiên bản 1 sang 2." in outcome.inner_text()
    assert engine.runtime.get(older.id).definition_version == 2
    assert [t.element_id for t in engine.tasks.for_instance(older.id) if t.state == "ready"] == ["appraise"]
