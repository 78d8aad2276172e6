"""Every /api endpoint, called by every role and by nobody, is admitted or refused as the policy table says."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from web.auth import POLICY, PUBLIC, ROLES, SIGNED_IN, policy_for

from .conftest import Api

SKIPPED = {"HEAD", "OPTIONS"}


def endpoints(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) of every route under /api, as the app has them now."""
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api")
        for method in (rule.methods or set()) - SKIPPED
    }
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def url(rule: str) -> str:
    """A concrete URL for a rule: ids that do not exist, so nothing is touched by an admitted call."""

    def fill(match: re.Match[str]) -> str:
        converter = match.group(1) or "string"
        return {"int": "999999", "path": "nothing-here.js"}.get(converter, "nothing-here")

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule)


def test_every_endpoint_has_a_policy_and_every_policy_an_endpoint(app: Flask) -> None:
    routes = {f"{method} {rule}" for method, rule in endpoints(app)}
    assert sorted(routes - set(POLICY)) == [], "endpoints without a policy entry"
    assert sorted(set(POLICY) - routes) == [], "policy entries without an endpoint"
    assert len(routes) >= 40


@pytest.mark.parametrize("role", [*ROLES, None])
def test_each_role_is_admitted_or_refused_as_the_table_says(app: Flask, api: Api, role: str | None) -> None:
    wrong = []
    for method, rule in endpoints(app):
        entry = policy_for(method, rule)
        assert entry is not None, f"{method} {rule} has no policy"
        response = api.call(method, url(rule), role, json={})
        if role is None:
            expected_ok = entry == PUBLIC
        else:
            expected_ok = entry in (PUBLIC, SIGNED_IN) or role in entry
        refused = response.status_code == (401 if role is None else 403)
        if expected_ok == refused or response.status_code == 500:
            wrong.append(f"{method} {rule}: {response.status_code} {response.get_data(as_text=True)[:120]}")
    assert wrong == []


def test_signed_out_gets_401_with_a_json_body(api: Api) -> None:
    response = api.get("/api/tasks")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"] == "SignInRequired"


def test_a_user_without_any_role_is_signed_in_but_refused_role_endpoints(api: Api, app: Flask) -> None:
    app.extensions["awardflow"].identity.ensure_user("nobody", groups=["choir"], unit="x")
    assert api.get("/api/auth/me", "nobody").get_json()["roles"] == []
    assert api.get("/api/definitions", "nobody").status_code == 200
    refused = api.post("/api/instances", "nobody", json={"key": "user_task"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "RoleRefused"
