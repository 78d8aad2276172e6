"""`awardflow slip` and `awardflow reschedule`: the ISO clock of one dossier from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from engine.sla import LABELS


def _print_table(document: dict[str, Any]) -> None:
    def day(value: str | None) -> str:
        return datetime.fromisoformat(value).strftime("%H:%M %d/%m/%Y") if value else "—"

    dossier = document["dossier"]
    if dossier:
        click.echo(
            f"Nhận: {day(dossier['received_at'])}   Hẹn trả: {day(dossier['due_at'])}   "
            f"Kết quả: {LABELS.get(dossier['classification'], dossier['classification'])}"
        )
    for step in document["steps"]:
        result = LABELS.get(step["classification"] or "", step["sla_state"])
        click.echo(
            f"{step['step'][:40]:40} {step['from'] or '—':>10} → {step['to'] or '—':<14} {step['budget'] or '—':>6} "
            f"hạn {day(step['due_at'])}  xong {day(step['finished_at'])}  {result}"
        )


@click.command()
@click.argument("instance_id", type=int)
@click.option("--table", is_flag=True, help="a readable table (Vietnamese) instead of JSON")
@click.pass_context
def slip(ctx: click.Context, instance_id: int, table: bool) -> None:
    """The control slip (phiếu kiểm soát) of one dossier."""
    from web.cli import emit

    engine = ctx.obj
    document = engine.sla.slip(instance_id).to_dict(ZoneInfo(engine.settings.time_zone))
    if table:
        _print_table(document)
    else:
        emit(document)


@click.command()
@click.argument("instance_id", type=int)
@click.option("--new-due", required=True, help="the new appointment, ISO 8601 (no offset: Asia/Ho_Chi_Minh)")
@click.option("--reason", required=True, help="why (printed on the apology letter)")
@click.option("--user", help="who apologises (default: the administrator)")
@click.pass_context
def reschedule(ctx: click.Context, instance_id: int, new_due: str, reason: str, user: str | None) -> None:
    """Move a dossier's due date once, with an apology (at least 1 working day before it)."""
    engine = ctx.obj
    try:
        moment = datetime.fromisoformat(new_due)
    except ValueError as err:
        raise click.BadParameter(f"not an ISO 8601 moment: {new_due}", param_hint="--new-due") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(engine.settings.time_zone))
    row = engine.sla.reschedule(instance_id, moment, reason, user or engine.settings.admin_user)
    click.echo(f"due {row.original_due_at.astimezone(moment.tzinfo).isoformat()} → {moment.isoformat()}")
