"""The designer's editor helpers over HTTP: pick lists, the script check, the timer preview; and the
instance counts per version, called processes included."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine import Engine
from tests.web.conftest import BPMN, Api

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY_10 = "2026-12-04T10:00:00+07:00"


def preview(api: Api, **body: object) -> tuple[int, dict[str, object]]:
    answer = api.post("/api/designer/timer-preview", "designer", json={"start": FRIDAY_10, **body})
    return answer.status_code, answer.json


def test_the_catalog_lists_latest_processes_decisions_and_documented_handlers(api: Api) -> None:
    assert api.deploy("call_child.bpmn", "call_parent.bpmn").status_code == 201
    assert api.deploy("business_rule.bpmn", "discount.dmn", "review.schema.json").status_code == 201
    catalog = api.get("/api/designer/catalog", "designer")
    assert catalog.status_code == 200, catalog.json
    processes = {p["key"]: p for p in catalog.json["processes"]}
    assert set(processes) == {"call_child", "call_parent", "business_rule"}
    assert processes["call_child"]["name"] == "Called child process" and processes["call_child"]["version"] == 1
    assert catalog.json["forms"] == ["review.schema.json"]
    assert catalog.json["decisions"] == ["discount"], "the DMN's decision is offered to business-rule tasks"
    assert catalog.json["decision_names"] == {"discount": "Discount"}, "by its name"
    operators = {o["name"]: o for o in catalog.json["operators"]}
    assert {p["name"]: p["required"] for p in operators["sla.start_clock"]["parameters"]}["limit"] is True
    assert operators["sla.start_clock"]["doc"], "each handler says what it does"


def test_the_catalog_and_checks_are_for_designers_only(api: Api) -> None:
    assert api.get("/api/designer/catalog", "an").status_code == 403
    assert api.post("/api/designer/script-check", "an", json={"source": "x = 1"}).status_code == 403
    assert api.get("/api/designer/catalog").status_code == 401


@pytest.mark.parametrize(
    ("source", "mode", "ok", "said"),
    [
        ("total = price * 2", "exec", True, None),
        ("import os", "exec", False, "import"),
        ("x.__class__", "eval", False, "__class__"),
        ("x = 1", "eval", False, "script refused"),
        ("if x\n  y = 1", "exec", False, "script refused"),
    ],
)
def test_a_script_is_checked_under_the_sandbox_rules(api: Api, source: str, mode: str, ok: bool, said: str) -> None:
    answer = api.post("/api/designer/script-check", "designer", json={"source": source, "mode": mode})
    assert answer.status_code == 200, answer.json
    assert answer.json["ok"] is ok
    assert (answer.json["message"] is None) if ok else said in answer.json["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "x = 1", "mode": "run"}, "mode"),
        ({"mode": "exec"}, "source"),
        ({"source": "x = 1" * 30_000}, "source"),
        ({"source": 42}, "source"),
        ({"source": "x = 1", "shell": "rm"}, "shell"),
    ],
)
def test_a_bad_script_check_names_the_field(api: Api, body: dict[str, object], field: str) -> None:
    answer = api.post("/api/designer/script-check", "designer", json=body)
    assert answer.status_code == 422, answer.json
    assert field in str(answer.json["fields"])


def test_working_days_after_counts_on_the_engine_calendar(api: Api, engine: Engine) -> None:
    status, body = preview(api, expression="working_days_after(2)")
    assert status == 200, body
    assert datetime.fromisoformat(str(body["due"])).astimezone(VN) == datetime(2026, 12, 8, 10, tzinfo=VN)
    engine.calendar.add_holiday(date(2026, 12, 7), "Nghỉ thử", "test", "admin")
    status, body = preview(api, expression="working_days_after(2)")
    assert status == 200 and datetime.fromisoformat(str(body["due"])).astimezone(VN) == datetime(
        2026, 12, 9, 10, tzinfo=VN
    ), "a holiday the calendar gained moves the preview"
    status, body = preview(api, expression='working_time_after("4WH")', kind="date")
    with engine.db.reading() as session:
        expected = engine.sla.calendar_for(session).add(datetime.fromisoformat(FRIDAY_10), "4WH")
    assert status == 200 and datetime.fromisoformat(str(body["due"])) == expected


@pytest.mark.parametrize(
    ("expression", "kind", "due", "cycles"),
    [
        ('"PT2H"', "duration", datetime(2026, 12, 4, 12, tzinfo=VN), None),
        ('"P3D"', "duration", datetime(2026, 12, 7, 10, tzinfo=VN), None),
        ('"2026-12-24T09:00:00+07:00"', "date", datetime(2026, 12, 24, 9, tzinfo=VN), None),
        ('"R3/PT10M"', "cycle", datetime(2026, 12, 4, 10, 10, tzinfo=VN), 3),
    ],
)
def test_iso_timers_preview(api: Api, expression: str, kind: str, due: datetime, cycles: int | None) -> None:
    status, body = preview(api, expression=expression, kind=kind)
    assert status == 200, body
    assert datetime.fromisoformat(str(body["due"])) == due and body["cycles"] == cycles


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expression": "1/0"}, "expression"),
        ({"expression": "__import__('os')"}, "expression"),
        ({"expression": "42"}, "expression"),
        ({"expression": '"tomorrow"'}, "expression"),
        ({"expression": '"PT1H"', "kind": "sometimes"}, "kind"),
        ({"expression": '"PT1H"', "start": "not a date"}, "start"),
        ({"expression": ""}, "expression"),
        ({"expression": '"PT1H"', "unit": "u" * 500}, "unit"),
    ],
)
def test_a_bad_timer_preview_names_the_field(api: Api, body: dict[str, object], field: str) -> None:
    status, answer = preview(api, **body)
    assert status == 422, answer
    assert field in str(answer["fields"])


def counts(api: Api) -> dict[str, tuple[int, int]]:
    listed = api.get("/api/definitions", "designer").json
    return {d["key"]: (d["running_instances"], d["finished_instances"]) for d in listed}


def test_version_counts_follow_instances_into_called_processes(api: Api, engine: Engine) -> None:
    """A called process's version counts the instances inside it now (the engine's ready tasks say where each
    one waits) and the finished ones that went through it."""
    assert api.deploy("call_child.bpmn", "call_parent.bpmn").status_code == 201
    started = [engine.runtime.start("call_parent", business_key=f"HS-{n}", actor="admin").id for n in range(3)]

    def step(instance_id: int) -> None:
        (task,) = [t for t in engine.tasks.for_instance(instance_id) if t.state == "ready"]
        engine.tasks.complete(task.id, "admin", {})

    def waiting_in_child() -> int:
        return sum(
            t.element_id == "child_task" for i in started for t in engine.tasks.for_instance(i) if t.state == "ready"
        )

    assert waiting_in_child() == 3 and counts(api) == {"call_parent": (3, 0), "call_child": (3, 0)}
    step(started[0])  # out of the child, waiting in the parent
    assert waiting_in_child() == 2 and counts(api) == {"call_parent": (3, 0), "call_child": (2, 0)}
    step(started[0])
    assert engine.runtime.get(started[0]).state == "completed"
    assert counts(api) == {"call_parent": (2, 1), "call_child": (2, 1)}


def test_deploy_refuses_a_script_the_sandbox_would_refuse(api: Api) -> None:
    """The deploy-time lint applies the sandbox's rules, not only Python's syntax: found before a dossier runs it."""
    xml = (BPMN / "script_task.bpmn").read_text()
    script = re.search(r"<bpmn:script>(.*?)</bpmn:script>", xml, re.S)
    assert script, "the fixture has a script"
    bad = xml.replace(script[0], "<bpmn:script>import os</bpmn:script>")
    refused = api.deploy(contents={"script_task.bpmn": bad.encode()})
    assert refused.status_code == 422
    problems = refused.json["problems"]
    assert any("import statements are not allowed" in p["message"] and p["element_id"] for p in problems)
    assert api.deploy("script_task.bpmn").status_code == 201


@pytest.mark.parametrize(
    ("source", "mode", "code", "text"),
    [
        ("import os", "exec", "script.import", "Không được dùng lệnh import (dòng 1)"),
        ("open('/etc/passwd')", "eval", None, None),  # refused only when it runs: the check lets it pass
        ("exec('x = 1')", "exec", "script.forbidden_call", "Không được gọi hàm exec()"),
        ("y = x.__class__", "exec", "script.underscore_attribute", "Không được truy cập thuộc tính __class__"),
        ("_x = 1", "exec", "script.underscore_name", "Tên _x bắt đầu bằng dấu gạch dưới"),
        ("a = 1\nif x\n  y = 1", "exec", "script.syntax", "sai cú pháp Python ở dòng 2"),
        ("   ", "exec", "script.empty", "Kịch bản đang trống."),
    ],
)
def test_a_refused_script_is_said_in_vietnamese_with_the_english_kept(
    api: Api, source: str, mode: str, code: str | None, text: str | None
) -> None:
    answer = api.post("/api/designer/script-check", "designer", json={"source": source, "mode": mode})
    assert answer.status_code == 200, answer.json
    assert answer.json["code"] == code and answer.json["ok"] is (code is None)
    if text is None:
        assert answer.json["text"] is None and answer.json["message"] is None
        return
    assert text in answer.json["text"], answer.json
    assert answer.json["message"], "API users keep the engine's English"
    assert not re.search(r"\b(script|refused|allowed|line|not)\b", answer.json["text"]), answer.json["text"]


def test_a_syntax_error_keeps_pythons_words_apart(api: Api) -> None:
    answer = api.post("/api/designer/script-check", "designer", json={"source": "x = (", "mode": "exec"})
    assert answer.json["detail"] and answer.json["detail"] not in answer.json["text"], answer.json


@pytest.mark.parametrize(
    ("expression", "code", "text"),
    [
        ("working_hours_after(2)", "timer.unknown_name", "Không có hàm hay biến nào tên working_hours_after"),
        ("'PT2X'", "timer.not_iso", "Giá trị «PT2X» không phải khoảng thời gian ISO 8601"),
        ("working_days_after()", "timer.bad_arguments", "Hàm thời gian được gọi với tham số không đúng."),
        ("'P' * 10**9", "script.bound", "vượt giới hạn 10000000"),
        ("3", "timer.not_text", "phải cho ra một chuỗi ISO 8601"),
        ("import os", "script.syntax", "sai cú pháp Python ở dòng 1"),
    ],
)
def test_a_timer_that_cannot_be_previewed_is_said_in_vietnamese(
    api: Api, expression: str, code: str, text: str
) -> None:
    status, body = preview(api, expression=expression, kind="duration")
    assert status == 422 and body["code"] == code, body
    assert text in str(body["text"]), body
    assert body["fields"], "the field at fault is still named for API users"
