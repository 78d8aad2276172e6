"""In Chromium: the workbench's history says what each change changed, in Vietnamese, and takes a form and the
rule set back to their previous versions (each a new version, listed with who and what); a bad date is refused
naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from handlers.domain import Domain
from tests.browser import dossiers

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


def test_the_history_names_what_changed_and_rolls_back(world: Domain, vclock, sign_in, page, shot) -> None:
    first = json.loads((FIXTURES / "review.schema.json").read_text())
    field = next(iter(first["properties"]))
    second = {**first, "properties": {**first["properties"], field: {**first["properties"][field], "title": "Ý kiến"}}}
    for schema in (first, second):
        world.engine.repository.deploy({"y_kien.schema.json": json.dumps(schema).encode()}, actor="admin")
    world.engine.identity.ensure_user("thietke", groups=["designer"], unit="so-noi-vu", display_name="Lê Thiết Kế")
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("a[href='/thiet-ke/lich-su']")
    log = page.locator("#admin-history tr.log").first
    assert "sửa Trường «Ý kiến»: Tiêu đề:" in log.inner_text()

    page.click("#rollback-files form[data-file='y_kien.schema.json'] button")
    assert "Đã triển khai lại y_kien.schema.json với nội dung phiên bản trước." in page.inner_text(".flash")
    assert json.loads(world.engine.repository.files("form", "y_kien.schema.json")[0].content) == first

    page.fill("#rules-version", "2026.11")
    page.fill("#rules-effective", "31/11/2026")
    page.click("#rules-rollback")
    assert "Hiệu lực từ ngày: ghi ngày theo dạng dd/mm/yyyy" in page.inner_text("#problems")
    page.fill("#rules-version", "2026.11")
    page.fill("#rules-effective", "01/11/2026")
    page.click("#rules-rollback")
    assert "Đã công bố phiên bản 2026.11 mang quy tắc của phiên bản trước" in page.inner_text(".flash")
    rows = page.locator("#admin-history tr.log")
    published = rows.filter(has_text="Công bố bộ quy tắc").first.inner_text()
    assert "Lê Thiết Kế" in published and "phiên bản 2026.11, áp dụng từ 01/11/2026" in published
    assert "Thời hạn bổ sung hồ sơ: (không có) → 10WD" in published
    assert "Quay lại phiên bản trước của tệp" in rows.filter(has_text="y_kien.schema.json").first.inner_text()
    shot("design-history-01-what-changed")
