"""Helpers of the work-page tests: sign in through /login like a browser, deploy fixtures, start dossiers."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.tasks import TaskView
from tests.web.conftest import PASSWORD, PEOPLE

FIXTURES = Path(__file__).parent.parent / "fixtures"
BPMN = FIXTURES / "bpmn"


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def signed_in(app: Flask, engine: Engine, username: str) -> FlaskClient:
    """A test client signed in as one of the conftest's people (given a password first)."""
    groups, unit = PEOPLE.get(username, ([], None))
    if username == "admin":
        engine.identity.ensure_user("admin", password=PASSWORD, is_admin=True)
    else:
        engine.identity.ensure_user(username, groups=groups, unit=unit, password=PASSWORD)
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def token_of(client: FlaskClient, url: str = "/inbox") -> str:
    """The session's form CSRF token, read from a page."""
    return csrf(client.get(url).get_data(as_text=True))


def user_task(budget: str = "0.5WD", key: str = "user_task", name: str | None = None) -> bytes:
    """user_task.bpmn with another budget, process id or step name."""
    xml = (BPMN / "user_task.bpmn").read_bytes().replace(b'value="0.5WD"', f'value="{budget}"'.encode())
    if key != "user_task":
        xml = xml.replace(b"user_task", key.encode())
    if name:
        xml = xml.replace(b'name="Review dossier"', f'name="{name}"'.encode())
        xml = xml.replace(b'"review"', b'"check"').replace(b">review<", b">check<")
    return xml


def deploy(engine: Engine, files: dict[str, bytes] | None = None, *, schema: bool = True) -> None:
    """Deploy user_task.bpmn (or ``files``) with review.schema.json."""
    bundle = dict(files or {"user_task.bpmn": user_task()})
    if schema:
        bundle["review.schema.json"] = (BPMN / "review.schema.json").read_bytes()
    engine.repository.deploy(bundle, actor="admin")


def start(engine: Engine, code: str, key: str = "user_task", actor: str = "desk", data: dict | None = None) -> int:
    """Start a dossier as ``actor`` (its unit is the actor's); returns the instance id."""
    return engine.runtime.start(key, business_key=code, actor=actor, data=data).id


def task_of(engine: Engine, instance_id: int) -> TaskView:
    """The one ready task of an instance."""
    [task] = [t for t in engine.tasks.for_instance(instance_id) if t.state == "ready"]
    return task


def codes_in_order(html: str) -> list[str]:
    """The dossier codes of the inbox table, top to bottom."""
    return re.findall(r'<a class="code" href="/tasks/[^"]+">([^<]+)</a>', html)
