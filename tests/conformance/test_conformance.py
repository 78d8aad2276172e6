"""Differential conformance: diagrams written by others — SpiffWorkflow's own test diagrams and the OMG BPMN
Model Interchange Working Group's reference models — run through awardflow's persisted engine and through bare
SpiffWorkflow with the same inputs (:mod:`tests.differential`): the ready tasks before every action, the final
state, the element a failure stops at and the final data must be the same.

The engine is built anew before every command (nothing kept in memory between steps: what a fresh worker
process does), and every command is one transaction that loads and saves the workflow. The script of each
diagram: complete the first ready human task with no data, until none is ready. Each :class:`Suite` lists the
diagrams awardflow refuses (with the reason, and for a refusal at deploy the elements it names) and the ones
SpiffWorkflow itself cannot build, which awardflow must refuse at deploy. The files and their origin: the
suites' folders, ``ORIGIN.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.db import Database
from engine.errors import DeploymentInvalid
from tests.differential import compare, default_script

HERE = Path(__file__).parent
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Suite:
    """One folder of diagrams from elsewhere; every diagram not listed must run identically."""

    folder: Path
    #: file → why awardflow refuses it (or runs it differently on purpose)
    refused: Mapping[str, str]
    #: file → why SpiffWorkflow cannot build any of its processes; awardflow must refuse it at deploy
    invalid: Mapping[str, str]
    #: file refused at deploy → the elements awardflow's deploy check names as errors
    named_at_deploy: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def compared(self) -> list[str]:
        skipped = set(self.refused) | set(self.invalid)
        return sorted(p.name for p in self.folder.glob("*.bpmn") if p.name not in skipped)


_NOT_EXECUTABLE = 'every process is marked isExecutable="false" (a drawing for interchange: no conditions, no scripts)'
_NO_OPERATOR = "a service task with no operator (Camunda delegate or Zeebe job type instead)"

SUITES = {
    "spiffworkflow": Suite(
        HERE / "spiffworkflow",
        refused={
            "bpmn_collaboration.bpmn": 'one of its processes is not executable (isExecutable="false"): awardflow '
            "refuses the bundle at deploy, naming it",
            "spiff_script_task_with_unit_tests.bpmn": "its script reads locals(), which the script sandbox refuses",
            "spiff_correlation_two_conversations.bpmn": "its scripts put time.time() into the data: no two runs agree",
            "spiff_service_task.bpmn": "calls a service operator no handler is registered for: awardflow stops at the "
            "element (an incident naming it), bare SpiffWorkflow raises an error that names no task",
            "spiff_service_task_retry_without_backoff.bpmn": "as spiff_service_task.bpmn",
            "spiff_service_task_variable.bpmn": "as spiff_service_task.bpmn",
            "bpmn_timer-cycle-start.bpmn": "a deliberate difference: started by hand, awardflow makes a timer start "
            "event occur at once, one token (one instance per occurrence comes from the timer table); bare "
            "SpiffWorkflow arms the cycle from the manual start and puts a token per cycle into the one workflow",
        },
        invalid={
            "bpmn_data_object_invalid.bpmn": "a data output association to nothing",
            "bpmn_data_store.bpmn": "a data store with no implementation",
            "bpmn_data_store_read.bpmn": "a data store with no implementation",
            "bpmn_data_store_write.bpmn": "a data store with no implementation",
            "bpmn_invalid_cancel.bpmn": "a cancel event outside a transaction",
            "bpmn_parallel_multiinstance_invalid.bpmn": "a multi-instance with both cardinality and input data",
            "bpmn_standard_loop_invalid.bpmn": "a standard loop with neither maximum nor condition",
        },
        named_at_deploy={"bpmn_collaboration.bpmn": frozenset({"random_person_process"})},
    ),
    "miwg": Suite(
        HERE / "miwg",
        refused={
            "C.9.1.bpmn": "its two send tasks are bound to a Camunda external-task worker and a Zeebe job type (an "
            "e-mail worker awardflow does not have): awardflow refuses the bundle at deploy, naming both; bare "
            "SpiffWorkflow builds it, passes the send tasks by doing nothing and stops at the daily boundary timer, "
            "whose bare ISO value R6/P1D it reads as Python (awardflow reads it as ISO 8601)",
        },
        invalid={
            "A.1.0.bpmn": _NOT_EXECUTABLE,
            "A.2.0.bpmn": _NOT_EXECUTABLE,
            "A.2.1.bpmn": _NOT_EXECUTABLE + "; its conditions are XPath",
            "A.3.0.bpmn": _NOT_EXECUTABLE,
            "A.4.0.bpmn": _NOT_EXECUTABLE,
            "A.4.1.bpmn": _NOT_EXECUTABLE,
            "B.1.0.bpmn": "a data store with no implementation; " + _NOT_EXECUTABLE,
            "B.2.0.bpmn": "a data store with no implementation; " + _NOT_EXECUTABLE,
            "C.1.0.bpmn": _NO_OPERATOR + "; its other pool is not executable",
            "C.1.1.bpmn": "a data store with no implementation",
            "C.2.0.bpmn": _NOT_EXECUTABLE,
            "C.3.0.bpmn": "a subprocess with no start event",
            "C.4.0.bpmn": "a data store with no implementation",
            "C.5.0.bpmn": "a data store with no implementation",
            "C.6.0.bpmn": "a data input association from nothing",
            "C.7.0.bpmn": "a data output association to nothing",
            "C.8.0.bpmn": _NOT_EXECUTABLE,
            "C.8.1.bpmn": _NO_OPERATOR,
            "C.9.0.bpmn": _NO_OPERATOR,
            "C.9.2.bpmn": "a multi-instance with neither cardinality nor input data",
        },
        named_at_deploy={"C.9.1.bpmn": frozenset({"SendTask_RequestDocument", "SendTask_SendReminderEmail"})},
    ),
}
#: "suite/file" → "same" or what differed, for the summary line (tests/conformance/conftest.py)
RESULTS: dict[str, str] = {}


def _cases(pick: Callable[[Suite], Iterable[str]]) -> list[tuple[str, str]]:
    """(suite, file) of the diagrams ``pick`` takes from each suite."""
    return [(key, name) for key, suite in SUITES.items() for name in sorted(pick(suite))]


def _ids(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{key}/{name}" for key, name in cases]


def top_process(path: Path) -> str:
    """The executable process no call activity of the file calls."""
    root = etree.parse(str(path)).getroot()
    processes = [p.get("id") for p in root.iter(f"{{{_BPMN}}}process") if p.get("isExecutable") == "true"]
    called = {c.get("calledElement") for c in root.iter(f"{{{_BPMN}}}callActivity")}
    return next(p for p in processes if p not in called)


def processes_spiffworkflow_builds(path: Path) -> list[str]:
    """The processes of the file bare SpiffWorkflow's parser builds a workflow spec for."""
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_file(str(path))
    except ValidationException:
        return []
    built = []
    for process in etree.parse(str(path)).getroot().iter(f"{{{_BPMN}}}process"):
        try:
            parser.get_spec(process.get("id"))
        except ValidationException:
            continue
        built.append(str(process.get("id")))
    return built


def deploy_problems(database: Database, path: Path) -> DeploymentInvalid:
    """The refusal of the file at deploy (the test fails if it is deployed)."""
    engine = Engine(Settings(database_url=database.url), database=database)
    with pytest.raises(DeploymentInvalid) as refused:
        engine.repository.deploy({path.name: path.read_bytes()}, actor="admin")
    return refused.value


COMPARED = _cases(lambda suite: suite.compared)


@pytest.mark.parametrize(("suite", "name"), COMPARED, ids=_ids(COMPARED))
def test_runs_as_in_bare_spiffworkflow(suite: str, name: str, database: Database, vclock: VirtualClock) -> None:
    path = SUITES[suite].folder / name
    trace, oracle = compare(database, [path], top_process(path), {}, default_script())
    RESULTS[f"{suite}/{name}"] = "same" if trace == oracle else f"engine {trace} != bare {oracle}"
    assert trace == oracle


INVALID = _cases(lambda suite: suite.invalid)


@pytest.mark.parametrize(("suite", "name"), INVALID, ids=_ids(INVALID))
def test_what_spiffworkflow_cannot_build_is_refused_at_deploy(suite: str, name: str, database: Database) -> None:
    path = SUITES[suite].folder / name
    assert processes_spiffworkflow_builds(path) == []
    deploy_problems(database, path)


NAMED = _cases(lambda suite: suite.named_at_deploy)


@pytest.mark.parametrize(("suite", "name"), NAMED, ids=_ids(NAMED))
def test_a_refusal_at_deploy_names_the_elements(suite: str, name: str, database: Database) -> None:
    path = SUITES[suite].folder / name
    refusal = deploy_problems(database, path)
    named = {p.element_id for p in refusal.problems if p.severity == "error" and p.element_id is not None}
    assert named == SUITES[suite].named_at_deploy[name]


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_listed_file_is_kept_once(suite: str) -> None:
    kept = {p.name for p in SUITES[suite].folder.glob("*.bpmn")}
    refused, invalid = set(SUITES[suite].refused), set(SUITES[suite].invalid)
    assert refused <= kept and invalid <= kept and not refused & invalid
    assert set(SUITES[suite].named_at_deploy) <= refused


def test_most_of_spiffworkflows_diagrams_are_compared() -> None:
    assert len(SUITES["spiffworkflow"].compared) >= 40


def test_the_readme_gives_these_counts() -> None:
    """The README's table: per suite, compared (all run identically), refused, invalid, and 0 differing."""
    readme = (HERE.parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {
        row: [int(n) for n in re.findall(r"\*\*(\d+)\*\*", line)]
        for line in readme.splitlines()
        for row in ("run identically", "refused by awardflow", "invalid", "differing")
        if line.startswith(f"| {row}")
    }
    suites = [SUITES["spiffworkflow"], SUITES["miwg"]]
    assert rows == {
        "run identically": [len(suite.compared) for suite in suites],
        "refused by awardflow": [len(suite.refused) for suite in suites],
        "invalid": [len(suite.invalid) for suite in suites],
        "differing": [0, 0],
    }
