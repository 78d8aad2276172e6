"""The decision editor's endpoints over HTTP: the deployed DMN files, their text, validation and deployment as a
new version of the bundle that holds them; a broken or hostile table is refused, naming it, and nothing is
deployed."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.test_pages_designer import sign_in, token_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
BUNDLE = ("business_rule.bpmn", "discount.dmn", "review.schema.json")
DMN = (FIXTURES / "discount.dmn").read_text()
URL = "/designer/quyet-dinh/discount.dmn"


@pytest.fixture
def designer(app: Flask, engine: Engine) -> FlaskClient:
    engine.repository.deploy({n: (FIXTURES / n).read_bytes() for n in BUNDLE}, actor="admin", name="giảm giá")
    return sign_in(app, engine, "designer")


def send(client: FlaskClient, action: str, xml: str) -> tuple[int, dict]:
    answer = client.post(f"{URL}/{action}", data={"csrf_token": token_of(client), "xml": xml})
    return answer.status_code, answer.get_json()


def test_the_files_and_their_text(designer: FlaskClient) -> None:
    listed = designer.get("/designer/quyet-dinh").get_data(as_text=True)
    assert 'data-file="discount.dmn"' in listed and "Discount" in listed
    assert designer.get(f"{URL}/xml").get_data(as_text=True) == DMN
    assert 'id="decision-editor"' in designer.get(f"{URL}/mo").get_data(as_text=True)
    assert designer.get("/designer/quyet-dinh/khong-co.dmn/mo").status_code == 404


def test_an_edited_table_deploys_as_a_new_version_of_its_bundle(designer: FlaskClient, engine: Engine) -> None:
    edited = DMN.replace("<text>0.1</text>", "<text>0.2</text>")
    assert send(designer, "kiem-tra", edited) == (200, {"ok": True, "message": "Hợp lệ: có thể triển khai."})
    assert engine.repository.latest("business_rule").version == 1  # a check deploys nothing
    status, answer = send(designer, "trien-khai", edited)
    assert status == 200 and answer["versions"] == [{"key": "business_rule", "version": 2}]
    assert designer.get(f"{URL}/xml").get_data(as_text=True) == edited
    started = engine.runtime.start("business_rule", business_key="b1", data={"amount": 2000}, actor="admin")
    assert engine.runtime.get(started.id).data["discount"] == 0.2
    status, answer = send(designer, "trien-khai", edited)  # the same again: nothing new
    assert status == 200 and answer["versions"] == []


#: letters only Vietnamese uses: a finding written in English has none of them
VIETNAMESE_LETTERS = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


@pytest.mark.parametrize(
    ("xml", "named"),
    [
        ("", "xml"),
        ("   ", "xml"),
        ("x" * 600_000, "xml"),
        ("<definitions", "discount.dmn"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "discount.dmn"),
        (DMN.replace("<decisionTable ", "<decisionTabel "), "discount.dmn"),
    ],
)
def test_a_broken_table_is_refused_by_name(designer: FlaskClient, engine: Engine, xml: str, named: str) -> None:
    for action in ("kiem-tra", "trien-khai"):
        status, answer = send(designer, action, xml)
        assert status == 422 and answer["ok"] is False
        assert named in {p["file"] for p in answer["problems"]}, answer
        checked = [p for p in answer["problems"] if p.get("code")]
        assert all(set(p["message"]) & set(VIETNAMESE_LETTERS) for p in checked), "the check's findings in Vietnamese"
    assert engine.repository.latest("business_rule").version == 1
    assert designer.get(f"{URL}/xml").get_data(as_text=True) == DMN


def test_a_huge_body_is_refused(designer: FlaskClient, engine: Engine) -> None:
    answer = designer.post(f"{URL}/trien-khai", data={"csrf_token": token_of(designer), "xml": "x" * 2_000_000})
    assert answer.status_code == 413
    assert engine.repository.latest("business_rule").version == 1


def test_only_designers(app: Flask, engine: Engine, designer: FlaskClient) -> None:
    appraiser = sign_in(app, engine, "appraiser")
    assert appraiser.get("/designer/quyet-dinh").status_code == 403
    token = token_of(appraiser, "/inbox")
    assert appraiser.post(f"{URL}/trien-khai", data={"csrf_token": token, "xml": DMN}).status_code == 403
    assert designer.post(f"{URL}/trien-khai", data={"xml": DMN}).status_code == 400  # no CSRF token
    assert engine.repository.latest("business_rule").version == 1
