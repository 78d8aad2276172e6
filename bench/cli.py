"""``awardflow bench``: measure the engine and print one JSON document of figures (see bench/README.md).

The command reaches ``awardflow`` as a plugin (entry point group ``awardflow.commands``), so that nothing
below the bench imports it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bench.run import run
from bench.sizes import FULL, QUICK


def pg_url_from_env() -> str | None:
    """AWARDFLOW_BENCH_PG_URL, else AWARDFLOW_DATABASE_URL when it points to PostgreSQL."""
    url = os.environ.get("AWARDFLOW_BENCH_PG_URL") or os.environ.get("AWARDFLOW_DATABASE_URL") or ""
    return url if url.startswith("postgresql") else None


@click.command()
@click.option("--quick", is_flag=True, help="small sizes, under two minutes (what CI runs; numbers not judged)")
@click.option("--only", help="comma-separated figures to run, e.g. library,completions")
@click.option(
    "--pg-url", help="PostgreSQL URL (default: AWARDFLOW_BENCH_PG_URL or a postgresql AWARDFLOW_DATABASE_URL)"
)
@click.option("--no-pg", is_flag=True, help="SQLite only, even when a PostgreSQL URL is configured")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="also write the JSON to this file")
def bench(quick: bool, only: str | None, pg_url: str | None, no_pg: bool, output: Path | None) -> None:
    """Run the benchmark figures and print them as JSON (progress goes to stderr).

    On PostgreSQL the bench works only in its own schema, awardflow_bench, which it drops and creates
    again for every figure; other schemas in that database are not touched.
    """
    selected = [name.strip() for name in only.split(",") if name.strip()] if only else None
    url = None if no_pg else (pg_url or pg_url_from_env())
    try:
        doc = run(QUICK if quick else FULL, pg_url=url, only=selected)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--only") from err
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    click.echo(text)
