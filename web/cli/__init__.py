"""The ``awardflow`` command: database, deploy, start, tasks, complete, instances, migrate, worker, serve.

Commands print JSON where a script would read it and exit non-zero with a one-line message on error.
Without ``--user`` a command acts as the built-in administrator, and is audited as such.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect

from engine import Engine, Settings
from engine.errors import AwardflowError, DeploymentInvalid
from web.boot import PROCESSES_DIR, build_domain, bundle_files, migrate, prepare
from web.cli.calendar import calendar
from web.cli.clusters import cluster
from web.cli.demo import demo
from web.cli.jobs import jobs, with_jobs
from web.cli.migration import migrate as migrate_instance
from web.cli.simulate import simulate
from web.cli.sla import reschedule, slip
from web.cli.users import user

#: The entry point group whose click commands join ``awardflow``.
PLUGIN_GROUP = "awardflow.commands"


class LazyEngine:
    """Builds the engine (and the award domain over it, whose listeners then hear the engine's events) on first
    use, so ``--help`` and ``db upgrade`` need no schema."""

    def __init__(self) -> None:
        self._engine: Engine | None = None

    def __getattr__(self, name: str) -> Any:
        if self._engine is None:
            self._engine = build_domain(Settings.from_env()).engine
            if not inspect(self._engine.db.engine).has_table("process_instance"):
                raise click.ClickException("the database has no schema yet; run `awardflow db upgrade` first")
            self._engine.ensure_admin()
        return getattr(self._engine, name)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def emit(value: Any) -> None:
    click.echo(json.dumps(value, default=_json_default, ensure_ascii=False, indent=2))


def _json_option(raw: str | None, name: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"not valid JSON: {err.msg} at position {err.pos}", param_hint=name) from err
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=name)
    return value


class Group(click.Group):
    """Turns engine errors into one-line messages and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeploymentInvalid as err:
            for problem in err.problems:
                click.echo(f"{problem.severity}: {problem}", err=True)
            raise click.ClickException(err.message.split(":")[0]) from err
        except AwardflowError as err:
            raise click.ClickException(err.message) from err


@click.group(cls=Group)
@click.pass_context
def main(ctx: click.Context) -> None:
    """awardflow: one-stop award-dossier processing on a BPMN engine."""
    ctx.obj = LazyEngine()


def _user(ctx: click.Context, user: str | None) -> str:
    return user or ctx.obj.settings.admin_user


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest revision."""
    settings = Settings.from_env()
    migrate(settings.database_url)
    click.echo(f"database at {settings.database_url} is up to date")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--user", help="who deploys (default: the administrator)")
@click.pass_context
def deploy(ctx: click.Context, paths: tuple[Path, ...], user: str | None) -> None:
    """Deploy .bpmn/.dmn/.json files (or every such file in a directory) as one bundle."""
    result = ctx.obj.repository.deploy(bundle_files(paths), actor=_user(ctx, user))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    emit(
        {
            "deployment_id": result.deployment_id,
            "deployed": [{"key": d.key, "version": d.version, "id": d.id} for d in result.definitions],
            "unchanged": result.unchanged,
        }
    )


@main.command()
@click.argument("key")
@click.option("--business-key", help="the dossier code")
@click.option("--data", help="initial data as a JSON object")
@click.option("--user", help="who starts it (default: the administrator)")
@click.pass_context
def start(ctx: click.Context, key: str, business_key: str | None, data: str | None, user: str | None) -> None:
    """Start an instance of the latest version of KEY."""
    view = ctx.obj.runtime.start(
        key, business_key=business_key, data=_json_option(data, "--data"), actor=_user(ctx, user)
    )
    emit(view)


@main.command()
@click.option("--user", help="whose inbox (default: every ready task, as the administrator sees them)")
@click.option("--process", "process_key", help="only tasks of this process key")
@click.option("--business-key", help="only tasks of this dossier")
@click.pass_context
def tasks(ctx: click.Context, user: str | None, process_key: str | None, business_key: str | None) -> None:
    """Ready human tasks as a JSON list."""
    from engine.inbox import InboxQuery

    query = InboxQuery(process_key=process_key, business_key=business_key, per_page=500)
    emit(ctx.obj.tasks.inbox(_user(ctx, user), query).items)


@main.command()
@click.argument("task_id")
@click.option("--user", help="who completes it (default: the administrator)")
@click.option("--data", help="form data as a JSON object")
@click.pass_context
def complete(ctx: click.Context, task_id: str, user: str | None, data: str | None) -> None:
    """Complete a task with form data."""
    emit(ctx.obj.tasks.complete(task_id, _user(ctx, user), _json_option(data, "--data")))


@main.command()
@click.option("--process", "process_key", help="only instances of this process key")
@click.option("--state", help="running, suspended, error, completed or cancelled")
@click.pass_context
def instances(ctx: click.Context, process_key: str | None, state: str | None) -> None:
    """Process instances as a JSON list (newest first)."""
    rows = ctx.obj.runtime.list(process_key=process_key, state=state)
    emit(
        [
            {
                "id": r.id,
                "process_key": r.process_key,
                "version": r.definition.version,
                "business_key": r.business_key,
                "state": r.state,
                "started_at": r.started_at,
                "ended_at": r.ended_at,
            }
            for r in rows
        ]
    )


@main.command()
@click.option("--once", is_flag=True, help="fire the timers due now, do the periodic runs owed now, and exit")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Fire due timers and run the periodic jobs until stopped (APScheduler wakes it at the next due time; it
    looks again within AWARDFLOW_TIMER_POLL_S for timers, AWARDFLOW_JOBS_POLL_S for jobs)."""
    engine = with_jobs(ctx)
    if once:
        emit({"fired": engine.timers.fire_due(), "jobs": [run.job for run in engine.jobs.tick()]})
        return
    from engine.worker import run_blocking

    settings = engine.settings
    run_blocking(engine.timers, settings.timer_poll_s, jobs=engine.jobs, jobs_poll_s=settings.jobs_poll_s)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-demo", is_flag=True, help="do not create the demo users")
def serve(host: str, port: int, no_demo: bool) -> None:
    """Upgrade the database, deploy the shipped processes, seed demo users and serve the web app."""
    from engine.worker import start_background
    from web.app import create_app
    from web.server import make_server

    settings = Settings.from_env()
    domain = prepare(settings, demo=not no_demo)
    app = create_app(domain=domain)
    engine = domain.engine
    start_background(engine.timers, settings.timer_poll_s, jobs=engine.jobs, jobs_poll_s=settings.jobs_poll_s)
    click.echo(
        f"awardflow serving on http://{host}:{port}/ (database {settings.database_url}; processes from {PROCESSES_DIR})"
    )
    sys.stdout.flush()
    make_server(app, host, port).run()


main.add_command(calendar)
main.add_command(cluster)
main.add_command(slip)
main.add_command(reschedule)
main.add_command(demo)
main.add_command(simulate)
main.add_command(user)
main.add_command(jobs)
main.add_command(migrate_instance)


def add_plugin_commands(group: click.Group) -> None:
    """Commands other packages contribute (entry point group ``awardflow.commands``, like Flask's
    ``flask.commands``): how the bench, which sits above the web layer, adds ``awardflow bench``."""
    for point in entry_points(group=PLUGIN_GROUP):
        group.add_command(point.load(), point.name)


add_plugin_commands(main)
