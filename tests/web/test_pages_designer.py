"""The designer's pages: versions with running counts, bundle upload, the editor page, instance migration."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.web.test_pages_session import csrf

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"
VALIDATION = Path(__file__).parent.parent / "fixtures" / "validation"
PASSWORD = "mật-khẩu trang 2026"
USER_TASK = (BPMN / "user_task.bpmn").read_text()
FORM = (BPMN / "review.schema.json").read_bytes()


def sign_in(app: Flask, engine: Engine, username: str) -> FlaskClient:
    """A client signed in through the login form as an existing user (given a password first)."""
    user = next(u for u in engine.identity.list_users() if u.username == username)
    engine.identity.ensure_user(username, groups=user.groups, unit=user.unit, password=PASSWORD, is_admin=user.is_admin)
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def token_of(client: FlaskClient, url: str = "/designer") -> str:
    return csrf(client.get(url).get_data(as_text=True))


def deploy(engine: Engine, xml: str = USER_TASK, **extra: bytes) -> int:
    files = {"user_task.bpmn": xml.encode(), "review.schema.json": FORM, **extra}
    return engine.repository.deploy(files, actor="admin").definitions[0].version


def with_budget(budget: str) -> str:
    return USER_TASK.replace('value="0.5WD"', f'value="{budget}"')


def renamed_review() -> str:
    """user_task with its ``review`` step renamed ``check`` (instances waiting in review cannot move there)."""
    return re.sub(r"\breview\b(?!\.)", "check", USER_TASK)


def start(engine: Engine, business_key: str) -> int:
    return engine.runtime.start("user_task", business_key=business_key, actor="desk").id


def version_row(html: str, version: int) -> str:
    found = re.search(rf'<tr data-version="{version}">(.*?)</tr>', html, re.S)
    assert found, f"no row for version {version}"
    return found.group(1)


@pytest.fixture
def designer(app: Flask, engine: Engine) -> FlaskClient:
    return sign_in(app, engine, "designer")


def test_versions_with_deploy_date_and_running_counts(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    start(engine, "HS-1")
    start(engine, "HS-2")
    deploy(engine, with_budget("1WD"))
    start(engine, "HS-3")
    html = designer.get("/designer").get_data(as_text=True)
    assert "Thiết kế quy trình" in html and "User task in a lane" in html
    v1, v2 = version_row(html, 1), version_row(html, 2)
    assert '<td class="num running">2</td>' in v1 and '<td class="num running">1</td>' in v2
    assert "02/03/2026" in v1, "deployed at, dd/mm/yyyy in Asia/Ho_Chi_Minh"
    assert "mới nhất" in v2 and "mới nhất" not in v1
    assert "/designer/user_task?version=1" in v1 and "/designer/user_task?version=2" in v2
    assert "/designer/user_task/versions/2/migrate" in v2, "older versions' instances can be moved to v2"
    english = designer.get("/designer?lang=en").get_data(as_text=True)
    assert "Running instances" in english and "latest" in english


def test_upload_deploys_a_bundle_then_reports_unchanged_and_warnings(designer: FlaskClient, engine: Engine) -> None:
    token = token_of(designer)

    def upload(*files: tuple[str, bytes]) -> object:
        data = {"csrf_token": token, "files": [(io.BytesIO(content), name) for name, content in files]}
        return designer.post("/designer/deploy", data=data, content_type="multipart/form-data")

    bundle = [("user_task.bpmn", USER_TASK.encode()), ("review.schema.json", FORM)]
    first = upload(*bundle)
    assert first.status_code == 302
    html = designer.get("/designer").get_data(as_text=True)
    assert "Đã triển khai user_task phiên bản 1." in html
    assert [d.version for d in engine.repository.definitions("user_task")] == [1]
    upload(*bundle)
    assert "Không thay đổi, không tạo phiên bản mới: user_task." in designer.get("/designer").get_data(as_text=True)
    upload(("lane.bpmn", (VALIDATION / "lane.bpmn").read_bytes()))
    html = designer.get("/designer").get_data(as_text=True)
    assert 'class="flash warning"' in html
    assert "Công việc «Sign, outside any lane» chưa thuộc làn nào và chưa có nhóm xử lý" in html
    assert "has no lane" not in html  # the engine's English stays out of the Vietnamese page
    english = designer.get("/designer?lang=en")
    upload(("lane.bpmn", (VALIDATION / "lane.bpmn").read_bytes()))
    assert english.status_code == 200
    assert "user task sign has no lane or candidate group" in designer.get("/designer").get_data(as_text=True)


def test_a_refused_upload_lists_its_problems(designer: FlaskClient, engine: Engine) -> None:
    token = token_of(designer)
    data = {"csrf_token": token, "files": [(io.BytesIO((VALIDATION / "missing_form.bpmn").read_bytes()), "m.bpmn")]}
    refused = designer.post("/designer/deploy", data=data, content_type="multipart/form-data")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Gói không triển khai được" in html and "<code>appraise</code>" in html
    assert "missing.schema.json" in html and engine.repository.definitions() == []
    empty = designer.post("/designer/deploy", data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Hãy chọn ít nhất một tệp." in empty.get_data(as_text=True)
    no_csrf = designer.post("/designer/deploy", data={}, content_type="multipart/form-data")
    assert no_csrf.status_code == 400


def test_editor_page_carries_the_xml_the_moddle_extension_and_the_api(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    deploy(engine, with_budget("2WD"))
    page = designer.get("/designer/user_task?version=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="designer-data">(.*?)</script>', html, re.S)
    assert found
    data = json.loads(found.group(1))
    assert (data["key"], data["version"], data["latest"], data["resource"]) == ("user_task", 1, 2, "user_task.bpmn")
    assert 'value="0.5WD"' in data["xml"] and data["csrf"] == csrf(html)
    assert (data["validate_url"], data["deploy_url"]) == ("/api/definitions/validate", "/api/definitions")
    assert data["texts"]["deployed"] == "Đã triển khai phiên bản {version}."
    assert "/vendor/designer/designer.js" in html and "/static/designer.js" in html
    assert designer.get("/vendor/designer/designer.js").status_code == 200, "npm ci builds the editor bundle"
    assert designer.get("/vendor/properties-panel/properties-panel.css").status_code == 200
    assert data["catalog"]["forms"] == ["review.schema.json"] and data["catalog"]["processes"] == []
    assert "sla.start_clock" in {o["name"] for o in data["catalog"]["operators"]}
    urls = {"script_check": "/api/designer/script-check", "timer_preview": "/api/designer/timer-preview"}
    assert data["urls"] == urls
    assert (
        'value="2WD"'
        in json.loads(
            re.search(r'id="designer-data">(.*?)</script>', designer.get("/designer/user_task").get_data(as_text=True))[
                1
            ]
        )["xml"]
    ), "without ?version the latest opens"
    descriptor = designer.get(data["moddle"]).get_json()
    assert (
        descriptor["prefix"] == "spiffworkflow" and descriptor["uri"] == "http://spiffworkflow.org/bpmn/schema/1.0/core"
    )
    english = designer.get("/designer/user_task?lang=en").get_data(as_text=True)
    assert "Deploy as new version" in english and '"deployed": "Deployed version {version}."' in english
    assert designer.get("/designer/user_task?version=7").status_code == 404
    assert designer.get("/designer/nothing").status_code == 404


def test_the_editor_may_deploy_the_bpmn_alone_when_its_form_is_deployed(designer: FlaskClient, engine: Engine) -> None:
    """What the editor sends: only the exported .bpmn, named like the deployed file, with the CSRF header."""
    deploy(engine)
    headers = {"X-CSRF-Token": token_of(designer)}

    def send(url: str, xml: str) -> object:
        data = {"files": [(io.BytesIO(xml.encode()), "user_task.bpmn")]}
        return designer.post(url, data=data, headers=headers, content_type="multipart/form-data")

    checked = send("/api/definitions/validate", with_budget("1WD")).get_json()
    assert checked == {"valid": True, "processes": ["user_task"], "problems": []}
    bad = send("/api/definitions/validate", with_budget("1WD").replace("review.schema.json", "nope.json")).get_json()
    assert not bad["valid"] and bad["problems"][0]["element_id"] == "review"
    deployed = send("/api/definitions", with_budget("1WD"))
    assert deployed.status_code == 201 and deployed.get_json()["definitions"][0]["version"] == 2
    refused = designer.post("/api/definitions", data={"files": [(io.BytesIO(b"x"), "a.bpmn")]})
    assert refused.status_code == 400, "a session caller without the CSRF header is refused"


def test_migrate_moves_selected_instances_and_shows_refusals(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    on_v1 = start(engine, "HS-1")
    deploy(engine, renamed_review())
    on_v2 = start(engine, "HS-2")
    deploy(engine, with_budget("1WD"))
    url = "/designer/user_task/versions/3/migrate"
    html = designer.get(url).get_data(as_text=True)
    assert "Chuyển hồ sơ sang User task in a lane phiên bản 3" in html
    assert f'data-instance="{on_v1}"' in html and f'data-instance="{on_v2}"' in html
    moved = designer.post(url, data={"csrf_token": csrf(html), "instance": [str(on_v1), str(on_v2)]})
    assert moved.status_code == 200
    html = moved.get_data(as_text=True)
    ok = re.search(rf'<tr class="outcome ok" data-instance="{on_v1}">(.*?)</tr>', html, re.S)
    refused = re.search(rf'<tr class="outcome refused" data-instance="{on_v2}">(.*?)</tr>', html, re.S)
    assert ok and "Đã chuyển từ phiên bản 1 sang 3." in ok.group(1)
    assert refused and "Bị từ chối" in refused.group(1) and "check" in refused.group(1)
    assert engine.runtime.get(on_v1).definition_version == 3
    assert engine.runtime.get(on_v2).definition_version == 2
    remaining = re.search(r'<form method="post" class="card" id="migrate-form">(.*?)</form>', html, re.S)
    assert remaining and f'data-instance="{on_v1}"' not in remaining.group(1), "moved instances leave the list"
    nothing = designer.post(url, data={"csrf_token": csrf(html)})
    assert nothing.status_code == 422 and "Hãy chọn ít nhất một hồ sơ." in nothing.get_data(as_text=True)
    assert designer.get("/designer/user_task/versions/9/migrate").status_code == 404


def test_migrate_offers_a_mapping_for_renamed_steps_and_moves_with_it(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    waiting = start(engine, "HS-1")
    deploy(engine, renamed_review())
    url = "/designer/user_task/versions/2/migrate"
    html = designer.get(url).get_data(as_text=True)
    mapping = re.search(r'<fieldset class="card" id="mapping">(.*?)</fieldset>', html, re.S)
    assert mapping, "a current step missing in version 2 is offered a mapping"
    assert '<tr data-element="review">' in mapping.group(1) and "Review dossier" in mapping.group(1)
    assert 'name="map.review"' in mapping.group(1) and '<option value="check">Review dossier</option>' in mapping.group(
        1
    )
    row = re.search(rf'<tr data-instance="{waiting}">(.*?)</tr>', html, re.S)
    assert row and '<td class="missing-steps">Review dossier</td>' in row.group(1)

    token = csrf(html)
    many = {f"map.x{i}": "check" for i in range(2000)}
    for bad in ({"map.nope": "check"}, {"map.review": "nope"}, {"map.review": ["check", "check"]}, many):
        refused = designer.post(url, data={"csrf_token": token, "instance": [str(waiting)], **bad})
        assert refused.status_code == 422 and "Chưa hồ sơ nào được chuyển." in refused.get_data(as_text=True)
        assert engine.runtime.get(waiting).definition_version == 1
    unmapped = designer.post(url, data={"csrf_token": token, "instance": [str(waiting)], "map.review": ""})
    outcome = re.search(
        rf'<tr class="outcome refused" data-instance="{waiting}">(.*?)</tr>', unmapped.get_data(as_text=True), re.S
    )
    assert outcome and "review (Review dossier)" in outcome.group(1)

    moved = designer.post(url, data={"csrf_token": token, "instance": [str(waiting)], "map.review": "check"})
    assert moved.status_code == 200
    assert f'<tr class="outcome ok" data-instance="{waiting}">' in moved.get_data(as_text=True)
    assert engine.runtime.get(waiting).definition_version == 2
    assert [t.element_id for t in engine.tasks.for_instance(waiting) if t.state == "ready"] == ["check"]
    assert 'id="mapping"' not in moved.get_data(as_text=True), "nothing is left to map"


def test_designer_pages_need_the_designer_role(app: Flask, engine: Engine) -> None:
    assert app.test_client().get("/designer").headers["Location"].startswith("/login")
    appraiser = sign_in(app, engine, "an")
    assert appraiser.get("/designer").status_code == 403
    assert "Thiết kế quy trình" not in appraiser.get("/", follow_redirects=True).get_data(as_text=True)
    admin = sign_in(app, engine, "admin")
    assert admin.get("/designer").status_code == 200


def editor_data(html: str) -> dict[str, object]:
    found = re.search(r'id="designer-data">(.*?)</script>', html, re.S)
    assert found, "the editor page"
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_a_new_process_starts_blank_or_from_a_deployed_one(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    form = designer.get("/designer/new").get_data(as_text=True)
    assert 'id="new-form"' in form and '<option value="user_task">' in form
    token = token_of(designer)
    blank = designer.post("/designer/new", data={"key": "thu_nghiem", "name": "Thử nghiệm", "csrf_token": token})
    assert blank.status_code == 200
    data = editor_data(blank.get_data(as_text=True))
    assert (data["key"], data["version"], data["resource"]) == ("thu_nghiem", None, "thu_nghiem.bpmn")
    assert 'id="thu_nghiem" name="Thử nghiệm" isExecutable="true"' in str(data["xml"])
    copy = designer.post(
        "/designer/new", data={"key": "ban_sao", "name": "Bản sao", "template": "user_task", "csrf_token": token}
    )
    xml = str(editor_data(copy.get_data(as_text=True))["xml"])
    assert 'id="ban_sao"' in xml and 'processRef="ban_sao"' in xml and 'id="review"' in xml
    assert '"user_task"' not in xml, "every reference follows the new key"
    assert [d.key for d in engine.repository.definitions()] == ["user_task"], "nothing is stored before deploying"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"key": "user_task", "name": "Trùng"}, "key"),
        ({"key": "1abc", "name": "Sai mã"}, "key"),
        ({"key": "a.b", "name": "Sai mã"}, "key"),
        ({"key": "ok_key", "name": ""}, "name"),
        ({"key": "ok_key", "name": "x" * 201}, "name"),
        ({"key": "ok_key", "name": "Mẫu lạ", "template": "khong_co"}, "template"),
    ],
)
def test_a_bad_new_process_is_refused_naming_the_field(
    designer: FlaskClient, engine: Engine, form: dict[str, str], field: str
) -> None:
    deploy(engine)
    answer = designer.post("/designer/new", data={**form, "csrf_token": token_of(designer)})
    assert answer.status_code == 422
    label = {"key": "Mã quy trình:", "name": "Tên quy trình:", "template": "Bắt đầu từ:"}[field]
    assert label in answer.get_data(as_text=True), "the refusal names the field"
    assert [d.key for d in engine.repository.definitions()] == ["user_task"]


def test_the_diff_page_carries_both_versions(designer: FlaskClient, engine: Engine) -> None:
    deploy(engine)
    deploy(engine, with_budget("2WD"))
    html = designer.get("/designer").get_data(as_text=True)
    assert "/designer/user_task/diff?to=2&amp;from=1" in version_row(html, 2), "each newer version compares"
    page = designer.get("/designer/user_task/diff")
    assert page.status_code == 200
    found = re.search(r'id="diff-data">(.*?)</script>', page.get_data(as_text=True), re.S)
    assert found
    data = json.loads(found.group(1))
    assert 'value="0.5WD"' in data["old_xml"] and 'value="2WD"' in data["new_xml"], "the latest against the one before"
    assert data["texts"]["added"] == "Thêm mới"
    assert designer.get("/designer/user_task/diff?from=1&to=9").status_code == 404
    assert designer.get("/designer/user_task/diff?from=x").status_code == 200, "a bad number falls back to the default"
