"""`awardflow cluster list|show|load`: the province's emulation clusters and blocs, a year's members, phase and
ranking, from the command line (JSON, or a Vietnamese table with ``--table``)."""

from __future__ import annotations

from dataclasses import asdict

import click
from sqlalchemy import inspect

from engine import Settings, clock
from handlers.cluster_service import ClusterService
from handlers.timefmt import fmt_date, local_day
from web.boot import build_domain


def _service() -> ClusterService:
    domain = build_domain(Settings.from_env())
    if not inspect(domain.engine.db.engine).has_table("cluster_year"):
        raise click.ClickException("the database schema is old or missing; run `awardflow db upgrade` first")
    return domain.clusters


def _year(year: int | None) -> int:
    return year or local_day(clock.now()).year


@click.group()
def cluster() -> None:
    """Emulation clusters and blocs (cụm, khối thi đua)."""


@cluster.command("load")
def load() -> None:
    """Load the shipped clusters, years and scoring rules missing from the database (serve and demo do it too)."""
    click.echo(f"added: {_service().load_shipped()}")


@cluster.command("list")
@click.option("--year", type=click.IntRange(2000, 2100), help="the year (default: this year)")
@click.option("--table", is_flag=True, help="a readable table (Vietnamese) instead of JSON")
def list_clusters(year: int | None, table: bool) -> None:
    """Every cluster and bloc of the year: head, deputy, members, phase."""
    from web.cli import emit

    found = _service().clusters(_year(year))
    if not table:
        emit([asdict(v) | {"phase_name": v.phase_name} for v in found])
        return
    for v in found:
        click.echo(f"{v.code:14} {v.name} — {len(v.members)} đơn vị; trưởng: {v.head}; {v.phase_name}")


@cluster.command("show")
@click.argument("code")
@click.option("--year", type=click.IntRange(2000, 2100), help="the year (default: this year)")
@click.option("--table", is_flag=True, help="a readable table (Vietnamese) instead of JSON")
def show(code: str, year: int | None, table: bool) -> None:
    """One cluster's year: members with their dates and pledge, deadlines, scores and ranking."""
    from web.cli import emit

    service = _service()
    view, rows = service.year(code, _year(year)), service.standings(code, _year(year))
    if not table:
        emit({**asdict(view), "phase_name": view.phase_name, "standings": [asdict(r) for r in rows]})
        return
    click.echo(f"{view.name} — năm {view.year} — {view.phase_name}")
    click.echo(
        f"Hạn tự chấm: {fmt_date(view.self_score_due) or '—'}; hạn gửi đề nghị: {fmt_date(view.proposal_due) or '—'}"
    )
    for member in view.members:
        signed = f"ký {fmt_date(member.pledge_signed_at)}" if member.pledge_signed_at else "chưa ký giao ước"
        until = f" đến {fmt_date(member.valid_to)}" if member.valid_to and member.valid_to.month != 12 else ""
        click.echo(f"  {member.name}{until}: {signed}")
    for r in rows:
        place = f"hạng {r.rank}" if r.rank else "chưa xếp hạng"
        click.echo(f"  {place:14} {r.name:40} {r.total if r.total is not None else '—'} điểm")
