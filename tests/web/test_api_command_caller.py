"""A task command's caller is checked once, inside the command's transaction (``web.auth.CHECKED_BY_THE_COMMAND``):
no reading unit before it, and still 401, with nothing changed, when the caller is no longer an active user."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from engine.db import READ_ONLY

from .conftest import Api
from .test_api_flow import start


def _deactivate(app: Flask, username: str) -> None:
    from engine.models import User

    with app.extensions["awardflow"].db.transaction() as session:
        session.query(User).filter_by(username=username).one().active = False


def _ready_task(api: Api) -> dict[str, Any]:
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    instance = start(api)
    [task] = api.get("/api/tasks", "appraiser").get_json()["items"]
    return {**task, "instance_version": instance["version"]}


def test_a_completion_reads_nothing_before_its_transaction(api: Api, app: Flask) -> None:
    task = _ready_task(api)
    units: list[str] = []

    def begin(conn: Any) -> None:
        units.append("read" if conn.get_execution_options().get(READ_ONLY) else "write")

    engine = app.extensions["awardflow"]
    event.listen(engine.db.engine, "begin", begin)
    try:
        done = api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": {"decision": "approve"}})
    finally:
        event.remove(engine.db.engine, "begin", begin)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["completed_by"] == "appraiser"
    assert units == ["write"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("complete", {"data": {"decision": "approve"}}),  # would succeed
        ("complete", {"data": {"decision": "maybe"}}),  # the form refuses it (422)
        ("complete", {"data": "not an object"}),  # the body schema refuses it (422)
        ("complete", {"data": {"decision": "approve"}, "expected_version": 999}),  # stale (409)
        ("claim", {}),
        ("unclaim", {}),
        ("assign", {"assignee": "appraiser"}),
        ("delegate", {"delegate": "an"}),
        ("resolve", {}),
    ],
)
def test_a_deactivated_caller_is_refused_401_and_nothing_changes(
    api: Api, app: Flask, path: str, body: dict[str, Any]
) -> None:
    task = _ready_task(api)
    headers = api.headers("appraiser")
    _deactivate(app, "appraiser")
    refused = api.post(f"/api/tasks/{task['id']}/{path}", json=body, headers=headers)
    assert refused.status_code == 401, refused.get_json()
    assert refused.get_json()["error"] == "SignInRequired"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    after = api.get(f"/api/tasks/{task['id']}", "admin").get_json()
    assert (after["state"], after["assignee"], after["instance_version"]) == ("ready", None, task["instance_version"])


def test_a_deactivated_caller_of_an_unknown_task_is_refused_401(api: Api, app: Flask) -> None:
    headers = api.headers("appraiser")
    _deactivate(app, "appraiser")
    refused = api.post("/api/tasks/no-such-task/complete", json={"data": {}}, headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "SignInRequired"


def test_an_active_caller_still_gets_the_commands_own_refusals(api: Api) -> None:
    task = _ready_task(api)
    assert api.post("/api/tasks/no-such-task/complete", "appraiser", json={"data": {}}).status_code == 404
    refused = api.post(f"/api/tasks/{task['id']}/complete", "desk", json={"data": {"decision": "approve"}})
    assert refused.status_code in (403, 404), refused.get_json()
