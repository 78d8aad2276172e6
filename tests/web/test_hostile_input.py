"""Hostile and careless input at the one boundary (web/boundary.py): each request is refused with a 4xx that
names the field, and nothing changes in the database. Runs on whatever database AWARDFLOW_DATABASE_URL names,
so CI holds it on SQLite and PostgreSQL alike (PostgreSQL refuses NUL in text; SQLite's ids are 64-bit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from engine import Engine, Settings
from engine.db import Base, Database
from web.pages import forms

from .conftest import PEOPLE, Api
from .pages_support import csrf, signed_in
from .test_api_flow import start
from .test_pages_task import deploy_all_types, field_block, submit

#: The engine's bound on one completion's data, small here so a test reaches it with a small body.
DATA_LIMIT = 4096


@pytest.fixture
def engine(database: Database, vclock: object) -> Iterator[Engine]:
    """The usual test engine, with a small task-data bound."""
    settings = Settings(database_url=database.url, script_time_limit_s=0.5, max_task_data_bytes=DATA_LIMIT)
    eng = Engine(settings, database=database)
    eng.ensure_admin()
    for name, (groups, unit) in PEOPLE.items():
        eng.identity.ensure_user(name, groups=groups, unit=unit)
    yield eng


@pytest.fixture
def running(api: Api) -> dict[str, Any]:
    """A deployed process with one instance waiting at its review task (claimed by the appraiser)."""
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    instance = start(api)
    [task] = api.get("/api/tasks?process_key=user_task", "appraiser").get_json()["items"]
    assert api.post(f"/api/tasks/{task['id']}/claim", "appraiser").status_code == 200
    return {"instance": instance, "task": task}


def counts(database: Database) -> dict[str, int]:
    """Rows per table: what a refusal must leave as it found it."""
    with database.engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def refused(response: TestResponse, status: int | tuple[int, ...], field: str) -> dict[str, Any]:
    """The answer is the expected 4xx, as JSON, naming ``field``."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert field in body["fields"], body
    return body


# -- JSON bodies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/auth/token", "/api/auth/login", "/api/instances", "/api/signals"])
@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 50_000, "[" * 33 + "]" * 33])
def test_deep_json_is_400_naming_the_body(api: Api, database: Database, url: str, body: str) -> None:
    before = counts(database)
    answer = refused(api.post(url, "admin", data=body, content_type="application/json"), 400, "body")
    assert "deeper" in answer["fields"]["body"][0] or "not valid JSON" in answer["fields"]["body"][0]
    assert counts(database) == before


def test_json_at_the_depth_bound_is_read(api: Api, running: dict[str, Any]) -> None:
    nested: Any = "leaf"
    for _ in range(30):
        nested = [nested]
    answer = api.post("/api/instances", "desk", json={"key": "user_task", "data": {"deep": nested}})
    assert answer.status_code == 201, answer.get_json()


def test_broken_json_and_bad_utf8_are_400(api: Api, database: Database) -> None:
    before = counts(database)
    for raw in (b'{"key": ', b'{"key": "\xff\xfe"}', b"\x00\x00\x00", b'{"key": NaN'):
        refused(api.post("/api/instances", "desk", data=raw, content_type="application/json"), (400, 422), "body")
    assert counts(database) == before


def test_huge_json_is_413(api: Api, database: Database, running: dict[str, Any]) -> None:
    before = counts(database)
    big = {"key": "user_task", "data": {"x": "y" * (2 * 1024 * 1024)}}
    answer = api.post("/api/instances", "desk", json=big)
    assert answer.status_code == 413 and answer.get_json()["error"] == "RequestEntityTooLarge"
    assert "MB" in answer.get_json()["message"]
    assert counts(database) == before


# -- text no database can store ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/auth/token", {"username": "an\x00", "password": "x"}, "username"),
        ("/api/instances", {"key": "user\x00task"}, "key"),
        ("/api/instances", {"key": "user_task", "business_key": "HS\x00-1"}, "business_key"),
        ("/api/instances", {"key": "user_task", "business_key": "HS-\udfff"}, "business_key"),
        ("/api/instances", {"key": "user_task", "data": {"note": "a\x00b"}}, "data.note"),
        ("/api/instances", {"key": "user_task", "data": {"rows": [{"n": "\ud800"}]}}, "data.rows.0.n"),
        ("/api/calendar/holidays", {"day": "2027-06-01", "name": "x\x00", "source": "s"}, "name"),
        ("/api/signals", {"name": "go", "payload": ["\udfff"]}, "payload.0"),
        ("/api/instances", {"key": "user_task", "business_key": "\u202eHS-1"}, "business_key"),
        ("/api/instances", {"key": "user_task", "data": {"note": "a\x0bb"}}, "data.note"),
        ("/api/calendar/holidays", {"day": "2027-06-01", "name": "Tết\u2066", "source": "s"}, "name"),
    ],
)
def test_nul_and_lone_surrogates_in_a_body_are_422_naming_the_field(
    api: Api, database: Database, running: dict[str, Any], url: str, body: dict[str, Any], field: str
) -> None:
    before = counts(database)
    # json.dumps escapes a lone surrogate as \udfff: exactly what a hostile client sends
    answer = refused(api.post(url, "admin", data=json.dumps(body), content_type="application/json"), 422, field)
    assert answer["error"] == "InvalidInput"
    assert counts(database) == before


def test_nul_in_a_key_of_task_data_is_refused(api: Api, database: Database, running: dict[str, Any]) -> None:
    before = counts(database)
    body = {"key": "user_task", "data": {"bad\x00key": 1}}
    answer = api.post("/api/instances", "desk", json=body)
    assert answer.status_code == 422 and any("NUL" in m for ms in answer.get_json()["fields"].values() for m in ms)
    assert counts(database) == before


def test_lone_surrogate_in_task_data_leaves_the_instance_readable(
    api: Api, database: Database, running: dict[str, Any]
) -> None:
    task, instance = running["task"], running["instance"]
    before = counts(database)
    body = json.dumps({"data": {"decision": "approve", "comment": "ok \udfff"}})
    url = f"/api/tasks/{task['id']}/complete"
    refused(api.post(url, "appraiser", data=body, content_type="application/json"), 422, "data.comment")
    assert counts(database) == before
    for url in (f"/api/instances/{instance['id']}", f"/api/instances/{instance['id']}/history"):
        assert api.get(url, "admin").status_code == 200
    done = api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": {"decision": "approve"}})
    assert done.status_code == 200, done.get_json()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/instances?business_key=HS%00", "business_key"),
        ("/api/tasks?process_key=%00", "process_key"),
        ("/api/dossiers?award_type=a%00b", "award_type"),
        ("/api/definitions/user%00task/xml", "key"),
        ("/api/public/dossiers/HS%00-1", "code"),
        ("/api/tasks/abc%00/form", "task_id"),
        ("/api/instances?business_key=%ff%fe", "business_key"),
        ("/api/instances?business_key=%ed%bf%bf", "business_key"),
        ("/api/instances?business_key=%E2%80%AEHS", "business_key"),
        ("/api/dossiers?award_type=%1b", "award_type"),
    ],
)
def test_nul_and_bad_utf8_in_query_and_path_are_400_naming_the_parameter(api: Api, url: str, field: str) -> None:
    refused(api.get(url, "admin"), 400, field)


@pytest.mark.parametrize("raw", [b"/api/tasks/\xed\xbf\xbf/form", b"/api/public/dossiers/\xc3", b"/tasks/\xff"])
def test_a_path_that_is_not_utf8_is_400(api: Api, raw: bytes) -> None:
    """As a WSGI server passes it: the path's raw bytes as latin-1 (the test client would replace them)."""
    answer = api.get("/", "admin", environ_overrides={"PATH_INFO": raw.decode("latin-1")})
    assert answer.status_code == 400
    if raw.startswith(b"/api"):
        assert "path" in answer.get_json()["fields"]


def test_nul_in_a_page_form_is_refused_before_the_sign_in(api: Api, database: Database) -> None:
    before = counts(database)
    answer = api.client.post("/login", data={"username": "an\x00", "password": "x"})
    assert answer.status_code == 422 and "username" in answer.get_data(as_text=True)
    assert counts(database) == before


# -- bytes that are not UTF-8 in a form body ---------------------------------------------------------------------


def multipart(*parts: tuple[bytes, bytes]) -> dict[str, Any]:
    """A multipart body written byte for byte, as a client with another charset sends it (the test client would
    encode it): (the Content-Disposition parameters, the content) of each part."""
    body = b"".join(
        b"--XyZ\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + data + b"\r\n" for head, data in parts
    )
    return {"data": body + b"--XyZ--\r\n", "content_type": "multipart/form-data; boundary=XyZ"}


def refused_page(response: TestResponse, status: int, field: str) -> str:
    """The answer is the Vietnamese error page of ``status``, naming ``field`` among those to correct."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, page[-500:])
    assert "Yêu cầu không hợp lệ" in page and field in page.split("Mục cần sửa:")[1].split("</p>")[0], page[-500:]
    return page


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"username=%ff%fe&password=x", "username"),  # percent-encoded (Werkzeug kept it as the text "%FF%FE")
        (b"username=\xc3&password=x", "username"),  # raw bytes (Werkzeug read an empty form)
        (b"username=%C4%91%C3&password=x", "username"),  # a character cut in half
        (b"password=x&us%ffer=a", "us\\xffer"),  # in a name: named with the byte escaped
    ],
)
def test_bad_utf8_in_the_login_form_is_400_naming_the_field(
    api: Api, database: Database, raw: bytes, field: str
) -> None:
    before = counts(database)
    refused_page(api.client.post("/login", data=raw, content_type="application/x-www-form-urlencoded"), 400, field)
    assert counts(database) == before


def test_utf8_text_in_a_form_is_read_even_a_replacement_character(api: Api) -> None:
    token = csrf(api.client.get("/login").get_data(as_text=True))
    for name in ("Nguy%E1%BB%85n", "ok+%EF%BF%BD"):  # Nguyễn; U+FFFD sent as the valid UTF-8 it is
        body = f"username={name}&password=x&csrf_token={token}"
        answer = api.client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 401 and "Mục cần sửa" not in page, (answer.status_code, page[-500:])


@pytest.mark.parametrize(
    "parts",
    [
        [(b'name="files"; filename="\xff.bpmn"', b"<x/>")],  # a filename that is not UTF-8
        [(b'name="note"', b"cut")],  # cut before the closing boundary (below)
    ],
)
def test_an_unreadable_multipart_body_is_400_naming_the_body(api: Api, database: Database, parts: list) -> None:
    before = counts(database)
    body = multipart(*parts)
    if parts[0][0] == b'name="note"':
        body["data"] = body["data"][:-9]
    answer = api.post("/api/definitions", "designer", **body)
    assert "multipart" in refused(answer, 400, "body")["fields"]["body"][0]
    no_boundary = api.post("/api/definitions", "designer", data=body["data"], content_type="multipart/form-data")
    refused(no_boundary, 400, "body")
    assert counts(database) == before


def test_a_huge_upload_or_form_is_413_in_vietnamese(api: Api, database: Database) -> None:
    """Past MAX_CONTENT_LENGTH on an upload page, past AWARDFLOW_MAX_BODY on any other form: refused on the
    Content-Length, before a byte of the body is read."""
    before = counts(database)
    upload = multipart((b'name="paper_TO_TRINH"; filename="to-trinh.pdf"', b"0" * (21 * 1024 * 1024)))
    login = {"data": b"username=" + b"x" * (2 * 1024 * 1024), "content_type": "application/x-www-form-urlencoded"}
    for url, body in (("/desk", upload), ("/login", login)):
        answer = api.client.post(url, **body)
        assert answer.status_code == 413 and "Tệp quá lớn" in answer.get_data(as_text=True), url
    assert counts(database) == before


def test_bad_utf8_in_api_form_fields_is_400_naming_them(api: Api, database: Database) -> None:
    before = counts(database)
    refused(
        api.post("/api/instances", "desk", data=b"key=%ff", content_type="application/x-www-form-urlencoded"),
        400,
        "key",
    )
    upload = multipart((b'name="note"', b"\xe0\x80"), (b'name="files"; filename="a.bpmn"', b"\xff"))
    refused(api.post("/api/definitions", "designer", **upload), 400, "note")
    assert counts(database) == before


def test_cookies_and_headers_are_not_read_as_form_text(api: Api, app: Any, engine: Engine) -> None:
    """Only the body, the query and the path are checked: a stray cookie or header in another charset (as a WSGI
    server passes them: the bytes as latin-1) breaks no page."""
    stray = {"Cookie": "theme=\xff\xfe; lang=vi", "X-Forwarded-User": "Nguy\xe1\xbb\x85n\xff"}
    assert api.client.get("/login", headers=stray).status_code == 200
    client = signed_in(app, engine, "desk")
    assert client.get("/inbox", headers={"X-Requested-With": "\xff"}).status_code == 200
    assert api.get("/api/health", "admin", headers=stray).status_code == 200


# -- numbers and ranges past sane bounds ------------------------------------------------------------------------


@pytest.mark.parametrize("instance_id", ["2147483648", "9223372036854775808", "99999999999999999999999"])
@pytest.mark.parametrize("suffix", ["", "/history", "/slip"])
def test_ids_past_the_column_are_404(api: Api, instance_id: str, suffix: str) -> None:
    answer = api.get(f"/api/instances/{instance_id}{suffix}", "admin")
    assert answer.status_code == 404 and answer.get_json()["error"] == "NotFound"


def test_ids_past_the_column_are_404_on_commands_too(api: Api, database: Database) -> None:
    before = counts(database)
    for url in ("/api/instances/2147483648/cancel", "/api/instances/9223372036854775808/suspend"):
        assert api.post(url, "admin", json={}).status_code == 404
    assert counts(database) == before


def test_the_largest_id_is_an_ordinary_404(api: Api) -> None:
    answer = api.get("/api/instances/2147483647", "admin")
    assert answer.status_code == 404 and "2147483647" in answer.get_json()["message"]


@pytest.mark.parametrize("duration", ["99999999WD", "1e9WD", "12345WH", "9" * 1000 + "WD", "-99999WM"])
def test_absurd_durations_are_400_naming_duration(api: Api, duration: str) -> None:
    refused(
        api.get("/api/calendar/due", "admin", query_string={"start": "2026-03-02", "duration": duration}),
        400,
        "duration",
    )


def test_the_longest_duration_is_computed(api: Api) -> None:
    answer = api.get("/api/calendar/due", "admin", query_string={"start": "2026-03-02T08:00", "duration": "9999WD"})
    assert answer.status_code == 200 and answer.get_json()["due"] > "2060"


@pytest.mark.parametrize("start", ["0001-01-01T00:00", "9999-12-31T23:59", "1800-01-01T08:00"])
def test_absurd_start_of_a_due_date_is_400(api: Api, start: str) -> None:
    refused(api.get("/api/calendar/due", "admin", query_string={"start": start, "duration": "1WD"}), 400, "start")


@pytest.mark.parametrize("url", ["/api/reports/on-time", "/api/reports/late"])
@pytest.mark.parametrize(
    ("start", "end", "status", "field"),
    [
        ("0001-01-01", "9999-12-31", 400, "start"),
        ("2026-01-01", "9999-12-31", 400, "end"),
        ("2026-12-31", "2026-01-01", 422, "end"),
        ("1990-01-01", "2026-12-31", 422, "end"),
    ],
)
def test_absurd_report_ranges_are_refused(api: Api, url: str, start: str, end: str, status: int, field: str) -> None:
    refused(api.get(url, "supervisor", query_string={"start": start, "end": end}), status, field)


def test_a_ten_year_report_is_served(api: Api) -> None:
    answer = api.get("/api/reports/on-time", "supervisor", query_string={"start": "2017-01-01", "end": "2026-12-31"})
    assert answer.status_code == 200


def test_a_table_row_numbered_past_the_bound_is_422_naming_the_table(app: Any, engine: Engine) -> None:
    """``nominees.99999999.id`` once made the page read (and show again) a hundred million rows, a few seconds
    per hundred thousand; the first row past the bound is enough to show it (and fails quickly where unbounded)."""
    task_id = deploy_all_types(engine)
    client = signed_in(app, engine, "an")
    past = f"nominees.{forms.MAX_ROWS}"
    posted = {"name": "A", "level": "tinh", "papers": "to_trinh", f"{past}.id": "1", f"{past}.reason": "x"}
    answer = submit(client, task_id, posted)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and f"Bảng có tối đa {forms.MAX_ROWS} dòng." in field_block(page, "f-nominees")
    assert engine.tasks.get(task_id).state == "ready"


def test_absurd_pages_are_400(api: Api) -> None:
    refused(api.get("/api/instances?page=11830184309322392421047541432320", "admin"), 400, "page")
    refused(api.get("/api/tasks?page=100001", "admin"), 400, "page")


# -- sizes and content types ------------------------------------------------------------------------------------


def test_task_data_past_the_setting_is_422(api: Api, database: Database, running: dict[str, Any]) -> None:
    task = running["task"]
    before = counts(database)
    data = {"decision": "approve", "comment": "x" * DATA_LIMIT}
    answer = refused(api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": data}), 422, "data")
    assert "max_task_data_bytes" in answer["fields"]["data"][0]
    start_data = {"key": "user_task", "data": {"x": "y" * DATA_LIMIT}}
    refused(api.post("/api/instances", "desk", json=start_data), 422, "data")
    assert counts(database) == before


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("text/plain", b'{"key": "user_task"}'),
        ("application/xml", b"<start><key>user_task</key></start>"),
        ("application/x-www-form-urlencoded", b"key=user_task"),
        ("application/octet-stream", b"\x00\x01\x02"),
    ],
)
def test_wrong_content_types_start_nothing(
    api: Api, database: Database, running: dict[str, Any], content_type: str, raw: bytes
) -> None:
    before = counts(database)
    answer = api.post("/api/instances", "desk", data=raw, content_type=content_type)
    assert answer.status_code in (400, 415, 422) and answer.is_json
    assert answer.get_json()["fields"], answer.get_json()
    assert counts(database) == before


def test_multipart_on_a_json_endpoint_starts_nothing(api: Api, database: Database, running: dict[str, Any]) -> None:
    before = counts(database)
    answer = api.post("/api/instances", "desk", data={"key": "user_task"}, content_type="multipart/form-data")
    assert answer.status_code == 422 and "key" in answer.get_json()["fields"]
    assert counts(database) == before


def test_405_says_what_is_allowed(api: Api) -> None:
    for method, url in (("DELETE", "/api/auth/token"), ("PUT", "/api/instances"), ("PATCH", "/api/health")):
        answer = api.call(method, url, "admin")
        assert answer.status_code == 405 and answer.headers["Allow"], (method, url)
        assert method not in answer.headers["Allow"]
    page = api.client.delete("/login")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


@pytest.mark.parametrize("version", [2**31, 876033863927004])
def test_a_version_past_the_column_is_422_on_every_database(api: Api, database: Database, version: int) -> None:
    before = counts(database)
    answer = api.post("/api/instances", "admin", json={"key": "user_task", "version": version})
    assert answer.status_code == 422 and "version" in answer.get_json()["fields"]
    assert counts(database) == before
