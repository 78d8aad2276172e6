"""The Flask app on the test database, one user per role, and a client that signs requests as any of them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import Engine, Settings
from engine.db import Database
from web.app import create_app
from web.auth import ROLES, issue_token

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"
UNIT = "so-noi-vu"
OTHER_UNIT = "so-tai-chinh"
PASSWORD = "mật-khẩu đủ dài 2026"

#: user name -> (groups, unit); "admin" is the engine's built-in administrator (no unit).
PEOPLE: dict[str, tuple[list[str], str | None]] = {
    **{role: ([role], UNIT) for role in ROLES if role != "admin"},
    "an": (["appraiser"], UNIT),
    "khac": (["appraiser"], OTHER_UNIT),
    "desk2": (["desk"], OTHER_UNIT),
    "hiepy": (["line_agency", "thue"], "cuc-thue"),
}


@pytest.fixture
def engine(database: Database, vclock: object) -> Iterator[Engine]:
    eng = Engine(Settings(database_url=database.url, script_time_limit_s=0.5), database=database)
    eng.ensure_admin()
    for name, (groups, unit) in PEOPLE.items():
        eng.identity.ensure_user(name, groups=groups, unit=unit)
    yield eng


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-not-for-production"}, engine=engine)


class Api:
    """The test client, signing each request with a bearer token for ``user`` (None: anonymous)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()

    def headers(self, user: str | None) -> dict[str, str]:
        if user is None:
            return {}
        with self.app.test_request_context():
            token, _ = issue_token(user)
        return {"Authorization": f"Bearer {token}"}

    def call(self, method: str, url: str, user: str | None = None, **kwargs: Any) -> TestResponse:
        headers = {**self.headers(user), **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, user: str | None = None, **kwargs: Any) -> TestResponse:
        return self.call("GET", url, user, **kwargs)

    def post(self, url: str, user: str | None = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", url, user, **kwargs)

    def delete(self, url: str, user: str | None = None, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", url, user, **kwargs)

    def deploy(self, *names: str, user: str = "designer", contents: dict[str, bytes] | None = None) -> TestResponse:
        files = [((BPMN / name).open("rb"), name) for name in names]
        files += [(io.BytesIO(content), name) for name, content in (contents or {}).items()]
        try:
            return self.post("/api/definitions", user, data={"files": files}, content_type="multipart/form-data")
        finally:
            for handle, _ in files:
                handle.close()


@pytest.fixture
def api(app: Flask) -> Api:
    return Api(app)


@pytest.fixture
def with_password(engine: Engine) -> str:
    """Give the appraiser "an" a password (hashing is slow, so only tests that sign in by password ask)."""
    engine.identity.ensure_user("an", groups=["appraiser"], unit=UNIT, password=PASSWORD)
    return PASSWORD
