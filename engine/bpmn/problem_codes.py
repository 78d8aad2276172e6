"""The deploy check's findings as stable codes with parameters, each with its English default text.

The engine speaks no person's language: a :class:`~engine.errors.Problem` carries a code and the values it
names (element, file, value ...), and the English sentence built from them. A page translates the code
(``web/problem_texts.py``); scripts and logs read the English. Every code a check can emit is listed here,
so a translation can be checked for completeness.
"""

from __future__ import annotations

from engine.errors import Problem

__all__ = ["ENGLISH", "SOURCE_REASONS", "problem"]

_NO_COMPENSATION = (
    "the engine (SpiffWorkflow 3.2) has no compensation: its parser refuses a compensation boundary event and "
    "would run a compensation throw as a plain event that compensates nothing; draw the undo as steps on the "
    "path instead (for example after an error boundary event)"
)

#: Why a script or expression cannot run, the tail of ``expression.*`` and ``dmn.input.*`` texts.
SOURCE_REASONS = {
    "empty": "is empty",
    "foreign": "is written in {language}; awardflow runs Python expressions: {source!r}",
    "syntax": "is not valid Python: {detail}: {source!r}",
    "invalid": "is not valid Python: {detail}",
}

#: code -> English text (``str.format`` with the problem's parameters).
ENGLISH: dict[str, str] = {
    "file.too_large": "the file is larger than {mb} MB",
    "file.empty": "the file is empty",
    "xml.dtd": "DTDs and entity declarations are not allowed",
    "xml.malformed": "not well-formed XML: {detail}",
    "xml.malformed_encoding": "not well-formed XML: {detail} (save the file as UTF-8)",
    "xml.no_root": "not well-formed XML: no root element",
    "xml.unshowable": "a name or text holds the invisible control character {char} (it reads otherwise than written)",
    "xml.wrong_root": "not a {kind} file: the root element is {root}, expected {expected}",
    "dmn.unknown_namespace": "not a DMN 1.1/1.2/1.3 file: unknown namespace {namespace}",
    "dmn.namespace_prefix": (
        "the DMN namespace must be the default namespace or use the prefix 'dmn' (SpiffWorkflow looks it up by "
        "that name)"
    ),
    "schema.invalid": "schema: {detail}",
    "schema.more": "schema: {count} more errors not shown",
    "form.invalid_json": "not valid JSON: {detail}",
    "form.not_object": "a form must be a JSON Schema object, not a JSON {kind}",
    "form.ref_outside": "reference {ref!r} leaves the form: only references inside it are allowed",
    "form.ref_missing": "reference {ref!r} points at nothing in the form",
    "form.pattern": "{detail}",
    "form.schema_not_string": "$schema must be a string (the meta-schema URI)",
    "form.schema_unknown": "unknown $schema {declared!r}; checked as JSON Schema 2020-12",
    "form.schema_invalid": "not a valid JSON Schema: {detail}",
    "form.too_deep": "the form nests deeper than {levels} levels",
    "form.unshowable": "text holds {what}",
    "form.ref_cycle": "references go round in a circle ({ref!r}) without reaching a schema",
    "form.schema_more": "{count} more schema errors not shown",
    "bundle.internal": "internal error while {stage}: {detail}",
    "bundle.no_process": "the bundle has no executable process",
    "bundle.file_name": "invalid file name {name}",
    "bundle.file_type": "unsupported file type (expected .bpmn, .dmn or .json)",
    "bundle.file_content": "file content must be bytes, not {kind}",
    "decision.duplicate": "decision {decision} is also defined in {other}",
    "process.duplicate": "process {process} is also defined in {other}",
    "process.not_executable": (
        'process {element} is marked not executable (isExecutable="false"); the engine cannot start it'
    ),
    "call.no_target": "call activity {element} names no process (calledElement)",
    "call.unknown_target": (
        "call activity {element} calls process {target}, which is neither in this bundle nor deployed"
    ),
    "property.no_name": "spiffworkflow:property without a name",
    "property.no_value": "property {property!r} has no value attribute",
    "property.form_missing": "form {form!r} is neither in this bundle nor deployed",
    "property.budget": "budget {budget!r} must be working days or hours, e.g. 0.5WD or 4WH",
    "property.page_unknown": "page {page!r} is not one the application registered",
    "decision.no_ref": "business rule task {element} names no decision (spiffworkflow:calledDecisionId)",
    "decision.unknown": (
        "business rule task {element} calls decision {decision}, which is neither in this bundle nor deployed"
    ),
    **{f"expression.{reason}": "{what} of {label} " + text for reason, text in SOURCE_REASONS.items()},
    **{f"dmn.input.{reason}": "the input expression " + text for reason, text in SOURCE_REASONS.items()},
    **{f"dmn.output.{reason}": "the output entry " + text for reason, text in SOURCE_REASONS.items()},
    "event_subprocess.interrupting": (
        "event subprocess {subprocess} is interrupting (start event {element}), but the engine (SpiffWorkflow 3.2) "
        "runs it beside the process's other work without stopping that work; draw it non-interrupting "
        '(isInterrupting="false") and end the other work on purpose'
    ),
    "compensation.event": "{kind} {element} is a compensation event: " + _NO_COMPENSATION,
    "compensation.handler": "{kind} {element} is a compensation handler (isForCompensation): " + _NO_COMPENSATION,
    "script.missing": "script task {element} has no script",
    "loop.reference": "{ref} of {label} must name a variable (a Python identifier), not {variable!r}",
    "task.unassigned": (
        "{kind} {element} has no lane or candidate group; it will go to the person who started the instance"
    ),
    "dmn.decision_count": ("a DMN file must hold exactly one decision (SpiffWorkflow reads only one); found {count}"),
    "dmn.no_table": "decision {element} has no decision table (the only kind SpiffWorkflow runs)",
    "timer.value": "{kind} {value!r} is not {expected}",
    "spiff.load": "the engine cannot load it: {detail}",
    "vendor.behaviour": "{where} {instead}",
    "vendor.ignored": "{where} is {phrase}; awardflow ignores it",
    "script.language": "{where} is written in {language}; awardflow runs Python scripts",
}


def problem(
    file: str,
    element_id: str | None,
    code: str,
    severity: str = "error",
    line: int | None = None,
    **params: object,
) -> Problem:
    """A finding with its code, its parameters (as text) and the English sentence they make."""
    values = {key: value if isinstance(value, str) else str(value) for key, value in params.items()}
    values.setdefault("element", element_id or "")
    message = ENGLISH[code].format(**{**params, **{k: v for k, v in values.items() if k not in params}})
    return Problem(file, element_id, message, severity, line, code, values)
