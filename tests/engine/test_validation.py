"""Deployment-bundle validation: every finding collected, nothing but DeploymentInvalid ever escapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine.bpmn import validation
from engine.bpmn.normalize import is_bare_iso
from engine.bpmn.validation import BUNDLE, ProcessInfo, ValidatedBundle, validate_bundle
from engine.bpmn.xml import DTD_MESSAGE, MAX_FILE_BYTES
from engine.errors import DeploymentInvalid, Problem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "validation"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" {ns}
    id="defs" targetNamespace="http://awardflow/test">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
"""
TAIL = """
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
FLOWS = "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
GROUP = (
    '<spiffworkflow:properties><spiffworkflow:property name="candidate_groups" value="g" /></spiffworkflow:properties>'
)


def task_process(task: str, *, ns: str = "", pid: str = "p") -> bytes:
    """start -> (the element with id "t") -> end, as BPMN bytes."""
    return (HEAD.format(ns=ns, pid=pid) + "    " + task + TAIL).encode()


def fixtures(*names: str) -> dict[str, bytes]:
    return {name: (FIXTURES / name).read_bytes() for name in names}


def problems_of(files: dict[str, bytes], **known: frozenset[str]) -> list[Problem]:
    """The problems of a bundle that must be refused."""
    with pytest.raises(DeploymentInvalid) as refused:
        validate_bundle(files, **known)
    return refused.value.problems


def errors_of(files: dict[str, bytes], **known: frozenset[str]) -> list[Problem]:
    return [p for p in problems_of(files, **known) if p.severity == "error"]


def only_error(files: dict[str, bytes], **known: frozenset[str]) -> Problem:
    errors = errors_of(files, **known)
    assert len(errors) == 1, errors
    return errors[0]


def load_spec(text: str, file: str, pid: str) -> BpmnWorkflow:
    """What the engine will do with a validated bundle: parse the normalized text and start it."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(text, file)
    return BpmnWorkflow(parser.get_spec(pid), parser.get_subprocess_specs(pid))


# -- a valid bundle ----------------------------------------------------------------------------------


def test_valid_bundle_is_returned_with_its_processes_forms_and_diagram() -> None:
    result = validate_bundle(fixtures("valid.bpmn", "appraise.schema.json"))

    assert isinstance(result, ValidatedBundle)
    assert result.processes == {
        "valid_process": ProcessInfo("valid_process", "Valid process", "valid.bpmn", frozenset())
    }
    assert result.forms["appraise.schema.json"]["required"] == ["score"]
    assert result.warnings == []
    assert result.decisions == frozenset() and result.dmn == {}
    assert "bpmndi:BPMNDiagram" in result.bpmn["valid.bpmn"]
    assert "<?xml" not in result.bpmn["valid.bpmn"]  # lxml refuses a str that declares an encoding
    load_spec(result.bpmn["valid.bpmn"], "valid.bpmn", "valid_process").do_engine_steps()


def test_originals_and_decisions_per_file_are_kept_for_storage() -> None:
    files = fixtures("business_rule.bpmn", "award_level.dmn", "timer_bare_duration.bpmn", "appraise.schema.json")
    utf16 = task_process(f'<bpmn:task id="t" name="Thẩm định">{FLOWS}</bpmn:task>', pid="vn")
    files["vn.bpmn"] = utf16.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    result = validate_bundle(files)

    assert result.originals["timer_bare_duration.bpmn"] == files["timer_bare_duration.bpmn"].decode()
    assert ">PT2H<" in result.originals["timer_bare_duration.bpmn"]  # as the designer wrote it
    assert result.originals["appraise.schema.json"] == files["appraise.schema.json"].decode()
    assert "Thẩm định" in result.originals["vn.bpmn"] and "Thẩm định" in result.bpmn["vn.bpmn"]
    assert result.decisions_of == {"award_level.dmn": frozenset({"award_level"})}


def test_normalized_text_keeps_every_element_on_its_line() -> None:
    original = (FIXTURES / "timers_bare_iso.bpmn").read_bytes()
    text = validate_bundle({"t.bpmn": original}).bpmn["t.bpmn"]

    def lines(root: etree._Element) -> dict[str, int | None]:
        return {e.get("id"): e.sourceline for e in root.iter() if e.get("id")}

    assert lines(etree.fromstring(text)) == lines(etree.fromstring(original))


def test_process_without_is_executable_is_accepted() -> None:
    bpmn = task_process(f'<bpmn:task id="t">{FLOWS}</bpmn:task>').replace(b' isExecutable="true"', b"")
    assert list(validate_bundle({"a.bpmn": bpmn}).processes) == ["p"]


def test_bytes_like_and_str_content_and_utf16_are_read() -> None:
    bpmn = task_process(f'<bpmn:task id="t" name="Thẩm định">{FLOWS}</bpmn:task>')
    utf16 = bpmn.decode().encode("utf-16")
    for content in (bytearray(bpmn), memoryview(bpmn), utf16):
        assert list(validate_bundle({"a.bpmn": content}).processes) == ["p"]  # type: ignore[dict-item]


# -- 1. safe XML -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["attack_billion_laughs.bpmn", "attack_xxe.bpmn", "attack_doctype.bpmn"])
def test_dtds_and_entities_are_refused(name: str) -> None:
    problems = problems_of(fixtures(name))

    assert [p.message for p in problems] == [DTD_MESSAGE]
    assert problems[0].file == name
    assert not any("root:" in p.message for p in problems)  # /etc/passwd was never read


def test_entity_attack_in_a_dmn_is_refused_too() -> None:
    dmn = (FIXTURES / "award_level.dmn").read_text().split("?>", 1)[1]
    attack = '<!DOCTYPE definitions [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + dmn
    problems = problems_of({**fixtures("business_rule.bpmn"), "a.dmn": attack.encode()})
    assert [(p.file, p.message) for p in problems] == [("a.dmn", DTD_MESSAGE)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n ", "the file is empty"),
        (b"\x00\xff\xfe garbage <<<", "not well-formed XML"),
        (b"<bpmn:definitions", "not well-formed XML"),
        ("<a>caf\xe9</a>".encode("latin-1"), "save the file as UTF-8"),
        (b"<a>" * 100_000 + b"</a>" * 100_000, "Excessive depth"),
        (b"<html><body/></html>", "not a BPMN file: the root element is html"),
        (b"<a>&undefined;</a>", "not well-formed XML"),
    ],
    ids=["empty", "blank", "garbage", "truncated", "latin-1", "nested", "html", "undefined-entity"],
)
def test_unreadable_files_are_one_clear_problem(content: bytes, message: str) -> None:
    problems = problems_of({"a.bpmn": content})

    assert len(problems) == 1, problems  # and no "no executable process" noise about a file we could not read
    assert problems[0].file == "a.bpmn" and message in problems[0].message


def test_huge_file_is_refused_before_parsing() -> None:
    huge = b"<a>" + b" " * MAX_FILE_BYTES + b"</a>"
    assert "larger than" in only_error({"a.bpmn": huge}).message


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"notes.txt": b"hi"}, "unsupported file type"),
        ({"a.bpmn20.xml": b"<x/>"}, "unsupported file type"),
        ({"a.bpmn": None}, "file content must be bytes"),
        ({1: b"<x/>"}, "invalid file name"),
    ],
)
def test_bad_entries_are_problems(files: dict, message: str) -> None:
    assert any(message in p.message for p in problems_of(files))


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_escape(content: bytes) -> None:
    for name in ("x.bpmn", "x.dmn", "x.json"):
        with pytest.raises(DeploymentInvalid):
            validate_bundle({name: content})


VALID = (FIXTURES / "valid.bpmn").read_bytes()


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(VALID)), st.binary(max_size=20))
def test_damaged_diagrams_never_escape(cut: int, noise: bytes) -> None:
    files = {"v.bpmn": VALID[:cut] + noise + VALID[cut + len(noise) :], "appraise.schema.json": b"{}"}
    try:
        validate_bundle(files)
    except DeploymentInvalid as refused:
        assert all(isinstance(p, Problem) for p in refused.problems)


def test_a_crash_inside_a_check_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> list[Problem]:
        raise RuntimeError("lxml exploded")

    monkeypatch.setattr(validation, "vendor_problems", boom)
    problem = only_error(fixtures("valid.bpmn", "appraise.schema.json"))
    assert problem.file == "valid.bpmn"
    assert "internal error while checking extensions: RuntimeError: lxml exploded" in problem.message


def test_a_crash_inside_spiffworkflow_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: SpiffBpmnParser, pid: str, required: bool = True) -> None:
        raise KeyError("name")

    monkeypatch.setattr(SpiffBpmnParser, "get_spec", boom)
    problem = only_error(fixtures("valid.bpmn", "appraise.schema.json"))
    assert problem.file == "valid.bpmn" and "KeyError" in problem.message


# -- 2. schema ---------------------------------------------------------------------------------------


def test_schema_errors_are_all_listed_with_line_and_element() -> None:
    bpmn = task_process(
        '<bpmn:task id="t" bogus="1">' + FLOWS + "</bpmn:task>\n"
        '    <bpmn:userTask id="u"><bpmn:nonsense /></bpmn:userTask>'
    )
    errors = errors_of({"a.bpmn": bpmn})

    assert [(p.element_id, p.line) for p in errors] == [("t", 8), ("u", 9)]
    assert "attribute 'bogus'" in errors[0].message and "bpmn:nonsense" in errors[1].message


# -- 3. vendor extensions ----------------------------------------------------------------------------


def test_decorative_camunda_extensions_are_warnings() -> None:
    result = validate_bundle(fixtures("camunda_async.bpmn"))

    warnings = {(w.element_id, w.message.split(" ")[0]) for w in result.warnings}
    assert ("prepare", 'camunda:asyncBefore="true"') in warnings
    assert ("prepare", "camunda:inputParameter") not in warnings  # reported with its outer element
    assert ("prepare", "camunda:inputOutput") in warnings
    assert all("ignores it" in w.message and w.severity == "warning" for w in result.warnings)


def test_camunda_class_is_an_error_and_not_repeated_by_spiffworkflow() -> None:
    problem = only_error(fixtures("camunda_class.bpmn"))

    assert (problem.file, problem.element_id, problem.line) == ("camunda_class.bpmn", "issue_number", 7)
    assert "camunda:class" in problem.message and "Java class" in problem.message


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            '<bpmn:serviceTask id="t" camunda:delegateExpression="${{mailer}}">{flows}</bpmn:serviceTask>',
            "camunda:delegateExpression",
        ),
        (
            '<bpmn:serviceTask id="t" camunda:expression="${{bean.go()}}">{flows}</bpmn:serviceTask>',
            "camunda:expression",
        ),
        (
            "<bpmn:serviceTask id='t' camunda:type='external' camunda:topic='mail'>{flows}</bpmn:serviceTask>",
            "camunda:type",
        ),
        (
            '<bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="mail" />'
            "</bpmn:extensionElements>{flows}</bpmn:serviceTask>",
            "zeebe:taskDefinition",
        ),
        (
            "<bpmn:task id='t'><bpmn:extensionElements><camunda:executionListener class='x.Y' event='start' />"
            "</bpmn:extensionElements>{flows}</bpmn:task>",
            "camunda:executionListener",
        ),
        (
            '<bpmn:scriptTask id="t" scriptFormat="groovy">{flows}<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
            "groovy",
        ),
        (
            '<bpmn:scriptTask id="t" scriptFormat="javascript">{flows}<bpmn:script>var x = 1</bpmn:script>'
            "</bpmn:scriptTask>",
            "javascript",
        ),
    ],
    ids=["delegateExpression", "expression", "external-task", "zeebe", "listener", "groovy", "javascript"],
)
def test_vendor_behaviour_we_cannot_run_is_an_error(task: str, expected: str) -> None:
    ns = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'
    errors = errors_of({"a.bpmn": task_process(task.format(flows=FLOWS), ns=ns)})

    assert any(expected in p.message and p.element_id == "t" for p in errors), errors


def test_python_script_format_is_accepted() -> None:
    task = f'<bpmn:scriptTask id="t" scriptFormat="text/x-python">{FLOWS}<bpmn:script>x = 1</bpmn:script>'
    assert validate_bundle({"a.bpmn": task_process(task + "</bpmn:scriptTask>")}).processes


@pytest.mark.parametrize(
    ("name", "language"),
    [("juel_condition.bpmn", "JUEL"), ("feel_condition.bpmn", "FEEL")],
)
def test_foreign_expression_languages_are_named(name: str, language: str) -> None:
    problem = only_error(fixtures(name))

    assert problem.element_id == "flow_yes" and problem.line == 20
    assert language in problem.message and "awardflow runs Python expressions" in problem.message


def test_unknown_namespaces_warn_and_diagram_colours_do_not() -> None:
    foreign = task_process(
        f'<bpmn:task id="t" foo:bar="1">{FLOWS}</bpmn:task>', ns='xmlns:foo="http://example.com/foo"'
    )
    coloured = task_process(
        f'<bpmn:task id="t" color:background-color="#fff">{FLOWS}</bpmn:task>',
        ns='xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0"',
    )

    [warning] = validate_bundle({"a.bpmn": foreign}).warnings
    assert "http://example.com/foo" in warning.message and warning.element_id == "t"
    assert validate_bundle({"a.bpmn": coloured}).warnings == []


# -- 4. timers ---------------------------------------------------------------------------------------


def timer_texts(text: str) -> list[str]:
    return re.findall(r"<bpmn:time(?:Date|Duration|Cycle)[^>]*>([^<]*)<", text)


def test_bare_iso_timers_are_quoted_and_expressions_left_alone() -> None:
    result = validate_bundle(fixtures("timers_bare_iso.bpmn"))

    assert timer_texts(result.bpmn["timers_bare_iso.bpmn"]) == [
        '"2036-09-01T08:00:00+07:00"',
        '"R3/PT10M"',
        '"R/2036-09-01T08:00:00+07:00/P1D"',
        '"P7D"',  # already quoted: unchanged
        "working_days_after(received, 7)",  # a real expression: unchanged
        '"P1Y2M"',
    ]


@pytest.mark.parametrize(
    "value",
    [
        "PT2H",
        "P7D",
        "P1Y2M",
        "P1W",
        "PT0.5H",
        "R3/PT10M",
        "R/2026-09-01T08:00:00+07:00/P1D",
        "2026-09-01T08:00:00+07:00",
        "2026-09-01T08:00:00Z",
        "2026-09-01",
    ],
)
def test_bare_iso_values_are_recognized(value: str) -> None:
    assert is_bare_iso(value)


@pytest.mark.parametrize("value", ['"PT2H"', "PT", "P", "pt2h", "days(7)", "working_days_after(received, 7)"])
def test_other_timer_texts_are_not_bare_iso(value: str) -> None:
    assert not is_bare_iso(value)


def test_normalized_duration_timer_runs_in_spiffworkflow() -> None:
    text = validate_bundle(fixtures("timer_bare_duration.bpmn")).bpmn["timer_bare_duration.bpmn"]
    workflow = load_spec(text, "timer_bare_duration.bpmn", "timer_bare_duration")
    workflow.do_engine_steps()

    [event] = workflow.waiting_events()
    due = datetime.fromisoformat(event.value)
    expected = spiff_timer.datetime.now(UTC) + timedelta(hours=2)  # whatever clock Spiff reads
    assert event.event_type == "DurationTimerEventDefinition"
    assert abs(due - expected) < timedelta(minutes=1)


def test_normalized_date_timer_runs_in_spiffworkflow() -> None:
    text = validate_bundle(fixtures("timers_bare_iso.bpmn")).bpmn["timers_bare_iso.bpmn"]
    workflow = load_spec(text, "timers_bare_iso.bpmn", "timers_bare_iso")
    workflow.do_engine_steps()

    values = {event.name: event.value for event in workflow.waiting_events()}
    assert values["Deadline"] == "2036-09-01T08:00:00+07:00"


def test_without_normalization_the_bare_timer_fails_at_run_time() -> None:
    """Why we quote: Spiff evaluates ``PT2H`` as Python, a NameError when the timer is reached."""
    text = (FIXTURES / "timer_bare_duration.bpmn").read_text().split("?>", 1)[1]
    workflow = load_spec(text, "timer_bare_duration.bpmn", "timer_bare_duration")
    with pytest.raises(WorkflowException, match="PT2H"):
        workflow.do_engine_steps()


@pytest.mark.parametrize(
    ("timer", "message"),
    [
        ("<bpmn:timeDate>PT2H</bpmn:timeDate>", "timeDate 'PT2H' is not an ISO 8601 date-time"),
        ("<bpmn:timeCycle>'PT2H'</bpmn:timeCycle>", "timeCycle 'PT2H' is not an ISO 8601 repeating interval"),
        ("<bpmn:timeDuration>'2 hours'</bpmn:timeDuration>", "timeDuration '2 hours' is not an ISO 8601"),
        ("<bpmn:timeDuration>${duration}</bpmn:timeDuration>", "JUEL"),
        ('<bpmn:timeDuration>=duration("PT1H")</bpmn:timeDuration>', "FEEL"),
        ("<bpmn:timeDuration>days(</bpmn:timeDuration>", "not valid Python"),
    ],
)
def test_bad_timer_values_are_errors_on_the_event(timer: str, message: str) -> None:
    event = (
        f'<bpmn:intermediateCatchEvent id="t">{FLOWS}<bpmn:timerEventDefinition id="def">{timer}'
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )
    problem = only_error({"a.bpmn": task_process(event)})

    assert problem.element_id == "t" and message in problem.message


# -- 5. SpiffWorkflow's parser -----------------------------------------------------------------------


def test_spiffworkflow_refusals_name_file_element_and_line() -> None:
    gateway = (
        f"<bpmn:exclusiveGateway id='t'>{FLOWS}<bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>\n"
        '    <bpmn:endEvent id="other_end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n'
        '    <bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="other_end" />'
    )
    problem = only_error({"g.bpmn": task_process(gateway)})

    assert problem.file == "g.bpmn" and problem.element_id in {"f2", "f3"}
    assert "without condition" in problem.message and problem.line is not None


def test_errors_inside_embedded_subprocesses_are_found() -> None:
    sub = (
        f'<bpmn:subProcess id="t">{FLOWS}<bpmn:startEvent id="s2" /><bpmn:serviceTask id="inner" />'
        '<bpmn:endEvent id="e2" /><bpmn:sequenceFlow id="x1" sourceRef="s2" targetRef="inner" />'
        '<bpmn:sequenceFlow id="x2" sourceRef="inner" targetRef="e2" /></bpmn:subProcess>'
    )
    problem = only_error({"a.bpmn": task_process(sub)})
    assert problem.element_id == "inner" and "operator" in problem.message


def test_duplicate_process_ids_across_files() -> None:
    task = f'<bpmn:task id="t">{FLOWS}</bpmn:task>'
    problem = only_error({"a.bpmn": task_process(task), "b.bpmn": task_process(task)})
    assert (problem.file, problem.element_id) == ("b.bpmn", "p")
    assert "also defined in a.bpmn" in problem.message


# -- 6. lint -----------------------------------------------------------------------------------------


def test_not_executable_process_is_an_error() -> None:
    errors = errors_of(fixtures("not_executable.bpmn"))

    assert [(p.file, p.element_id) for p in errors] == [
        ("not_executable.bpmn", "draft_process"),
        (BUNDLE, None),
    ]
    assert "marked not executable" in errors[0].message
    assert errors[1].message == "the bundle has no executable process"


def test_not_executable_process_next_to_an_executable_one_is_still_an_error() -> None:
    problem = only_error(fixtures("not_executable.bpmn", "lane.bpmn"))
    assert problem.element_id == "draft_process"


def test_empty_bundle_has_no_executable_process() -> None:
    assert only_error({}).message == "the bundle has no executable process"


def test_a_form_alone_is_a_bundle_but_a_diagram_without_a_process_is_not() -> None:
    """The form editor saves a form on its own; a BPMN file with nothing executable is still refused."""
    form = b'{"type": "object", "properties": {"y_kien": {"type": "string"}}}'
    assert validate_bundle({"y_kien.schema.json": form}).forms["y_kien.schema.json"]["type"] == "object"
    errors = errors_of({"y_kien.schema.json": form, **fixtures("not_executable.bpmn")})
    assert errors[-1].message == "the bundle has no executable process"


def test_call_activity_targets_must_exist() -> None:
    problem = only_error(fixtures("call_missing.bpmn"))

    assert (problem.element_id, problem.line) == ("call_intake", 7)
    assert problem.message == (
        "call activity call_intake calls process intake, which is neither in this bundle nor deployed"
    )

    result = validate_bundle(fixtures("call_missing.bpmn"), known_processes=frozenset({"intake"}))
    assert result.processes["award_dossier"].called == frozenset({"intake", "appraisal"})
    assert result.processes["appraisal"].called == frozenset()


def test_forms_must_be_in_the_bundle_or_deployed() -> None:
    problem = only_error(fixtures("missing_form.bpmn"))

    assert (problem.file, problem.element_id, problem.line) == ("missing_form.bpmn", "appraise", 10)
    assert "missing.schema.json" in problem.message
    assert validate_bundle(fixtures("missing_form.bpmn"), known_forms=frozenset({"missing.schema.json"}))


def test_forms_must_be_valid_json_schemas() -> None:
    errors = errors_of(fixtures("lane.bpmn", "bad.schema.json"))

    assert {p.element_id for p in errors} == {"$.required", "$.properties.score.type"}
    assert all(p.file == "bad.schema.json" and "not a valid JSON Schema" in p.message for p in errors)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{nope", "not valid JSON"), (b"[1, 2]", "not a JSON list"), (b"\xff\xfe\x00", "not valid JSON")],
)
def test_unreadable_forms(content: bytes, message: str) -> None:
    problem = only_error({"f.json": content, **fixtures("lane.bpmn")})
    assert problem.file == "f.json" and message in problem.message


def test_unknown_meta_schema_is_a_warning() -> None:
    form = b'{"$schema": "http://example.com/mine", "type": "object"}'
    result = validate_bundle({"f.json": form, **fixtures("lane.bpmn")})
    assert any(w.file == "f.json" and "unknown $schema" in w.message for w in result.warnings)
    assert result.forms["f.json"]["type"] == "object"


def test_lane_assigns_and_a_task_outside_any_lane_warns() -> None:
    result = validate_bundle(fixtures("lane.bpmn"))

    [warning] = result.warnings
    assert (warning.element_id, warning.line, warning.severity) == ("sign", 20, "warning")
    assert warning.message == (
        "user task sign has no lane or candidate group; it will go to the person who started the instance"
    )


def test_warnings_travel_with_the_errors_when_a_bundle_is_refused() -> None:
    problems = problems_of(fixtures("lane.bpmn", "missing_form.bpmn"))
    assert {p.severity for p in problems} == {"error", "warning"}


@pytest.mark.parametrize(
    ("budget", "ok"),
    [
        ("0.5WD", True),
        ("4WH", True),
        ("2 wd", True),
        ("10.25 WH", True),
        ("2 days", False),
        ("WD", False),
        ("1.WD", False),
        ("-1WD", False),
        ("", False),
    ],
)
def test_budget_format(budget: str, ok: bool) -> None:
    task = (
        f'<bpmn:userTask id="t"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="budget" value="{budget}" />'
        '<spiffworkflow:property name="candidate_groups" value="g" />'
        f"</spiffworkflow:properties></bpmn:extensionElements>{FLOWS}</bpmn:userTask>"
    )
    files = {"a.bpmn": task_process(task)}
    if ok:
        assert validate_bundle(files).warnings == []
    else:
        problem = only_error(files)
        assert problem.element_id == "t" and "budget" in problem.message


def test_bad_condition_shows_the_compiler_message() -> None:
    problem = only_error(fixtures("bad_condition.bpmn"))

    assert (problem.element_id, problem.line) == ("flow_yes", 20)
    assert "is not valid Python: invalid syntax" in problem.message and "approved ==" in problem.message


def test_pretty_printed_condition_is_stripped_so_it_runs() -> None:
    result = validate_bundle(fixtures("indented_condition.bpmn"))
    assert ">score &gt;= 7</bpmn:conditionExpression>" in result.bpmn["indented_condition.bpmn"]


@pytest.mark.parametrize(
    ("task", "what"),
    [
        ('<bpmn:scriptTask id="t">{flows}<bpmn:script>x = (</bpmn:script></bpmn:scriptTask>', "the script"),
        ('<bpmn:scriptTask id="t">{flows}<bpmn:script>  </bpmn:script></bpmn:scriptTask>', "is empty"),
        ('<bpmn:scriptTask id="t">{flows}</bpmn:scriptTask>', "has no script"),
        (
            '<bpmn:task id="t"><bpmn:extensionElements><spiffworkflow:preScript>if x</spiffworkflow:preScript>'
            "</bpmn:extensionElements>{flows}</bpmn:task>",
            "preScript",
        ),
        (
            "<bpmn:task id='t'><bpmn:extensionElements><spiffworkflow:postScript>y === 1"
            "</spiffworkflow:postScript></bpmn:extensionElements>{flows}</bpmn:task>",
            "postScript",
        ),
        (
            "<bpmn:serviceTask id='t'><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id='numbering'>"
            '<spiffworkflow:parameters><spiffworkflow:parameter id="prefix" type="str" value="\'QD-\' +" />'
            "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>{flows}"
            "</bpmn:serviceTask>",
            "parameter 'prefix'",
        ),
        (
            '<bpmn:userTask id="t"><bpmn:extensionElements>{group}</bpmn:extensionElements>{flows}'
            "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>len(members</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
            "loop cardinality",
        ),
        (
            '<bpmn:userTask id="t"><bpmn:extensionElements>{group}</bpmn:extensionElements>{flows}'
            "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality>"
            "<bpmn:completionCondition>done and</bpmn:completionCondition>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
            "completion condition",
        ),
        (
            '<bpmn:userTask id="t"><bpmn:extensionElements>{group}</bpmn:extensionElements>{flows}'
            "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>council.members</bpmn:loopDataInputRef>"
            "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>",
            "must name a variable",
        ),
        (
            '<bpmn:userTask id="t"><bpmn:extensionElements>{group}</bpmn:extensionElements>{flows}'
            "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>count &lt;</bpmn:loopCondition>"
            "</bpmn:standardLoopCharacteristics></bpmn:userTask>",
            "loop condition",
        ),
    ],
    ids=[
        "script",
        "empty-script",
        "no-script",
        "prescript",
        "postscript",
        "parameter",
        "cardinality",
        "completion",
        "collection",
        "loop-condition",
    ],
)
def test_every_python_source_is_compiled(task: str, what: str) -> None:
    problem = only_error({"a.bpmn": task_process(task.format(flows=FLOWS, group=GROUP))})
    assert problem.element_id == "t" and what in problem.message


def test_valid_multi_instance_and_scripts_pass() -> None:
    task = (
        '<bpmn:userTask id="t"><bpmn:extensionElements>'
        + GROUP
        + "<spiffworkflow:preScript>\n      n = 1\n      m = 2\n    </spiffworkflow:preScript>"
        "</bpmn:extensionElements>"
        + FLOWS
        + "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>"
        '<bpmn:inputDataItem id="member" name="member" />'
        "<bpmn:completionCondition>len(votes) &gt; 3</bpmn:completionCondition>"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
    )
    result = validate_bundle({"a.bpmn": task_process(task)})
    assert "n = 1\nm = 2" in result.bpmn["a.bpmn"]  # dedented, so exec() accepts it


def test_the_source_check_can_be_replaced() -> None:
    def no_imports(source: str, mode: str) -> None:
        compile(source, "<bpmn>", mode)
        if "import" in source:
            raise SyntaxError("imports are not allowed")

    task = f'<bpmn:scriptTask id="t">{FLOWS}<bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    files = {"a.bpmn": task_process(task)}
    assert validate_bundle(files).processes
    with pytest.raises(DeploymentInvalid, match="imports are not allowed"):
        validate_bundle(files, check_source=no_imports)


# -- DMN and business-rule tasks ---------------------------------------------------------------------


def test_business_rule_task_with_its_decision_table_runs() -> None:
    result = validate_bundle(fixtures("business_rule.bpmn", "award_level.dmn"))

    assert result.decisions == frozenset({"award_level"})
    assert "decisionTable" in result.dmn["award_level.dmn"]
    parser = SpiffBpmnParser()
    parser.add_dmn_str(result.dmn["award_level.dmn"], "award_level.dmn")
    parser.add_bpmn_str(result.bpmn["business_rule.bpmn"], "business_rule.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("decide_level"))
    workflow.get_next_task().data["score"] = 9
    workflow.do_engine_steps()
    assert workflow.is_completed() and workflow.data["level"] == "gold"


def test_decision_must_be_in_the_bundle_or_deployed() -> None:
    problem = only_error(fixtures("business_rule.bpmn"))

    assert (problem.element_id, problem.line) == ("level_rule", 7)
    assert "decision award_level, which is neither in this bundle nor deployed" in problem.message
    assert validate_bundle(fixtures("business_rule.bpmn"), known_decisions=frozenset({"award_level"}))


def dmn_with(old: str, new: str) -> bytes:
    text = (FIXTURES / "award_level.dmn").read_text()
    assert re.search(old, text, flags=re.S), old
    return re.sub(old, new, text, flags=re.S).encode()


@pytest.mark.parametrize(
    ("dmn", "element_id", "message"),
    [
        (
            dmn_with(
                r"<decisionTable.*</decisionTable>", '<literalExpression id="le"><text>1</text></literalExpression>'
            ),
            "award_level",
            "no decision table",
        ),
        (dmn_with("<text>score</text>", "<text>score +</text>"), "input_score_expression", "not valid"),
        (dmn_with('<text>"gold"</text>', '<text>"gold</text>'), "rule_gold_level", "Malformed Output"),
        (dmn_with('hitPolicy="FIRST"', 'hitPolicy="FIRST" bogus="1"'), "award_level_table", "schema"),
        (
            dmn_with(r"</decision>", '</decision><decision id="other"><decisionTable id="t2" /></decision>'),
            None,
            "exactly one decision",
        ),
    ],
    ids=["literal-expression", "input-expression", "output-entry", "schema", "two-decisions"],
)
def test_broken_decision_tables(dmn: bytes, element_id: str | None, message: str) -> None:
    errors = errors_of({"business_rule.bpmn": (FIXTURES / "business_rule.bpmn").read_bytes(), "a.dmn": dmn})
    assert ("a.dmn", element_id) in {(p.file, p.element_id) for p in errors if message in p.message}, errors
    assert all(p.file == "a.dmn" for p in errors)  # no echo on the business-rule task


def test_dmn_must_use_the_default_or_dmn_prefix() -> None:
    dmn = dmn_with(
        r'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"(.*)<decision ',
        r'xmlns:d="https://www.omg.org/spec/DMN/20191111/MODEL/"\1<decision ',
    )
    dmn = dmn.replace(b"<definitions", b"<d:definitions").replace(b"</definitions", b"</d:definitions")
    problems = problems_of({"a.dmn": dmn, **fixtures("business_rule.bpmn")})
    assert [p.message for p in problems if p.severity == "error"][-1].startswith("the DMN namespace must be")


def test_decisions_defined_twice() -> None:
    dmn = (FIXTURES / "award_level.dmn").read_bytes()
    problem = only_error({"a.dmn": dmn, "b.dmn": dmn, **fixtures("business_rule.bpmn")})
    assert (problem.file, problem.element_id) == ("b.dmn", "award_level")
    assert "also defined in a.dmn" in problem.message
