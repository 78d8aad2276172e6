"""Which run a periodic job owes, on the 2026 calendar: working days only, moved or skipped, coalesced after
downtime (pure: the clock is the test's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from engine import Engine
from engine.calendar import WorkCalendar
from engine.schedule import check_cron, next_due, owed
from tests.engine.test_sla import vn

DIGEST = "30 7 * * *"
WEEKLY = "0 8 * * mon"


@pytest.fixture
def calendar(engine: Engine) -> WorkCalendar:
    """The stored default calendar: the package's 2026 holidays, the National Day swap among them."""
    found = engine.calendar.calendar()
    assert found.is_working_day(date(2026, 8, 22)), "Saturday 22/08/2026 is worked in exchange for Monday 31/08"
    assert not any(found.is_working_day(date(2026, 8, d)) for d in (29, 30, 31)) and not found.is_working_day(
        date(2026, 9, 2)
    )
    return found


def walk(
    cron: str, days: str, calendar: WorkCalendar, start: datetime, end: datetime, grace: timedelta
) -> list[datetime]:
    """A worker that looks every 10 minutes from ``start`` to ``end``: the due moments of the runs it does."""
    last, now, done = start, start, []
    while now <= end:
        found = owed(cron, days, calendar, last, now, grace)
        if found is not None:
            done.append(found.due)
            last = found.slot
        now += timedelta(minutes=10)
    return done


def test_the_digest_comes_on_exactly_the_working_days(calendar: WorkCalendar) -> None:
    """Fri 21/08 to Fri 04/09/2026: the make-up Saturday 22/08 has one; the weekend, the National Day holiday
    (Mon 31/08 swapped, Tue 01/09, Wed 02/09) none."""
    runs = walk(DIGEST, "skip", calendar, vn(21, 8, 0), vn(4, 9, 23), timedelta(hours=4))
    assert [r.astimezone(calendar.zone).strftime("%d/%m %H:%M") for r in runs] == [
        f"{d} 07:30" for d in ("21/08", "22/08", "24/08", "25/08", "26/08", "27/08", "28/08", "03/09", "04/09")
    ]


def test_a_slot_on_a_day_off_moves_to_the_next_working_day(calendar: WorkCalendar) -> None:
    runs = walk(WEEKLY, "next", calendar, vn(21, 8, 0), vn(11, 9, 23), timedelta(days=3))
    local = [r.astimezone(calendar.zone) for r in runs]
    assert [f"{r:%a %d/%m %H:%M}" for r in local] == ["Mon 24/08 08:00", "Thu 03/09 08:00", "Mon 07/09 08:00"]


def test_after_a_weekend_down_the_missed_run_is_done_once(calendar: WorkCalendar) -> None:
    """Daily at 08:00 on any day: the worker stops Friday evening and comes back Monday 09:00."""
    last_friday = vn(6, 3, 8)
    found = owed("0 8 * * *", "any", calendar, last_friday, vn(9, 3, 9), timedelta(days=1))
    assert found is not None and found.due == vn(9, 3, 8), "the latest slot, Monday's"
    assert owed("0 8 * * *", "any", calendar, found.slot, vn(9, 3, 9), timedelta(days=1)) is None, "not a burst"


def test_a_run_older_than_its_grace_is_dropped(calendar: WorkCalendar) -> None:
    """A morning digest missed by more than its grace is not sent in the afternoon."""
    assert owed(DIGEST, "skip", calendar, vn(2, 3, 8), vn(3, 3, 12), timedelta(hours=4)) is None
    assert owed(DIGEST, "skip", calendar, vn(2, 3, 8), vn(3, 3, 11), timedelta(hours=4)) is not None


def test_the_next_run_follows_the_day_policy(calendar: WorkCalendar) -> None:
    assert next_due(DIGEST, "skip", calendar, vn(28, 8, 8), vn(28, 8, 8)) == vn(3, 9, 7, 30)
    assert next_due(DIGEST, "any", calendar, vn(28, 8, 8), vn(28, 8, 8)) == vn(29, 8, 7, 30)


def test_a_bad_schedule_is_named() -> None:
    assert check_cron("30 7 * * *", "Asia/Ho_Chi_Minh") is None
    assert "không hợp lệ" in (check_cron("every morning", "Asia/Ho_Chi_Minh") or "")
    assert check_cron("61 7 * * *", "Asia/Ho_Chi_Minh") is not None
