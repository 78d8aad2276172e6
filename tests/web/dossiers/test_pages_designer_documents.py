"""The document templates' pages over HTTP: the list in force, the editor, the PDF preview of a sample dossier,
the publication (designer only, audited, a taken day refused) and hostile templates answered with a 4xx."""

from __future__ import annotations

import json
import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from handlers import document_templates as wording
from handlers.domain import Domain
from tests.pdf_text import pdf_text
from tests.web.dossiers.test_transactions import counting
from tests.web.pages_support import signed_in, token_of

REFUSAL = wording.shipped("refusal")


def post(client: FlaskClient, url: str, **fields: str) -> tuple[int, bytes]:
    response = client.post(url, data={"csrf_token": token_of(client, "/designer/documents"), **fields})
    return response.status_code, response.get_data()


def test_the_list_and_the_editor(app: Flask, engine: Engine) -> None:
    designer = signed_in(app, engine, "designer")
    listed = designer.get("/designer/documents").get_data(as_text=True)
    assert "Phiếu từ chối tiếp nhận, giải quyết hồ sơ" in listed and "mẫu mặc định" in listed
    page = designer.get("/designer/documents/refusal").get_data(as_text=True)
    island = re.search(r'id="document-editor-data">(.*?)</script>', page, re.S)
    assert island is not None and json.loads(island.group(1))["body"] == REFUSAL
    assert json.loads(island.group(1))["names"]["ly_do"] == "lý do từ chối"
    english = designer.get("/designer/documents/refusal?lang=en").get_data(as_text=True)
    island = re.search(r'id="document-editor-data">(.*?)</script>', english, re.S)
    assert island is not None and json.loads(island.group(1))["names"]["ly_do"] == "reason for the refusal"
    assert "Editing" in english and "Publish a new version" in english
    assert designer.get("/designer/documents/khong_co").status_code == 404
    assert designer.get("/designer/documents/refusal?version=2").status_code == 404


def test_the_preview_is_the_pdf_of_the_sample(app: Flask, engine: Engine) -> None:
    designer = signed_in(app, engine, "designer")
    status, pdf = post(designer, "/designer/documents/refusal/preview", body=REFUSAL.replace("Xin", "Trân trọng"))
    assert status == 200 and pdf.startswith(b"%PDF-")
    said = " ".join(pdf_text(pdf).split())
    assert "Trân trọng thông báo để quý cơ quan biết." in said and "Nguyễn Thị Mẫu" in said


def test_hostile_templates_get_a_4xx_naming_the_line(app: Flask, engine: Engine) -> None:
    designer = signed_in(app, engine, "designer")
    for body, says in [
        ("{{ ho_so.__class__.__mro__ }}", "Dòng 1: Không được truy cập «__mro__»."),
        ("a\n{% for x in range(99999999) %}{% endfor %}", "Dòng 2: Không được dùng lời gọi hàm."),
        ("a\nb\n{{ chua_co }}", "Dòng 3: «chua_co» không có trong dữ liệu của văn bản này."),
        ("{% if x %}", "Dòng 1: Lỗi cú pháp ở «{% if x %}»."),
    ]:
        for url, extra in (("preview", {}), ("publish", {"effective_from": "02/03/2026"})):
            status, answer = post(designer, f"/designer/documents/refusal/{url}", body=body, **extra)
            assert status == 422 and json.loads(answer)["problems"] == {"body": [says]}, (url, body, answer)
    status, answer = post(designer, "/designer/documents/khong_co/preview", body=REFUSAL)
    assert status == 422 and "kind" in json.loads(answer)["problems"]
    status, answer = post(designer, "/designer/documents/refusal/publish", body=REFUSAL, effective_from="2026-03-02")
    assert status == 422 and "effective_from" in json.loads(answer)["problems"]
    assert engine.history.administration(actions=["document_template_published"]) == []


def test_a_publication_by_a_designer_only_audited_and_final(app: Flask, engine: Engine, world: Domain) -> None:
    appraiser = signed_in(app, engine, "appraiser")
    assert appraiser.get("/designer/documents").status_code == 403
    token = token_of(appraiser)
    refused = appraiser.post(
        "/designer/documents/refusal/publish",
        data={"csrf_token": token, "body": REFUSAL, "effective_from": "02/03/2026"},
    )
    assert refused.status_code == 403
    designer = signed_in(app, engine, "designer")
    changed = REFUSAL.replace("Xin thông báo", "Trân trọng thông báo")
    status, answer = post(designer, "/designer/documents/refusal/publish", body=changed, effective_from="10/03/2026")
    assert status == 200, answer
    assert (
        json.loads(answer)["message"]
        == "Đã ban hành mẫu “Phiếu từ chối tiếp nhận, giải quyết hồ sơ” áp dụng từ 10/03/2026."
    )
    status, answer = post(designer, "/designer/documents/refusal/publish", body=REFUSAL, effective_from="10/03/2026")
    assert status == 409 and "effective_from" in json.loads(answer)["problems"]
    (event,) = engine.history.administration(actions=["document_template_published"])
    assert event.actor == "designer" and event.after == {"body": changed}
    assert world.document_templates.in_force("refusal", date(2026, 3, 10)).body == changed
    assert world.document_templates.in_force("refusal", date(2026, 3, 9)).body == REFUSAL
    assert "từ 10/03/2026" not in designer.get("/designer/documents").get_data(as_text=True), "not yet in force"


def test_a_publication_is_one_write_transaction(app: Flask, engine: Engine) -> None:
    designer = signed_in(app, engine, "designer")
    fields = {"csrf_token": token_of(designer, "/designer/documents"), "body": REFUSAL, "effective_from": "05/03/2026"}
    with counting(engine.db) as count:
        published = designer.post("/designer/documents/refusal/publish", data=fields)
    assert published.status_code == 200 and count.writes == 1, count
