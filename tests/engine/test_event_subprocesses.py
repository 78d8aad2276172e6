"""Event subprocesses started by a message, a signal or a timer run through the persisted engine as in bare
SpiffWorkflow (same diagram, same actions: ready tasks, final state and data compared); those started by an
error or an escalation, which SpiffWorkflow 3.2 runs as soon as an instance starts, are refused at deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine
from engine.clock import VirtualClock
from engine.db import Database
from engine.errors import DeploymentInvalid
from tests.differential import Action, Advance, Complete, Message, Signal, compare
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


def test_error_and_escalation_event_subprocesses_are_refused_at_deploy(engine: Engine) -> None:
    with pytest.raises(DeploymentInvalid) as refused:
        engine.repository.deploy(files("event_subprocess_error.bpmn"), actor="admin")
    text = str(refused.value)
    assert "on_broken_start" in text and "on_late_start" in text and "as soon as an instance starts" in text
