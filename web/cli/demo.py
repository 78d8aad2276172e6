"""`awardflow demo`: a living system at once — units, people and a few hundred dossiers in every state.

The simulated office (:mod:`web.office`) — the run `awardflow simulate` makes, with people who are never busy,
reported the same way (:func:`web.simulation.report`) — takes a year of dossiers through the shipped processes
on a virtual clock that walks up to now (the engine clock's), against the real database. When the clock reaches
``--until`` the simulation stops, so the dossiers are spread over every status: returned (early, on time, late),
refused, withdrawn, waiting for a supplement (asked at the desk or by the appraiser), in appraisal, at a line
agency, before the council, at signing. Then the area cluster's emulation year of that day
(:mod:`web.office_clusters`) is driven to where it stands on it, so the cluster pages have their data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time

import click

from engine import Settings, clock
from web.boot import prepare
from web.office import VN, Simulation
from web.office_clusters import ClusterYear
from web.simulation import report


@click.command()
@click.option("--dossiers", default=300, show_default=True, help="how many dossiers to submit over the year")
@click.option("--until", help="the simulation stops on this day at 10:00 (default: now, by the engine clock)")
@click.option("--seed", default=2026, show_default=True, help="random seed (the same seed gives the same data)")
@click.option("--password", help="password for the demo users (default: the one `serve` printed, or a new one)")
def demo(dossiers: int, until: str | None, seed: int, password: str | None) -> None:
    """Seed a realistic data set: units, people and a year of dossiers up to now."""
    settings = Settings.from_env()
    domain = prepare(settings, demo=True, password=password)
    stop = datetime.combine(date.fromisoformat(until), time(10), VN) if until else clock.now().astimezone(VN)
    simulation = Simulation(domain, random.Random(seed), stop)
    click.echo(f"simulating {dossiers} dossiers from {simulation.start:%d/%m/%Y} to {stop:%d/%m/%Y} …")
    result = simulation.run(dossiers)
    for status, count in result.items():
        click.echo(f"  {status}: {count}")
    figures = report(simulation)["dossiers"]
    click.echo(
        f"finished early {figures['early']}, on time {figures['on_time']}, late {figures['late']}; "
        f"working days p50 {figures['working_days_p50']}, p90 {figures['working_days_p90']}"
    )
    stuck = simulation.stuck()
    click.echo(f"errors: {simulation.errors}; dossiers stuck: {len(stuck)}{' ' if stuck else ''}{', '.join(stuck)}")
    click.echo(ClusterYear(domain, random.Random(seed), stop).run())
