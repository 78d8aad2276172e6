"""The designer's domain inputs as an adversary uses them: document templates that try to leave the Jinja sandbox
or work without bound, rule-set drafts and YAML files that are deep, hidden-charactered or aliased, calendar
entries in absurd years or of absurd length. Each is a 4xx naming the field in Vietnamese, nothing stored, the
history unchanged (the counts take in every table, the audit events too)."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.db import Database
from handlers.domain import Domain
from tests.web import test_pages_designer_rules as rules_pages
from tests.web.test_designer_hostile import VIETNAMESE, visible
from tests.web.test_hostile_input import counts
from tests.web.test_pages_designer import sign_in, token_of

#: the rule-set pages' fixtures: the shipped processes, rule sets and documents on Monday 02/03/2026
world = rules_pages.world
app = rules_pages.app
form_of = rules_pages.form_of
JSON = {"Accept": "application/json"}


@pytest.fixture
def designer(app: Flask, world: Domain) -> FlaskClient:
    return sign_in(app, world.engine, "designer")


# -- document templates ------------------------------------------------------------------------------------------

TEMPLATES = [
    ("mro-escape", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "lời gọi hàm"),
    ("private-context", "{{ self._TemplateReference__context }}", "_TemplateReference__context"),
    ("os-through-globals", "{{ lipsum.__globals__['os'].popen('id').read() }}", "lời gọi hàm"),
    ("app-config", "{{ config }}", "«config» không có trong dữ liệu"),
    ("billion-loop", "{% for i in range(10**9) %}x{% endfor %}", "lời gọi hàm"),
    ("allocation", "{{ 'a' * 10**9 }}", "phép nhân"),
    ("power", "{{ 10**10**10 }}", "lũy thừa"),
    ("recursive-macro", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "macro"),
    ("include-a-file", "{% include '/etc/passwd' %}", "include"),
    ("2000-brackets", "{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}", "lồng quá sâu"),
    ("2000-ifs-in-20000-chars", "{% if 1 %}" * 2000 + "{% endif %}" * 2000, "dài quá"),
]


@pytest.mark.parametrize(("case", "body", "said"), TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_a_template_leaving_the_sandbox_is_422_naming_the_body(
    designer: FlaskClient, world: Domain, database: Database, case: str, body: str, said: str
) -> None:
    before = counts(database)
    token = token_of(designer, "/designer/documents/receipt")
    for action, extra in (("preview", {}), ("publish", {"effective_from": "01/06/2026"})):
        answer = designer.post(
            f"/designer/documents/receipt/{action}", data={"csrf_token": token, "body": body, **extra}
        )
        problems = answer.get_json()["problems"]
        assert answer.status_code == 422 and said in problems["body"][0], (action, problems)
    assert counts(database) == before and len(world.document_templates.versions("receipt")) == 1


@pytest.mark.parametrize("hidden", ["\x00", "\u202e", "\x1b"], ids=["nul", "rtl-override", "escape"])
def test_a_hidden_character_in_a_template_is_answered_as_json_the_editor_shows(
    designer: FlaskClient, database: Database, hidden: str
) -> None:
    before = counts(database)
    token = token_of(designer, "/designer/documents/receipt")
    data = {"csrf_token": token, "body": f"Biên nhận{hidden}", "effective_from": "01/06/2026"}
    answer = designer.post("/designer/documents/receipt/publish", data=data, headers=JSON)
    body = answer.get_json()
    assert answer.status_code == 422 and "body" in body["problems"] and set(body["message"]) & VIETNAMESE, body
    assert counts(database) == before


def test_an_expired_session_on_an_editor_is_said_in_json(designer: FlaskClient, database: Database) -> None:
    before = counts(database)
    data = {"csrf_token": "old", "body": "Biên nhận", "effective_from": "01/06/2026"}
    answer = designer.post("/designer/documents/receipt/publish", data=data, headers=JSON)
    assert answer.status_code == 400 and "Phiên làm việc đã hết hạn" in answer.get_json()["message"]
    assert counts(database) == before


# -- rule sets ---------------------------------------------------------------------------------------------------


def rules_form(designer: FlaskClient) -> dict[str, str]:
    fields = form_of(designer.get("/designer/quy-tac/moi").get_data(as_text=True))
    return {**fields.to_dict(), "version": "2027.01", "effective_from": "01/01/2027", "action": "publish"}


def with_entry(draft: str, escaped: str) -> str:
    """The draft with one more top-level entry holding ``escaped`` as JSON writes it (``\\udfff``)."""
    return draft.replace('"award_types"', f'"ghi_chu": "{escaped}", "award_types"', 1)


@pytest.mark.parametrize(
    ("case", "draft", "named"),
    [
        ("10000-levels", lambda d: "[" * 10_000 + "]" * 10_000, "Bản nháp"),
        ("5000-levels-of-objects", lambda d: '{"a":' * 5000 + "1" + "}" * 5000, "Bản nháp"),
        ("lone-surrogate", lambda d: with_entry(d, "\\udfff"), "ghi_chu"),
        ("nul", lambda d: with_entry(d, "\\u0000"), "ghi_chu"),
        ("rtl-override", lambda d: with_entry(d, "\\u202e"), "ghi_chu"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_hostile_rule_set_draft_is_422_and_publishes_nothing(
    designer: FlaskClient, world: Domain, database: Database, case: str, draft: object, named: str
) -> None:
    posted = rules_form(designer)
    posted["draft"] = draft(posted["draft"])  # type: ignore[operator]
    before, versions = counts(database), world.rulesets.versions()
    answer = designer.post("/designer/quy-tac/moi", data=posted)
    text = visible(answer.get_data(as_text=True))
    assert answer.status_code == 422 and "Chưa lưu được" in text and named in text, text[:600]
    assert counts(database) == before and world.rulesets.versions() == versions


YAMLS = [
    ("billion-laughs", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b]\n", "tham chiếu"),
    ("python-object", "!!python/object/apply:os.system ['id']\n", "không phải YAML hợp lệ"),
    ("10000-levels", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", "lồng quá 32 tầng"),
    ("rtl-override", "version: '\u202e2027.01'\n", "ký tự không được phép"),
    ("not-utf8", None, "UTF-8"),
]


@pytest.mark.parametrize(("case", "text", "said"), YAMLS, ids=[y[0] for y in YAMLS])
def test_a_hostile_rule_set_file_is_422_naming_the_file(
    designer: FlaskClient, world: Domain, database: Database, case: str, text: str | None, said: str
) -> None:
    before, versions = counts(database), world.rulesets.versions()
    raw = b"\xff\xfe\x00bin" if text is None else text.encode()
    data = {"csrf_token": token_of(designer, "/designer/quy-tac/moi"), "yaml": (io.BytesIO(raw), "quy-tac.yaml")}
    answer = designer.post("/designer/quy-tac/tai-len", data=data, content_type="multipart/form-data")
    shown = visible(answer.get_data(as_text=True))
    assert answer.status_code == 422 and "Tệp YAML" in shown and said in shown, shown[:600]
    assert counts(database) == before and world.rulesets.versions() == versions


# -- calendars ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data", "field", "said"),
    [
        ("/admin/calendar/add/holiday", {"day": "01/01/9999", "name": "Nghỉ", "source": "QĐ 1"}, "day", "Năm phải"),
        ("/admin/calendar/add/holiday", {"day": "01/01/0001", "name": "Nghỉ", "source": "QĐ 1"}, "day", "Năm phải"),
        ("/admin/calendar/add/swap", {"off": "03/06/2026", "work": "03/06/2300", "source": "QĐ"}, "work", "Năm phải"),
        ("/admin/calendar/add/holiday", {"day": "02/06/2026", "name": "x" * 5000, "source": "QĐ"}, "name", "Tối đa"),
        ("/admin/calendar/add/workday", {"day": "06/06/2026", "name": "Trực", "source": "y" * 600}, "source", "Tối đa"),
        ("/admin/calendar/new", {"new_name": "lich-moi", "description": "x" * 900}, "description", "Tối đa"),
        ("/admin/calendar/new", {"new_name": "lich-moi", "units": "khong-co-don-vi"}, "units", ""),
        ("/admin/calendar/add/swap", {"off": "03/06/2026", "work": "03/06/2026", "source": "QĐ"}, "work", "vốn đã"),
    ],
    ids=[
        "year-9999",
        "year-1",
        "swap-2300",
        "long-name",
        "long-source",
        "long-description",
        "unknown-unit",
        "swap-onto-a-working-day",
    ],
)
def test_an_absurd_calendar_entry_is_422_naming_the_field_in_vietnamese(
    app: Flask, world: Domain, database: Database, url: str, data: dict[str, str], field: str, said: str
) -> None:
    admin = sign_in(app, world.engine, "admin")
    token = token_of(admin, "/admin/calendar")
    before = counts(database)
    answer = admin.post(url, data={"csrf_token": token, **data})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422, (answer.status_code, visible(page)[:400])
    assert f'name="{field}"' in page and said in visible(page)
    assert not any(word in visible(page) for word in ("regular working day", "is not", "already has")), "English"
    assert counts(database) == before
