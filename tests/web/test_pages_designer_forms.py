"""The form editor's pages over HTTP: the preview is the task page's own form, a save is the form's next version
(deployed and audited in one transaction), a process deployed afterwards finds it, hostile drafts get a 4xx."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.dossiers.test_transactions import counting
from tests.web.test_pages_designer import USER_TASK, designer, sign_in, token_of  # noqa: F401  (fixture)

NAME = "y_kien_phong.schema.json"


def a_draft(**changes: object) -> dict[str, object]:
    return {
        "name": NAME,
        "title": "Ý kiến của phòng",
        "description": "Ghi ý kiến trước khi trình lãnh đạo.",
        "fields": [
            {"kind": "choice", "label": "Kết luận", "required": True, "choices": "Đồng ý\nKhông đồng ý"},
            {"kind": "text", "label": "Nhận xét", "maxLength": "300", "help": "Tóm tắt ngắn."},
            {"kind": "date", "label": "Ngày xem xét"},
        ],
        "extra": {},
        **changes,
    }


def post(client: FlaskClient, url: str, draft: object) -> tuple[int, dict[str, object]]:
    token = token_of(client, "/designer/forms")
    text = draft if isinstance(draft, str) else json.dumps(draft)
    response = client.post(url, data={"csrf_token": token, "draft": text})
    return response.status_code, response.get_json()


def test_the_preview_is_the_task_pages_form(designer: FlaskClient, engine: Engine) -> None:  # noqa: F811
    status, answer = post(designer, "/designer/forms/preview", a_draft())
    assert status == 200, answer
    html = str(answer["html"])
    assert answer["keys"] == ["ket_luan", "nhan_xet", "ngay_xem_xet"]
    assert '<select id="f-ket_luan" name="ket_luan"' in html and ">Không đồng ý</option>" in html
    assert 'placeholder="dd/mm/yyyy"' in html and "Tối đa 300 ký tự." in html
    # the same schema deployed and opened on the task page gives the same fields, in the same markup
    assert post(designer, "/designer/forms/save", a_draft())[0] == 200
    xml = USER_TASK.replace("review.schema.json", NAME)
    engine.repository.deploy({"user_task.bpmn": xml.encode()}, actor="admin")
    instance = engine.runtime.start("user_task", business_key="HS-F1", actor="admin")
    (task,) = engine.tasks.for_instance(instance.id)
    page = sign_in(designer.application, engine, "admin").get(f"/tasks/{task.id}").get_data(as_text=True)
    for fragment in re.findall(r'<(?:select|input|textarea) id="f-[^"]+"[^>]*>', html):
        assert fragment in page, fragment


def test_a_save_is_the_next_version_audited_and_listed(designer: FlaskClient, engine: Engine) -> None:  # noqa: F811
    status, answer = post(designer, "/designer/forms/save", a_draft())
    assert status == 200 and answer["version"] == 1 and answer["message"] == f"Đã lưu {NAME} phiên bản 1."
    status, answer = post(designer, "/designer/forms/save", a_draft())
    assert (status, answer["version"]) == (200, None), "nothing changed: no new version"
    status, answer = post(designer, "/designer/forms/save", a_draft(title="Ý kiến của phòng (sửa)"))
    assert answer["version"] == 2
    (first, second) = reversed(engine.repository.files("form", NAME))
    assert json.loads(second.content)["title"] == "Ý kiến của phòng (sửa)"
    assert second.deployed_by == "designer" and json.loads(first.content)["properties"]["ket_luan"]["enum"]
    events = [
        e for e in engine.history.administration(actions=["deployed"]) if NAME in (e.details or {}).get("files", [])
    ]
    assert [e.actor for e in events] == ["designer", "designer"]
    assert NAME in engine.repository.deployed_names().forms, "the properties panel's form list offers it"
    listed = designer.get("/designer/forms").get_data(as_text=True)
    assert NAME in listed and "Ý kiến của phòng (sửa)" in listed
    opened = designer.get(f"/designer/forms/{NAME}?version=1").get_data(as_text=True)
    island = re.search(r'<script type="application/json" id="form-editor-data">(.*?)</script>', opened, re.S)
    assert island is not None and json.loads(island.group(1))["draft"]["title"] == "Ý kiến của phòng"
    assert "2 (mới nhất)" in opened, "the versions to open"


def test_hostile_drafts_are_refused_naming_the_entry(designer: FlaskClient, engine: Engine) -> None:  # noqa: F811
    for draft, where in [
        ("not json", "draft"),
        ("[" * 50_000, "draft"),
        (a_draft(name="../../etc/passwd"), "name"),
        (a_draft(fields=[{"kind": "text", "label": "x" * 5000}]), "fields.0.label"),
        (a_draft(fields=[{"kind": "kept", "key": "x", "schema": {"$ref": "http://example.com/x"}}]), "_"),
        (a_draft(extra={"allOf": [{"pattern": "(a|a)*$"}]}), "_"),
    ]:
        for url in ("/designer/forms/preview", "/designer/forms/save"):
            status, answer = post(designer, url, draft)
            assert status == 422 and where in answer["problems"], (draft if isinstance(draft, dict) else "text", answer)
    token = token_of(designer, "/designer/forms")
    huge = designer.post("/designer/forms/save", data={"csrf_token": token, "draft": "x" * (2 * 1024 * 1024)})
    assert huge.status_code == 413, "past the body bound of an ordinary page"
    assert engine.repository.files("form") == [], "nothing stored"


def test_only_designers(app: Flask, engine: Engine) -> None:
    appraiser = sign_in(app, engine, "appraiser")
    assert appraiser.get("/designer/forms").status_code == 403
    token = token_of(appraiser, "/inbox")
    response = appraiser.post("/designer/forms/save", data={"csrf_token": token, "draft": json.dumps(a_draft())})
    assert response.status_code == 403 and engine.repository.files("form") == []
    designer_client = sign_in(app, engine, "designer")
    assert designer_client.post("/designer/forms/save", data={"draft": json.dumps(a_draft())}).status_code == 400


def test_a_new_form_by_name(designer: FlaskClient) -> None:  # noqa: F811
    response = designer.get("/designer/forms?name=moi.schema.json")
    assert response.status_code == 302 and response.location.endswith("/designer/forms/moi.schema.json")
    assert designer.get("/designer/forms?name=../x").status_code == 400
    assert designer.get("/designer/forms/..%2Fx").status_code == 404
    assert designer.get(f"/designer/forms/{NAME}?version=3").status_code == 404
    assert "chưa lưu" in designer.get("/designer/forms/moi.schema.json").get_data(as_text=True)


def test_a_save_is_one_write_transaction(designer: FlaskClient, engine: Engine) -> None:  # noqa: F811
    token = token_of(designer, "/designer/forms")
    with counting(engine.db) as count:
        saved = designer.post("/designer/forms/save", data={"csrf_token": token, "draft": json.dumps(a_draft())})
    assert saved.status_code == 200 and count.writes == 1, count


def test_in_english_too(designer: FlaskClient) -> None:  # noqa: F811
    page = designer.get("/designer/forms/moi.schema.json?lang=en").get_data(as_text=True)
    assert "Editing form" in page and "Save as a new version" in page
    island = re.search(r'id="form-editor-data">(.*?)</script>', page, re.S)
    assert island is not None and json.loads(island.group(1))["texts"]["kind.choice"] == "One choice"
