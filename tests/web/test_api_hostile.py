"""Over HTTP: what a script, a form or a request sends is answered cleanly (an incident, a 422), never a 500."""

from __future__ import annotations

import json

from tests.engine.test_hostile_values import ask_then_run
from tests.web.conftest import BPMN, Api


def test_a_script_leaving_a_generator_is_an_incident_not_a_500(api: Api) -> None:
    bundle = ask_then_run("kept = 2\nbad = (i for i in [1])")
    assert api.deploy(contents=bundle).status_code == 201
    started = api.post("/api/instances", "admin", json={"key": "hostile", "data": {"kept": 1}})
    assert started.status_code == 201, started.json
    instance = started.json
    [task] = api.get(f"/api/tasks?instance_id={instance['id']}", "admin").json["items"]
    completed = api.post(f"/api/tasks/{task['id']}/complete", "admin", json={"data": {"answer": "yes"}})
    assert completed.status_code == 200, completed.json
    after = api.get(f"/api/instances/{instance['id']}", "admin")
    assert after.status_code == 200 and after.json["state"] == "error"
    [incident] = after.json["incidents"]
    assert incident["element_id"] == "run" and "'bad'" in incident["message"]
    assert after.json["data"]["kept"] == 1 and "bad" not in after.json["data"]
    assert api.get(f"/api/instances/{instance['id']}/history", "admin").status_code == 200


def test_a_lone_surrogate_in_form_data_is_a_422_and_the_instance_still_reads(api: Api) -> None:
    assert api.deploy(contents=ask_then_run("ok = 1")).status_code == 201
    instance = api.post("/api/instances", "admin", json={"key": "hostile"}).json
    [task] = api.get(f"/api/tasks?instance_id={instance['id']}", "admin").json["items"]
    body = '{"data": {"note": "\\udfff"}}'  # valid JSON text, not valid Unicode
    answer = api.post(f"/api/tasks/{task['id']}/complete", "admin", data=body, content_type="application/json")
    assert answer.status_code == 422 and any(field.endswith("note") for field in answer.json["fields"])
    assert api.get(f"/api/instances/{instance['id']}", "admin").status_code == 200
    assert api.get(f"/api/instances/{instance['id']}/history", "admin").status_code == 200


def test_a_form_with_a_remote_reference_is_refused_at_deploy(api: Api) -> None:
    form = json.loads((BPMN / "review.schema.json").read_text())
    form["properties"]["comment"] = {"$ref": "http://127.0.0.1:8799/x.json"}
    answer = api.deploy("user_task.bpmn", contents={"review.schema.json": json.dumps(form).encode()})
    assert answer.status_code == 422
    [problem] = [p for p in answer.json["problems"] if p["severity"] == "error"]
    assert problem["file"] == "review.schema.json" and problem["element_id"] == "$.properties.comment.$ref"
