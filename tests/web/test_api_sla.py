"""The ISO clock over HTTP: the slip of a sample dossier, the one reschedule, reports and notifications."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from engine.clock import VirtualClock
from tests.engine.test_sla import vn
from tests.web.conftest import Api

SLA = Path(__file__).parent.parent / "fixtures" / "sla" / "sla_dossier.bpmn"


def start(api: Api, code: str, limit: str = "20WD") -> int:
    deployed = api.deploy(contents={"sla_dossier.bpmn": SLA.read_bytes()})
    assert deployed.status_code in (200, 201), deployed.get_json()
    body = {"key": "sla_dossier", "business_key": code, "data": {"limit": limit, "policy": "resume"}}
    started = api.post("/api/instances", "desk", json=body)
    assert started.status_code == 201, started.get_json()
    return started.get_json()["id"]


def test_slip_of_a_sample_dossier(api: Api, vclock: VirtualClock) -> None:
    instance = start(api, "HS-API-1")
    [task] = api.get("/api/tasks?business_key=HS-API-1", "desk").get_json()["items"]
    assert (task["budget"], task["sla_state"], task["classification"]) == ("0.5WD", "pending", "trong_han")
    vclock.set(vn(2, 3, 10))
    assert api.post(f"/api/tasks/{task['id']}/complete", "desk", json={"data": {}}).status_code == 200
    slip = api.get(f"/api/instances/{instance}/slip", "supervisor").get_json()
    assert slip["dossier"]["due_at"] == "2026-03-30T17:30:00+07:00"
    assert [(s["element_id"], s["classification"], s["used_hours"]) for s in slip["steps"]][0] == (
        "check_papers",
        "dung_han",
        2.0,
    )
    assert api.get(f"/api/instances/{instance}/slip", "khac").status_code == 404, "another unit's dossier"


def test_reschedule_once_over_http(api: Api, vclock: VirtualClock) -> None:
    instance = start(api, "HS-API-2")
    vclock.set(vn(27, 3, 8))
    body = {"new_due": "2026-04-06T17:30:00", "reason": "chờ ý kiến hiệp y"}
    moved = api.post(f"/api/instances/{instance}/reschedule", "appraiser", json=body)
    assert moved.status_code == 200
    assert datetime.fromisoformat(moved.get_json()["due_at"]) == vn(6, 4, 17, 30)
    again = api.post(f"/api/instances/{instance}/reschedule", "appraiser", json=body)
    assert again.status_code == 409 and "already moved once" in again.get_json()["message"]
    missing = api.post(f"/api/instances/{instance}/reschedule", "appraiser", json={"new_due": "2026-04-07"})
    assert missing.status_code == 422 and "reason" in missing.get_json()["fields"]
    assert api.post(f"/api/instances/{instance}/reschedule", "leader", json=body).status_code == 403


def test_reports_and_notifications(api: Api, vclock: VirtualClock) -> None:
    start(api, "HS-API-3")
    vclock.set(vn(2, 3, 14, 1))  # its B1 is overdue at 14:00
    engine = api.app.extensions["awardflow"]
    engine.timers.fire_due()
    pending = api.get("/api/reports/pending?group_by=step", "supervisor").get_json()
    assert pending == [{"group": "check_papers", "within": 0, "due_soon": 0, "overdue": 1}]
    assert api.get("/api/reports/pending", "khac").status_code == 403
    assert api.get("/api/reports/on-time?start=2026-03-01&end=2026-03-31", "supervisor").get_json() == []
    bad = api.get("/api/reports/on-time?start=2026-03-01&end=2026-03-31&period=week", "supervisor")
    assert bad.status_code == 400 and "period" in bad.get_json()["fields"]
    notes = api.get("/api/notifications", "desk").get_json()
    assert [n["kind"] for n in notes] == ["task_overdue"] and "HS-API-3" in notes[0]["message"]


def test_a_division_head_without_a_unit_sees_no_reports(api: Api) -> None:
    engine = api.app.extensions["awardflow"]
    engine.identity.ensure_user("nounit", groups=["division_head"], unit=None)
    assert api.get("/api/reports/pending", "nounit").status_code == 403
    assert api.get("/api/reports/pending", "division_head").status_code == 200
