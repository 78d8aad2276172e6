"""`awardflow migrate`: move a running instance to a newer version of its process, with the renamed or moved
activities mapped (old element id = new element id)."""

from __future__ import annotations

import click


def _pairs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """``OLD=NEW`` options as the mapping; each old element may be mapped once."""
    mapping: dict[str, str] = {}
    for value in values:
        old, found, new = value.partition("=")
        if not found or not old or not new:
            raise click.BadParameter(f"{value!r} is not OLD=NEW", ctx=ctx, param=param)
        if old in mapping:
            raise click.BadParameter(f"{old!r} is mapped twice", ctx=ctx, param=param)
        mapping[old] = new
    return mapping


@click.command()
@click.argument("instance_id", type=int)
@click.option("--to-version", type=int, help="the version to move to (default: the latest)")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar="OLD=NEW",
    callback=_pairs,
    help="a renamed or moved activity: its element id in the instance's version = its id in the new one "
    "(repeat for each)",
)
@click.option("--user", help="who migrates it (default: the administrator)")
@click.pass_context
def migrate(
    ctx: click.Context, instance_id: int, to_version: int | None, mapping: dict[str, str], user: str | None
) -> None:
    """Move INSTANCE_ID to a newer version; refused, naming them, while a current task has no counterpart."""
    from web.cli import emit

    actor = user or ctx.obj.settings.admin_user
    emit(ctx.obj.runtime.migrate(instance_id, actor=actor, to_version=to_version, mapping=mapping))
