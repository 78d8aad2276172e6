"""Migration over HTTP with a mapping of renamed or moved activities: moved when mapped, 409 naming the task
when not, 4xx naming the field for a hostile mapping, nothing changed."""

from __future__ import annotations

import pytest

from engine import Engine

from .conftest import BPMN, Api

RENAMED = (BPMN / "user_task.bpmn").read_bytes().replace(b'"review"', b'"appraise"')


@pytest.fixture
def instance(api: Api) -> str:
    """The path of an instance waiting in ``review`` on version 1, with version 2 renaming it ``appraise``."""
    assert api.deploy("user_task.bpmn", "review.schema.json").status_code == 201
    started = api.post("/api/instances", "desk", json={"key": "user_task", "business_key": "HS-1"}).get_json()
    assert api.deploy("review.schema.json", contents={"user_task.bpmn": RENAMED}).status_code == 201
    return f"/api/instances/{started['id']}"


def ready_elements(api: Api, path: str) -> list[str]:
    instance_id = int(path.rsplit("/", 1)[1])
    tasks = api.get("/api/tasks?scope=all", "admin").get_json()["items"]
    return [t["element_id"] for t in tasks if t["instance_id"] == instance_id]


def test_a_renamed_task_is_refused_by_name_then_moved_with_the_mapping(api: Api, instance: str) -> None:
    refused = api.post(f"{instance}/migrate", "designer", json={})
    assert refused.status_code == 409 and "review (Review dossier)" in refused.get_json()["message"]
    assert api.get(instance, "designer").get_json()["definition_version"] == 1
    moved = api.post(f"{instance}/migrate", "designer", json={"mapping": {"review": "appraise"}, "to_version": 2})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["definition_version"] == 2
    assert ready_elements(api, instance) == ["appraise"]
    trail = api.get(f"{instance}/history", "admin").get_json()
    assert trail[-1]["action"] == "instance_migrated" and trail[-1]["after"]["mapping"] == {"review": "appraise"}


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"nope": "appraise"}, "mapping.nope"),
        ({"review": "nope"}, "mapping.review"),
        ({"review": 7}, "mapping"),
        ("review=appraise", "mapping"),
        ({"review": ["appraise"]}, "mapping"),
        ({"review": ""}, "mapping"),
        ({"review": "x" * 5000}, "mapping"),
        ({"review": "a\u202eb"}, "mapping"),
        ({f"e{i}": "appraise" for i in range(2000)}, "mapping"),
    ],
)
def test_a_hostile_mapping_is_a_4xx_naming_the_field_and_changes_nothing(
    api: Api, engine: Engine, instance: str, mapping: object, field: str
) -> None:
    before = api.get(instance, "designer").get_json()
    answer = api.post(f"{instance}/migrate", "designer", json={"mapping": mapping})
    assert 400 <= answer.status_code < 500 and answer.status_code != 409, answer.get_json()
    named = " ".join(answer.get_json().get("fields", {})) + answer.get_json()["message"]
    assert field in named, answer.get_json()
    after = api.get(instance, "designer").get_json()
    assert (after["version"], after["definition_version"]) == (before["version"], 1)
    assert ready_elements(api, instance) == ["review"]
