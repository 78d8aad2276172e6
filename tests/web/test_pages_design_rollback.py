"""The history page for each kind a designer changes — form, DMN, rule set, document template, a calendar's days,
the unit ↔ calendar assignment (BPMN: test_pages_design_history) —: the change listed with what changed, in
Vietnamese, and "back to the previous version" done as a new version, audited; hostile input refused by field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from handlers import document_templates
from handlers.domain import Domain
from tests.web import test_pages_designer_rules as rule_pages
from tests.web.test_pages_admin import history_rows
from tests.web.test_pages_designer import sign_in
from tests.web.test_pages_session import csrf

#: the rule-set pages' fixtures, used here: Monday 02/03/2026, the shipped processes and rule sets
world = rule_pages.world
app = rule_pages.app
designer = rule_pages.designer

PAGE = "/thiet-ke/lich-su"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


def post(client: FlaskClient, path: str, **fields: str) -> object:
    token = csrf(client.get(PAGE).get_data(as_text=True))
    return client.post(f"{PAGE}/{path}", data={"csrf_token": token, **fields})


def newest(client: FlaskClient, action: str) -> list[str]:
    """The newest history row of ``action`` (its Vietnamese name): when, by, action, subject, details."""
    return next(row for row in history_rows(client.get(PAGE).get_data(as_text=True)) if row[2] == action)


def test_a_form_is_described_and_rolled_back(designer: FlaskClient, world: Domain) -> None:
    repository = world.engine.repository
    first = json.loads((FIXTURES / "review.schema.json").read_text())
    field = next(iter(first["properties"]))
    second = {**first, "properties": {**first["properties"], field: {**first["properties"][field], "title": "Ý kiến"}}}
    for schema in (first, second):
        repository.deploy({"y_kien.schema.json": json.dumps(schema).encode()}, actor="designer")
    old_title = first["properties"][field]["title"]
    detail = newest(designer, "Triển khai")[4]
    assert f"Tệp y_kien.schema.json: sửa Trường «Ý kiến»: Tiêu đề: {old_title} → Ý kiến" in detail

    assert post(designer, "tep/y_kien.schema.json/quay-lai").status_code == 302
    versions = repository.files("form", "y_kien.schema.json")
    assert len(versions) == 3 and json.loads(versions[0].content) == first
    assert newest(designer, "Quay lại phiên bản trước của tệp")[3:] == [
        "y_kien.schema.json",
        "y_kien.schema.json triển khai lại với nội dung phiên bản trước",
    ]
    assert f"Tiêu đề: Ý kiến → {old_title}" in newest(designer, "Triển khai")[4]


def test_a_decision_table_rolled_back_gives_its_process_a_version_deciding_by_the_old_table(
    designer: FlaskClient, world: Domain
) -> None:
    engine = world.engine
    files = {n: (FIXTURES / n).read_bytes() for n in ("business_rule.bpmn", "discount.dmn", "review.schema.json")}
    engine.repository.deploy(files, actor="designer", name="giảm giá")
    edited = files["discount.dmn"].decode().replace(">0.1<", ">0.25<").encode()
    engine.repository.deploy({**files, "discount.dmn": edited}, actor="designer", name="giảm giá")
    assert "Tệp discount.dmn: sửa Quy tắc «Discount #1»: Thì, cột 1: 0.1 → 0.25" in newest(designer, "Triển khai")[4]

    assert post(designer, "tep/discount.dmn/quay-lai").status_code == 302
    assert engine.repository.latest("business_rule").version == 3
    started = engine.runtime.start("business_rule", business_key="giam-1", data={"amount": 1500}, actor="admin")
    assert engine.runtime.get(started.id).data["discount"] == 0.1  # the new version decides by the old table


def test_the_rule_set_goes_back_as_a_new_version_with_its_changes_listed(designer: FlaskClient, world: Domain) -> None:
    before = [v.version for v in world.rulesets.versions()]
    for fields, field_name in (
        ({"version": "2026.11", "effective_from": "31/02/2026"}, "Hiệu lực từ ngày"),
        ({"version": "", "effective_from": "01/11/2026"}, "Mã phiên bản mới"),
        ({"version": "2026.11", "effective_from": "01/01/2026"}, "Hiệu lực từ ngày"),  # in the past
        ({"version": "2026.07", "effective_from": "01/11/2026"}, "Mã phiên bản mới"),  # a code already used
    ):
        refused = post(designer, "quy-tac/quay-lai", **fields)
        assert refused.status_code == 422, fields
        assert field_name in refused.get_data(as_text=True), fields
    assert [v.version for v in world.rulesets.versions()] == before  # nothing was stored

    assert post(designer, "quy-tac/quay-lai", version="2026.11", effective_from="01/11/2026").status_code == 302
    versions = {v.version: v.id for v in world.rulesets.versions()}
    restored, previous = world.rulesets.content(versions["2026.11"]), world.rulesets.content(versions["2026.07"])
    assert {k: v for k, v in restored.items() if k not in ("version", "effective_from")} == {
        k: v for k, v in previous.items() if k not in ("version", "effective_from")
    }
    row = newest(designer, "Công bố bộ quy tắc")
    assert row[1] == "designer" and "phiên bản 2026.11, áp dụng từ 01/11/2026" in row[4]
    assert "Thời hạn bổ sung hồ sơ: (không có) → 10WD" in row[4]  # what it changes against 2025.07, by name


def test_a_document_template_goes_back_to_its_previous_wording(designer: FlaskClient, world: Domain) -> None:
    shipped = document_templates.shipped("receipt")
    added = "Ghi chú: mang theo giấy hẹn khi đến nhận kết quả."
    world.document_templates.publish(
        world.engine.identity.actor("designer"), "receipt", date(2026, 3, 2), f"{shipped.rstrip()}\n{added}"
    )
    row = newest(designer, "Ban hành mẫu văn bản")
    assert row[3] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert f"0 dòng bỏ, 1 dòng thêm; + {added}" in row[4]

    assert post(designer, "mau/receipt/quay-lai", effective_from="not a date").status_code == 422
    assert post(designer, "mau/receipt/quay-lai", effective_from="03/03/2026").status_code == 302
    assert world.document_templates.in_force("receipt", date(2026, 3, 3)).body == shipped
    assert f"1 dòng bỏ, 0 dòng thêm; − {added}" in newest(designer, "Ban hành mẫu văn bản")[4]


def test_a_calendars_days_and_the_units_assignment_go_back(designer: FlaskClient, world: Domain) -> None:
    calendar = world.engine.calendar
    calendar.add_holiday(date(2026, 6, 15), "Nghỉ đột xuất", "QĐ 9/UBND", "designer")
    assert post(designer, "lich/default/quay-lai").status_code == 302
    assert not [d for d in calendar.list_days(2026) if d.day == date(2026, 6, 15) and d.origin == "admin"]
    assert "15/06/2026" in newest(designer, "Khôi phục phiên bản trước của lịch")[4]

    refused = post(designer, "don-vi/quay-lai")
    assert refused.status_code == 422 and "chưa có lần gán đơn vị nào" in refused.get_data(as_text=True)
    calendar.create_calendar("mot_cua_thu_bay", units=["so-gd"], user="designer")
    calendar.set_units("mot_cua_thu_bay", ["so-gd", "so-yt"], "designer")
    assert post(designer, "don-vi/quay-lai").status_code == 302
    units = {c.name: c.units for c in calendar.calendars()}
    assert units["mot_cua_thu_bay"] == ["so-gd"]
    assert "trả lại cách gán đơn vị trước đó" in newest(designer, "Gán đơn vị cho lịch")[4]


def test_only_designers_roll_back(app: Flask, world: Domain) -> None:
    world.engine.calendar.add_holiday(date(2026, 6, 15), "Nghỉ đột xuất", "QĐ 9/UBND", "designer")
    desk = sign_in(app, world.engine, "desk")
    token = csrf(desk.get("/desk").get_data(as_text=True))
    assert desk.post(f"{PAGE}/lich/default/quay-lai", data={"csrf_token": token}).status_code == 403
    assert world.engine.calendar.revision() == 1
