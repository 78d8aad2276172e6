"""Loops and multi-instance activities run every round through the persisted engine, as in bare SpiffWorkflow.

Each diagram runs twice with the same inputs: in bare SpiffWorkflow (the oracle) and through the engine, built
anew before every command (a fresh process: no spec parsed before, no workflow kept in memory). The ready
tasks before each action, the final state and the final data must be the same, and the expected rounds must
have happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.clock import VirtualClock
from engine.db import Database
from tests.differential import Complete, engine_factory, run_bare, run_engine

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"


@pytest.mark.parametrize(
    ("process_id", "data", "answer", "expected_ready"),
    [
        ("multi_instance_cardinality_seq", {}, {}, [["step"], ["step"], ["step"], []]),
        ("multi_instance_cardinality_par", {}, {}, [["step"] * 3, ["step"] * 2, ["step"], []]),
        ("standard_loop", {}, {}, [["step"], ["step"], ["step"], []]),
        ("multi_instance_sequential", {"items": [1, 2, 3]}, {"result": 1}, [["handle_item"]] * 3 + [["summary"], []]),
        ("multi_instance_parallel", {"members": ["an", "bo"]}, {"ballot": 1}, [["vote"] * 2, ["vote"], ["tally"], []]),
    ],
)
def test_every_round_runs_as_in_bare_spiffworkflow(
    database: Database, vclock: VirtualClock, process_id: str, data: dict, answer: dict, expected_ready: list
) -> None:
    files = [BPMN / f"{process_id}.bpmn"]
    script = [Complete(data=answer) for _ in range(10)]
    oracle = run_bare(files, process_id, data, script, vclock)
    trace, _ = run_engine(engine_factory(database), files, process_id, data, script, vclock)
    assert trace == oracle
    assert oracle.ready == expected_ready
    assert oracle.completed and oracle.failed_at is None


def test_each_round_sees_the_data_of_the_one_before(database: Database, vclock: VirtualClock) -> None:
    files = [BPMN / "multi_instance_sequential.bpmn"]
    script = [Complete(data={"result": f"r{i}"}) for i in range(3)] + [Complete()]
    data = {"items": ["x", "y", "z"]}
    oracle = run_bare(files, "multi_instance_sequential", data, script, vclock)
    trace, _ = run_engine(engine_factory(database), files, "multi_instance_sequential", data, script, vclock)
    assert trace == oracle
    assert oracle.data["results"] == ["r0", "r1", "r2"]
