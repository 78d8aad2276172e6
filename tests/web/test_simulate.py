"""`awardflow simulate`: a workload through the shipped processes on a scratch database and the virtual clock.
The same seed gives the same result; a draft that halves a step's budget makes that step later and leaves the
steps before it as they were (the work takes as long as before: only what counts as late changes)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine import Engine, Settings, clock
from web.boot import PROCESSES_DIR
from web.cli.simulate import simulate
from web.simulation import changes, simulate_once

RUN: dict[str, Any] = {"dossiers": 12, "start": date(2026, 3, 2), "end": date(2026, 5, 29), "history": {}}
STAFF = {"desk": 1, "division_head": 1, "appraiser": 1, "council_secretary": 1, "leader": 1, "records": 1}


def halved(element: str) -> dict[str, bytes]:
    """The shipped appraisal with ``element``'s budget halved: a designer's draft."""
    xml = (PROCESSES_DIR / "appraisal.bpmn").read_text(encoding="utf-8")
    task = re.search(rf'<bpmn:userTask id="{element}".*?</bpmn:userTask>', xml, re.S)
    assert task is not None
    budget = re.search(r'name="budget" value="([\d.]+)WD"', task.group(0))
    assert budget is not None
    changed = task.group(0).replace(budget.group(0), f'name="budget" value="{float(budget.group(1)) / 2:g}WD"')
    return {"appraisal.bpmn": xml.replace(task.group(0), changed).encode()}


def test_the_same_seed_gives_the_same_result(tmp_path: Path) -> None:
    first = simulate_once(**RUN, seed=5, staff=STAFF, draft={}, workdir=tmp_path / "a")
    again = simulate_once(**RUN, seed=5, staff=STAFF, draft={}, workdir=tmp_path / "b")
    assert first == again
    assert first["dossiers"]["errors"] == 0
    finished = sum(first["dossiers"][k] for k in ("early", "on_time", "late"))
    assert 0 < finished <= RUN["dossiers"]
    assert all(0 < share <= 1 for share in first["utilisation"].values()), first["utilisation"]
    assert first["queues"]["appraiser"], "the appraisers' queue is sampled weekly"

    # halving the appraisal's budget: the same work, measured against less time
    draft = simulate_once(**RUN, seed=5, staff=STAFF, draft=halved("appraise"), workdir=tmp_path / "c")
    before, after = first["steps"], draft["steps"]
    assert after["appraise"]["late_share"] > before["appraise"]["late_share"]
    for earlier in ("check_completeness", "assign_appraiser"):
        assert after[earlier] == before[earlier], earlier
    moved = changes(first, draft)
    assert moved["appraise"] == round(after["appraise"]["late_share"] - before["appraise"]["late_share"], 3) > 0
    assert moved["check_completeness"] == 0


def test_the_command_prints_json_and_refuses_a_bad_period(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    refused = CliRunner().invoke(simulate, ["--from", "2026-05-01", "--to", "2026-01-01"])
    assert refused.exit_code == 2 and "--from/--to" in refused.output
    for bad in ("appraiser=zero", "appraiser=²", "appraiser=" + "9" * 5000):
        refused = CliRunner().invoke(simulate, ["--staff", bad])
        assert refused.exit_code == 2 and "appraiser=3" in refused.output


def test_the_figures_are_the_engines_reports_over_the_simulated_database(tmp_path: Path) -> None:
    result = simulate_once(**RUN, seed=8, staff=STAFF, draft={}, workdir=tmp_path, show="appraisal")
    scratch = Engine(Settings(database_url=f"sqlite:///{tmp_path / 'simulation.sqlite'}"))
    first, last = RUN["start"], RUN["end"]
    by_step: dict[str, list[int]] = {}
    for rate in scratch.reports.on_time(first, last, group_by="step", period="year"):
        by_step.setdefault(rate.group or "", [0, 0, 0])
        by_step[rate.group or ""] = [
            a + b for a, b in zip(by_step[rate.group or ""], (rate.early, rate.on_time, rate.late), strict=True)
        ]
    assert {e: [s["early"], s["on_time"], s["late"]] for e, s in result["steps"].items()} == by_step
    (dossiers,) = scratch.reports.on_time(first, last, level="dossier", period="year")
    assert [result["dossiers"][k] for k in ("early", "on_time", "late")] == [
        dossiers.early,
        dossiers.on_time,
        dossiers.late,
    ]
    assert sum(by_step["appraise"]) > 0, "dossiers reached the appraisal"

    # the overlays' rows are the engine's heat at the end of the run, row by row
    previous = clock.install(clock.VirtualClock(datetime.fromisoformat(result["as_of"])))
    try:
        heat = scratch.reports.heat(first, last)
    finally:
        clock.install(previous)
    assert result["heat"] == {element: row.to_dict() for element, row in heat.items()}
    assert any(row["waiting"] for row in result["heat"].values()), "some work is still waiting at the end"
    assert result["diagram"]["key"] == "appraisal" and 'id="appraise"' in result["diagram"]["xml"]
