"""A what-if run dealt out to shards (processes with their own scratch database) and worked by one staff: the
same for a seed, its figures the engine's own reports over the shards' databases added up, and the staff shared
in the run's time order (one appraiser never takes two steps at once, whichever shard they come from)."""

from __future__ import annotations

import multiprocessing
import random
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine import Engine, Settings, clock
from engine.calendar import WorkCalendar
from engine.reports import RESULTS, HeatParts
from web.boot import PROCESSES_DIR, bundle_files
from web.cli.simulate import simulate
from web.office import VN
from web.simulation import budgets, seasonal_arrivals, simulate_once
from web.simulation_shards import ShardRoster, run_shards

STAFF = {"desk": 1, "division_head": 1, "appraiser": 1, "council_secretary": 1, "leader": 1, "records": 1}
RUN: dict[str, Any] = {"dossiers": 14, "start": date(2026, 3, 2), "end": date(2026, 5, 29), "history": {}}


def test_a_sharded_run_is_the_same_for_a_seed_and_its_figures_are_the_shards_reports(tmp_path: Path) -> None:
    first = simulate_once(**RUN, seed=3, staff=STAFF, draft={}, workdir=tmp_path / "a", shards=2, show="appraisal")
    again = simulate_once(**RUN, seed=3, staff=STAFF, draft={}, workdir=tmp_path / "b", shards=2, show="appraisal")
    assert first == again
    assert first["dossiers"]["errors"] == 0
    assert first["diagram"]["key"] == "appraisal" and 'id="appraise"' in first["diagram"]["xml"]

    engines = [Engine(Settings(database_url=f"sqlite:///{tmp_path / 'a' / d / 'simulation.sqlite'}")) for d in
               ("shard-1", "shard-2")]  # fmt: skip
    start, end = RUN["start"], RUN["end"]
    steps: dict[str, list[int]] = {}
    dossiers = [0, 0, 0]
    heat = HeatParts()
    previous = clock.install(clock.VirtualClock(datetime.fromisoformat(first["as_of"])))
    try:
        for engine in engines:
            for rate in engine.reports.on_time(start, end, group_by="step", period="year"):
                row = steps.setdefault(rate.group or "", [0, 0, 0])
                row[:] = [a + b for a, b in zip(row, (rate.early, rate.on_time, rate.late), strict=True)]
            for rate in engine.reports.on_time(start, end, level="dossier", period="year"):
                dossiers = [a + b for a, b in zip(dossiers, (rate.early, rate.on_time, rate.late), strict=True)]
            heat.add(engine.reports.heat_parts(start, end))
            assert any(row.finished for row in engine.reports.heat(start, end).values()), "each shard did work"
    finally:
        clock.install(previous)
    assert {e: [s[k] for k in RESULTS] for e, s in first["steps"].items()} == steps
    assert [first["dossiers"][k] for k in RESULTS] == dossiers
    assert sum(dossiers) > 0 and sum(steps["appraise"]) > 0
    assert first["heat"] == {element: row.to_dict() for element, row in heat.summary().items()}

    # another number of shards is another draw of the same workload, not the same run
    single = simulate_once(**RUN, seed=3, staff=STAFF, draft={}, workdir=tmp_path / "c")
    assert single["dossiers"]["errors"] == 0 and single["steps"] != first["steps"]


def test_the_shards_share_one_staff_in_the_runs_time_order(tmp_path: Path) -> None:
    first = datetime.combine(date(2026, 3, 2), time(8), VN)
    until = datetime.combine(date(2026, 4, 30), time(17), VN)
    run = {"workdir": tmp_path, "start": first, "until": until, "seed": 11, "staff": STAFF, "draft": {},
           "budgets": budgets(bundle_files([PROCESSES_DIR])), "history": {}}  # fmt: skip
    found, roster, _ = run_shards(2, seasonal_arrivals(random.Random(11), first, until, 16), run)
    assert roster is not None and found.errors == 0
    assert [job.ready for job in roster.jobs] == sorted(job.ready for job in roster.jobs), "handed out in time order"
    appraisals = sorted((j for j in roster.jobs if j.group == "appraiser"), key=lambda j: j.start)
    assert len(appraisals) > 4
    for before, after in zip(appraisals, appraisals[1:], strict=False):
        assert after.start >= before.end, "the one appraiser took a step while busy with another"
    assert any(j.ready < j.start for j in appraisals), "some appraisal waited for the appraiser"


def test_a_shard_goes_on_only_with_events_before_any_asked_step_could_end() -> None:
    """A shard does not wait for the staff's answer while its next event comes before the earliest end of every
    step it asked for; at or past the earliest of them, it takes the answers (in the order it asked)."""
    calendar = WorkCalendar()  # 07:30–11:30 and 13:30–17:30 on weekdays
    monday = datetime(2026, 3, 2, 8, tzinfo=VN)
    ours, parents = multiprocessing.Pipe()
    roster, answered = ShardRoster(ours, calendar), []
    roster.ask(monday, [("appraise", "appraiser", 16.0)], answered.append)  # two working days at least
    roster.ask(monday, [("cross_check_a", "appraiser", 1.0)], answered.append)  # one working hour at least
    parents.send(datetime(2026, 3, 4, 8, tzinfo=VN))
    parents.send(datetime(2026, 3, 4, 9, tzinfo=VN))
    assert [parents.recv()[0] for _ in range(2)] == ["take", "take"]

    roster.settle(datetime(2026, 3, 2, 8, 59, tzinfo=VN))  # before either could end: nothing waits
    assert answered == []
    roster.settle(datetime(2026, 3, 2, 9, tzinfo=VN))  # the short step may end now, behind the long one's answer
    assert answered == [datetime(2026, 3, 4, 8, tzinfo=VN), datetime(2026, 3, 4, 9, tzinfo=VN)]


def test_the_command_refuses_a_number_of_shards_it_cannot_run(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWARDFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite'}")
    for bad in ("0", "9", "hai"):
        refused = CliRunner().invoke(simulate, ["--shards", bad])
        assert refused.exit_code == 2 and "--shards" in refused.output, refused.output
