"""When a periodic job owes a run: its cron slots, moved or dropped on the calendar's non-working days.

Pure (no I/O, no clock: ``now`` is given), so that tests walk a week of a virtual clock through it. APScheduler's
``CronTrigger`` computes the slots in the calendar's time zone; this module decides which single run is owed:
the latest slot since the last run whose due moment has come, if it is no older than the job's misfire grace.
Earlier missed slots are coalesced into it, so a worker down over a weekend owes one run, never a burst.

A slot is the cron moment; its *due* moment is the slot itself, or with ``days="next"`` on a non-working day the
same time of day on the next working day. Runs are claimed by slot, so every worker names a run alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from engine.calendar import WorkCalendar

__all__ = ["DAY_POLICIES", "Owed", "check_cron", "next_due", "owed"]

#: What a slot on a non-working day does: run anyway, move to the next working day, or is skipped.
DAY_POLICIES = ("any", "next", "skip")
#: How far back :func:`owed` and :func:`next_due` look for slots besides the grace: longer than any run of
#: days off (Tết is nine days), so a slot moved past a holiday is still found.
LOOKBACK = timedelta(days=16)
#: The most slots one look walks (a per-minute cron over the look-back would be twenty thousand).
MAX_SLOTS = 5000
ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Owed:
    """A run owed now: the slot that names it and the moment it fell due."""

    slot: datetime
    due: datetime


def trigger(cron: str, zone: str) -> CronTrigger:
    """APScheduler's trigger for five crontab fields (minute hour day month day-of-week) in ``zone``. Weekdays
    are best named (``mon-fri``): as digits APScheduler 3 counts 0 as Monday, not Sunday."""
    return CronTrigger.from_crontab(cron, timezone=zone)


def check_cron(cron: str, zone: str) -> str | None:
    """What is wrong with ``cron`` (in Vietnamese, for the admin page), or None."""
    try:
        trigger(cron, zone)
    except (ValueError, TypeError) as err:
        return f"Lịch chạy không hợp lệ ({err}); dạng 'phút giờ ngày tháng thứ', ví dụ '30 7 * * *'."
    return None


def _slots(cron: str, calendar: WorkCalendar, after: datetime) -> Iterator[datetime]:
    found = trigger(cron, calendar.zone.key)
    moment = after
    for _ in range(MAX_SLOTS):
        following = found.get_next_fire_time(None, moment + ONE_US)
        if following is None:
            return
        yield following
        moment = following


def _due(slot: datetime, days: str, calendar: WorkCalendar) -> datetime | None:
    """When ``slot`` is due under the day policy; None when it is skipped."""
    local = slot.astimezone(calendar.zone)
    if days == "any" or calendar.is_working_day(local.date()):
        return slot
    if days == "skip":
        return None
    moved = calendar.working_day_after(local.date())
    return datetime.combine(moved, local.timetz()).astimezone(slot.tzinfo)


def owed(
    cron: str, days: str, calendar: WorkCalendar, last_slot: datetime, now: datetime, grace: timedelta
) -> Owed | None:
    """The one run owed at ``now`` after the run of ``last_slot``: the latest slot due by now, within ``grace``
    of its due moment (coalesced: the earlier ones are not run as well)."""
    start = max(last_slot, now - grace - LOOKBACK)
    latest: Owed | None = None
    for slot in _slots(cron, calendar, start):
        if slot > now:
            break
        due = _due(slot, days, calendar)
        if due is not None and due <= now:
            latest = Owed(slot, due)
    if latest is None or now - latest.due > grace:
        return None
    return latest


def next_due(cron: str, days: str, calendar: WorkCalendar, last_slot: datetime, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which a run falls due (for the admin page and the worker's wake-up)."""
    for slot in _slots(cron, calendar, max(last_slot, now - LOOKBACK)):
        due = _due(slot, days, calendar)
        if due is not None and due > now:
            return due
    return None
