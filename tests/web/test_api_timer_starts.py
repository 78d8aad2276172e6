"""Timer start events over HTTP: deployed through the API, an occurrence falls due and the worker starts one
instance for it (exactly once with two workers racing), seen and worked through the API; a process with a timer
start started by hand starts at once and leaves its schedule as it was."""

from __future__ import annotations

from datetime import UTC, datetime

from engine import Engine
from engine.clock import VirtualClock
from tests.engine.conftest import race_timer_workers

from .conftest import Api

KEY = "timer_start_cycle"  # R3/PT1H from deployment: three occurrences, one hour apart


def instances(api: Api) -> list[dict]:
    answer = api.get(f"/api/instances?process_key={KEY}&per_page=100", "admin")
    assert answer.status_code == 200
    return sorted(answer.get_json()["items"], key=lambda i: i["id"])


def ready(api: Api, instance_id: int) -> list[dict]:
    return [t for t in api.get("/api/tasks?scope=all", "admin").get_json()["items"] if t["instance_id"] == instance_id]


def test_two_workers_start_one_instance_per_due_occurrence(api: Api, engine: Engine, vclock: VirtualClock) -> None:
    assert api.deploy("timer_start_cycle.bpmn").status_code == 201
    race_timer_workers(engine.db.url)
    assert instances(api) == [], "nothing is due yet"
    vclock.advance(hours=1, seconds=1)
    race_timer_workers(engine.db.url)
    [first] = instances(api)
    assert first["state"] == "running"
    assert api.get(f"/api/instances/{first['id']}", "admin").get_json()["started_by"] == "timer"
    [task] = ready(api, first["id"])
    assert task["element_id"] == "review", "one token in the instance, not one per cycle"
    vclock.advance(hours=5)  # the two occurrences left fall due while the workers are down
    race_timer_workers(engine.db.url)
    assert len(instances(api)) == 3, "each occurrence once, missed ones caught up once each"
    race_timer_workers(engine.db.url)
    assert len(instances(api)) == 3
    done = api.post(f"/api/tasks/{task['id']}/complete", "admin", json={"data": {}})
    assert done.status_code == 200, done.get_json()
    assert api.get(f"/api/instances/{first['id']}", "admin").get_json()["state"] == "completed"


def test_started_by_hand_it_starts_at_once_and_the_schedule_stays(
    api: Api, engine: Engine, vclock: VirtualClock
) -> None:
    vclock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    assert api.deploy("timer_start_cycle.bpmn").status_code == 201
    by_hand = api.post("/api/instances", "admin", json={"key": KEY, "business_key": "HS-TAY"})
    assert by_hand.status_code == 201, by_hand.get_json()
    started = by_hand.get_json()
    assert started["state"] == "running" and [t["element_id"] for t in ready(api, started["id"])] == ["review"]
    vclock.advance(hours=1, seconds=1)
    race_timer_workers(engine.db.url)
    listed = instances(api)
    assert [i["business_key"] for i in listed] == ["HS-TAY", None], "the first occurrence still starts its own"
    assert [t["element_id"] for t in ready(api, started["id"])] == ["review"], "no second token by hand"
