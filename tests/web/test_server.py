"""The server `awardflow serve` runs (web.server): the app over real HTTP, one kept-alive connection."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from web.auth import issue_token
from web.server import make_server

from .conftest import Api


class Connection:
    """One HTTP/1.1 connection to the server, signing requests with bearer tokens."""

    def __init__(self, app: Flask, port: int) -> None:
        self.app = app
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, user: str | None = None, body: Any = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        if user is not None:
            with self.app.test_request_context():
                headers["Authorization"] = f"Bearer {issue_token(user)[0]}"
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read())


@pytest.fixture
def served(app: Flask) -> Iterator[Connection]:
    server = make_server(app, "127.0.0.1", 0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    connection = Connection(app, server.effective_port)
    yield connection
    connection.conn.close()
    server.close()
    thread.join(timeout=10)


def test_a_task_is_completed_over_one_kept_alive_connection(api: Api, served: Connection) -> None:
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    status, instance = served.call("POST", "/api/instances", "desk", {"key": "user_task", "data": {"n": 1}})
    assert status == 201, instance
    socket = served.conn.sock

    status, inbox = served.call("GET", "/api/tasks?scope=claimable", "appraiser")
    assert status == 200 and inbox["total"] == 1
    [task] = inbox["items"]
    path = f"/api/tasks/{task['id']}/complete"
    status, done = served.call("POST", path, "appraiser", {"data": {"decision": "approve"}})
    assert status == 200, done
    assert done["state"] == "completed" and done["completed_by"] == "appraiser"

    status, after = served.call("GET", f"/api/instances/{instance['id']}", "desk")
    assert status == 200 and after["state"] == "completed"
    assert done["instance_version"] == after["version"] > instance["version"]
    assert served.conn.sock is socket  # keep-alive: the same connection all along


def test_the_policy_holds_over_the_server(api: Api, served: Connection) -> None:
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    status, body = served.call("POST", "/api/instances", None, {"key": "user_task"})
    assert status == 401 and body["error"] == "SignInRequired"
    status, body = served.call("POST", "/api/instances", "appraiser", {"key": "user_task"})
    assert status == 403 and body["error"] == "RoleRefused"
