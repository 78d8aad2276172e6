"""Validate a deployment bundle before anything of it is stored.

The repository service calls :func:`validate_bundle` with the uploaded files. Every check runs and every
finding is collected, so a designer sees all that is wrong at once:

1. safe XML (no DTD, no entities, no network, bounded size and depth);
2. the BPMN 2.0 + spiffworkflow XSDs (the DMN XSD for decisions);
3. vendor extensions: ignored with a warning, or an error when they are behaviour we cannot run;
4. normalization: bare ISO 8601 timer values quoted (Spiff evaluates timers as Python), expressions stripped;
5. SpiffWorkflow's own parser, on the normalized text the engine will parse;
6. awardflow's lint: executable processes, call targets, forms, decisions, expressions, budgets, lanes.

Nothing but :class:`~engine.errors.DeploymentInvalid` ever escapes: a crash inside lxml or SpiffWorkflow on
hostile input is itself a finding.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from lxml import etree

from engine.bpmn import xml
from engine.bpmn.forms import load_form
from engine.bpmn.lint import (
    References,
    SourceCheck,
    decision_ids,
    is_executable,
    lint_bpmn,
    lint_dmn,
    python_syntax,
)
from engine.bpmn.normalize import normalize, timer_value_problems
from engine.bpmn.problem_codes import problem
from engine.bpmn.spiff_parse import spiff_problems
from engine.bpmn.vendor import vendor_problems
from engine.bpmn.xml import BPMN, ERROR
from engine.errors import DeploymentInvalid, Problem

__all__ = ["ProcessInfo", "ValidatedBundle", "validate_bundle"]

#: ``Problem.file`` of findings about the bundle as a whole.
BUNDLE = "(bundle)"
KINDS = {".bpmn": "bpmn", ".dmn": "dmn", ".json": "form"}

T = TypeVar("T")


@dataclass(frozen=True)
class ProcessInfo:
    """One executable process of the bundle."""

    id: str
    name: str | None
    file: str
    called: frozenset[str]  # ids of the processes its call activities call


@dataclass(frozen=True)
class ValidatedBundle:
    """A bundle that may be deployed, in the form the engine will run it."""

    processes: dict[str, ProcessInfo]  # executable process id -> info
    bpmn: dict[str, str]  # file name -> normalized XML text (what the engine parses)
    dmn: dict[str, str]  # file name -> XML text
    decisions: frozenset[str]  # DMN decision ids in the bundle
    forms: dict[str, dict[str, Any]]  # form file name -> parsed JSON Schema
    warnings: list[Problem]
    originals: dict[str, str] = field(default_factory=dict)  # every file name -> its text as uploaded
    decisions_of: dict[str, frozenset[str]] = field(default_factory=dict)  # DMN file -> decision ids


def validate_bundle(
    files: Mapping[str, bytes],
    *,
    known_processes: frozenset[str] = frozenset(),
    known_forms: frozenset[str] = frozenset(),
    known_decisions: frozenset[str] = frozenset(),
    check_source: SourceCheck = python_syntax,
    known_pages: frozenset[str] | None = None,
) -> ValidatedBundle:
    """Check every file of a bundle and return it normalized.

    ``known_*`` are ids/names already deployed that the bundle may refer to. ``check_source(source, mode)``
    checks one script (``"exec"``) or expression (``"eval"``) and raises ``SyntaxError`` if it is bad.
    ``known_pages`` are the pages a user task's ``page`` property may name (None: the names are not checked).
    Raises DeploymentInvalid with every problem (warnings included) if any is an error.
    """
    try:
        run = _Validation(files, known_processes, known_forms, known_decisions, check_source, known_pages)
        result = run.validate()
        problems = run.sorted_problems()
    except Exception as exc:  # last resort: a bug or an input nobody imagined must still be a finding
        found = problem(BUNDLE, None, "bundle.internal", stage="validating", detail=f"{type(exc).__name__}: {exc}")
        raise DeploymentInvalid([found]) from exc
    if any(p.severity == ERROR for p in problems):
        raise DeploymentInvalid(problems)
    return replace(result, warnings=problems)


@dataclass
class _Validation:
    """The state of one validation: what was read so far and every finding."""

    files: Mapping[str, bytes]
    known_processes: frozenset[str]
    known_forms: frozenset[str]
    known_decisions: frozenset[str]
    check_source: SourceCheck
    known_pages: frozenset[str] | None
    problems: list[Problem] = field(default_factory=list)
    trees: dict[str, etree._ElementTree] = field(default_factory=dict)  # bpmn and dmn, by file
    kinds: dict[str, str] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # files the engine could not even parse
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    originals: dict[str, str] = field(default_factory=dict)
    _names: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> element id -> name

    def validate(self) -> ValidatedBundle:
        for name, data in self.files.items():
            self._read(name, data)
        decisions = self._decisions()
        self._lint(decisions)
        processes = self._processes()
        only_resources = bool(self.kinds) and "bpmn" not in self.kinds.values()  # a form or DMN saved on its own
        if not processes and not self._unreadable("bpmn") and not only_resources:
            self.problems.append(problem(BUNDLE, None, "bundle.no_process"))
        texts = {f: self._guard(f, "serializing", xml.serialize, tree) for f, tree in self.trees.items()}
        if not self.broken and None not in texts.values():
            self._spiff(processes, {f: t for f, t in texts.items() if t is not None}, decisions)
        return ValidatedBundle(
            processes=processes,
            bpmn={f: t for f, t in texts.items() if t is not None and self.kinds[f] == "bpmn"},
            dmn={f: t for f, t in texts.items() if t is not None and self.kinds[f] == "dmn"},
            decisions=frozenset(decisions),
            forms=self.forms,
            warnings=[],  # filled in, sorted, once every check has run
            originals=self.originals,
            decisions_of={file: frozenset(decision_ids(tree.getroot())) for file, tree in self._trees("dmn")},
        )

    # -- reading -------------------------------------------------------------------------------------

    def _read(self, name: object, data: object) -> None:
        """Steps 1-4 for one file: parse, schema, vendor extensions, normalization."""
        if not isinstance(name, str) or not name:
            self.problems.append(problem(BUNDLE, None, "bundle.file_name", name=repr(name)))
            return
        kind = next((k for ext, k in KINDS.items() if name.lower().endswith(ext)), None)
        if kind is None:
            self.problems.append(problem(name, None, "bundle.file_type"))
            return
        self.kinds[name] = kind
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes | bytearray | memoryview):
            self._error(name, None, "bundle.file_content", kind=type(data).__name__)
            self.broken.add(name)
            return
        if kind == "form":
            self._read_form(name, bytes(data))
        else:
            self._read_xml(name, bytes(data), kind)

    def _read_form(self, name: str, data: bytes) -> None:
        self.originals[name] = data.decode(json.detect_encoding(data), errors="replace")
        loaded = self._guard(name, "reading the form", load_form, name, data)
        if loaded is not None:
            schema, problems = loaded
            self.problems.extend(problems)
            if schema is not None:
                self.forms[name] = schema

    def _read_xml(self, name: str, data: bytes, kind: str) -> None:
        parsed = self._guard(name, "parsing", xml.parse_xml, name, data)
        if parsed is None or parsed[0] is None:
            self.broken.add(name)
            self.problems.extend(parsed[1] if parsed else [])
            return
        tree = parsed[0]
        self.originals[name] = xml.text_of(tree, data)
        fatal = self._extend(name, "checking the root element", xml.check_root, name, tree, kind)
        if fatal is not False:
            self.broken.add(name)
            return
        if self._extend(name, "checking the schema", xml.schema_problems, name, tree, kind) is not False:
            self.broken.add(name)
        if kind == "bpmn":
            self._extend(name, "checking extensions", vendor_problems, name, tree.getroot())
            self._guard(name, "normalizing", normalize, tree.getroot())
            self._extend(name, "checking timers", timer_value_problems, name, tree.getroot())
        self.trees[name] = tree

    # -- cross-file checks ---------------------------------------------------------------------------

    def _decisions(self) -> dict[str, str]:
        """Decision id -> DMN file; a decision defined twice is an error."""
        decisions: dict[str, str] = {}
        for file, tree in self._trees("dmn"):
            if self._extend(file, "checking the decision", lint_dmn, file, tree.getroot(), self.check_source):
                self.broken.add(file)
            for decision in decision_ids(tree.getroot()):
                if decision in decisions:
                    line = xml.line_of(tree, decision)
                    self._error(
                        file, decision, "decision.duplicate", line, decision=decision, other=decisions[decision]
                    )
                else:
                    decisions[decision] = file
        return decisions

    def _lint(self, decisions: Mapping[str, str]) -> None:
        forms = frozenset(f for f, kind in self.kinds.items() if kind == "form") | self.known_forms
        available = frozenset(decisions) | self.known_decisions
        refs = References(forms, None if self._unreadable("dmn") else available, self.check_source, self.known_pages)
        for file, tree in self._trees("bpmn"):
            self._extend(file, "checking the diagram", lint_bpmn, file, tree.getroot(), refs)

    def _processes(self) -> dict[str, ProcessInfo]:
        """Executable processes of every BPMN file, with duplicate ids and call targets checked."""
        processes: dict[str, ProcessInfo] = {}
        in_bundle: dict[str, str] = {}
        for file, tree in self._trees("bpmn"):
            for process in tree.getroot().iter(f"{{{BPMN}}}process"):
                pid = process.get("id") or ""
                if pid in in_bundle:
                    self._error(file, pid, "process.duplicate", process.sourceline, process=pid, other=in_bundle[pid])
                    continue
                in_bundle[pid] = file
                if is_executable(process):
                    processes[pid] = ProcessInfo(pid, process.get("name"), file, _called(process))
        if not self._unreadable("bpmn"):
            self._call_targets(frozenset(in_bundle) | self.known_processes)
        return processes

    def _call_targets(self, available: frozenset[str]) -> None:
        """Every call activity must call a process of this bundle or one already deployed."""
        for file, tree in self._trees("bpmn"):
            for call in tree.getroot().iter(f"{{{BPMN}}}callActivity"):
                target = (call.get("calledElement") or "").strip()
                call_id = call.get("id")
                if not target:
                    self._error(file, call_id, "call.no_target", call.sourceline)
                elif target not in available:
                    self._error(file, call_id, "call.unknown_target", call.sourceline, target=target)

    def _spiff(self, processes: dict[str, ProcessInfo], texts: dict[str, str], decisions: Mapping[str, str]) -> None:
        """Step 5, on the normalized texts; its findings on elements we already faulted are dropped."""
        found = spiff_problems(
            {f: t for f, t in texts.items() if self.kinds[f] == "bpmn"},
            {f: t for f, t in texts.items() if self.kinds[f] == "dmn"},
            {pid: info.file for pid, info in processes.items()},
            deployed_decisions=self.known_decisions - set(decisions),
            self_contained=_self_contained(processes),
            line_of=self._line_of,
        )
        faulted = {(p.file, p.element_id) for p in self.problems if p.severity == ERROR and p.element_id}
        self.problems.extend(p for p in found if (p.file, p.element_id) not in faulted)

    # -- helpers -------------------------------------------------------------------------------------

    def _trees(self, kind: str) -> list[tuple[str, etree._ElementTree]]:
        return [(file, tree) for file, tree in self.trees.items() if self.kinds[file] == kind]

    def _unreadable(self, kind: str) -> bool:
        """True if a file of this kind could not be read at all, so what it defines is unknown."""
        return any(k == kind and f not in self.trees for f, k in self.kinds.items())

    def _line_of(self, file: str, element_id: str | None) -> int | None:
        tree = self.trees.get(file)
        return xml.line_of(tree, element_id) if tree is not None else None

    def _error(self, file: str, element_id: str | None, code: str, line: int | None = None, **params: object) -> None:
        self.problems.append(problem(file, element_id, code, ERROR, line, **params))

    def _guard(self, file: str, stage: str, action: Callable[..., T], *args: Any) -> T | None:
        """Run one step on one file; an unexpected exception becomes an error on that file."""
        try:
            return action(*args)
        except Exception as exc:
            self._error(file, None, "bundle.internal", stage=stage, detail=f"{type(exc).__name__}: {exc}")
            self.broken.add(file)
            return None

    def _extend(self, file: str, stage: str, action: Callable[..., list[Problem]], *args: Any) -> bool | None:
        """Run a check and keep its problems; True if it found an error, None if it crashed."""
        found = self._guard(file, stage, action, *args)
        if found is None:
            return None
        self.problems.extend(found)
        return any(p.severity == ERROR for p in found)

    def sorted_problems(self) -> list[Problem]:
        """Problems grouped by file in upload order, then by line; bundle-level ones last."""
        order = {name: index for index, name in enumerate(self.files)}
        named = [self._named(p) for p in self.problems]
        return sorted(named, key=lambda p: (order.get(p.file, len(order)), p.line or 0))

    def _named(self, found: Problem) -> Problem:
        """The finding with its element's name among its parameters, so a page can say «Thẩm định hồ sơ»."""
        tree = self.trees.get(found.file)
        if tree is None or not found.element_id or "name" in found.params:
            return found
        names = self._names.get(found.file)
        if names is None:
            names = self._names[found.file] = {
                e.get("id") or "": (e.get("name") or "").strip() for e in tree.getroot().iter() if e.get("name")
            }
        name = names.get(found.element_id)
        return replace(found, params={**found.params, "name": name}) if name else found


def _called(process: etree._Element) -> frozenset[str]:
    return frozenset(
        (call.get("calledElement") or "").strip()
        for call in process.iter(f"{{{BPMN}}}callActivity")
        if (call.get("calledElement") or "").strip()
    )


def _self_contained(processes: Mapping[str, ProcessInfo]) -> list[str]:
    """Processes whose call activities, transitively, only call processes of this bundle."""

    def closed(pid: str, seen: set[str]) -> bool:
        if pid in seen:
            return True
        seen.add(pid)
        info = processes.get(pid)
        return info is not None and all(closed(target, seen) for target in info.called)

    return [pid for pid in processes if closed(pid, set())]
