"""Differential conformance: SpiffWorkflow's own test diagrams, run through awardflow's persisted engine and
through bare SpiffWorkflow with the same inputs (:mod:`tests.differential`): the ready tasks before every
action, the final state, the element a failure stops at and the final data must be the same.

The engine is built anew before every command (nothing kept in memory between steps: what a fresh worker
process does), and every command is one transaction that loads and saves the workflow. The script of each
diagram: complete the first ready human task with no data, until none is ready. Diagrams awardflow refuses
are in :data:`REFUSED` with the reason; the ones SpiffWorkflow itself cannot parse are in :data:`INVALID`
and awardflow must refuse them at deploy. The files and their origin: ``spiffworkflow/``, ``ORIGIN.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine import Engine, Settings
from engine.clock import VirtualClock
from engine.db import Database
from engine.errors import DeploymentInvalid
from tests.differential import compare, default_script

DATA = Path(__file__).parent / "spiffworkflow"
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

#: awardflow refuses these, and why
REFUSED = {
    "bpmn_collaboration.bpmn": "one of its processes is not executable (isExecutable=\"false\"): awardflow refuses "
    "the bundle at deploy, naming it",
    "spiff_script_task_with_unit_tests.bpmn": "its script reads locals(), which the script sandbox refuses",
    "spiff_correlation_two_conversations.bpmn": "its scripts put time.time() into the data: no two runs agree",
    "spiff_service_task.bpmn": "calls a service operator no handler is registered for: awardflow stops at the "
    "element (an incident naming it), bare SpiffWorkflow raises an error that names no task",
    "spiff_service_task_retry_without_backoff.bpmn": "as spiff_service_task.bpmn",
    "spiff_service_task_variable.bpmn": "as spiff_service_task.bpmn",
    "bpmn_timer-cycle-start.bpmn": "a deliberate difference: started by hand, awardflow makes a timer start event "
    "occur at once, one token (one instance per occurrence comes from the timer table); bare SpiffWorkflow arms the "
    "cycle from the manual start and puts a token per cycle into the one workflow",
}
#: SpiffWorkflow's parser refuses these; awardflow must refuse them at deploy
INVALID = {
    "bpmn_data_object_invalid.bpmn": "a data output association to nothing",
    "bpmn_data_store.bpmn": "a data store with no implementation",
    "bpmn_data_store_read.bpmn": "a data store with no implementation",
    "bpmn_data_store_write.bpmn": "a data store with no implementation",
    "bpmn_invalid_cancel.bpmn": "a cancel event outside a transaction",
    "bpmn_parallel_multiinstance_invalid.bpmn": "a multi-instance with both cardinality and input data",
    "bpmn_standard_loop_invalid.bpmn": "a standard loop with neither maximum nor condition",
}
COMPARED = sorted(p.name for p in DATA.glob("*.bpmn") if p.name not in REFUSED and p.name not in INVALID)
#: file → "same" or what differed, for the summary line (tests/conformance/conftest.py)
RESULTS: dict[str, str] = {}


def top_process(path: Path) -> str:
    """The executable process no call activity of the file calls."""
    root = etree.parse(str(path)).getroot()
    processes = [p.get("id") for p in root.iter(f"{{{_BPMN}}}process") if p.get("isExecutable") == "true"]
    called = {c.get("calledElement") for c in root.iter(f"{{{_BPMN}}}callActivity")}
    return next(p for p in processes if p not in called)


@pytest.mark.parametrize("name", COMPARED)
def test_runs_as_in_bare_spiffworkflow(name: str, database: Database, vclock: VirtualClock) -> None:
    path = DATA / name
    process_id = top_process(path)
    trace, oracle = compare(database, [path], process_id, {}, default_script())
    RESULTS[name] = "same" if trace == oracle else f"engine {trace} != bare {oracle}"
    assert trace == oracle


@pytest.mark.parametrize("name", sorted(INVALID))
def test_what_spiffworkflow_cannot_parse_is_refused_at_deploy(name: str, database: Database) -> None:
    engine = Engine(Settings(database_url=database.url), database=database)
    with pytest.raises(DeploymentInvalid):
        engine.repository.deploy({name: (DATA / name).read_bytes()}, actor="admin")


def test_every_refusal_names_a_kept_file() -> None:
    kept = {p.name for p in DATA.glob("*.bpmn")}
    assert set(REFUSED) <= kept and set(INVALID) <= kept
    assert len(COMPARED) >= 40
