"""The designer's inputs as an adversary would use them: XML bombs, external entities, deep or huge bodies,
foreign BPMN, hidden characters, forms with recursive references, sandbox escapes, posts without a CSRF token
or with the wrong role. Each is answered with a 4xx naming the file, element or field, in Vietnamese on the
pages, and nothing in the database (history included) changes. The rule sets, documents and calendars, which
need the domain, are in ``test_designer_hostile_domain.py``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine import Engine
from engine.db import Database
from tests.web.conftest import Api
from tests.web.test_hostile_input import counts
from tests.web.test_pages_designer import sign_in, token_of

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"
USER_TASK = (BPMN / "user_task.bpmn").read_text()
FORM = (BPMN / "review.schema.json").read_bytes()
#: Letters only Vietnamese uses: a sentence written in English has none of them.
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")

BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&lol3;"/></definitions>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&x;"/></definitions>'
)
DEEP = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    + "<a>" * 10_000
    + "</a>" * 10_000
    + "</definitions>"
)
CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="D" targetNamespace="x">
<bpmn:process id="camu" isExecutable="true"><bpmn:startEvent id="s"/>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
<bpmn:serviceTask id="t" camunda:class="com.x.Y">
<bpmn:extensionElements><zeebe:taskDefinition type="x"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>"""
OTHER_NAMESPACE = '<?xml version="1.0"?><definitions xmlns="http://example.com/x"><process id="p"/></definitions>'
RENAMED = 'name="Review dossier"'

#: (case, the bytes of user_task.bpmn's replacement, the element the answer names (None: the file), the code)
BUNDLES = [
    ("billion-laughs", BOMB.encode(), None, "xml.dtd"),
    ("external-entity", XXE.encode(), None, "xml.dtd"),
    ("10000-levels", DEEP.encode(), None, "xml.malformed"),
    ("rtl-override", USER_TASK.replace(RENAMED, 'name="\u202eReview"').encode(), "review", "xml.unshowable"),
    ("rtl-isolate-in-text", USER_TASK.replace("0.5WD", "0.5WD\u2066").encode(), "review", "xml.unshowable"),
    ("nul", USER_TASK.replace(RENAMED, 'name="Re\x00view"').encode(), None, "xml.malformed"),
    (
        "lone-surrogate",
        USER_TASK.replace(RENAMED, 'name="Re\udfffview"').encode("utf-8", "surrogatepass"),
        None,
        "xml.malformed_encoding",
    ),
    ("overlong-utf8", USER_TASK.encode().replace(b"Review dossier", b"Re\xc0\xafview"), None, "xml.malformed_encoding"),
    ("camunda-zeebe", CAMUNDA.encode(), "t", "vendor.behaviour"),
    ("other-namespace", OTHER_NAMESPACE.encode(), None, "xml.wrong_root"),
    ("10-mb", b"<x>" + b"a" * (10 * 1024 * 1024) + b"</x>", None, "file.too_large"),
]


@pytest.fixture
def designer(app: Any, engine: Engine) -> FlaskClient:
    """A designer signed in through the login form, with user_task version 1 deployed."""
    engine.repository.deploy({"user_task.bpmn": USER_TASK.encode(), "review.schema.json": FORM}, actor="admin")
    return sign_in(app, engine, "designer")


def visible(html: str) -> str:
    """The text of the page's <main>, as a person reads it."""
    main = re.search(r"<main.*?</main>", html, re.S)
    text = re.sub(r"<(script|style|details)[^>]*>.*?</\1>", " ", main.group(0) if main else html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def unchanged(engine: Engine, database: Database, before: dict[str, int]) -> None:
    assert counts(database) == before, "a refusal changed the database"
    assert engine.repository.latest("user_task").version == 1


# -- BPMN: the designer page's upload, the API's deploy and validate -----------------------------------------------


@pytest.mark.parametrize(("case", "content", "element", "code"), BUNDLES, ids=[b[0] for b in BUNDLES])
def test_a_hostile_bundle_is_refused_by_element_in_vietnamese(
    designer: FlaskClient,
    api: Api,
    engine: Engine,
    database: Database,
    case: str,
    content: bytes,
    element: str | None,
    code: str,
) -> None:
    before = counts(database)
    files = {"files": [(io.BytesIO(content), "user_task.bpmn"), (io.BytesIO(FORM), "review.schema.json")]}
    page = designer.post("/designer/deploy", data={"csrf_token": token_of(designer), **files})
    text = visible(page.get_data(as_text=True))
    assert page.status_code == 422 and "Gói không triển khai được" in text, text[:300]
    row = text.split("Gói không triển khai được")[1][:400]
    assert "user_task.bpmn" in row and set(row) & VIETNAMESE, row
    if element:
        assert element in row, row
    files = {"files": [(io.BytesIO(content), "user_task.bpmn"), (io.BytesIO(FORM), "review.schema.json")]}
    answer = api.post("/api/definitions", "designer", data=files, content_type="multipart/form-data")
    assert answer.status_code == 422, answer.get_json()
    found = {(p["code"], p["element_id"]) for p in answer.get_json()["problems"]}
    assert (code, element) in found, found
    files = {"files": [(io.BytesIO(content), "user_task.bpmn"), (io.BytesIO(FORM), "review.schema.json")]}
    checked = api.post("/api/definitions/validate", "designer", data=files, content_type="multipart/form-data")
    assert checked.status_code == 200 and checked.get_json()["valid"] is False
    unchanged(engine, database, before)


def test_a_bundle_past_the_upload_bound_is_413_in_vietnamese(
    designer: FlaskClient, engine: Engine, database: Database
) -> None:
    before = counts(database)
    big = {"files": [(io.BytesIO(b"0" * (21 * 1024 * 1024)), "user_task.bpmn")]}
    answer = designer.post("/designer/deploy", data={"csrf_token": token_of(designer), **big})
    assert answer.status_code == 413 and "Tệp quá lớn" in answer.get_data(as_text=True)
    unchanged(engine, database, before)


# -- the editor's helpers: the sandbox check and the timer preview -----------------------------------------------


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ("().__class__.__mro__[1].__subclasses__()", "eval"),
        ("import os", "exec"),
        ("(" * 10_000 + ")" * 10_000, "exec"),
        ("[" * 10_000 + "]" * 10_000, "eval"),
    ],
    ids=["dunder-escape", "import", "deep-parentheses", "deep-brackets"],
)
def test_the_script_check_refuses_escapes_and_depth_without_running_them(
    api: Api, designer: FlaskClient, source: str, mode: str
) -> None:
    answer = api.post("/api/designer/script-check", "designer", json={"source": source, "mode": mode})
    assert answer.status_code == 200 and answer.get_json()["ok"] is False, answer.get_json()


@pytest.mark.parametrize(
    ("expression", "bound"),
    [
        ("10**10**10", "AWARDFLOW_SCRIPT_MAX_INT_BITS"),
        ("'a' * 10**10", "AWARDFLOW_SCRIPT_MAX_TEXT"),
        ("[x for x in range(10**9)]", "AWARDFLOW_SCRIPT_MAX_ITEMS"),
        ("().__class__.__mro__", "_"),
        ("(" * 5000 + "1" + ")" * 5000, "nested"),
    ],
    ids=["power", "allocation", "loop", "dunder", "deep"],
)
def test_a_timer_expression_that_loops_or_allocates_is_422_naming_the_expression(
    api: Api, designer: FlaskClient, expression: str, bound: str
) -> None:
    body = {"expression": expression, "kind": "duration", "start": "2026-03-02T08:00:00+07:00"}
    answer = api.post("/api/designer/timer-preview", "designer", json=body)
    assert answer.status_code == 422 and bound in answer.get_json()["fields"]["expression"][0], answer.get_json()


@pytest.mark.parametrize("text", ["x = 1\x00", "x = '\u202e'", "x = '\udfff'"], ids=["nul", "rtl", "surrogate"])
def test_hidden_characters_in_a_script_are_422_naming_the_source(api: Api, designer: FlaskClient, text: str) -> None:
    raw = json.dumps({"source": text})  # escapes the surrogate as \udfff, as a hostile client sends it
    answer = api.post("/api/designer/script-check", "designer", data=raw, content_type="application/json")
    assert answer.status_code == 422 and "source" in answer.get_json()["fields"]


# -- the form editor ---------------------------------------------------------------------------------------------


def draft(**changes: Any) -> dict[str, Any]:
    fields = [{"kind": "text", "key": "ghi_chu", "label": "Ghi chú"}]
    return {"name": "thu_nghiem.schema.json", "title": "Thử nghiệm", "fields": fields, **changes}


def kept(schema: Any, **changes: Any) -> dict[str, Any]:
    """A draft with one advanced field carrying ``schema`` as it is."""
    return draft(fields=[{"kind": "kept", "key": "nang_cao", "schema": schema}], **changes)


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


DRAFTS = [
    (
        "10000-fields",
        json.dumps(draft(fields=[{"kind": "text", "key": f"f{i}", "label": "T"} for i in range(10_000)])),
        "fields",
        "tối đa 100 trường",
    ),
    ("10000-levels", '{"fields": ' + "[" * 10_000 + "]" * 10_000 + "}", "draft", "không đọc được"),
    ("300-levels", json.dumps(kept(nested(300))), "draft", "lồng quá 32 tầng"),
    (
        "ref-cycle",
        json.dumps(
            kept({"$ref": "#/$defs/a"}, extra={"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}})
        ),
        "_",
        "đi vòng tròn",
    ),
    ("ref-to-itself", json.dumps(kept({"$ref": "#/properties/nang_cao"})), "_", "đi vòng tròn"),
    ("allof-root", json.dumps(draft(extra={"allOf": [{"$ref": "#"}]})), "_", "đi vòng tròn"),
    ("ref-remote", json.dumps(kept({"$ref": "http://127.0.0.1:9/x.json"})), "_", "trỏ ra ngoài biểu mẫu"),
    ("ref-file", json.dumps(kept({"$ref": "file:///etc/passwd"})), "_", "trỏ ra ngoài biểu mẫu"),
    ("redos", json.dumps(kept({"type": "string", "pattern": "(a+)+$"})), "_", "có thể chạy rất lâu"),
    (
        "rtl-label",
        json.dumps(draft(fields=[{"kind": "text", "key": "a", "label": "\u202eNhãn"}])),
        "fields.0.label",
        "ký tự không được phép",
    ),
    ("nul-title", json.dumps(draft(title="Tiêu\x00đề")), "title", "ký tự không được phép"),
    (
        "surrogate-label",
        json.dumps(draft(fields=[{"kind": "text", "key": "a", "label": "N\udfff"}])),
        "fields.0.label",
        "ký tự không được phép",
    ),
    ("path-traversal", json.dumps(draft(name="../../etc/passwd.schema.json")), "name", "Tên tệp"),
]


@pytest.mark.parametrize(("case", "text", "field", "said"), DRAFTS, ids=[d[0] for d in DRAFTS])
def test_a_hostile_form_draft_is_422_naming_the_entry(
    designer: FlaskClient, engine: Engine, database: Database, case: str, text: str, field: str, said: str
) -> None:
    before = counts(database)
    for action in ("preview", "save"):
        answer = designer.post(f"/designer/forms/{action}", data={"csrf_token": token_of(designer), "draft": text})
        assert answer.status_code == 422, (action, answer.status_code, answer.get_data(as_text=True)[:300])
        problems = answer.get_json()["problems"]
        assert field in problems and said in " ".join(problems[field]), problems
    assert engine.repository.files("form", "thu_nghiem.schema.json") == []
    unchanged(engine, database, before)


def test_a_deep_or_cyclic_form_uploaded_as_a_file_is_refused_too(api: Api, designer: FlaskClient) -> None:
    """The same check guards the bundle upload, where the form editor's draft checks do not run."""
    for schema, code in (
        (nested(40), "form.too_deep"),
        ({"type": "object", "allOf": [{"$ref": "#"}]}, "form.ref_cycle"),
        ({"type": "object", "title": "A\u202eB"}, "form.unshowable"),
    ):
        files = {"files": [(io.BytesIO(json.dumps(schema).encode()), "x.schema.json")]}
        answer = api.post("/api/definitions/validate", "designer", data=files, content_type="multipart/form-data")
        assert code in {p["code"] for p in answer.get_json()["problems"]}, answer.get_json()


# -- the decision editor -----------------------------------------------------------------------------------------

DMN = (BPMN / "discount.dmn").read_text()
DMN_URL = "/designer/quyet-dinh/discount.dmn"


@pytest.fixture
def decisions(designer: FlaskClient, engine: Engine) -> FlaskClient:
    files = ("business_rule.bpmn", "discount.dmn", "review.schema.json")
    engine.repository.deploy({n: (BPMN / n).read_bytes() for n in files}, actor="admin", name="giảm giá")
    return designer


@pytest.mark.parametrize(
    ("xml", "code", "element"),
    [
        (BOMB, "xml.dtd", None),
        (XXE, "xml.dtd", None),
        (DEEP, "xml.malformed", None),
        (DMN.replace("<text>0.1</text>", "<text>().__class__</text>"), "dmn.output.invalid", "OutputEntry_large"),
    ],
    ids=["billion-laughs", "external-entity", "10000-levels", "sandbox-escape-in-output"],
)
def test_a_hostile_table_is_refused_naming_the_cell(
    decisions: FlaskClient, engine: Engine, database: Database, xml: str, code: str, element: str | None
) -> None:
    before = counts(database)
    for action in ("kiem-tra", "trien-khai"):
        answer = decisions.post(f"{DMN_URL}/{action}", data={"csrf_token": token_of(decisions), "xml": xml})
        body = answer.get_json()
        assert answer.status_code == 422 and body["ok"] is False, body
        found = {(p["code"], p["element_id"]) for p in body["problems"]}
        assert (code, element) in found, found
        assert all(set(p["message"]) & VIETNAMESE for p in body["problems"]), body["problems"]
    assert counts(database) == before and engine.repository.latest("business_rule").version == 1


@pytest.mark.parametrize("hidden", ["\u202e", "\x00", "\u2066"], ids=["rtl-override", "nul", "isolate"])
def test_a_hidden_character_in_the_edited_table_is_answered_as_json_the_editor_shows(
    decisions: FlaskClient, engine: Engine, database: Database, hidden: str
) -> None:
    """Refused at the boundary (before the table is read), in the editor's JSON: it used to be the HTML error
    page, which the editor could not read, so the designer saw nothing happen."""
    before = counts(database)
    xml = DMN.replace('name="', f'name="{hidden}', 1)
    answer = decisions.post(
        f"{DMN_URL}/trien-khai",
        data={"csrf_token": token_of(decisions), "xml": xml},
        headers={"Accept": "application/json"},
    )
    body = answer.get_json()
    assert answer.status_code == 422 and body["ok"] is False and "xml" in body["problems"], body
    assert set(body["message"]) & VIETNAMESE and "Mục cần sửa: xml" in body["problems"]["xml"][0]
    assert counts(database) == before


def test_a_hidden_character_in_an_uploaded_table_names_its_element(api: Api, decisions: FlaskClient) -> None:
    files = {"files": [(io.BytesIO(DMN.replace('name="', 'name="\u202e', 1).encode()), "discount.dmn")]}
    answer = api.post("/api/definitions/validate", "designer", data=files, content_type="multipart/form-data")
    found = {(p["code"], p["element_id"]) for p in answer.get_json()["problems"]}
    assert ("xml.unshowable", "Definitions_discount") in found, found


# -- who may post, and with what ---------------------------------------------------------------------------------

POSTS = [
    ("/designer/deploy", {}),
    ("/designer/new", {"key": "moi", "name": "Mới"}),
    ("/designer/forms/save", {"draft": json.dumps(draft())}),
    ("/designer/user_task/versions/1/migrate", {"instance": "1"}),
    ("/designer/quyet-dinh/discount.dmn/trien-khai", {"xml": DMN}),
    ("/thiet-ke/lich-su/user_task/quay-lai", {}),
]


@pytest.mark.parametrize(("url", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_a_post_without_the_csrf_token_or_by_another_role_changes_nothing(
    app: Any, engine: Engine, database: Database, designer: FlaskClient, url: str, data: dict[str, str]
) -> None:
    appraiser = sign_in(app, engine, "appraiser")
    before = counts(database)
    refused = designer.post(url, data={**data, "csrf_token": "not-the-token"})
    assert refused.status_code == 400 and "Phiên làm việc đã hết hạn" in refused.get_data(as_text=True)
    other = appraiser.post(url, data={**data, "csrf_token": token_of(appraiser, "/inbox")})
    assert other.status_code == 403 and "Không có quyền" in other.get_data(as_text=True)
    assert counts(database) == before


def test_a_bearer_token_of_another_role_cannot_deploy(api: Api, engine: Engine, database: Database) -> None:
    before = counts(database)
    files = {"files": [(io.BytesIO(USER_TASK.encode()), "user_task.bpmn"), (io.BytesIO(FORM), "review.schema.json")]}
    answer = api.post("/api/definitions", "appraiser", data=files, content_type="multipart/form-data")
    assert answer.status_code == 403 and answer.get_json()["error"] == "RoleRefused"
    assert counts(database) == before


def test_a_field_name_with_a_bidi_override_is_shown_escaped(designer: FlaskClient, database: Database) -> None:
    """The refusal names the field with the override written out (``\\u202e``), so it cannot turn the page's text
    around; the page's sentence is Vietnamese."""
    before = counts(database)
    answer = designer.post(
        "/designer/user_task/versions/1/migrate", data={"csrf_token": token_of(designer), "map.\u202e": "x"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "\u202e" not in page and "map.\\u202e" in page
    assert "Dữ liệu chưa hợp lệ" in page and "cannot be stored" not in page
    assert counts(database) == before


# -- two designers on one process ----------------------------------------------------------------------------------


def deploy_based_on(api: Api, xml: str, based_on: str) -> Any:
    files = {"files": [(io.BytesIO(xml.encode()), "user_task.bpmn")], "based_on": based_on}
    return api.post("/api/definitions", "designer", data=files, content_type="multipart/form-data")


def test_a_second_designer_deploying_over_the_first_is_409_naming_the_newest_version(
    api: Api, designer: FlaskClient, engine: Engine, database: Database
) -> None:
    """Both opened version 1; the first deploys version 2; the second's deployment, made from version 1, is
    refused (it would have undone version 2 without a word) and nothing is stored."""
    first = deploy_based_on(api, USER_TASK.replace("0.5WD", "1WD"), "user_task=1")
    assert first.status_code == 201 and first.get_json()["definitions"][0]["version"] == 2
    before = counts(database)
    second = deploy_based_on(api, USER_TASK.replace("0.5WD", "2WD"), "user_task=1")
    body = second.get_json()
    assert second.status_code == 409 and body["error"] == "VersionConflict", body
    assert (body["key"], body["based_on"], body["latest"]) == ("user_task", 1, 2)
    assert counts(database) == before and engine.repository.latest("user_task").version == 2
    again = deploy_based_on(api, USER_TASK.replace("0.5WD", "2WD"), "user_task=2")  # made again on version 2
    assert again.status_code == 201 and again.get_json()["definitions"][0]["version"] == 3


@pytest.mark.parametrize("value", ["user_task", "=1", "user_task=x", "user_task=-1", "user_task=" + "9" * 20])
def test_a_malformed_based_on_is_400_naming_it(api: Api, designer: FlaskClient, database: Database, value: str) -> None:
    before = counts(database)
    answer = deploy_based_on(api, USER_TASK.replace("0.5WD", "1WD"), value)
    assert answer.status_code == 400 and "based_on" in answer.get_json()["fields"], answer.get_json()
    assert counts(database) == before


def test_a_new_process_whose_key_was_taken_meanwhile_is_409(api: Api, designer: FlaskClient) -> None:
    answer = deploy_based_on(api, USER_TASK.replace("0.5WD", "1WD"), "user_task=")
    assert answer.status_code == 409 and answer.get_json()["latest"] == 1
