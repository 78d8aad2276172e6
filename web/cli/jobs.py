"""`awardflow jobs list|run NAME`: the periodic jobs, their next and last runs, and a run now.

The jobs are defined by the app (:mod:`web.jobs`), so these commands (and `awardflow worker`) build it.
"""

from __future__ import annotations

import secrets

import click
from sqlalchemy import inspect

from engine import Engine, Settings
from web.boot import build_domain


def with_jobs(ctx: click.Context) -> Engine:
    """The engine with the product's jobs registered (built once per command)."""
    found = ctx.meta.get("awardflow.jobs_engine")
    if isinstance(found, Engine):
        return found
    from web.app import create_app

    domain = build_domain(Settings.from_env())
    if not inspect(domain.engine.db.engine).has_table("job_run"):
        raise click.ClickException("the database schema is old or missing; run `awardflow db upgrade` first")
    domain.engine.ensure_admin()
    create_app({"SECRET_KEY": secrets.token_hex(32)}, domain=domain)  # serves nothing: any key will do
    ctx.meta["awardflow.jobs_engine"] = domain.engine
    return domain.engine


@click.group()
def jobs() -> None:
    """Periodic jobs: digests, reports, housekeeping."""


@jobs.command("list")
@click.pass_context
def list_jobs(ctx: click.Context) -> None:
    """Each job with its schedule, on/off, next run and last run (JSON)."""
    from web.cli import emit

    views = with_jobs(ctx).jobs.overview()
    emit(
        [
            {
                "name": v.name,
                "title": v.title,
                "cron": v.cron,
                "days": v.days,
                "enabled": v.enabled,
                "recipients": list(v.recipients),
                "next_run": v.next_run,
                "last_run": None
                if v.last is None
                else {
                    "started_at": v.last.started_at,
                    "outcome": v.last.outcome,
                    "duration_ms": v.last.duration_ms,
                    "error": v.last.error,
                },
            }
            for v in views
        ]
    )


@jobs.command("run")
@click.argument("name")
@click.option("--user", help="who asks (an administrator; default: the built-in one)")
@click.pass_context
def run_job(ctx: click.Context, name: str, user: str | None) -> None:
    """Run job NAME now (its schedule is unchanged); prints the run's outcome and what it did."""
    from web.cli import emit

    engine = with_jobs(ctx)
    run = engine.jobs.run_now(name, user or engine.settings.admin_user)
    fields = ("job", "outcome", "duration_ms", "result", "error")
    emit({key: getattr(run, key) for key in fields})
    if run.outcome != "ok":
        raise click.ClickException(f"job {name} failed: {run.error}")
