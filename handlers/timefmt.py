"""Dates as Vietnamese documents show them: dd/mm/yyyy in Asia/Ho_Chi_Minh; storage stays UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from engine.calendar import DEFAULT_ZONE

ZONE = ZoneInfo(DEFAULT_ZONE)


def local(moment: datetime) -> datetime:
    """The moment on Vietnamese wall-clock time."""
    return moment.astimezone(ZONE)


def local_day(moment: datetime) -> date:
    return local(moment).date()


def fmt_date(value: datetime | date | None) -> str:
    """dd/mm/yyyy (a datetime is shown on its Vietnamese day); empty for None."""
    if value is None:
        return ""
    day = local_day(value) if isinstance(value, datetime) else value
    return f"{day:%d/%m/%Y}"


def fmt_datetime(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy, Vietnamese time; empty for None."""
    return "" if value is None else f"{local(value):%H:%M} {local(value):%d/%m/%Y}"


def fmt_vnd(amount: int) -> str:
    """2.340.000 đồng (dots between thousands, as Vietnamese documents write money)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def long_date(day: date) -> str:
    """ "ngày 05 tháng 03 năm 2026", the dateline of an official document."""
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def parse_iso(value: str) -> datetime:
    """An ISO timestamp from task data (always aware in our data)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return moment
