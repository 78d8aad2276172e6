"""Working time left on a task, as the inbox and the task page show it: a colour and a short sentence.

Pure (no I/O): the caller gives the task's working calendar and "now". One working day is the calendar's
``day_length`` (8 h by default), so "còn 1 ngày 3 giờ làm việc" means 11 working hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.calendar import WorkCalendar
from web import i18n

#: Less working time than this left before the due time: the task is "due soon" (amber).
DUE_SOON = "1WD"

WITHIN, DUE_SOON_STATE, OVERDUE = "trong_han", "due_soon", "qua_han"

i18n.TEXTS.update(
    {
        "worktime.left": ("còn {amount} làm việc", "{amount} of working time left"),
        "worktime.overdue": ("quá hạn {amount}", "{amount} overdue"),
        "worktime.overdue_now": ("quá hạn", "overdue"),
        "worktime.under_a_minute": ("dưới 1 phút", "under a minute"),
        "worktime.day": ("{n} ngày", "{n} day"),
        "worktime.days": ("{n} ngày", "{n} days"),
        "worktime.hour": ("{n} giờ", "{n} hour"),
        "worktime.hours": ("{n} giờ", "{n} hours"),
        "worktime.minute": ("{n} phút", "{n} minute"),
        "worktime.minutes": ("{n} phút", "{n} minutes"),
        "worktime.no_due": ("không có hạn", "no due time"),
    }
)


@dataclass(frozen=True)
class TimeLeft:
    """Where a task stands against its due time: ``state`` is a badge class, ``text`` the sentence."""

    state: str | None
    text: str
    working: timedelta | None


def _count(n: int, unit: str) -> str:
    return i18n.gettext(f"worktime.{unit}" if n == 1 else f"worktime.{unit}s", n=n)


def amount(span: timedelta, day_length: timedelta) -> str:
    """A working-time amount in words: days and hours from a day up, hours and minutes below a day."""
    minutes_total = int(span.total_seconds() // 60)
    day_minutes = max(int(day_length.total_seconds() // 60), 1)
    days, rest = divmod(minutes_total, day_minutes)
    hours, minutes = divmod(rest, 60)
    if days:
        return " ".join([_count(days, "day")] + ([_count(hours, "hour")] if hours else []))
    if hours:
        return " ".join([_count(hours, "hour")] + ([_count(minutes, "minute")] if minutes else []))
    if minutes:
        return _count(minutes, "minute")
    return i18n.gettext("worktime.under_a_minute")


def time_left(calendar: WorkCalendar, due: datetime | None, now: datetime) -> TimeLeft:
    """Green within time, amber with less than :data:`DUE_SOON` of working time left, red once overdue."""
    if due is None:
        return TimeLeft(None, i18n.gettext("worktime.no_due"), None)
    if now > due:
        over = calendar.between(due, now)
        if over < timedelta(minutes=1):
            return TimeLeft(OVERDUE, i18n.gettext("worktime.overdue_now"), -over)
        return TimeLeft(OVERDUE, i18n.gettext("worktime.overdue", amount=amount(over, calendar.day_length)), -over)
    left = calendar.between(now, due)
    state = DUE_SOON_STATE if left < calendar.duration(DUE_SOON) else WITHIN
    return TimeLeft(state, i18n.gettext("worktime.left", amount=amount(left, calendar.day_length)), left)
