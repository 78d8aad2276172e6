"""The designer's rule sets over HTTP: the versions, a new version edited in the form, previewed as a diff in
Vietnamese and published with its audit event; hostile input refused by field with nothing stored."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.db import Database
from engine.models import Event
from handlers import rulesets
from handlers.domain import Domain
from handlers.models import RuleSet
from tests.web.dossier_world import domain_app, domain_engine
from tests.web.test_pages_designer import sign_in

CSTD_TINH = "award_types.CSTD_TINH"


class FormFields(HTMLParser):
    """What a browser submits from the page's ``#rules-form``: inputs, checked boxes, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: MultiDict[str, str] = MultiDict()
        self.inside = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = found.get("id") == "rules-form"
        if not self.inside:
            return
        if tag == "input" and found.get("type") != "checkbox" or tag == "input" and "checked" in found:
            self.fields.add(found["name"], found.get("value", ""))
        elif tag == "select":
            self.select = found["name"]
        elif tag == "option" and "selected" in found and self.select:
            self.fields.add(self.select, found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_of(html: str) -> MultiDict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


@pytest.fixture
def world(database: Database, vclock: object, tmp_path: Path) -> Domain:
    """The shipped rule sets on Monday 02/03/2026: 2025.07 in force, 2026.07 and 2026.10 to come."""
    return domain_engine(database, tmp_path / "files")


@pytest.fixture
def app(world: Domain) -> Flask:
    return domain_app(world)


@pytest.fixture
def designer(app: Flask, world: Domain) -> FlaskClient:
    return sign_in(app, world.engine, "designer")


def stored(world: Domain) -> int:
    with world.engine.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(RuleSet)) or 0)


def draft(client: FlaskClient, **changes: str) -> MultiDict[str, str]:
    """The editor's form as opened, with ``changes`` typed in (keys with ``__`` for dots)."""
    fields = form_of(client.get("/designer/quy-tac/moi").get_data(as_text=True))
    for key, value in changes.items():
        fields.setlist(key.replace("__", "."), [value])
    return fields


def post(client: FlaskClient, fields: MultiDict[str, str], action: str = "publish") -> Any:
    fields.setlist("action", [action])
    return client.post("/designer/quy-tac/moi", data=fields)


def test_the_versions_with_the_one_in_force(designer: FlaskClient) -> None:
    html = designer.get("/designer/quy-tac").get_data(as_text=True)
    assert 'data-version="2025.07"' in html and "Đang áp dụng" in html
    assert html.count("Sắp có hiệu lực") == 2  # 2026.07 and 2026.10
    assert "01/07/2025" in html and "01/10/2026" in html
    assert 'id="open-rules"' in designer.get("/designer").get_data(as_text=True)


def test_a_new_version_previewed_then_published_keeps_older_dossiers_on_the_old_rules(
    designer: FlaskClient, world: Domain
) -> None:
    fields = draft(designer, version="2026.04", effective_from="01/04/2026")
    assert fields[f"{CSTD_TINH}.vote.threshold"] == "90%"
    fields.setlist(f"{CSTD_TINH}.vote.threshold", ["80%"])
    fields.setlist(f"{CSTD_TINH}.required_papers", ["", "TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"])
    before = stored(world)

    preview = post(designer, MultiDict(fields), "preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "Chiến sĩ thi đua cấp tỉnh › Biểu quyết › Tỷ lệ phiếu đồng ý" in html
    assert "Chiến sĩ thi đua cấp tỉnh › Giấy tờ bắt buộc" in html
    assert "Minh chứng sáng kiến, đề tài được công nhận" in html  # the paper dropped, by its name
    assert stored(world) == before  # a preview stores nothing

    done = post(designer, form_of(html))  # what the preview page carries publishes
    assert done.status_code == 302
    assert "2026.04" in designer.get("/designer/quy-tac").get_data(as_text=True)
    with world.engine.db.reading() as session:
        assert rulesets.in_force(session, date(2026, 3, 31))[1].version == "2025.07"
        row, rules = rulesets.in_force(session, date(2026, 4, 1))
        assert (row.version, str(rules.award("CSTD_TINH").vote.threshold)) == ("2026.04", "4/5")
        assert "MINH_CHUNG_SANG_KIEN" not in rules.award("CSTD_TINH").required_papers
        assert rulesets.in_force(session, date(2026, 7, 1))[1].version == "2026.07"
        event = session.scalars(select(Event).where(Event.action == "rule_set_published")).one()
    assert event.actor == "designer" and event.after == {"version": "2026.04", "effective_from": "2026-04-01"}
    assert {c["path"] for c in event.details["changes"]} == {
        f"{CSTD_TINH}.vote.threshold",
        f"{CSTD_TINH}.required_papers",
    }


@pytest.mark.parametrize(
    ("changes", "field", "named"),
    [
        ({"effective_from": "01/03/2026"}, "effective_from", "Ngày hiệu lực"),  # yesterday
        ({"effective_from": "31/02/2026"}, "effective_from", "Ngày hiệu lực"),
        ({"effective_from": "01/07/2026"}, "effective_from", "Ngày hiệu lực"),  # 2026.07's day
        ({"version": "2026.07"}, "version", "Mã phiên bản"),
        ({f"{CSTD_TINH}__vote__threshold": "150%"}, f"{CSTD_TINH}.vote.threshold", "Tỷ lệ phiếu đồng ý"),
        ({f"{CSTD_TINH}__limit": "hai mươi"}, f"{CSTD_TINH}.limit", "Thời hạn giải quyết"),
        ({f"{CSTD_TINH}__limit": "15"}, f"{CSTD_TINH}.procedure", "Quy trình nội bộ"),
        ({f"{CSTD_TINH}__required_papers": "GIAY_LA"}, f"{CSTD_TINH}.required_papers", "Giấy tờ bắt buộc"),
        ({f"{CSTD_TINH}__secret": "1"}, f"{CSTD_TINH}.secret", "secret"),
        ({"draft": "{không phải JSON"}, "draft", "Bản nháp"),
        ({"name": "x" * 600}, "name", "Tên"),
    ],
)
def test_a_refusal_names_the_field_and_stores_nothing(
    designer: FlaskClient, world: Domain, changes: dict[str, str], field: str, named: str
) -> None:
    fields = draft(designer, **{"version": "2026.05", "effective_from": "01/05/2026", **changes})
    before = stored(world)
    refused = post(designer, fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422, html
    assert f'data-field="{field}"' in html and named in html
    assert stored(world) == before


def test_an_unknown_key_in_the_document_is_named(designer: FlaskClient, world: Domain) -> None:
    fields = draft(designer, version="2026.05", effective_from="01/05/2026")
    fields.setlist("draft", [fields["draft"].replace('"vote": {', '"vote": {"threshhold": "80%", ', 1)])
    fields.setlist("draft", ['{"foo": 1, ' + fields["draft"][1:]])
    refused = post(designer, fields)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'data-field="award_types.CSTD_CS.vote.threshhold"' in html and 'data-field="foo"' in html
    assert "viết sai tên" in html


def test_a_yaml_file_goes_through_the_same_preview(designer: FlaskClient, world: Domain) -> None:
    token = form_of(designer.get("/designer/quy-tac/moi").get_data(as_text=True))["csrf_token"]
    shipped = (rulesets.SHIPPED / "2026-07-01.yaml").read_text(encoding="utf-8")
    text = shipped.replace('version: "2026.07"', 'version: "2026.06"').replace("2026-07-01", "2026-06-01")

    def upload(body: bytes) -> Any:
        return designer.post(
            "/designer/quy-tac/tai-len", data={"csrf_token": token, "yaml": (io.BytesIO(body), "quy-tac.yaml")}
        )

    shown = upload(text.encode())
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200, html
    assert "Thời hạn bổ sung hồ sơ" in html and 'value="2026.06"' in html
    before = stored(world)
    for bad in (b"version: [", b"a: &x [1]\nb: *x\n", "chỉ một dòng".encode(), b"\xff\xfe"):
        refused = upload(bad)
        assert refused.status_code == 422 and 'data-field="yaml"' in refused.get_data(as_text=True)
    broken = upload(text.replace("limit: 20WD", "limit: 25WD", 1).encode())
    assert broken.status_code == 422
    assert 'data-field="award_types.CSTD_CS.procedure"' in broken.get_data(as_text=True)
    assert form_of(broken.get_data(as_text=True))["award_types.CSTD_CS.limit"] == "25"  # the file's, marked
    assert stored(world) == before


def test_a_huge_body_is_refused(designer: FlaskClient, world: Domain) -> None:
    fields = draft(designer, version="2026.05", effective_from="01/05/2026")
    fields.setlist("name", ["x" * 2_000_000])
    assert post(designer, fields).status_code == 413
    assert stored(world) == 3


def test_only_designers_publish(app: Flask, world: Domain) -> None:
    appraiser = sign_in(app, world.engine, "appraiser")
    assert appraiser.get("/designer/quy-tac").status_code == 403
    with pytest.raises(Exception, match="thiết kế"):
        world.rulesets.publish("appraiser", world.rulesets.draft(), "thử")
    assert stored(world) == 3


def test_a_refused_form_comes_back_as_typed(designer: FlaskClient) -> None:
    """The designer corrects the field named instead of typing everything again; a new version's code and date
    start empty (they are the designer's to give)."""
    opened = form_of(designer.get("/designer/quy-tac/moi").get_data(as_text=True))
    assert (opened["version"], opened["effective_from"]) == ("", "")
    fields = draft(
        designer, version="2026.05", effective_from="01/05/2026", **{f"{CSTD_TINH}__vote__threshold": "150%"}
    )
    again = form_of(post(designer, fields).get_data(as_text=True))
    assert (again["version"], again[f"{CSTD_TINH}.vote.threshold"]) == ("2026.05", "150%")
    fields.add("khong_co", "1")  # refused by the form itself, before the rules are read
    again = form_of(post(designer, fields).get_data(as_text=True))
    assert again["effective_from"] == "01/05/2026"
