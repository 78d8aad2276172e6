"""Errors are JSON {error, message, fields} with one status per kind, and never a stack trace."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from .conftest import Api


def test_unexpected_exception_is_a_json_500_without_trace(
    api: Api, app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals in /srv/awardflow/engine/repository.py")

    monkeypatch.setattr(app.extensions["awardflow"].repository, "definitions", broken)
    response = api.get("/api/definitions", "leader")
    assert response.status_code == 500 and response.is_json
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "secret" not in text and "repository.py" not in text
    assert response.get_json() == {
        "error": "InternalServerError",
        "message": "an unexpected error occurred; it has been logged",
        "fields": {},
    }
    assert "secret internals" in caplog.text  # the operator still gets the story


def test_malformed_json_is_400(api: Api) -> None:
    response = api.post("/api/instances", "desk", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["message"] == "the request body is not valid JSON"


def test_bad_query_parameters_are_400_with_fields(api: Api) -> None:
    response = api.get("/api/tasks?page=zero&sort=colour&due_before=tomorrow", "appraiser")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"page", "sort", "due_before"}


def test_bad_body_is_422_with_fields(api: Api) -> None:
    response = api.post("/api/instances", "desk", json={"data": [], "colour": "red"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "InvalidInput" and set(body["fields"]) == {"key", "data", "colour"}


def test_unknown_route_and_method_are_json(api: Api) -> None:
    missing = api.get("/api/nothing", "admin")
    assert missing.status_code == 404 and missing.get_json()["error"] == "NotFound"
    wrong = api.delete("/api/tasks", "admin")
    assert wrong.status_code == 405 and wrong.get_json()["error"] == "MethodNotAllowed"


def test_engine_not_found_is_404_json(api: Api) -> None:
    response = api.post("/api/instances", "desk", json={"key": "nope"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "NotFound", "message": "no deployed process 'nope'", "fields": {}}


def test_too_large_is_413_json(api: Api, app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = {"files": [(io.BytesIO(b"x" * 4096), "big.bpmn")]}
    response = api.post("/api/definitions", "designer", data=big, content_type="multipart/form-data")
    assert response.status_code == 413 and response.is_json
    assert response.get_json()["error"] == "RequestEntityTooLarge"
    json_body = api.post("/api/instances", "desk", json={"key": "k", "data": {"x": "y" * 4096}})
    assert json_body.status_code == 413 and json_body.is_json


def test_pages_keep_html_errors(api: Api) -> None:
    response = api.get("/no-such-page")
    assert response.status_code == 404 and not response.is_json


def test_a_page_error_is_a_page_not_json(api: Api) -> None:
    missing = api.get("/no-such-page")
    assert missing.status_code == 404 and missing.content_type.startswith("text/html")


def test_health(api: Api) -> None:
    assert api.get("/api/health").get_json() == {"status": "ok"}
