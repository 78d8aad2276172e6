"""`awardflow user`: people from the command line, as the users page manages them (add, password, e-mail,
groups, list), so the first administrator can be let in without a browser."""

from __future__ import annotations

from typing import Any

import click

from engine.errors import NotFound
from engine.identity import UserView

PASSWORD_MIN = 8


def _groups(text: str) -> list[str]:
    return sorted({g.strip() for g in text.replace(";", ",").split(",") if g.strip()})


def _existing(engine: Any, username: str) -> UserView:
    found = next((u for u in engine.identity.list_users() if u.username == username), None)
    if found is None:
        raise NotFound(f"no user named {username!r}")
    return found


def _change(ctx: click.Context, username: str, **changes: Any) -> None:
    """Update one thing of an existing user, keeping the rest (the engine's ensure_user sets them all)."""
    engine = ctx.obj
    user = _existing(engine, username)
    engine.identity.ensure_user(
        username,
        display_name=user.display_name,
        groups=changes.pop("groups", user.groups),
        unit=user.unit,
        is_admin=user.is_admin,
        actor=engine.settings.admin_user,
        **changes,
    )


def _checked(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise click.BadParameter(f"at least {PASSWORD_MIN} characters", param_hint="password")
    return password


@click.group()
def user() -> None:
    """People: add, passwd, email, groups, list."""


@user.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="full name, as pages and letters show it")
@click.option("--unit", help="the unit's code (see `awardflow user list`)")
@click.option("--groups", default="", help="comma-separated groups (roles), e.g. desk,appraiser")
@click.option("--email", default="", help="address for reminders")
@click.option("--admin", "is_admin", is_flag=True, help="an administrator")
@click.password_option(help="the password (asked when not given)")
@click.pass_context
def add(
    ctx: click.Context, username: str, display_name: str, unit: str | None, groups: str, email: str, is_admin: bool,
    password: str,
) -> None:  # fmt: skip
    """Create a user. An existing name is refused inside the same transaction that would create it (no race
    with the users page), leaving that user as it was: change it with passwd / email / groups."""
    engine = ctx.obj
    engine.identity.ensure_user(
        username,
        display_name=display_name,
        groups=_groups(groups),
        unit=unit,
        password=_checked(password),
        email=email,
        is_admin=is_admin,
        actor=engine.settings.admin_user,
        new=True,
    )
    click.echo(f"created {username}")


@user.command("passwd")
@click.argument("username")
@click.password_option(help="the new password (asked when not given)")
@click.pass_context
def passwd(ctx: click.Context, username: str, password: str) -> None:
    """Set a user's password (the built-in admin's too)."""
    _change(ctx, username, password=_checked(password))
    click.echo(f"password of {username} set")


@user.command("email")
@click.argument("username")
@click.argument("address")
@click.pass_context
def email(ctx: click.Context, username: str, address: str) -> None:
    """Set the address reminders go to ('' clears it)."""
    _change(ctx, username, email=address)
    click.echo(f"e-mail of {username}: {address or '—'}")


@user.command("groups")
@click.argument("username")
@click.argument("groups")
@click.pass_context
def groups(ctx: click.Context, username: str, groups: str) -> None:
    """Replace a user's groups (comma-separated)."""
    _change(ctx, username, groups=_groups(groups))
    click.echo(f"groups of {username}: {', '.join(_groups(groups)) or '—'}")


@user.command("list")
@click.pass_context
def list_users(ctx: click.Context) -> None:
    """Every user: name, unit, groups, e-mail, state."""
    for u in ctx.obj.identity.list_users():
        flags = " ".join(f for f, on in (("admin", u.is_admin), ("inactive", not u.active)) if on)
        click.echo(f"{u.username:14} {u.display_name:28} {u.unit or '—':14} {','.join(u.groups) or '—':28} "
                   f"{u.email or '—'} {flags}".rstrip())  # fmt: skip
