"""Smoke test of ``awardflow bench``: a tiny run on SQLite yields every figure; timings are not judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench import FIGURES, TINY, run
from web.cli import main


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(run(TINY, pg_url=None, log=lambda _m: None)))
    return result


def test_every_figure_is_there_and_none_failed(doc: dict[str, Any]) -> None:
    assert set(doc) == {"machine", *FIGURES}
    for name in FIGURES:
        assert "error" not in doc[name], (name, doc[name].get("error"))
    for key in ("cores", "cpu_model", "python", "spiffworkflow", "sqlite", "postgresql"):
        assert key in doc["machine"]


def test_counts_are_integers(doc: dict[str, Any]) -> None:
    timers = doc["timers"]
    for key in ("fired", "missed", "twice", "duplicate_tasks"):
        assert isinstance(timers[key], int), key
    assert timers["fired"] + timers["missed"] == TINY.timers
    for workers in doc["completions"]["sqlite"].values():
        assert isinstance(workers["completions"], int)
        assert workers["completions"] == workers["expected_completions"]
    assert doc["completions"]["postgresql"] == {"skipped": doc["completions"]["postgresql"]["skipped"]}


def test_figures_carry_units_in_their_names(doc: dict[str, Any]) -> None:
    assert doc["library"]["completions_per_s"] > 0
    assert doc["completions"]["sqlite"]["workers_1"]["ratio_to_library"] > 0
    assert doc["inbox"]["sqlite"]["appraiser_mine"]["p95_ms"] > 0
    assert doc["reports"]["query"] == "adhoc aggregate over human_task"
    assert doc["footprint"]["rss_mb"] > 0
    assert doc["history"]["points"]


def test_the_command_is_registered() -> None:
    result = CliRunner().invoke(main, ["bench", "--help"])
    assert result.exit_code == 0
    assert "--quick" in result.output


def test_an_unknown_figure_is_refused() -> None:
    result = CliRunner().invoke(main, ["bench", "--only", "nonsense", "--no-pg"])
    assert result.exit_code != 0
    assert "unknown figure" in result.output


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="the server's CPU is read from Linux /proc")
def test_the_http_figures_carry_the_servers_cpu_and_its_spread_over_processes(doc: dict[str, Any]) -> None:
    assert doc["lifecycle"]["sqlite"]["server_cpu_ms_per_completion"] > 0
    for processes in TINY.scaleout_processes:
        run = doc["scaleout"][f"http_processes_{processes}"]
        assert run["server_cpu_ms_per_completion"] > 0
        shares = run["server_cpu_share_per_process"]
        assert len(shares) == processes and sum(shares) == pytest.approx(1.0, abs=0.02)
