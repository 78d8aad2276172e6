"""Sign-in by session cookie (with CSRF) for pages, by bearer token for scripts."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from web.auth import TOKEN_SALT

from .conftest import Api


def login(api: Api, password: str) -> str:
    response = api.post("/api/auth/login", json={"username": "an", "password": password})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["user"]["roles"] == ["appraiser"]
    return str(response.get_json()["csrf_token"])


def test_session_sign_in_needs_csrf_on_state_changes(api: Api, with_password: str) -> None:
    csrf = login(api, with_password)
    me = api.get("/api/auth/me")
    assert me.status_code == 200 and me.get_json()["username"] == "an" and me.get_json()["unit"] == "so-noi-vu"
    refused = api.post("/api/tasks/nothing/claim")
    assert refused.status_code == 400 and refused.get_json()["error"] == "CsrfFailed"
    wrong = api.post("/api/tasks/nothing/claim", headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 400
    admitted = api.post("/api/tasks/nothing/claim", headers={"X-CSRF-Token": csrf})
    assert admitted.status_code == 404  # past sign-in and CSRF; the task does not exist
    assert api.get("/api/auth/csrf").get_json()["csrf_token"] == csrf
    assert api.post("/api/auth/logout").status_code == 400
    assert api.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.get("/api/auth/me").status_code == 401


def test_session_cookie_is_http_only_and_same_site(api: Api, with_password: str) -> None:
    response = api.post("/api/auth/login", json={"username": "an", "password": with_password})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_new_sign_in_gets_a_new_csrf_token(api: Api, with_password: str) -> None:
    assert login(api, with_password) != login(api, with_password)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "an", "password": "wrong"},
        {"username": "ghost", "password": "x"},
        {"username": "admin", "password": "x"},
    ],
)
def test_wrong_credentials_are_401(api: Api, with_password: str, credentials: dict[str, str]) -> None:
    for path in ("/api/auth/login", "/api/auth/token"):
        response = api.post(path, json=credentials)
        assert response.status_code == 401 and response.get_json()["message"] == "wrong user name or password"


def test_login_body_is_validated(api: Api) -> None:
    response = api.post("/api/auth/login", json={"username": "an"})
    assert response.status_code == 422 and response.get_json()["fields"] == {
        "password": ["Missing data for required field."]
    }


def test_bearer_token_works_without_csrf(api: Api, with_password: str) -> None:
    issued = api.post("/api/auth/token", json={"username": "an", "password": with_password})
    assert issued.status_code == 200
    body = issued.get_json()
    assert body["token_type"] == "Bearer" and "+00:00" in body["expires_at"]
    headers = {"Authorization": f"Bearer {body['token']}"}
    fresh = Api(api.app)  # no cookies at all
    assert fresh.get("/api/auth/me", headers=headers).get_json()["username"] == "an"
    assert fresh.post("/api/tasks/nothing/claim", headers=headers).status_code == 404


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic YW46eA==", "Bearer a.b.c"])
def test_bad_token_is_401(api: Api, header: str) -> None:
    response = api.get("/api/auth/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.get_json()["error"] == "SignInRequired"


def test_token_signed_with_another_key_or_expired_is_401(api: Api, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    forged = URLSafeTimedSerializer("another-key", salt=TOKEN_SALT).dumps({"u": "admin"})
    assert api.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    headers = api.headers("an")
    assert api.get("/api/auth/me", headers=headers).status_code == 200
    later = time.time() + app.config["AWARDFLOW_TOKEN_MAX_AGE"] + 5
    monkeypatch.setattr(time, "time", lambda: later)
    expired = api.get("/api/auth/me", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.get_json()["message"]


def test_a_deactivated_user_is_signed_out(api: Api, app: Flask) -> None:
    from engine.models import User

    headers = api.headers("an")
    engine = app.extensions["awardflow"]
    with engine.db.transaction() as session:
        session.query(User).filter_by(username="an").one().active = False
    assert api.get("/api/auth/me", headers=headers).status_code == 401


def test_secret_key_comes_from_the_environment_or_is_random(monkeypatch: pytest.MonkeyPatch, engine: object) -> None:
    from web.app import create_app

    monkeypatch.setenv("AWARDFLOW_SECRET_KEY", "from-env")
    assert create_app(engine=engine).config["SECRET_KEY"] == "from-env"  # type: ignore[arg-type]
    monkeypatch.delenv("AWARDFLOW_SECRET_KEY")
    first = create_app(engine=engine).config["SECRET_KEY"]  # type: ignore[arg-type]
    assert len(first) >= 32 and first != create_app(engine=engine).config["SECRET_KEY"]  # type: ignore[arg-type]
