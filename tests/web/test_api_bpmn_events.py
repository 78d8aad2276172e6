"""Error and escalation event subprocesses, and the refusal of compensation, over HTTP."""

from __future__ import annotations

import pytest

from tests.engine.test_compensation import WITH_HANDLER

from .conftest import Api


def ready(api: Api, instance_id: int) -> list[dict]:
    return [t for t in api.get("/api/tasks?scope=all", "admin").get_json()["items"] if t["instance_id"] == instance_id]


@pytest.mark.parametrize(
    ("outcome", "expected"), [("fail", ["repair"]), ("escalate", ["after_escalation", "note_lateness"])]
)
def test_a_thrown_error_or_escalation_starts_its_event_subprocess(api: Api, outcome: str, expected: list) -> None:
    assert api.deploy("event_subprocess_error.bpmn").status_code == 201
    started = api.post("/api/instances", "admin", json={"key": "event_subprocess_error", "data": {"outcome": outcome}})
    instance_id = started.get_json()["id"]
    [work] = ready(api, instance_id)
    assert work["element_id"] == "work", "nothing starts before the error or escalation comes"
    assert api.post(f"/api/tasks/{work['id']}/complete", "admin", json={"data": {}}).status_code == 200
    assert sorted(t["element_id"] for t in ready(api, instance_id)) == expected


def test_compensation_is_refused_at_deploy_naming_each_element(api: Api) -> None:
    refused = api.deploy(contents={"compensation.bpmn": WITH_HANDLER.encode()})
    assert refused.status_code == 422
    named = {p["element_id"] for p in refused.get_json()["problems"]}
    assert named == {"undo_book", "cancel_book", "undo", "end"}
