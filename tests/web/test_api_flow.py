"""A dossier's path over real HTTP: deploy (multipart), start, inbox, claim, complete, history, admin levers."""

from __future__ import annotations

from .conftest import BPMN, UNIT, Api


def start(api: Api, key: str = "user_task", business_key: str = "HS-1", user: str = "desk") -> dict:
    response = api.post("/api/instances", user, json={"key": key, "business_key": business_key, "data": {"n": 1}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_deploy_start_inbox_claim_complete(api: Api) -> None:
    deployed = api.deploy("user_task.bpmn", "review.schema.json")
    assert deployed.status_code == 201, deployed.get_json()
    body = deployed.get_json()
    assert [(d["key"], d["version"]) for d in body["definitions"]] == [("user_task", 1)]
    assert body["deployment_id"] and body["warnings"] == []
    again = api.deploy("user_task.bpmn", "review.schema.json")
    assert again.status_code == 200 and again.get_json()["deployment_id"] is None
    assert again.get_json()["unchanged"] == ["user_task"]

    instance = start(api)
    assert instance["unit"] == UNIT and instance["state"] == "running" and instance["data"] == {"n": 1}
    assert instance["started_at"].endswith("+00:00")

    inbox = api.get("/api/tasks?scope=claimable&process_key=user_task", "appraiser").get_json()
    assert inbox["total"] == 1 and inbox["page"] == 1 and inbox["per_page"] == 50
    [task] = inbox["items"]
    assert task["element_id"] == "review" and task["candidate_groups"] == ["appraiser"]
    assert api.get("/api/tasks", "desk").get_json()["total"] == 0

    form = api.get(f"/api/tasks/{task['id']}/form", "appraiser").get_json()
    assert form["form"] == "review.schema.json" and form["schema"]["required"] == ["decision"]

    claimed = api.post(f"/api/tasks/{task['id']}/claim", "appraiser")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "appraiser"
    taken = api.post(f"/api/tasks/{task['id']}/claim", "an")
    assert taken.status_code == 409 and taken.get_json()["error"] == "TaskAlreadyClaimed"
    assert api.get("/api/tasks?scope=mine", "appraiser").get_json()["total"] == 1

    invalid = api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": {"decision": "maybe"}})
    assert invalid.status_code == 422
    assert invalid.get_json()["error"] == "InvalidInput" and list(invalid.get_json()["fields"]) == ["decision"]
    missing = api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": {}})
    assert missing.status_code == 422 and "decision" in missing.get_json()["fields"]

    version = api.get(f"/api/tasks/{task['id']}", "appraiser").get_json()["instance_version"]
    stale = api.post(
        f"/api/tasks/{task['id']}/complete",
        "appraiser",
        json={"data": {"decision": "approve"}, "expected_version": version - 1},
    )
    assert stale.status_code == 409 and stale.get_json()["error"] == "ConcurrentModification"
    done = api.post(
        f"/api/tasks/{task['id']}/complete",
        "appraiser",
        json={"data": {"decision": "approve", "comment": "đủ điều kiện"}, "expected_version": version},
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["state"] == "completed" and done.get_json()["completed_by"] == "appraiser"

    final = api.get(f"/api/instances/{instance['id']}", "desk").get_json()
    assert final["state"] == "completed" and final["data"]["comment"] == "đủ điều kiện"
    history = api.get(f"/api/instances/{instance['id']}/history", "desk").get_json()
    actions = [e["action"] for e in history]
    assert actions[0] == "instance_started" and "task_claimed" in actions and actions[-1] == "instance_completed"
    assert all(e["at"].endswith("+00:00") for e in history)


def test_stale_expected_version_on_claim_is_a_conflict(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    instance = start(api)
    [task] = api.get("/api/tasks", "appraiser").get_json()["items"]
    stale = api.post(f"/api/tasks/{task['id']}/claim", "appraiser", json={"expected_version": instance["version"] + 5})
    assert stale.status_code == 409
    fresh = api.post(f"/api/tasks/{task['id']}/claim", "appraiser", json={"expected_version": instance["version"]})
    assert fresh.status_code == 200


def test_not_executable_deploy_is_422_naming_file_and_element(api: Api) -> None:
    refused = api.deploy("not_executable.bpmn")
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "DeploymentInvalid" and "not_executable.bpmn" in body["message"]
    errors = [p for p in body["problems"] if p["severity"] == "error"]
    assert {"file": "not_executable.bpmn", "element_id": "not_executable"} in [
        {"file": p["file"], "element_id": p["element_id"]} for p in errors
    ]
    assert api.get("/api/definitions", "designer").get_json() == []


def test_validate_reports_problems_and_stores_nothing(api: Api) -> None:
    files = {"files": [((BPMN / "not_executable.bpmn").open("rb"), "not_executable.bpmn")]}
    checked = api.post("/api/definitions/validate", "designer", data=files, content_type="multipart/form-data")
    assert checked.status_code == 200 and checked.get_json()["valid"] is False
    assert checked.get_json()["problems"][0]["file"] == "not_executable.bpmn"
    files = {"files": [((BPMN / "manual_task.bpmn").open("rb"), "manual_task.bpmn")]}
    good = api.post("/api/definitions/validate", "admin", data=files, content_type="multipart/form-data")
    assert good.get_json()["valid"] is True and good.get_json()["processes"] == ["manual_task"]
    assert [(p["severity"], p["element_id"]) for p in good.get_json()["problems"]] == [("warning", "hand_over")]
    assert api.get("/api/definitions", "admin").get_json() == []
    empty = api.post("/api/definitions", "designer", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "files" in empty.get_json()["fields"]


def test_definitions_list_counts_running_instances_and_serves_xml(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    start(api)
    [listed] = api.get("/api/definitions?key=user_task", "leader").get_json()
    assert listed["running_instances"] == 1 and listed["resource_name"] == "user_task.bpmn"
    latest = api.get("/api/definitions/user_task/xml", "leader").get_json()
    assert latest["version"] == 1 and latest["xml"].startswith("<?xml")
    assert api.get("/api/definitions/user_task/versions/1/xml", "leader").get_json()["xml"] == latest["xml"]
    assert api.get("/api/definitions/user_task/versions/9/xml", "leader").status_code == 404
    assert api.get("/api/definitions/nope/xml", "leader").status_code == 404


def test_instance_list_filters_and_pages(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json", "manual_task.bpmn")
    for n in range(3):
        start(api, business_key=f"HS-{n}")
    start(api, key="manual_task", business_key="HS-M")
    listed = api.get("/api/instances?process_key=user_task&per_page=2", "desk").get_json()
    assert [i["business_key"] for i in listed["items"]] == ["HS-2", "HS-1"] and listed["per_page"] == 2
    assert [
        i["business_key"]
        for i in api.get("/api/instances?process_key=user_task&page=2&per_page=2", "desk").get_json()["items"]
    ] == ["HS-0"]
    assert [i["business_key"] for i in api.get("/api/instances?business_key=HS-M", "desk").get_json()["items"]] == [
        "HS-M"
    ]
    assert api.get("/api/instances?state=running", "desk").get_json()["items"][0]["definition_version"] == 1
    assert api.get("/api/instances?state=sleeping", "desk").status_code == 400


def test_admin_suspends_resumes_cancels(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    instance = start(api)
    path = f"/api/instances/{instance['id']}"
    assert api.post(f"{path}/suspend", "admin").get_json()["state"] == "suspended"
    [task] = api.get("/api/tasks", "appraiser").get_json()["items"]
    blocked = api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json={"data": {"decision": "approve"}})
    assert blocked.status_code == 409 and blocked.get_json()["error"] == "InvalidState"
    assert api.post(f"{path}/suspend", "admin").status_code == 409
    assert api.post(f"{path}/resume", "admin").get_json()["state"] == "running"
    cancelled = api.post(f"{path}/cancel", "admin", json={"reason": "rút hồ sơ"})
    assert cancelled.status_code == 200 and cancelled.get_json()["state"] == "cancelled"
    assert api.post(f"{path}/retry", "admin").status_code == 409
    trail = api.get(f"{path}/history", "admin").get_json()
    assert trail[-1]["action"] == "instance_cancelled" and trail[-1]["details"] == {"reason": "rút hồ sơ"}


def test_designer_migrates_to_a_newer_version(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    instance = start(api)
    changed = (BPMN / "user_task.bpmn").read_bytes().replace(b"Review dossier", b"Review the dossier")
    assert api.deploy("review.schema.json", contents={"user_task.bpmn": changed}).status_code == 201
    migrated = api.post(f"/api/instances/{instance['id']}/migrate", "designer", json={})
    assert migrated.status_code == 200 and migrated.get_json()["definition_version"] == 2
    again = api.post(f"/api/instances/{instance['id']}/migrate", "designer", json={"to_version": 2})
    assert again.status_code == 422 and "to_version" in again.get_json()["fields"]


def test_assign_delegate_resolve_unclaim(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    start(api)
    [task] = api.get("/api/tasks", "appraiser").get_json()["items"]
    path = f"/api/tasks/{task['id']}"
    assert api.post(f"{path}/assign", "appraiser", json={"assignee": "an"}).get_json()["assignee"] == "an"
    delegated = api.post(f"{path}/delegate", "an", json={"delegate": "appraiser"}).get_json()
    assert delegated["delegation"] == "pending" and delegated["owner"] == "an"
    resolved = api.post(f"{path}/resolve", "appraiser", json={"data": {"decision": "approve"}}).get_json()
    assert resolved["assignee"] == "an" and resolved["delegation"] == "resolved"
    refused = api.post(f"{path}/unclaim", "appraiser")
    assert refused.status_code == 403 and refused.get_json()["error"] == "PermissionDenied"
    assert api.post(f"{path}/unclaim", "an").get_json()["assignee"] is None
    assert api.post(f"{path}/assign", "appraiser", json={}).status_code == 422


def test_messages_and_signals(api: Api) -> None:
    api.deploy("message_receive.bpmn", "signal.bpmn")
    waiting = start(api, key="message_receive", business_key="HS-9")
    delivered = api.post(
        "/api/messages", "desk", json={"name": "payment_received", "business_key": "HS-9", "payload": {"amount": 5}}
    )
    assert delivered.status_code == 200 and delivered.get_json() == {"instances": [waiting["id"]]}
    assert api.get(f"/api/instances/{waiting['id']}", "desk").get_json()["data"]["payment"] == {"amount": 5}
    nobody = api.post("/api/messages", "desk", json={"name": "payment_received", "business_key": "HS-9"})
    assert nobody.status_code == 404
    signalled = start(api, key="signal", business_key="HS-10")
    assert api.post("/api/signals", "admin", json={"name": "stop_all"}).get_json() == {"instances": [signalled["id"]]}
    assert api.post("/api/signals", "admin", json={"name": "stop_all"}).get_json() == {"instances": []}


def test_incident_is_shown_and_retried_with_corrected_data(api: Api) -> None:
    api.deploy("script_failure.bpmn")
    failed = api.post("/api/instances", "admin", json={"key": "script_failure", "data": {"divisor": 0}}).get_json()
    assert failed["state"] == "error" and failed["incidents"][0]["element_id"] == "bad"
    assert failed["incidents"][0]["created_at"].endswith("+00:00")
    retried = api.post(f"/api/instances/{failed['id']}/retry", "admin", json={"data": {"divisor": 4}})
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["incidents"] == [] and retried.get_json()["data"]["result"] == 0.25


def test_a_bundle_with_many_long_file_names_deploys(api: Api) -> None:
    names = [
        "boundary_timer_interrupting.bpmn",
        "boundary_timer_noninterrupting.bpmn",
        "multi_instance_parallel.bpmn",
        "multi_instance_sequential.bpmn",
        "embedded_subprocess.bpmn",
        "exclusive_gateway.bpmn",
        "inclusive_gateway.bpmn",
        "parallel_gateway.bpmn",
    ]
    assert len(", ".join(names)) > 200
    deployed = api.deploy(*names, user="admin")
    assert deployed.status_code == 201, deployed.get_json()
    assert len(deployed.get_json()["definitions"]) == len(names)


def test_a_message_start_event_starts_an_instance_over_http(api: Api) -> None:
    api.deploy("message_start.bpmn", "signal_start.bpmn")
    answer = api.post(
        "/api/messages", "desk", json={"name": "application_filed", "business_key": "HS-7", "payload": {"n": 7}}
    )
    assert answer.status_code == 200
    [started] = answer.get_json()["instances"]
    view = api.get(f"/api/instances/{started}", "desk").get_json()
    assert view["process_key"] == "message_start" and view["data"]["application"] == {"n": 7}
    signalled = api.post("/api/signals", "admin", json={"name": "campaign_opened"}).get_json()["instances"]
    assert len(signalled) == 1 and signalled[0] != started
