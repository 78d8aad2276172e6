"""Values the store cannot hold, and values past a bound, are refused where they are made: a script's become
an incident at its element naming the variable, a form's or a start's are refused before anything changes."""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from engine import Engine, Settings, scripting
from engine.clock import VirtualClock
from engine.db import Database
from engine.errors import InvalidInput, LimitExceeded
from engine.models import ProcessInstance, Timer
from tests.engine.conftest import ready
from tests.engine.test_timers import flow, node, process, timer


def script_task(id_: str, source: str) -> str:
    return node("scriptTask", id_, [f"to_{id_}"], [f"from_{id_}"], f"<bpmn:script>{escape(source)}</bpmn:script>")


def ask_then_run(source: str) -> dict[str, bytes]:
    """start → user task ``ask`` → script ``run`` → user task ``after`` → end."""
    return process(
        "hostile",
        node("startEvent", "start_event", [], ["to_ask"]),
        node("userTask", "ask", ["to_ask"], ["from_ask"]),
        script_task("run", source),
        node("userTask", "after", ["from_run"], ["to_end_event"]),
        node("endEvent", "end_event", ["to_end_event"], []),
        flow("start_event", "ask"),
        flow("ask", "run", "from_ask"),
        flow("run", "after", "from_run"),
        flow("after", "end_event"),
    )


UNSTORABLE = [
    ("bad = (i for i in [1])", "generator"),
    ("bad = {1, 2}", "set"),
    ("bad = [len]", "builtin_function_or_method"),
    ("bad = chr(0xDFFF)", "lone surrogate"),
    ("bad = float('nan')", "nan"),
    ("bad = {'k': [chr(0)]}", "NUL"),
    ("bad = 'x' * 2000000", "bytes of JSON"),
]


@pytest.mark.parametrize(("source", "reason"), UNSTORABLE)
def test_a_script_leaving_an_unstorable_value_is_an_incident_at_its_element(
    engine: Engine, source: str, reason: str
) -> None:
    engine.repository.deploy(ask_then_run(source), actor="admin")
    inst = engine.runtime.start("hostile", data={"kept": 1}, actor="admin")
    [ask] = ready(engine, inst.id)
    engine.tasks.complete(ask.id, "admin", {"answer": "yes"})  # answers, does not fail
    after = engine.runtime.get(inst.id)
    assert after.state == "error"
    [incident] = after.incidents
    assert incident["element_id"] == "run"
    assert "'bad'" in incident["message"] and reason in incident["message"]
    assert "bad" not in after.data and after.data["answer"] == "yes" and after.data["kept"] == 1
    assert engine.history.for_instance(inst.id)  # the instance and its history still read


def test_starting_into_such_a_script_opens_an_incident(engine: Engine) -> None:
    engine.repository.deploy(
        process(
            "starts_bad",
            node("startEvent", "start_event", [], ["to_run"]),
            script_task("run", "kept = 2\nbad = (i for i in [1])"),
            node("endEvent", "end_event", ["from_run"], []),
            flow("start_event", "run"),
            flow("run", "end_event", "from_run"),
        ),
        actor="admin",
    )
    inst = engine.runtime.start("starts_bad", data={"kept": 1}, actor="admin")
    assert inst.state == "error" and inst.incidents[0]["element_id"] == "run"
    assert inst.data["kept"] == 1, "the script's other changes are undone with it"


def test_a_timer_followed_by_such_a_script_fires_once_into_an_incident(engine: Engine, vclock: VirtualClock) -> None:
    engine.repository.deploy(
        process(
            "timer_bad",
            node("startEvent", "start_event", [], ["to_wait"]),
            timer("wait", 5),
            script_task("run", "bad = {1}"),
            node("endEvent", "end_event", ["from_run"], []),
            flow("start_event", "wait"),
            flow("wait", "run", "from_wait"),
            flow("run", "end_event", "from_run"),
        ),
        actor="admin",
    )
    inst = engine.runtime.start("timer_bad", actor="admin")
    vclock.advance(minutes=6)
    assert engine.timers.fire_due() == 1
    assert engine.timers.fire_due() == 0
    after = engine.runtime.get(inst.id)
    assert after.state == "error" and after.incidents[0]["element_id"] == "run"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"note": "\udfff"}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"score": float("inf")}, "score"),
        ({"deep": [[[[1]]]] * 1 + [{"x": {1, 2}}]}, "deep"),
    ],
)
def test_form_data_the_store_cannot_hold_is_refused_before_anything_changes(
    engine: Engine, data: dict, field: str
) -> None:
    engine.repository.deploy(ask_then_run("ok = 1"), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    with pytest.raises(InvalidInput) as caught:
        engine.tasks.complete(ask.id, "admin", data)
    assert field in caught.value.fields
    with pytest.raises(InvalidInput):
        engine.runtime.start("hostile", data=data, actor="admin")
    assert [t.id for t in ready(engine, inst.id)] == [ask.id]
    assert engine.runtime.version(inst.id) == inst.version


def test_task_data_past_the_bound_per_completion_is_refused(database: Database, vclock: VirtualClock) -> None:
    engine = Engine(Settings(database_url=database.url, max_task_data_bytes=1000), database=database)
    engine.ensure_admin()
    engine.repository.deploy(ask_then_run("ok = 1"), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    with pytest.raises(LimitExceeded, match="AWARDFLOW_MAX_TASK_DATA_BYTES"):
        engine.tasks.complete(ask.id, "admin", {"note": "x" * 2000})
    engine.tasks.complete(ask.id, "admin", {"note": "x" * 100})


def test_a_workflow_past_its_bound_is_refused_and_nothing_changes(database: Database, vclock: VirtualClock) -> None:
    engine = Engine(Settings(database_url=database.url, workflow_max_bytes=20_000), database=database)
    engine.ensure_admin()
    engine.repository.deploy(ask_then_run("grow = 'y' * 30000"), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    with pytest.raises(LimitExceeded, match="AWARDFLOW_WORKFLOW_MAX_BYTES"):
        engine.tasks.complete(ask.id, "admin", {})
    with engine.db.reading() as session:
        row = session.get(ProcessInstance, inst.id)
        assert row is not None and row.version == inst.version
        assert not session.scalars(select(Timer)).all()
    assert [t.id for t in ready(engine, inst.id)] == [ask.id]


@pytest.mark.parametrize(
    ("source", "setting"),
    [
        ("total = sum(range(10**9))", "SCRIPT_MAX_ITEMS"),
        ("big = 'x' * 10**10", "SCRIPT_MAX_TEXT"),
        ("big = [0] * 10**9", "SCRIPT_MAX_ITEMS"),
        ("big = 10**10**8", "SCRIPT_MAX_INT_BITS"),
        ("big = 7\nbig **= 10**9", "SCRIPT_MAX_INT_BITS"),
        ("big = pow(2, 10**9)", "SCRIPT_MAX_INT_BITS"),
        ("big = 1 << 10**9", "SCRIPT_MAX_INT_BITS"),
        ("big = 'x'.ljust(10**10)", "SCRIPT_MAX_TEXT"),
        ("big = getattr('x', 'center')(10**10)", "SCRIPT_MAX_TEXT"),
        ("big = '\\t'.expandtabs(10**9)", "SCRIPT_MAX_TEXT"),
        ("big = '%*d' % (10**10, 1)", "SCRIPT_MAX_TEXT"),
        ("n = 10**10\nbig = f'{1:>{n}}'", "SCRIPT_MAX_TEXT"),
        ("part = 'x' * 10**6\nbig = part.join([part] * 1000)", "SCRIPT_MAX_TEXT"),
    ],
)
def test_one_huge_c_call_is_refused_before_it_runs(engine: Engine, source: str, setting: str) -> None:
    engine.repository.deploy(ask_then_run(source), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    engine.tasks.complete(ask.id, "admin", {})
    [incident] = engine.runtime.get(inst.id).incidents
    assert incident["element_id"] == "run" and f"AWARDFLOW_{setting}" in incident["message"]


def test_bounded_operations_still_work_below_their_bounds(engine: Engine) -> None:
    source = (
        "a = [0] * 10\nb = 'ab' * 3\nc = 2 ** 64\nd = 1 << 8\ne = pow(3, 10**8, 7)\nf = '%05d|%s' % (42, 'x')\n"
        "g = f'{3.14159:.2f}|{\"x\"!r:>5}'\nh = '-'.join(['a', 'b'])\ni = 'x'.ljust(3, '.')\nj = sum(range(1000))\n"
        "k = 0\nfor n in range(300):\n    k += n\n    k -= 1\n    k |= 1\nm = 10**5\nm //= 7\nm %= 1000"
    )
    engine.repository.deploy(ask_then_run(source), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    engine.tasks.complete(ask.id, "admin", {})
    after = engine.runtime.get(inst.id)
    assert after.incidents == []
    data = after.data
    assert (data["a"], data["b"], data["c"], data["d"], data["e"]) == ([0] * 10, "ababab", 2**64, 256, 4)
    assert (data["f"], data["g"], data["h"], data["i"], data["j"]) == ("00042|x", "3.14|  'x'", "a-b", "x..", 499500)
    assert (data["k"], data["m"]) == (44699, 10**5 // 7 % 1000)


def test_message_signal_and_retry_data_the_store_cannot_hold_is_refused(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as caught:
        engine.runtime.correlate("m", business_key="K", payload={"x": "\udfff"}, actor="admin")
    assert "payload" in caught.value.fields
    with pytest.raises(InvalidInput):
        engine.runtime.signal("s", payload=[float("nan")], actor="admin")
    engine.repository.deploy(ask_then_run("bad = {1}"), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    engine.tasks.complete(ask.id, "admin", {})
    with pytest.raises(InvalidInput):
        engine.runtime.retry(inst.id, actor="admin", data={"fix": "\x00"})
    assert engine.runtime.get(inst.id).state == "error"


@pytest.mark.parametrize(
    "reader",
    [
        pytest.param(
            "resident",
            marks=pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc (Linux)"),
        ),
        pytest.param(
            "peak",
            marks=pytest.mark.skipif(sys.platform == "win32", reason="no getrusage: no memory bound on Windows"),
        ),
    ],
)
def test_memory_made_in_many_small_steps_is_bounded(
    database: Database, vclock: VirtualClock, monkeypatch: pytest.MonkeyPatch, reader: str
) -> None:
    """On Linux by the resident size; where /proc is not there (macOS, the BSDs), by the peak resident size."""
    if reader == "peak":
        monkeypatch.setattr(scripting, "_read_memory", scripting._peak_resident_bytes)
    engine = Engine(Settings(database_url=database.url, script_max_memory_mb=64), database=database)
    engine.ensure_admin()
    engine.repository.deploy(ask_then_run("x = []\nfor i in range(10**6):\n    x.append('a' * 10**6)"), actor="admin")
    inst = engine.runtime.start("hostile", actor="admin")
    [ask] = ready(engine, inst.id)
    engine.tasks.complete(ask.id, "admin", {})
    [incident] = engine.runtime.get(inst.id).incidents
    assert incident["element_id"] == "run" and "AWARDFLOW_SCRIPT_MAX_MEMORY_MB" in incident["message"]
