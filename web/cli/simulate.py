"""`awardflow simulate`: what a procedure will do before it is deployed, as JSON (the run is
:mod:`web.simulation`'s, the same the designer's simulation page starts)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from engine import Engine, Settings
from web.boot import bundle_files
from web.simulation import MAX_DAYS, MAX_DOSSIERS, MAX_STAFF, Plan, Workload, demo_staff, run_plans, whole_number
from web.simulation_shards import MAX_SHARDS


def _staff(pairs: Sequence[str]) -> dict[str, int]:
    found = demo_staff()
    for pair in pairs:
        group, _, count = pair.partition("=")
        number = whole_number(count, 1, MAX_STAFF)
        if number is None:
            raise click.BadParameter(f"{pair!r}: write group=number, e.g. appraiser=3", param_hint="--staff")
        found[group.strip()] = number
    return found


@click.command()
@click.option("--dossiers", default=300, show_default=True, help="how many dossiers arrive over the period")
@click.option("--from", "first", default="2026-01-01", show_default=True, help="first day (yyyy-mm-dd)")
@click.option("--to", "last", default="2026-12-31", show_default=True, help="last day (yyyy-mm-dd)")
@click.option("--seed", default=2026, show_default=True, help="random seed (the same seed gives the same result)")
@click.option("--staff", multiple=True, help="people per group, e.g. --staff appraiser=3 (default: the demo's)")
@click.option("--draft", "drafts", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="draft .bpmn/.dmn/.json files or directories, deployed over the shipped processes")  # fmt: skip
@click.option("--history/--no-history", default=True, help="draw step times from this database's history")
@click.option("--compare", is_flag=True, help="also run the shipped processes with the demo's staff, side by side")
@click.option("--shards", default=2, show_default=True, type=click.IntRange(1, MAX_SHARDS),
              help="processes the dossiers are dealt out to, with one staff (the result is the same for a seed "
                   "and a number of shards)")  # fmt: skip
def simulate(
    dossiers: int,
    first: str,
    last: str,
    seed: int,
    staff: tuple[str, ...],
    drafts: tuple[Path, ...],
    history: bool,
    compare: bool,
    shards: int,
) -> None:
    """Run a workload through the shipped processes (and a draft) on a scratch database; print JSON."""
    try:
        start, end = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--from/--to") from None
    if not start < end or (end - start).days > MAX_DAYS or not 1 <= dossiers <= MAX_DOSSIERS:
        raise click.BadParameter("a period of up to three years and 1 to 20000 dossiers", param_hint="--from/--to")
    taken = prepare_history(Settings.from_env()) if history else {}
    workload = Workload(dossiers, start, end, seed, taken, shards)
    candidate = Plan(_staff(staff), bundle_files(list(drafts)) if drafts else {})
    plans = {"shipped": Plan(demo_staff()), "candidate": candidate} if compare else {"candidate": candidate}
    with tempfile.TemporaryDirectory(prefix="awardflow-simulation-") as scratch:
        result = run_plans(workload, plans, Path(scratch))
    click.echo(json.dumps(result if compare else result["candidate"], ensure_ascii=False, indent=2))


def prepare_history(settings: Settings) -> dict[str, list[float]]:
    """The working hours each step took in the live database (empty when it has none yet)."""
    try:
        return Engine(settings).reports.step_hours()
    except SQLAlchemyError:  # no database, or not migrated yet: simulate from the budgets
        return {}
