"""The engine refuses what it cannot store whoever calls it (the command line passes JSON straight in): text
with NUL or a lone surrogate and data past max_task_data_bytes, naming the field, before anything is written."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine import Engine
from engine.errors import InvalidInput
from engine.values import check_data, printable

from .conftest import ready


def test_start_refuses_text_it_cannot_store(engine: Engine, deploy: Callable[..., object]) -> None:
    deploy("user_task.bpmn", "review.schema.json")
    for kwargs, field in (
        ({"business_key": "HS\x001"}, "business_key"),
        ({"business_key": "HS-\udfff"}, "business_key"),
        ({"data": {"note": ["ok", {"x": "\ud800"}]}}, "data.note.1.x"),
        ({"data": {"k\x00": 1}}, "data.k\\x00"),
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
    assert "data.comment" in refused.value.fields
    assert engine.runtime.get(instance.id).version == instance.version
    assert engine.history.for_instance(instance.id)


def test_data_size_is_bounded() -> None:
    check_data({"x": "y" * 100}, 200)
    with pytest.raises(InvalidInput) as refused:
        check_data({"x": "é" * 100}, 200)  # 100 characters, but 200 bytes of UTF-8
    assert "max_task_data_bytes" in refused.value.fields["data"][0]


def test_printable_escapes_what_cannot_be_sent() -> None:
    assert printable("a\x00b\udfff") == "a\\x00b\\udfff"
