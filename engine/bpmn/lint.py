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
from engine.bpmn.problem_codes import problem
from engine.bpmn.vendor import foreign_language
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
    pages: frozenset[str] | None = None  # the pages the application registered; None: not checked


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
        problem(file, process.get("id"), "process.not_executable", ERROR, process.sourceline)
        for process in _bpmn(root, "process")
        if not is_executable(process)
    ]


def _properties(file: str, root: etree._Element, refs: References) -> list[Problem]:
    """``spiffworkflow:property`` entries: well formed, forms that exist, budgets the SLA can read, pages the
    application registered (the engine only carries the name of the page where a step is done)."""
    problems: list[Problem] = []
    for prop in root.iter(f"{{{SPIFF}}}property"):
        owner, line = host_id(prop), prop.sourceline
        name, value = prop.get("name"), prop.get("value")
        if not name:
            problems.append(problem(file, owner, "property.no_name", ERROR, line))
        elif value is None:
            problems.append(problem(file, owner, "property.no_value", ERROR, line, property=name))
        elif name == "form" and value not in refs.forms:
            problems.append(problem(file, owner, "property.form_missing", ERROR, line, form=value))
        elif name == "budget" and not BUDGET.fullmatch(value.strip()):
            problems.append(problem(file, owner, "property.budget", ERROR, line, budget=value))
        elif name == "page" and refs.pages is not None and value not in refs.pages:
            problems.append(problem(file, owner, "property.page_unknown", ERROR, line, page=value))
    return problems


def _decisions(file: str, root: etree._Element, refs: References) -> list[Problem]:
    """Business-rule tasks must name a DMN decision that will be there at run time."""
    problems: list[Problem] = []
    for task in _bpmn(root, "businessRuleTask"):
        ref = task.find(f"{{{BPMN}}}extensionElements/{{{SPIFF}}}calledDecisionId")
        decision = (ref.text or "").strip() if ref is not None else ""
        task_id = task.get("id")
        if not decision:
            problems.append(problem(file, task_id, "decision.no_ref", ERROR, task.sourceline))
        elif refs.decisions is not None and decision not in refs.decisions:
            problems.append(problem(file, task_id, "decision.unknown", ERROR, task.sourceline, decision=decision))
    return problems


def _expressions(file: str, root: etree._Element, check: SourceCheck) -> list[Problem]:
    """Every condition, timer, loop expression, script and service parameter must be valid Python."""
    problems: list[Problem] = []
    for element in elements(root):
        for source, mode, what, part in _sources(element):
            error = source_error(source, mode, check, element.get("language"))
            if error:
                owner = owner_id(element)
                reason, params = error
                where = {"what": what, "part": part, "label": _label(element, owner), "kind": _kind(element, owner)}
                problems.append(
                    problem(file, owner, f"expression.{reason}", ERROR, element.sourceline, **where, **params)
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
                code, line = "event_subprocess.interrupting", start.sourceline
                problems.append(problem(file, start.get("id"), code, WARNING, line, subprocess=sub.get("id") or ""))
    return problems


def _compensation(file: str, root: etree._Element) -> list[Problem]:
    """Compensation events (boundary, start, intermediate and end throws) and compensation handlers, each
    named: refused at deploy, as a throw would otherwise silently do nothing at run time."""
    problems = []
    for element in elements(root):
        if etree.QName(element).localname == "compensateEventDefinition":
            event = element.getparent()
            kind = short_tag(event.tag).removeprefix("bpmn:")
            problems.append(problem(file, event.get("id"), "compensation.event", ERROR, event.sourceline, kind=kind))
        elif element.get("isForCompensation", "false").strip().lower() == "true":
            kind = short_tag(element.tag).removeprefix("bpmn:")
            line = element.sourceline
            problems.append(problem(file, element.get("id"), "compensation.handler", ERROR, line, kind=kind))
    return problems


def _scriptless(file: str, root: etree._Element) -> list[Problem]:
    """A script task without a ``bpmn:script`` parses, then fails when the engine reaches it."""
    return [
        problem(file, task.get("id"), "script.missing", ERROR, task.sourceline)
        for task in _bpmn(root, "scriptTask")
        if task.find(f"{{{BPMN}}}script") is None
    ]


def _sources(element: etree._Element) -> Iterator[tuple[str, str, str, str]]:
    """(source, eval/exec, description, part: the element's tag, e.g. conditionExpression) for the Python an
    element carries, if any."""
    qname = etree.QName(element)
    local = qname.localname
    if qname.namespace == BPMN and local in _EVAL:
        yield element.text or "", "eval", _EXPRESSION_NAMES.get(local, local), local
    elif qname.namespace == BPMN and local == "script":
        yield element.text or "", "exec", "the script", local
    elif qname.namespace == SPIFF and local in _SPIFF_EXEC and (element.text or "").strip():
        yield element.text or "", "exec", local, local
    elif qname.namespace == SPIFF and local in _SPIFF_EVAL:
        yield element.text or "", "eval", local, local
    elif qname.namespace == SPIFF and local == "parameter" and element.get("value") is not None:
        yield element.get("value") or "", "eval", f"parameter {element.get('id')!r}", local


def source_error(
    source: str, mode: str, check: SourceCheck, language: str | None = None
) -> tuple[str, dict[str, str]] | None:
    """Why ``source`` cannot run as Python (a key of SOURCE_REASONS and its parameters), or None. Names
    JUEL/FEEL rather than a bare syntax error."""
    if not source.strip():
        return "empty", {}
    foreign = foreign_language(source, language) if mode == "eval" else None
    if foreign:
        return "foreign", {"language": foreign, "source": source.strip()}
    try:
        check(source, mode)
    except SyntaxError as exc:
        column = f", column {exc.offset}" if exc.offset else ""
        where = f" (line {exc.lineno}{column})" if exc.lineno else ""
        return "syntax", {"detail": f"{exc.msg}{where}", "source": _clip(source)}
    except Exception as exc:  # null bytes, too deeply nested, or whatever a stricter checker raises
        return "invalid", {"detail": f"{type(exc).__name__}: {exc}"}
    return None


def _clip(source: str, limit: int = 120) -> str:
    text = source.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(element: etree._Element, owner: str | None) -> str:
    """The tag of the element that owns ``element`` (``sequenceFlow``), ``element`` if none does."""
    node = element.getparent()
    while node is not None and node.get("id") != owner:
        node = node.getparent()
    return short_tag(node.tag).removeprefix("bpmn:") if node is not None else "element"


def _label(element: etree._Element, owner: str | None) -> str:
    """``sequenceFlow Flow_1`` / ``intermediateCatchEvent wait (timeDuration)`` for messages."""
    suffix = f" ({etree.QName(element).localname})" if etree.QName(element).localname in TIMER_TAGS else ""
    return f"{_kind(element, owner)} {owner}{suffix}"


def _loop_references(file: str, root: etree._Element) -> list[Problem]:
    """A multi-instance collection is looked up by name in the task data, so it must be a plain name."""
    problems: list[Problem] = []
    for ref in _bpmn(root, "loopDataInputRef", "loopDataOutputRef"):
        name = (ref.text or "").strip()
        if not name.isidentifier():
            owner = owner_id(ref)
            where = {"ref": etree.QName(ref).localname, "label": _label(ref, owner), "kind": _kind(ref, owner)}
            problems.append(problem(file, owner, "loop.reference", ERROR, ref.sourceline, **where, variable=name))
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
        problems.append(problem(file, task.get("id"), "task.unassigned", WARNING, task.sourceline, kind=kind))
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
    """SpiffWorkflow runs one decision table per DMN file, with Python input expressions and output entries
    (an output the sandbox refuses, ``().__class__``, was deployed and failed only when a dossier reached it;
    one that is not Python at all Spiff's parser reports, on its rule)."""
    namespace = etree.QName(root).namespace
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        return [problem(file, None, "dmn.decision_count", ERROR, root.sourceline, count=len(decisions))]
    decision = decisions[0]
    if decision.find(f"{{{namespace}}}decisionTable") is None:
        return [problem(file, decision.get("id"), "dmn.no_table", ERROR, decision.sourceline)]
    problems: list[Problem] = []
    cells = [("input", e) for e in decision.iter(f"{{{namespace}}}inputExpression")]
    cells += [("output", e) for e in decision.iter(f"{{{namespace}}}outputEntry")]
    for part, cell in cells:
        source = (cell.findtext(f"{{{namespace}}}text") or "").strip()
        error = source_error(source, "eval", check) if source or part == "input" else None
        if error and (part == "input" or error[0] == "invalid"):  # Spiff's parser names a broken output's rule
            reason, params = error
            element_id = cell.get("id") or decision.get("id")
            problems.append(problem(file, element_id, f"dmn.{part}.{reason}", ERROR, cell.sourceline, **params))
    return problems


def decision_ids(root: etree._Element) -> list[str]:
    """The ids of the decisions a DMN document defines."""
    namespace = etree.QName(root).namespace
    return [d.get("id") or "" for d in root.findall(f"{{{namespace}}}decision") if d.get("id")]
