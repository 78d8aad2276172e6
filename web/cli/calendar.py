"""`awardflow calendar …`: enter the official notices' days off and swaps, list a year, compute due dates.

The context object carries ``.calendar`` (a :class:`~engine.calendar_store.CalendarService`) and may carry
``.settings``. Dates are YYYY-MM-DD or dd/mm/yyyy; a moment without an offset is in the calendar's zone.
Errors exit non-zero with a one-line message.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import click

from engine.calendar_store import CalendarService, DayEntry
from engine.errors import AwardflowError, InvalidInput
from engine.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MOMENT_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y")

calendar_option = click.option(
    "--calendar", "calendar_name", default="default", show_default=True, help="which named calendar"
)
user_option = click.option("--user", help="who enters it (default: the administrator)")


def _one_line(err: AwardflowError | ValueError) -> str:
    if isinstance(err, InvalidInput) and err.fields:
        details = "; ".join(f"{field}: {', '.join(messages)}" for field, messages in err.fields.items())
        return f"{err.message} ({details})"
    return err.message if isinstance(err, AwardflowError) else str(err)


def reported(command: Callable[P, R]) -> Callable[P, R]:
    """Turn engine errors and bad values into a one-line message and a non-zero exit."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (AwardflowError, ValueError) as err:
            raise click.ClickException(_one_line(err)) from err

    return run


def _service() -> CalendarService:
    service: CalendarService = click.get_current_context().obj.calendar
    return service


def _user(user: str | None) -> str:
    settings = getattr(click.get_current_context().obj, "settings", None) or Settings()
    return user or settings.admin_user


def parse_date(text: str, what: str) -> date:
    """A date written YYYY-MM-DD or dd/mm/yyyy; ValueError naming ``what`` otherwise."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{what}: {text!r} is not a date (YYYY-MM-DD or dd/mm/yyyy)")


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 moment or 'dd/mm/yyyy HH:MM'; without an offset it is local time in ``zone``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        for fmt in MOMENT_FORMATS:
            try:
                moment = datetime.strptime(text.strip(), fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"START: {text!r} is not a moment (e.g. 2026-02-09T08:00 or 09/02/2026 08:00)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _origin(entry: DayEntry) -> str:
    origin = entry.origin + (" (overridden)" if entry.overridden else "")
    if entry.removed_at is not None:
        origin += f" (removed {entry.removed_at:%d/%m/%Y} by {entry.removed_by})"
    return origin


@click.group("calendar")
def calendar() -> None:
    """Working days: public holidays, the Government's swaps, and due dates."""


@calendar.command("list")
@click.argument("year")
@calendar_option
@click.option("--removed", is_flag=True, help="also show removed rows")
@reported
def list_days(year: str, calendar_name: str, removed: bool) -> None:
    """Days off and extra working days of YEAR: date, kind, name, source, origin (tab-separated)."""
    if not year.isdigit():
        raise ValueError(f"YEAR: {year!r} is not a year")
    for entry in _service().list_days(int(year), calendar_name, include_removed=removed):
        click.echo("\t".join((f"{entry.day:%d/%m/%Y}", entry.kind, entry.name, entry.source, _origin(entry))))


@calendar.command()
@click.option("--off", "off_text", required=True, help="the regular working day given off")
@click.option("--work", "work_text", required=True, help="the weekend day worked instead")
@click.option("--source", required=True, help="the official notice, e.g. 1234/TB-VPCP")
@click.option("--name", help="what the notice calls it, e.g. 'Nghỉ bù Quốc khánh'")
@user_option
@calendar_option
@reported
def swap(off_text: str, work_text: str, source: str, name: str | None, user: str | None, calendar_name: str) -> None:
    """Enter a swap: a working day off in exchange for a Saturday or Sunday worked."""
    off, work = parse_date(off_text, "--off"), parse_date(work_text, "--work")
    revision = _service().add_swap(off, work, source, _user(user), name, calendar=calendar_name)
    click.echo(f"{off:%d/%m/%Y} off, {work:%d/%m/%Y} worked (calendar {calendar_name}, revision {revision})")


@calendar.command()
@click.argument("day_text", metavar="DATE")
@click.option("--name", required=True, help="e.g. 'Nghỉ lễ'")
@click.option("--source", required=True, help="the official notice")
@user_option
@calendar_option
@reported
def holiday(day_text: str, name: str, source: str, user: str | None, calendar_name: str) -> None:
    """Enter a one-off day off from an official notice."""
    day = parse_date(day_text, "DATE")
    revision = _service().add_holiday(day, name, source, _user(user), calendar=calendar_name)
    click.echo(f"{day:%d/%m/%Y} off (calendar {calendar_name}, revision {revision})")


@calendar.command()
@click.argument("day_text", metavar="DATE")
@click.option("--name", required=True, help="e.g. 'Làm việc theo thông báo'")
@click.option("--source", required=True, help="the official notice")
@user_option
@calendar_option
@reported
def workday(day_text: str, name: str, source: str, user: str | None, calendar_name: str) -> None:
    """Enter a one-off working day; it cancels a package holiday on that date."""
    day = parse_date(day_text, "DATE")
    revision = _service().add_working_day(day, name, source, _user(user), calendar=calendar_name)
    click.echo(f"{day:%d/%m/%Y} worked (calendar {calendar_name}, revision {revision})")


@calendar.command()
@click.argument("day_text", metavar="DATE")
@user_option
@calendar_option
@reported
def remove(day_text: str, user: str | None, calendar_name: str) -> None:
    """Mark the active entry of DATE removed (kept for history)."""
    day = parse_date(day_text, "DATE")
    revision = _service().remove(day, _user(user), calendar=calendar_name)
    click.echo(f"{day:%d/%m/%Y} entry removed (calendar {calendar_name}, revision {revision})")


@calendar.command()
@click.argument("start")
@click.argument("duration")
@calendar_option
@reported
def due(start: str, duration: str, calendar_name: str) -> None:
    """The due moment of a dossier complete at START under a limit such as 20WD, as ISO 8601."""
    work_calendar = _service().calendar(calendar_name)
    received = parse_moment(start, work_calendar.zone)
    click.echo(work_calendar.due_date_for(received, duration).astimezone(work_calendar.zone).isoformat())
