"""Event subprocesses started by a message, a signal or a timer run through the persisted engine as in bare
SpiffWorkflow (same diagram, same actions: ready tasks, final state and data compared). Those started by an
error or an escalation run as SpiffWorkflow runs them once its parser reads their start events (bare 3.2 reads
them as none starts and runs them when the instance starts): the oracle for them parses with the engine's
:class:`engine.bpmn.parser.Parser`, and everything after parsing is bare SpiffWorkflow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import Engine
from engine.bpmn.parser import Parser
from engine.clock import VirtualClock
from engine.db import Database
from tests.differential import Action, Advance, Complete, Message, Signal, compare, run_bare
from tests.engine.conftest import files

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"

SCRIPTS: dict[str, tuple[list[Action], str | None]] = {
    "nothing comes": ([Complete()] * 3, None),
    "message": ([Message("withdrawn", {"why": "moved"}), Complete(), Complete()], "handle_withdrawal"),
    "signal": ([Signal("audit"), Complete(), Complete()], "audit_note"),
    "timer": ([Advance(3601), Complete(), Complete()], "reminder"),
}


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_event_subprocess_runs_as_in_bare_spiffworkflow(database: Database, vclock: VirtualClock, case: str) -> None:
    script, started = SCRIPTS[case]
    diagram = [BPMN / "event_subprocesses.bpmn"]
    trace, oracle = compare(database, diagram, "event_subprocesses", {"outcome": "ok"}, script)
    assert trace == oracle
    if started is not None:
        assert started in trace.ready[1]


def test_a_message_reaches_an_event_subprocess_over_the_runtime_api(engine: Engine) -> None:
    engine.repository.deploy(files("event_subprocesses.bpmn"), actor="admin")
    inst = engine.runtime.start("event_subprocesses", business_key="HS-3", data={"outcome": "ok"}, actor="admin")
    assert engine.runtime.correlate("withdrawn", business_key="HS-3", actor="admin") == [inst.id]
    ready = sorted(t.element_id for t in engine.tasks.for_instance(inst.id) if t.state == "ready")
    assert ready == ["handle_withdrawal", "work"]


ERROR_DIAGRAM = BPMN / "event_subprocess_error.bpmn"
#: the outcome of ``work`` (an error end event, an escalation throw) -> the task its event subprocess starts
THROWN = {"fail": "repair", "escalate": "note_lateness"}


def flipped(tmp_path: Path, interrupting: bool) -> Path:
    """The error diagram with both event subprocesses interrupting (or neither)."""
    text = ERROR_DIAGRAM.read_text()
    for start in ("on_broken_start", "on_late_start"):
        text = re.sub(rf'(id="{start}" isInterrupting=")\w+"', rf'\g<1>{str(interrupting).lower()}"', text)
    path = tmp_path / "event_subprocess_error.bpmn"
    path.write_text(text)
    return path


@pytest.mark.parametrize("interrupting", [True, False])
@pytest.mark.parametrize("outcome", sorted(THROWN))
def test_error_and_escalation_event_subprocesses_run_as_spiffworkflow_runs_them(
    database: Database, vclock: VirtualClock, tmp_path: Path, outcome: str, interrupting: bool
) -> None:
    diagram = flipped(tmp_path, interrupting)
    script = [Complete(), Complete(), Complete()]
    trace, oracle = compare(database, [diagram], "event_subprocess_error", {"outcome": outcome}, script, Parser)
    assert trace == oracle
    assert trace.ready[0] == ["work"], "nothing starts before the error or escalation comes"
    assert THROWN[outcome] in trace.ready[1]
    if outcome == "escalate":  # the throw goes on, interrupting or not: SpiffWorkflow 3.2 cancels nothing of the
        assert "after_escalation" in trace.ready[1]  # parent for an interrupting event subprocess (messages alike)


def test_nothing_thrown_starts_nothing(database: Database, vclock: VirtualClock) -> None:
    trace, oracle = compare(
        database, [ERROR_DIAGRAM], "event_subprocess_error", {"outcome": "ok"}, [Complete()], Parser
    )
    assert trace == oracle and trace.ready == [["work"], []]


def test_bare_spiffworkflow_parser_reads_them_as_none_starts() -> None:
    """Why the engine parses start events itself: SpiffWorkflow's own parser starts both at once."""
    bare = run_bare([ERROR_DIAGRAM], "event_subprocess_error", {}, [], None)
    assert sorted(bare.ready[0]) == ["note_lateness", "repair", "work"]


def test_an_error_reaches_its_event_subprocess_over_the_runtime_api(engine: Engine) -> None:
    engine.repository.deploy(files("event_subprocess_error.bpmn"), actor="admin")
    inst = engine.runtime.start("event_subprocess_error", data={"outcome": "fail"}, actor="admin")
    [work] = [t for t in engine.tasks.for_instance(inst.id) if t.state == "ready"]
    assert work.element_id == "work"
    engine.tasks.complete(work.id, "admin", {})
    ready = [t.element_id for t in engine.tasks.for_instance(inst.id) if t.state == "ready"]
    assert ready == ["repair"]


def test_an_interrupting_event_subprocess_is_a_warning_at_deploy(engine: Engine) -> None:
    """SpiffWorkflow runs it without interrupting (the escalation case above): the designer hears it at deploy."""
    result = engine.repository.deploy(files("event_subprocess_error.bpmn"), actor="admin")
    warned = {w.element_id for w in result.warnings if "without stopping that work" in w.message}
    assert warned == {"on_withdrawn_start", "on_broken_start"}, "the non-interrupting ones are not named"
