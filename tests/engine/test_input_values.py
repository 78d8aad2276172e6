"""The engine refuses what it cannot store whoever calls it (the command line passes JSON straight in): text
with NUL or a lone surrogate, naming the field, before anything is written (the data bound: test_hostile_values)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Engine
from engine.errors import InvalidInput
from engine.values import printable

from .conftest import ready


def test_start_refuses_text_it_cannot_store(engine: Engine, deploy: Callable[..., object]) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    for kwargs, field in (
        ({"business_key": "HS\x001"}, "business_key"),
        ({"business_key": "HS-\udfff"}, "business_key"),
        ({"data": {"note": ["ok", {"x": "\ud800"}]}}, "note"),
        ({"data": {"k\x00": 1}}, "k\\x00"),  # the field named as it can be printed
    ):
        with pytest.raises(InvalidInput) as refused:
            engine.runtime.start("user_task", actor="admin", **kwargs)  # type: ignore[arg-type]
        assert field in refused.value.fields
    assert engine.runtime.list() == []


def test_complete_refuses_a_lone_surrogate_and_the_instance_stays_readable(
    engine: Engine, deploy: Callable[..., object]
) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    instance = engine.runtime.start("user_task", actor="admin")
    [task] = ready(engine, instance.id)
    with pytest.raises(InvalidInput) as refused:
        engine.tasks.complete(task.id, "admin", {"decision": "approve", "comment": "\udfff"})
    assert "comment" in refused.value.fields
    assert engine.runtime.get(instance.id).version == instance.version
    assert engine.history.for_instance(instance.id)


def test_printable_escapes_what_cannot_be_sent() -> None:
    assert printable("a\x00b\udfff") == "a\\x00b\\udfff"
