"""The script sandbox, driven through real SpiffWorkflow processes parsed from small BPMN strings."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.scripting import (
    SandboxEnvironment,
    ScriptEngine,
    ScriptRejected,
    ScriptTimeout,
    check_source,
)

PID = "sandboxed"
Step = Callable[[str, str], str]  # (incoming flow id, outgoing flow id) -> the element's XML


def definitions(process_body: str) -> str:
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
        ' id="Definitions_sandboxed" targetNamespace="http://bpmn.io/schema/bpmn">'
        f'<bpmn:process id="{PID}" isExecutable="true">{process_body}</bpmn:process>'
        "</bpmn:definitions>"
    )


def chain(*steps: Step) -> str:
    """start_event → steps → end_event; step i has the id "step<i>" and sits between flows f<i> and f<i+1>."""
    count = len(steps)
    body = ['<bpmn:startEvent id="start_event"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    body += [step(f"f{i}", f"f{i + 1}") for i, step in enumerate(steps)]
    body.append(f'<bpmn:endEvent id="end_event"><bpmn:incoming>f{count}</bpmn:incoming></bpmn:endEvent>')
    ends = ["start_event", *(f"step{i}" for i in range(count)), "end_event"]
    body += [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{ends[i]}" targetRef="{ends[i + 1]}"/>' for i in range(count + 1)
    ]
    return definitions("".join(body))


def script(source: str) -> Step:
    def xml(incoming: str, outgoing: str) -> str:
        index = incoming[1:]
        return (
            f'<bpmn:scriptTask id="step{index}" name="Script {index}" scriptFormat="python">'
            f"<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>"
            f"<bpmn:script>{escape(source)}</bpmn:script></bpmn:scriptTask>"
        )

    return xml


def user_task(incoming: str, outgoing: str) -> str:
    index = incoming[1:]
    return (
        f'<bpmn:userTask id="step{index}" name="Look"><bpmn:incoming>{incoming}</bpmn:incoming>'
        f"<bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>"
    )


def service(operation: str, params: dict[str, str]) -> Step:
    def xml(incoming: str, outgoing: str) -> str:
        index = incoming[1:]
        parameters = "".join(
            f'<spiffworkflow:parameter id="{name}" type="str" value={quoteattr(value)}/>'
            for name, value in params.items()
        )
        return (
            f'<bpmn:serviceTask id="step{index}" name="Call"><bpmn:extensionElements>'
            f'<spiffworkflow:serviceTaskOperator id="{operation}" resultVariable="result">'
            f"<spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>"
            "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"
            f"<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>"
            "</bpmn:serviceTask>"
        )

    return xml


def gateway(condition: str) -> str:
    """start → exclusive gateway: `condition` leads to user task "approve", otherwise to "reject"."""
    return definitions(
        '<bpmn:startEvent id="start_event"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:exclusiveGateway id="decide" default="f_no"><bpmn:incoming>f_start</bpmn:incoming>'
        "<bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>"
        '<bpmn:userTask id="approve"><bpmn:incoming>f_yes</bpmn:incoming>'
        "<bpmn:outgoing>f_end1</bpmn:outgoing></bpmn:userTask>"
        '<bpmn:userTask id="reject"><bpmn:incoming>f_no</bpmn:incoming>'
        "<bpmn:outgoing>f_end2</bpmn:outgoing></bpmn:userTask>"
        '<bpmn:endEvent id="end_yes"><bpmn:incoming>f_end1</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:endEvent id="end_no"><bpmn:incoming>f_end2</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="f_start" sourceRef="start_event" targetRef="decide"/>'
        '<bpmn:sequenceFlow id="f_yes" sourceRef="decide" targetRef="approve">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_no" sourceRef="decide" targetRef="reject"/>'
        '<bpmn:sequenceFlow id="f_end1" sourceRef="approve" targetRef="end_yes"/>'
        '<bpmn:sequenceFlow id="f_end2" sourceRef="reject" targetRef="end_no"/>'
    )


def workflow(xml: str, engine: ScriptEngine, data: dict[str, Any] | None = None) -> BpmnWorkflow:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml.encode())
    wf = BpmnWorkflow(parser.get_spec(PID), parser.get_subprocess_specs(PID), script_engine=engine)
    wf.get_next_task(spec_name="Start").data.update(data or {})
    return wf


def data_of(wf: BpmnWorkflow, spec_name: str) -> dict[str, Any]:
    (task,) = wf.get_tasks(spec_name=spec_name)
    return task.data


def working_days_after(start: str, days: int) -> str:
    """A stand-in helper: skips Saturdays and Sundays only."""
    day = date.fromisoformat(start)
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return day.isoformat()


HELPERS = {"working_days_after": working_days_after, "PASS_MARK": 80}


@pytest.fixture
def engine() -> ScriptEngine:
    return ScriptEngine(environment=SandboxEnvironment(helpers=HELPERS, time_limit_s=0.3))


def test_script_computes_task_data_with_helpers_that_do_not_leak(engine: ScriptEngine) -> None:
    source = (
        "due = working_days_after(received, 3)\n"
        "total = 0\n"
        "for name, score in scores.items():\n"
        "    total += score\n"
        "passed = sorted(n for n, s in scores.items() if s >= PASS_MARK)\n"
        "dossier['status'] = 'checked'\n"
        "def label(n):\n"
        "    return 'QĐ-' + str(n)\n"
        "number = label(total)\n"
        "try:\n"
        "    year = int('năm')\n"
        "except ValueError:\n"
        "    year = None\n"
        "print('not kept')\n"
    )
    wf = workflow(
        chain(script(source), user_task),
        engine,
        {"received": "2026-03-06", "scores": {"An": 90, "Bình": 70}, "dossier": {}},
    )
    wf.do_engine_steps()

    data = data_of(wf, "step1")
    assert data["due"] == "2026-03-11"  # Friday + 3 working days
    assert data["total"] == 160
    assert data["passed"] == ["An"]
    assert data["dossier"] == {"status": "checked"}
    assert data["number"] == "QĐ-160"
    assert data["year"] is None
    leaked = {"working_days_after", "PASS_MARK", "label", "__builtins__", "_print", "_getattr_"} & set(data)
    assert not leaked
    json.dumps(data)  # the task data stays serializable


def test_gateway_condition_evaluates_with_task_data_and_helpers(engine: ScriptEngine) -> None:
    for score, expected in ((85, "approve"), (60, "reject")):
        wf = workflow(gateway("score >= PASS_MARK and len(name) > 0"), engine, {"score": score, "name": "An"})
        wf.do_engine_steps()
        assert [t.task_spec.name for t in wf.get_tasks(state=TaskState.READY, manual=True)] == [expected]


REFUSED = [
    ("import os", "import statements are not allowed"),
    ("from os import path", "import statements are not allowed"),
    ("content = open('/etc/passwd').read()", "open() is not allowed"),
    ("os = __import__('os')", '"__import__" is an invalid variable name'),
    ("bases = ().__class__.__mro__", '"__class__" is an invalid attribute name'),
    ("cls = getattr(1, '__class__')", "access to attribute '__class__' is not allowed"),
    ("kind = type(1)", "type() is not allowed"),
    ("class Evil:\n    pass", "class definitions are not allowed"),
    ("try:\n    x = 1\nfinally:\n    x = 2", "finally clauses are not allowed"),
]


@pytest.mark.parametrize(("source", "reason"), REFUSED)
def test_refused_scripts_stop_the_task_with_a_clear_reason(engine: ScriptEngine, source: str, reason: str) -> None:
    wf = workflow(chain(script(source)), engine)
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "script refused" in str(caught.value)
    assert reason in str(caught.value)
    assert caught.value.error_type == "ScriptRejected"


def test_refused_gateway_condition_keeps_the_reason(engine: ScriptEngine) -> None:
    wf = workflow(gateway("score.__class__ is int"), engine, {"score": 1})
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "Error evaluating expression" in str(caught.value)
    assert any('"__class__" is an invalid attribute name' in note for note in caught.value.notes)


@pytest.mark.parametrize(
    "source",
    [
        "while True: pass",
        "for i in range(10**6):\n    for j in range(10**6): pass\n",  # one range(10**12) is refused outright
        "try:\n    while True:\n        pass\nexcept:\n    caught = True\n",
        "try:\n    while True: pass\nexcept Exception:\n    while True: pass\n",
    ],
)
def test_endless_loop_stops_at_the_time_limit(engine: ScriptEngine, source: str) -> None:
    wf = workflow(chain(script(source)), engine)
    started = time.monotonic()
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.5
    assert "script stopped after 0.3 s (time limit)" in str(caught.value)
    assert caught.value.error_type == "ScriptTimeout"


def test_engine_keeps_working_after_a_refusal_and_restores_the_tracer(engine: ScriptEngine) -> None:
    tracer_before = sys.gettrace()
    for bad in ("import os", "while True: pass"):
        with pytest.raises(WorkflowTaskException):
            workflow(chain(script(bad)), engine).do_engine_steps()
        assert sys.gettrace() is tracer_before

    wf = workflow(chain(script("doubled = [v * 2 for v in values]"), user_task), engine, {"values": [1, 2]})
    wf.do_engine_steps()
    assert data_of(wf, "step1")["doubled"] == [2, 4]
    assert sys.gettrace() is tracer_before


def test_task_data_may_not_overwrite_a_helper(engine: ScriptEngine) -> None:
    wf = workflow(chain(script("x = 1")), engine, {"working_days_after": "oops"})
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "overwrites script helper(s) working_days_after" in str(caught.value)


def test_timer_expression_runs_in_the_sandbox(engine: ScriptEngine) -> None:
    def timer(incoming: str, outgoing: str) -> str:
        return (
            f'<bpmn:intermediateCatchEvent id="step{incoming[1:]}"><bpmn:incoming>{incoming}</bpmn:incoming>'
            f"<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:timerEventDefinition>"
            '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT" + str(hours) + "H"</bpmn:timeDuration>'
            "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        )

    wf = workflow(chain(timer), engine, {"hours": 4})
    wf.do_engine_steps()
    (event,) = wf.waiting_events()
    assert event.event_type == "DurationTimerEventDefinition"
    assert datetime.fromisoformat(event.value)  # "PT4H" was evaluated and armed as a due time


def test_check_source_lints_expressions_and_scripts() -> None:
    assert check_source("score >= 80 and status == 'ok'", "eval") is None
    assert check_source("  approved == True\n", "eval") is None  # surrounding whitespace, as in BPMN XML
    assert check_source("total = sum(x['points'] for x in rows)\ntotal += 1", "exec") is None
    assert check_source("import os", "exec") == "script refused: import statements are not allowed (line 1)"
    assert "SyntaxError" in (check_source("score >=", "eval") or "")
    assert "__class__" in (check_source("x.__class__", "eval") or "")
    assert check_source("total = 1\nx = 2 if y else 3\nfrom a import b", "exec") == (
        "script refused: import statements are not allowed (line 3)"
    )
    with pytest.raises(ValueError, match="mode"):
        check_source("1", "single")


def test_environment_follows_spiff_semantics_directly() -> None:
    env = SandboxEnvironment(helpers={"double": lambda n: 2 * n}, time_limit_s=1)
    context: dict[str, Any] = {"n": 2}
    assert env.execute("m = double(n)\nprint(m)\nhelper = double", context) is True
    assert context == {"n": 2, "m": 4}
    assert env.evaluate("double(m) + n", context) == 10
    assert env.evaluate("double", {"double": 3}) == 3  # in expressions task data shadows helpers, as in Spiff
    with pytest.raises(ScriptRejected, match="open"):
        env.evaluate("open('x')", {})
    with pytest.raises(ScriptTimeout, match=r"after 1\.0 s"):
        env.evaluate("[1 for _ in range(10**6) for _ in range(10**6)]", {})
    with pytest.raises(AttributeError):  # a missing attribute raises, as in Python (not None)
        env.evaluate("n.missing", {"n": 1})


def test_service_task_calls_services_with_evaluated_params() -> None:
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def services(operation: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        calls.append((operation, params, dict(data)))
        return {"number": f"{data['seq']}/{params['body']}", "year": params["year"]}

    engine = ScriptEngine(environment=SandboxEnvironment(helpers=HELPERS), services=services)
    wf = workflow(
        chain(service("number.allocate", {"body": "'QĐ-UBND'", "year": "year + 1"}), user_task),
        engine,
        {"seq": 7, "year": 2025},
    )
    wf.do_engine_steps()

    assert calls == [("number.allocate", {"body": "QĐ-UBND", "year": 2026}, {"seq": 7, "year": 2025})]
    assert data_of(wf, "step1")["result"] == {"number": "7/QĐ-UBND", "year": 2026}


def test_service_task_errors_are_workflow_task_exceptions() -> None:
    def failing(operation: str, params: dict[str, Any], data: dict[str, Any]) -> Any:
        raise RuntimeError("numbering office closed")

    xml = chain(service("number.allocate", {"body": "'QĐ-UBND'"}))
    with pytest.raises(WorkflowTaskException, match="service number.allocate failed: numbering office closed"):
        workflow(xml, ScriptEngine(services=failing)).do_engine_steps()
    with pytest.raises(WorkflowTaskException, match="no service registry is configured"):
        workflow(xml, ScriptEngine()).do_engine_steps()

    refused_param = chain(service("number.allocate", {"body": "__import__('os')"}))
    with pytest.raises(WorkflowTaskException, match='"__import__" is an invalid variable name'):
        workflow(refused_param, ScriptEngine(services=failing)).do_engine_steps()


@pytest.mark.parametrize(
    ("result", "reason"),
    [({"note": "\udfff"}, "lone surrogate"), ([float("nan")], "nan"), ({"at": {1, 2}}, "set")],
)
def test_a_service_result_the_store_cannot_hold_fails_the_task(result: Any, reason: str) -> None:
    xml = chain(service("demo.odd", {}))
    engine = ScriptEngine(environment=SandboxEnvironment(), services=lambda operation, params, data: result)
    with pytest.raises(WorkflowTaskException, match=f"service demo.odd returned a value that .*{reason}"):
        workflow(xml, engine).do_engine_steps()
