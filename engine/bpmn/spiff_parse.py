"""Load a bundle the way the engine will (SpiffWorkflow's parser) and turn what it refuses into problems.

SpiffWorkflow parses lazily: adding a file only indexes it; a process's tasks are read by ``get_spec``,
an embedded subprocess's only when its own spec is asked for, and a DMN table only when a business-rule
task that calls it is parsed. So we ask for every spec explicitly. Its errors name an element but rarely a
line (``ValidationException`` reads ``node.line_number``, which lxml elements do not have).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.bpmn.parser import Parser
from engine.bpmn.problem_codes import problem
from engine.errors import Problem

#: File name given to the stand-in DMN of decisions that are deployed but not in the bundle.
DEPLOYED = "(deployed)"
_DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"

LineFinder = Callable[[str, str | None], int | None]


def spiff_problems(
    bpmn: Mapping[str, str],
    dmn: Mapping[str, str],
    processes: Mapping[str, str],
    *,
    deployed_decisions: Iterable[str] = (),
    self_contained: Iterable[str] = (),
    line_of: LineFinder | None = None,
) -> list[Problem]:
    """Parse everything as the engine will; one problem per refusal.

    ``processes`` maps each executable process id to its file. ``deployed_decisions`` get an empty stand-in
    table so business-rule tasks calling them parse. ``self_contained`` processes (every call-activity target
    in the bundle) are also loaded with ``get_subprocess_specs``, exactly as the runtime will.
    """
    parser = Parser(validator=None)  # the XSDs were checked before, with every error listed
    problems: list[Problem] = []
    run = partial(_run, problems, line_of or _no_line)
    for decision in sorted(set(deployed_decisions)):
        run(DEPLOYED, partial(parser.add_dmn_str, _stand_in_dmn(decision), filename=DEPLOYED))
    for file, text in dmn.items():
        run(file, partial(parser.add_dmn_str, text, filename=file))
    for dmn_parser in list(parser.dmn_parsers.values()):
        if dmn_parser.filename in dmn:
            run(dmn_parser.filename, dmn_parser.parse)
    for file, text in bpmn.items():
        run(file, partial(parser.add_bpmn_str, text, filename=file))
    _load_specs(parser, processes, run)
    if not problems:
        for pid in self_contained:
            run(processes[pid], partial(parser.get_subprocess_specs, pid))
    return list(dict.fromkeys(problems))  # a DMN error surfaces again from each task that calls it


def _load_specs(parser: Any, processes: Mapping[str, str], run: Callable[..., bool]) -> None:
    """``get_spec`` for every process, then for every embedded subprocess their parsing registered."""
    done: set[str] = set()
    for pid, file in processes.items():
        if parser.get_process_parser(pid) is not None:  # else adding its file failed, already reported
            run(file, partial(parser.get_spec, pid))
        done.add(pid)
    while True:
        pending = [
            (pid, process_parser.filename)
            for pid, process_parser in list(parser.process_parsers.items())
            if pid not in done and process_parser.process_executable and process_parser.parent is not None
        ]
        if not pending:
            return
        for pid, file in pending:
            done.add(pid)
            run(file, partial(parser.get_spec, pid))


def _no_line(file: str, element_id: str | None) -> int | None:
    return None


def _run(problems: list[Problem], line_of: LineFinder, file: str, action: Callable[[], object]) -> bool:
    """Call into SpiffWorkflow; any exception becomes a problem on ``file``."""
    try:
        action()
    except ValidationException as exc:
        problems.append(_from_validation(exc, file, line_of))
        return False
    except Exception as exc:  # Spiff's parser leaks KeyError, IndexError, XPathEvalError ...
        problems.append(problem(file, None, "spiff.load", detail=f"{type(exc).__name__}: {exc}"))
        return False
    return True


def _from_validation(exc: ValidationException, file: str, line_of: LineFinder) -> Problem:
    """A Spiff ``ValidationException`` as a problem that names the file, element and (when found) line."""
    source = exc.file_name or file
    element_id = getattr(exc, "id", "") or None
    line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number > 0 else None
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    notes = [str(note) for note in getattr(exc, "notes", [])]
    detail = ". ".join([message.rstrip(". "), *notes])
    return problem(source, element_id, "spiff.load", line=line or line_of(source, element_id), detail=detail)


def _stand_in_dmn(decision_id: str) -> str:
    """An empty decision table with a deployed decision's id, so the parser can resolve the reference."""
    root = etree.Element(
        f"{{{_DMN13}}}definitions",
        nsmap={None: _DMN13},
        id="awardflow_deployed",
        name="deployed",
        namespace="awardflow",
    )
    decision = etree.SubElement(root, f"{{{_DMN13}}}decision", id=decision_id, name=decision_id)
    etree.SubElement(decision, f"{{{_DMN13}}}decisionTable", id="awardflow_deployed_table")
    text: str = etree.tostring(root, encoding="unicode")
    return text
