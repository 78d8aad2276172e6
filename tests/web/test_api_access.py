"""Role × endpoint walk across two units over HTTP: each refused command answers 403 or 404 and changes nothing
(the instance's version and state, its audit events, its task rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from engine import Engine
from engine.models import Event, HumanTask, ProcessInstance

from .conftest import BPMN, OTHER_UNIT, UNIT, Api

#: the division head of the other unit (the shared people have one only in UNIT)
OTHER_HEAD = "truong2"


@dataclass(frozen=True)
class World:
    """Two units' dossiers: a review task each, a message waiting each, a signal waiting each."""

    own: dict[str, Any]
    theirs: dict[str, Any]
    own_task: str
    their_task: str
    own_message: int
    their_message: int
    own_signal: int
    their_signal: int


def start(api: Api, key: str, user: str, code: str) -> dict[str, Any]:
    started = api.post("/api/instances", user, json={"key": key, "business_key": code})
    assert started.status_code == 201, started.get_json()
    return dict(started.get_json())


def only_task(api: Api, instance: dict[str, Any]) -> str:
    [task] = api.get(f"/api/tasks?business_key={instance['business_key']}", "admin").get_json()["items"]
    return str(task["id"])


@pytest.fixture
def world(api: Api, engine: Engine) -> World:
    engine.identity.ensure_user(OTHER_HEAD, groups=["division_head"], unit=OTHER_UNIT)
    deployed = api.deploy("user_task.bpmn", "review.schema.json", "message_receive.bpmn", "signal.bpmn")
    assert deployed.status_code == 201
    own, theirs = start(api, "user_task", "desk", "HS-A"), start(api, "user_task", "desk2", "HS-B")
    assert (own["unit"], theirs["unit"]) == (UNIT, OTHER_UNIT)
    return World(
        own,
        theirs,
        only_task(api, own),
        only_task(api, theirs),
        start(api, "message_receive", "desk", "HS-MA")["id"],
        start(api, "message_receive", "desk2", "HS-MB")["id"],
        start(api, "signal", "desk", "HS-SA")["id"],
        start(api, "signal", "desk2", "HS-SB")["id"],
    )


def state(engine: Engine, instance_id: int) -> tuple[Any, ...]:
    with engine.db.reading() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        events = session.scalar(select(func.count()).select_from(Event).where(Event.instance_id == instance_id))
        tasks = session.execute(
            select(HumanTask.id, HumanTask.state, HumanTask.assignee, HumanTask.owner, HumanTask.delegation)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.id)
        ).all()
        return instance.version, instance.state, events, tuple(tasks)


def refused(api: Api, engine: Engine, instance_ids: list[int], status: int, user: str, url: str, **body: Any) -> None:
    """POST ``url`` as ``user``: answered ``status`` and nothing of these instances changed."""
    before = [state(engine, i) for i in instance_ids]
    answer = api.post(url, user, json=body)
    assert answer.status_code == status, (user, url, answer.get_json())
    assert [state(engine, i) for i in instance_ids] == before, (user, url)


def test_messages_reach_only_the_callers_units(api: Api, engine: Engine, world: World) -> None:
    both = [world.own_message, world.their_message]
    withdraw_theirs = {"name": "payment_received", "business_key": "HS-MB"}
    refused(api, engine, both, 404, "desk", "/api/messages", **withdraw_theirs)
    refused(api, engine, both, 403, "desk", "/api/messages", name="payment_received", all=True)
    refused(api, engine, both, 403, "appraiser", "/api/messages", **withdraw_theirs)  # the role table
    refused(api, engine, both, 403, "supervisor", "/api/messages", name="payment_received", all=True)
    mine = api.post("/api/messages", "desk", json={"name": "payment_received"})
    assert mine.status_code == 200 and mine.get_json()["instances"] == [world.own_message], "theirs is not waiting"
    assert api.post("/api/messages", "desk2", json=withdraw_theirs).get_json()["instances"] == [world.their_message]


def test_broadcasting_a_message_needs_a_caller_who_reaches_every_unit(api: Api, world: World) -> None:
    everyone = api.post("/api/messages", "admin", json={"name": "payment_received", "all": True})
    assert everyone.status_code == 200
    assert everyone.get_json()["instances"] == [world.own_message, world.their_message]


def test_signals_reach_only_the_callers_units(api: Api, engine: Engine, world: World) -> None:
    before = state(engine, world.their_signal)
    caught = api.post("/api/signals", "desk", json={"name": "stop_all"})
    assert caught.status_code == 200 and caught.get_json()["instances"] == [world.own_signal]
    assert state(engine, world.their_signal) == before
    refused(api, engine, [world.their_signal], 403, "appraiser", "/api/signals", name="stop_all")
    assert api.post("/api/signals", "admin", json={"name": "stop_all"}).get_json()["instances"] == [world.their_signal]


def test_task_commands_on_another_units_task_are_not_found(api: Api, engine: Engine, world: World) -> None:
    theirs, url = [world.theirs["id"]], f"/api/tasks/{world.their_task}"
    approve = {"decision": "approve"}
    refused(api, engine, theirs, 404, "appraiser", f"{url}/claim")
    refused(api, engine, theirs, 404, "division_head", f"{url}/assign", assignee="appraiser")
    refused(api, engine, theirs, 404, "appraiser", f"{url}/complete", data=approve)
    assert api.post(f"{url}/claim", "khac").status_code == 200
    refused(api, engine, theirs, 404, "an", f"{url}/unclaim")
    refused(api, engine, theirs, 404, "an", f"{url}/delegate", delegate="an")
    assert api.post(f"{url}/delegate", "khac", json={"delegate": "desk2"}).status_code == 200
    refused(api, engine, theirs, 404, "appraiser", f"{url}/resolve")
    assert api.post(f"{url}/resolve", "desk2").status_code == 200
    refused(api, engine, theirs, 404, "appraiser", f"{url}/complete", data=approve)
    assert api.post(f"{url}/complete", "khac", json={"data": approve}).status_code == 200


def test_assign_takeover_needs_someone_above_the_claimant(api: Api, engine: Engine, world: World) -> None:
    own, url = [world.own["id"]], f"/api/tasks/{world.own_task}"
    assert api.post(f"{url}/claim", "an").status_code == 200
    refused(api, engine, own, 403, "appraiser", f"{url}/assign", assignee="appraiser")  # a peer takes it: no
    refused(api, engine, own, 404, OTHER_HEAD, f"{url}/assign", assignee="appraiser")
    refused(api, engine, own, 422, "division_head", f"{url}/assign", assignee="desk")
    not_candidate = api.post(f"{url}/assign", "division_head", json={"assignee": "nobody"})
    assert not_candidate.status_code == 422 and list(not_candidate.get_json()["fields"]) == ["assignee"]
    moved = api.post(f"{url}/assign", "division_head", json={"assignee": "appraiser"})
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "appraiser"
    assert api.post(f"{url}/assign", "supervisor", json={"assignee": "an"}).get_json()["assignee"] == "an"


def test_a_stale_expected_version_changes_nothing(api: Api, engine: Engine, world: World) -> None:
    own, url = [world.own["id"]], f"/api/tasks/{world.own_task}"
    stale = world.own["version"] - 1
    refused(api, engine, own, 409, "an", f"{url}/claim", expected_version=stale)
    refused(api, engine, own, 409, "division_head", f"{url}/assign", assignee="an", expected_version=stale)
    claimed = api.post(f"{url}/claim", "an", json={"expected_version": world.own["version"]})
    assert claimed.status_code == 200 and claimed.get_json()["instance_version"] == world.own["version"]


def test_instance_levers_across_units(api: Api, engine: Engine, world: World) -> None:
    theirs, their_url = [world.theirs["id"]], f"/api/instances/{world.theirs['id']}"
    for lever in ("suspend", "resume", "cancel", "retry"):  # administrators' levers: refused by role first
        refused(api, engine, theirs, 403, "desk", f"{their_url}/{lever}")
        refused(api, engine, theirs, 403, "supervisor", f"{their_url}/{lever}")
    changed = (BPMN / "user_task.bpmn").read_bytes().replace(b"Review dossier", b"Review the dossier")
    assert api.deploy("review.schema.json", contents={"user_task.bpmn": changed}).status_code == 201
    refused(api, engine, theirs, 404, "designer", f"{their_url}/migrate")
    refused(api, engine, theirs, 404, "appraiser", f"{their_url}/reschedule", new_due="2026-12-01T17:30:00", reason="x")
    own_url = f"/api/instances/{world.own['id']}"
    assert api.post(f"{own_url}/migrate", "designer").get_json()["definition_version"] == 2
    not_started = api.post(f"{own_url}/reschedule", "appraiser", json={"new_due": "2026-12-01T17:30:00", "reason": "x"})
    assert not_started.status_code == 409, "in reach: refused only because its clock has not started"
    assert api.post(f"{their_url}/suspend", "admin").get_json()["state"] == "suspended"
    assert api.post(f"{their_url}/resume", "admin").get_json()["state"] == "running"
    assert api.post(f"{their_url}/cancel", "admin").get_json()["state"] == "cancelled"
