"""A new decision table over HTTP: a key checked once (a taken or malformed key named, in Vietnamese), a blank
table to edit, deployed alone in one audited deployment that a business-rule step can name; a hostile table is
refused naming its field and nothing is stored."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.test_pages_designer import sign_in, token_of
from tests.web.test_pages_designer_decisions import BUNDLE, FIXTURES, VIETNAMESE_LETTERS

NEW = "/designer/quyet-dinh/moi"


@pytest.fixture
def designer(app: Flask, engine: Engine) -> FlaskClient:
    engine.repository.deploy({n: (FIXTURES / n).read_bytes() for n in BUNDLE}, actor="admin", name="giảm giá")
    return sign_in(app, engine, "designer")


def create(client: FlaskClient, key: str, name: str = "Mức khen") -> tuple[int, str]:
    answer = client.post(NEW, data={"csrf_token": token_of(client), "key": key, "name": name})
    return answer.status_code, answer.get_data(as_text=True)


def send(client: FlaskClient, key: str, action: str, xml: str) -> tuple[int, dict]:
    answer = client.post(f"{NEW}/{key}/{action}", data={"csrf_token": token_of(client), "xml": xml})
    return answer.status_code, answer.get_json()


def filled(blank: str) -> str:
    """The blank table as a designer leaves it: an input expression and one rule."""
    rule = (
        '<rule id="Rule_1"><inputEntry id="In_1"><text>-</text></inputEntry>'
        '<outputEntry id="Out_1"><text>"cao"</text></outputEntry></rule>'
    )
    blank = blank.replace("<text></text>", "<text>so_diem</text>")
    return blank.replace('typeRef="string" />', 'typeRef="string" />' + rule)


def dmn_files(engine: Engine) -> list[str]:
    return [f.name for f in engine.repository.files("dmn")]


def test_a_new_table_opens_blank_and_deploys_alone(designer: FlaskClient, engine: Engine) -> None:
    status, page = create(designer, "muc_khen")
    assert status == 200 and 'id="decision-editor"' in page and "muc_khen.dmn" in page
    blank = designer.get(f"{NEW}/muc_khen/xml?name=Mức khen").get_data(as_text=True)
    assert 'hitPolicy="UNIQUE"' in blank and 'name="Mức khen"' in blank
    assert blank.count("<input ") == 1 and blank.count("<output ") == 1 and "<rule" not in blank
    status, answer = send(designer, "muc_khen", "kiem-tra", blank)  # the input expression is still empty
    assert status == 422 and {p["file"] for p in answer["problems"]} == {"muc_khen.dmn"}
    assert dmn_files(engine) == ["discount.dmn"]

    status, answer = send(designer, "muc_khen", "trien-khai", filled(blank))
    assert status == 200 and answer["ok"], answer
    assert answer["message"].startswith("Đã triển khai bảng quyết định mới muc_khen.dmn")
    assert answer["urls"]["deploy"] == "/designer/quyet-dinh/muc_khen.dmn/trien-khai"
    assert "muc_khen" in engine.repository.deployed_names().decisions
    (deployed,) = [c for c in engine.design.changes() if "muc_khen.dmn" in str(c)]
    assert deployed.actor == "designer", "audited as the designer's deployment"
    assert "tệp muc_khen.dmn" in designer.get("/thiet-ke/lich-su").get_data(as_text=True), "in the design history"
    assert engine.repository.latest("business_rule").version == 1, "no other bundle touched"
    # taken from now on: the key, by its file and by its decision
    status, page = create(designer, "muc_khen")
    assert status == 422 and "Mã bảng quyết định: đã có bảng «muc_khen»" in page
    assert send(designer, "muc_khen", "trien-khai", filled(blank))[0] == 422


@pytest.mark.parametrize(
    ("key", "name", "said"),
    [
        ("discount", "Giảm giá", "Mã bảng quyết định: đã có bảng «discount»"),
        ("1bad", "x", "Mã bảng quyết định: chỉ gồm chữ cái"),
        ("../x", "x", "Mã bảng quyết định: chỉ gồm chữ cái"),
        ("a" * 101, "x", "Mã bảng quyết định: chỉ gồm chữ cái"),
        ("moi_lam", "", "Tên bảng: cần từ 1 đến 200 ký tự."),
        ("moi_lam", "x" * 201, "Tên bảng: cần từ 1 đến 200 ký tự."),
    ],
)
def test_a_bad_or_taken_key_is_named(designer: FlaskClient, engine: Engine, key: str, name: str, said: str) -> None:
    status, page = create(designer, key, name)
    assert status == 422 and said in page
    assert 'id="decision-editor"' not in page
    blank = designer.get(f"{NEW}/{key}/xml", query_string={"name": name})
    if "/" in key:  # not an address of a blank table at all
        assert blank.status_code == 404
    elif key != "discount":  # (a blank is only text: the key is taken when it is deployed)
        assert blank.status_code == 422 and said in blank.get_json()["problems"][0]["message"]
    assert dmn_files(engine) == ["discount.dmn"]


@pytest.mark.parametrize(
    ("xml", "named"),
    [
        ("", "xml"),
        ("x" * 600_000, "xml"),
        ("<definitions", "moi_lam.dmn"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "moi_lam.dmn"),
        ("RENAMED", "xml"),  # the blank table with its decision renamed to a deployed one
    ],
)
def test_a_hostile_table_is_refused_by_name(designer: FlaskClient, engine: Engine, xml: str, named: str) -> None:
    blank = designer.get(f"{NEW}/moi_lam/xml?name=Mới").get_data(as_text=True)
    if xml == "RENAMED":
        xml = filled(blank).replace('id="moi_lam"', 'id="discount"')
    for action in ("kiem-tra", "trien-khai"):
        status, answer = send(designer, "moi_lam", action, xml)
        assert status == 422 and answer["ok"] is False
        assert named in {p["file"] for p in answer["problems"]}, answer
        assert all(set(p["message"]) & set(VIETNAMESE_LETTERS) for p in answer["problems"]), answer
        assert set(answer["message"]) & set(VIETNAMESE_LETTERS), "what the page's status line says"
    assert dmn_files(engine) == ["discount.dmn"]
    assert send(designer, "1bad", "trien-khai", filled(blank))[1]["problems"][0]["file"] == "key"


def test_only_designers(app: Flask, engine: Engine, designer: FlaskClient) -> None:
    appraiser = sign_in(app, engine, "appraiser")
    token = token_of(appraiser, "/inbox")
    assert appraiser.post(NEW, data={"csrf_token": token, "key": "k", "name": "n"}).status_code == 403
    assert appraiser.get(f"{NEW}/k/xml?name=n").status_code == 403
    assert appraiser.post(f"{NEW}/k/trien-khai", data={"csrf_token": token, "xml": "<x/>"}).status_code == 403
    assert designer.post(NEW, data={"key": "k", "name": "n"}).status_code == 400  # no CSRF token
    assert dmn_files(engine) == ["discount.dmn"]
