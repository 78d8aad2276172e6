"""Unit scoping: people see their own unit's instances and tasks; supervisors and administrators see all;
line agencies see the tasks of their groups in any unit."""

from __future__ import annotations

from .conftest import BPMN, OTHER_UNIT, UNIT, Api


def setup_dossier(api: Api) -> tuple[dict, dict]:
    api.deploy("user_task.bpmn", "review.schema.json")
    instance = api.post("/api/instances", "desk", json={"key": "user_task", "business_key": "HS-1"}).get_json()
    [task] = api.get("/api/tasks", "appraiser").get_json()["items"]
    return instance, task


def test_another_units_user_sees_nothing(api: Api) -> None:
    instance, task = setup_dossier(api)
    assert instance["unit"] == UNIT
    empty = {"items": [], "total": 0, "total_exact": True, "page": 1, "per_page": 50}
    assert api.get("/api/tasks", "khac").get_json() == empty
    assert api.get(f"/api/tasks/{task['id']}", "khac").status_code == 404
    assert api.get(f"/api/tasks/{task['id']}/form", "khac").status_code == 404
    assert api.post(f"/api/tasks/{task['id']}/claim", "khac").status_code == 404
    approve = {"data": {"decision": "approve"}}
    assert api.post(f"/api/tasks/{task['id']}/complete", "khac", json=approve).status_code == 404
    assert api.get(f"/api/tasks/{task['id']}", "appraiser").get_json()["state"] == "ready"
    assert api.post(f"/api/tasks/{task['id']}/complete", "appraiser", json=approve).status_code == 200
    again = api.post(f"/api/tasks/{task['id']}/complete", "khac", json=approve)
    assert again.status_code == 404, "a finished task of another unit is not told to exist either"
    assert api.get(f"/api/instances/{instance['id']}", "khac").status_code == 404
    assert api.get(f"/api/instances/{instance['id']}/history", "khac").status_code == 404
    assert api.get("/api/instances", "khac").get_json()["items"] == []
    assert api.get(f"/api/instances?unit={UNIT}", "khac").get_json()["items"] == []


def test_supervisor_and_admin_see_every_unit(api: Api) -> None:
    instance, task = setup_dossier(api)
    api.post("/api/instances", "desk2", json={"key": "user_task", "business_key": "HS-2"})
    for user in ("supervisor", "admin"):
        assert len(api.get("/api/instances", user).get_json()["items"]) == 2
        only = api.get(f"/api/instances?unit={OTHER_UNIT}", user).get_json()["items"]
        assert [i["business_key"] for i in only] == ["HS-2"]
        assert api.get(f"/api/instances/{instance['id']}", user).status_code == 200
        assert api.get(f"/api/tasks/{task['id']}", user).status_code == 200
    assert [i["business_key"] for i in api.get("/api/instances", "desk2").get_json()["items"]] == ["HS-2"]
    assert api.get("/api/tasks", "admin").get_json()["total"] == 2


def test_starting_for_another_unit_needs_a_wide_role(api: Api) -> None:
    api.deploy("user_task.bpmn", "review.schema.json")
    refused = api.post("/api/instances", "desk", json={"key": "user_task", "unit": OTHER_UNIT})
    assert refused.status_code == 403 and refused.get_json()["error"] == "PermissionDenied"
    own = api.post("/api/instances", "desk", json={"key": "user_task", "unit": UNIT})
    assert own.status_code == 201
    other = api.post("/api/instances", "admin", json={"key": "user_task", "unit": OTHER_UNIT})
    assert other.status_code == 201 and other.get_json()["unit"] == OTHER_UNIT
    [task] = api.get("/api/tasks", "khac").get_json()["items"]
    assert task["unit"] == OTHER_UNIT


def test_line_agency_sees_its_groups_tasks_in_any_unit_but_not_the_instance(api: Api) -> None:
    tax = (BPMN / "user_task.bpmn").read_bytes().replace(b'name="appraiser"', b'name="thue"')
    tax = tax.replace(b"user_task", b"tax_check")
    assert api.deploy("review.schema.json", contents={"tax_check.bpmn": tax}).status_code == 201
    instance = api.post("/api/instances", "desk", json={"key": "tax_check", "business_key": "HS-T"}).get_json()
    inbox = api.get("/api/tasks", "hiepy").get_json()
    assert inbox["total"] == 1 and inbox["items"][0]["candidate_groups"] == ["thue"]
    task_id = inbox["items"][0]["id"]
    assert api.get(f"/api/tasks/{task_id}", "hiepy").status_code == 200
    assert api.post(f"/api/tasks/{task_id}/claim", "hiepy").status_code == 200
    done = api.post(f"/api/tasks/{task_id}/complete", "hiepy", json={"data": {"decision": "approve"}})
    assert done.status_code == 200
    assert api.get(f"/api/instances/{instance['id']}", "hiepy").status_code == 404
    assert api.get("/api/tasks", "appraiser").get_json()["total"] == 0


def test_a_task_assigned_across_units_is_visible_to_its_assignee(api: Api) -> None:
    _, task = setup_dossier(api)
    assert api.post(f"/api/tasks/{task['id']}/assign", "admin", json={"assignee": "khac"}).status_code == 200
    assert api.get("/api/tasks?scope=mine", "khac").get_json()["total"] == 1
    assert api.get(f"/api/tasks/{task['id']}", "khac").status_code == 200
