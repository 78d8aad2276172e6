"""awardflow's own rules for a diagram, beyond what the XSD and SpiffWorkflow's parser check.

They catch at deploy time what would otherwise fail in the middle of a dossier: a form or decision that is
not there, an expression that does not compile, a budget the SLA service cannot read, a process the engine
would refuse to start, a human task nobody but the starter will ever see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lxml import etree

from engine.bpmn.normalize import EXPRESSION_TAGS, TIMER_TAGS
from engine.bpmn.vendor import PYTHON_HINT, foreign_language
from engine.bpmn.xml import BPMN, ERROR, SPIFF, WARNING, elements, host_id, owner_id, short_tag
from engine.errors import Problem

#: Checks a script (``mode="exec"``) or expression (``mode="eval"``); raises SyntaxError/ValueError if bad.
SourceCheck = Callable[[str, str], None]

BUDGET = re.compile(r"\d+(\.\d+)?\s*(WD|WH)", re.IGNORECASE)
HUMAN_TASKS = {"userTask": "user task", "manualTask": "manual task"}

#: Elements whose text the engine evaluates (``eval``) or runs (``exec``) as Python.
_EVAL = EXPRESSION_TAGS
_EXPRESSION_NAMES = {
    **{tag: "the timer" for tag in TIMER_TAGS},
    "conditionExpression": "the condition",
    "condition": "the condition",
    "loopCardinality": "the loop cardinality",
    "completionCondition": "the completion condition",
    "loopCondition": "the loop condition",
}
_SPIFF_EVAL = ("messagePayload", "payloadExpression")
_SPIFF_EXEC = ("preScript", "postScript")


def python_syntax(source: str, mode: str) -> None:
    """The default source check: Python's own compiler, syntax only; nothing is run."""
    compile(source, "<bpmn>", mode, dont_inherit=True)


@dataclass(frozen=True)
class References:
    """What a diagram may refer to: the bundle's own forms and decisions plus those already deployed."""

    forms: frozenset[str]
    decisions: frozenset[str] | None  # None: a DMN file could not be read, so references are not checked
    check_source: SourceCheck = python_syntax


def lint_bpmn(file: str, root: etree._Element, refs: References) -> list[Problem]:
    """Every awardflow rule for one (normalized) BPMN document."""
    return [
        *_not_executable(file, root),
        *_properties(file, root, refs),
        *_decisions(file, root, refs),
        *_expressions(file, root, refs.check_source),
        *_scriptless(file, root),
        *_compensation(file, root),
        *_interrupting_event_subprocesses(file, root),
        *_loop_references(file, root),
        *_unassigned(file, root),
    ]


def _bpmn(root: etree._Element, *tags: str) -> Iterator[etree._Element]:
    found: Iterator[etree._Element] = root.iter(*(f"{{{BPMN}}}{tag}" for tag in tags))
    return found


def is_executable(process: etree._Element) -> bool:
    """A process without ``isExecutable`` is executable; ``false`` (or ``0``) is not."""
    return process.get("isExecutable", "true").strip().lower() not in ("false", "0")


def _not_executable(file: str, root: etree._Element) -> list[Problem]:
    return [
        Problem(
            file,
            process.get("id"),
            f'process {process.get("id")} is marked not executable (isExecutable="false"); the engine cannot start it',
            ERROR,
            process.sourceline,
        )
        for process in _bpmn(root, "process")
        if not is_executable(process)
    ]


def _properties(file: str, root: etree._Element, refs: References) -> list[Problem]:
    """``spiffworkflow:property`` entries: well formed, forms that exist, budgets the SLA can read."""
    problems: list[Problem] = []
    for prop in root.iter(f"{{{SPIFF}}}property"):
        owner, line = host_id(prop), prop.sourceline
        name, value = prop.get("name"), prop.get("value")
        if not name:
            problems.append(Problem(file, owner, "spiffworkflow:property without a name", ERROR, line))
        elif value is None:
            problems.append(Problem(file, owner, f"property {name!r} has no value attribute", ERROR, line))
        elif name == "form" and value not in refs.forms:
            message = f"form {value!r} is neither in this bundle nor deployed"
            problems.append(Problem(file, owner, message, ERROR, line))
        elif name == "budget" and not BUDGET.fullmatch(value.strip()):
            message = f"budget {value!r} must be working days or hours, e.g. 0.5WD or 4WH"
            problems.append(Problem(file, owner, message, ERROR, line))
    return problems


def _decisions(file: str, root: etree._Element, refs: References) -> list[Problem]:
    """Business-rule tasks must name a DMN decision that will be there at run time."""
    problems: list[Problem] = []
    for task in _bpmn(root, "businessRuleTask"):
        ref = task.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId")
        decision = (ref.text or "").strip() if ref is not None else ""
        task_id = task.get("id")
        if not decision:
            message = f"business rule task {task_id} names no decision (spiffworkflow:calledDecisionId)"
            problems.append(Problem(file, task_id, message, ERROR, task.sourceline))
        elif refs.decisions is not None and decision not in refs.decisions:
            message = (
                f"business rule task {task_id} calls decision {decision}, which is neither in this bundle nor deployed"
            )
            problems.append(Problem(file, task_id, message, ERROR, task.sourceline))
    return problems


def _expressions(file: str, root: etree._Element, check: SourceCheck) -> list[Problem]:
    """Every condition, timer, loop expression, script and service parameter must be valid Python."""
    problems: list[Problem] = []
    for element in elements(root):
        for source, mode, what in _sources(element):
            message = source_error(source, mode, check, element.get("language"))
            if message:
                owner = owner_id(element)
                problems.append(
                    Problem(file, owner, f"{what} of {_label(element, owner)} {message}", ERROR, element.sourceline)
                )
    return problems


def _interrupting_event_subprocesses(file: str, root: etree._Element) -> list[Problem]:
    """SpiffWorkflow 3.2 reads no ``isInterrupting`` on an event subprocess's start event: an interrupting one
    runs beside the work it should have stopped. It runs, so a warning, naming the start event."""
    problems = []
    for sub in _bpmn(root, "subProcess"):
        if sub.get("triggeredByEvent", "false").strip().lower() != "true":
            continue
        for start in sub.findall(f"{{{BPMN}}}startEvent"):
            if start.get("isInterrupting", "true").strip().lower() != "false":
                message = (
                    f"event subprocess {sub.get('id')} is interrupting (start event {start.get('id')}), but the engine "
                    "(SpiffWorkflow 3.2) runs it beside the process's other work without stopping that work; "
                    'draw it non-interrupting (isInterrupting="false") and end the other work on purpose'
                )
                problems.append(Problem(file, start.get("id"), message, WARNING, start.sourceline))
    return problems


#: Why compensation is refused: what SpiffWorkflow 3.2 would do with it (measured on the same diagrams).
_NO_COMPENSATION = (
    "the engine (SpiffWorkflow 3.2) has no compensation: its parser refuses a compensation boundary event and "
    "would run a compensation throw as a plain event that compensates nothing; draw the undo as steps on the "
    "path instead (for example after an error boundary event)"
)


def _compensation(file: str, root: etree._Element) -> list[Problem]:
    """Compensation events (boundary, start, intermediate and end throws) and compensation handlers, each
    named: refused at deploy, as a throw would otherwise silently do nothing at run time."""
    problems = []
    for element in elements(root):
        if etree.QName(element).localname == "compensateEventDefinition":
            event = element.getparent()
            kind = short_tag(event.tag).removeprefix("bpmn:")
            message = f"{kind} {event.get('id')} is a compensation event: {_NO_COMPENSATION}"
            problems.append(Problem(file, event.get("id"), message, ERROR, event.sourceline))
        elif element.get("isForCompensation", "false").strip().lower() == "true":
            kind = short_tag(element.tag).removeprefix("bpmn:")
            message = f"{kind} {element.get('id')} is a compensation handler (isForCompensation): {_NO_COMPENSATION}"
            problems.append(Problem(file, element.get("id"), message, ERROR, element.sourceline))
    return problems


def _scriptless(file: str, root: etree._Element) -> list[Problem]:
    """A script task without a ``bpmn:script`` parses, then fails when the engine reaches it."""
    return [
        Problem(file, task.get("id"), f"script task {task.get('id')} has no script", ERROR, task.sourceline)
        for task in _bpmn(root, "scriptTask")
        if task.find(f"{{{BPMN}}}script") is None
    ]


def _sources(element: etree._Element) -> Iterator[tuple[str, str, str]]:
    """(source, eval/exec, description) for the Python an element carries, if any."""
    qname = etree.QName(element)
    if qname.namespace == BPMN and qname.localname in _EVAL:
        yield element.text or "", "eval", _EXPRESSION_NAMES.get(qname.localname, qname.localname)
    elif qname.namespace == BPMN and qname.localname == "script":
        yield element.text or "", "exec", "the script"
    elif qname.namespace == SPIFF and qname.localname in _SPIFF_EXEC and (element.text or "").strip():
        yield element.text or "", "exec", qname.localname
    elif qname.namespace == SPIFF and qname.localname in _SPIFF_EVAL:
        yield element.text or "", "eval", qname.localname
    elif qname.namespace == SPIFF and qname.localname == "parameter" and element.get("value") is not None:
        yield element.get("value") or "", "eval", f"parameter {element.get('id')!r}"


def source_error(source: str, mode: str, check: SourceCheck, language: str | None = None) -> str | None:
    """Why ``source`` cannot run as Python, or None. Names JUEL/FEEL rather than a bare syntax error."""
    if not source.strip():
        return "is empty"
    foreign = foreign_language(source, language) if mode == "eval" else None
    if foreign:
        return f"is written in {foreign}; {PYTHON_HINT}: {source.strip()!r}"
    try:
        check(source, mode)
    except SyntaxError as exc:
        column = f", column {exc.offset}" if exc.offset else ""
        where = f" (line {exc.lineno}{column})" if exc.lineno else ""
        return f"is not valid Python: {exc.msg}{where}: {_clip(source)!r}"
    except Exception as exc:  # null bytes, too deeply nested, or whatever a stricter checker raises
        return f"is not valid Python: {type(exc).__name__}: {exc}"
    return None


def _clip(source: str, limit: int = 120) -> str:
    text = source.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _label(element: etree._Element, owner: str | None) -> str:
    """``sequenceFlow Flow_1`` / ``intermediateCatchEvent wait (timeDuration)`` for messages."""
    node = element.getparent()
    while node is not None and node.get("id") != owner:
        node = node.getparent()
    kind = short_tag(node.tag).removeprefix("bpmn:") if node is not None else "element"
    suffix = f" ({etree.QName(element).localname})" if etree.QName(element).localname in TIMER_TAGS else ""
    return f"{kind} {owner}{suffix}"


def _loop_references(file: str, root: etree._Element) -> list[Problem]:
    """A multi-instance collection is looked up by name in the task data, so it must be a plain name."""
    problems: list[Problem] = []
    for ref in _bpmn(root, "loopDataInputRef", "loopDataOutputRef"):
        name = (ref.text or "").strip()
        if not name.isidentifier():
            owner = owner_id(ref)
            message = (
                f"{etree.QName(ref).localname} of {_label(ref, owner)} must name a variable "
                f"(a Python identifier), not {name!r}"
            )
            problems.append(Problem(file, owner, message, ERROR, ref.sourceline))
    return problems


def _unassigned(file: str, root: etree._Element) -> list[Problem]:
    """A human task with no lane and no candidate group falls back to the starter: likely a mistake."""
    lanes = {
        (ref.text or "").strip(): lane.get("name")
        for lane in _bpmn(root, "lane")
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")
    }
    problems: list[Problem] = []
    for task in _bpmn(root, *HUMAN_TASKS):
        if _in_named_lane(task, lanes) or "candidate_groups" in _property_names(task):
            continue
        kind = HUMAN_TASKS[etree.QName(task).localname]
        message = (
            f"{kind} {task.get('id')} has no lane or candidate group; it will go to the person who started the instance"
        )
        problems.append(Problem(file, task.get("id"), message, WARNING, task.sourceline))
    return problems


def _in_named_lane(task: etree._Element, lanes: dict[str, str | None]) -> bool:
    """In a named lane itself, or inside a subprocess that is (Spiff hands the lane down)."""
    node: etree._Element | None = task
    while node is not None and etree.QName(node).localname != "process":
        if lanes.get(node.get("id") or ""):
            return True
        node = node.getparent()
    return False


def _property_names(task: etree._Element) -> set[str]:
    path = f"{{{BPMN}}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property"
    return {prop.get("name") or "" for prop in task.findall(path)}


def lint_dmn(file: str, root: etree._Element, check: SourceCheck) -> list[Problem]:
    """SpiffWorkflow runs one decision table per DMN file, with Python input expressions."""
    namespace = etree.QName(root).namespace
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        message = f"a DMN file must hold exactly one decision (SpiffWorkflow reads only one); found {len(decisions)}"
        return [Problem(file, None, message, ERROR, root.sourceline)]
    decision = decisions[0]
    if decision.find(f"{{{namespace}}}decisionTable") is None:
        message = f"decision {decision.get('id')} has no decision table (the only kind SpiffWorkflow runs)"
        return [Problem(file, decision.get("id"), message, ERROR, decision.sourceline)]
    problems: list[Problem] = []
    for text in decision.iter(f"{{{namespace}}}inputExpression"):
        source = text.findtext(f"{{{namespace}}}text") or ""
        error = source_error(source.strip(), "eval", check)
        if error:
            problems.append(
                Problem(
                    file,
                    text.get("id") or decision.get("id"),
                    f"the input expression {error}",
                    ERROR,
                    text.sourceline,
                )
            )
    return problems


def decision_ids(root: etree._Element) -> list[str]:
    """The ids of the decisions a DMN document defines."""
    namespace = etree.QName(root).namespace
    return [d.get("id") or "" for d in root.findall(f"{{{namespace}}}decision") if d.get("id")]
