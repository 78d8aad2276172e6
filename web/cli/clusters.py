"""`awardflow cluster list|show|load|rules|publish`: the province's emulation clusters and blocs, a year's
members, phase and ranking, and the scoring rule versions, from the command line (JSON, or a Vietnamese table with
``--table``)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from sqlalchemy import inspect

from engine import Settings, clock
from handlers.catalogue import read_yaml
from handlers.cluster_service import ClusterService
from handlers.timefmt import fmt_date, local_day
from web.boot import build_domain


def _service() -> ClusterService:
    domain = build_domain(Settings.from_env())
    if not inspect(domain.engine.db.engine).has_table("cluster_year"):
        raise click.ClickException("the database schema is old or missing; run `awardflow db upgrade` first")
    domain.engine.ensure_admin()  # as every command: without --user it acts as the administrator
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


@cluster.command("rules")
def rules() -> None:
    """The scoring rule versions, the latest effective date first (JSON)."""
    from web.cli import emit

    emit(_service().rule_versions())


@cluster.command("publish")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", help="who publishes it (default: the administrator)")
def publish(path: Path, user: str | None) -> None:
    """Publish a scoring rule version from a YAML file (as processes/clusters/rules/*.yaml); it never changes."""
    service = _service()
    engine = service.engine
    actor = engine.identity.actor(user or engine.settings.admin_user)
    content = read_yaml(path.read_text(encoding="utf-8"), path.name)
    click.echo(f"published: {service.publish_rules(actor, content)}")


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
