"""Working-time arithmetic of engine.calendar, against the domain's 2026 facts and as properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.calendar import (
    DEFAULT_HOURS,
    WorkCalendar,
    WorkDuration,
    parse_duration,
    week_from_json,
    week_to_json,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MICRO = timedelta(microseconds=1)

# The 2026 public-sector calendar as the official notice gives it (domain.md).
OFF_2026 = {
    date(2026, 1, 1),
    *(date(2026, 2, d) for d in range(16, 21)),
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 8, 31),
    date(2026, 9, 1),
    date(2026, 9, 2),
    date(2026, 11, 24),
}
SATURDAY_WORKED_2026 = date(2026, 8, 22)
VN_2026 = WorkCalendar(days_off=OFF_2026, extra_working_days={SATURDAY_WORKED_2026})
PLAIN = WorkCalendar()
SATURDAY_DESK = WorkCalendar({**DEFAULT_HOURS, 5: ((time(7, 30), time(11, 30)),)}, name="desk_saturday")


def at(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HCM)


# -- durations ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("8WD", "8", "WD"),
        ("0.5wd", "0.5", "WD"),
        (" 20 WD ", "20", "WD"),
        ("4WH", "4", "WH"),
        ("30wm", "30", "WM"),
        (".25WD", ".25", "WD"),
        ("-1WD", "-1", "WD"),
    ],
)
def test_parse_duration_accepts_units_case_and_decimals(text: str, amount: str, unit: str) -> None:
    assert parse_duration(text) == WorkDuration(Decimal(amount), unit)


@pytest.mark.parametrize("text", ["", "8", "WD", "8 days", "1,5WD", "8WX", "1.2.3WD", "8WD8"])
def test_parse_duration_names_the_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match=f"invalid working-time duration '{text}'"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1WD", timedelta(hours=8)),
        ("0.5WD", timedelta(hours=4)),
        ("0.25WD", timedelta(hours=2)),
        ("4WH", timedelta(hours=4)),
        ("1.5wh", timedelta(minutes=90)),
        ("30WM", timedelta(minutes=30)),
    ],
)
def test_duration_uses_the_nominal_day(text: str, expected: timedelta) -> None:
    assert PLAIN.day_length == timedelta(hours=8)
    assert PLAIN.duration(text) == expected


def test_whole_days_only_for_whole_wd() -> None:
    assert parse_duration("20WD").whole_days == 20
    assert parse_duration("2.0WD").whole_days == 2
    assert parse_duration("0.5WD").whole_days is None
    assert parse_duration("16WH").whole_days is None


# -- add: conventions ---------------------------------------------------------------------------------------


def test_a_day_from_the_start_of_a_day_ends_that_evening() -> None:
    assert PLAIN.add(at(2, 3, 7, 30), "1WD") == at(2, 3, 17, 30)
    assert PLAIN.add(at(2, 3, 7, 30), "4WH") == at(2, 3, 11, 30)
    assert PLAIN.add(at(2, 3, 7, 30), "2WD") == at(3, 3, 17, 30)


def test_whole_days_from_mid_day_end_at_the_same_clock_time() -> None:
    assert PLAIN.add(at(2, 3, 10), "1WD") == at(3, 3, 10)
    assert PLAIN.add(at(6, 3, 10), "1WD") == at(9, 3, 10)  # Friday → Monday
    assert PLAIN.add(at(2, 3, 14), "5WD") == at(9, 3, 14)


def test_fractions_skip_the_lunch_break_and_the_night() -> None:
    assert PLAIN.add(at(2, 3, 10), "0.25WD") == at(2, 3, 13, 30) + timedelta(minutes=30)
    assert PLAIN.add(at(2, 3, 16), "4WH") == at(3, 3, 10)


def test_counting_starts_at_the_next_working_moment() -> None:
    assert PLAIN.add(at(7, 3, 9), "1WH") == at(9, 3, 8, 30)  # Saturday
    assert PLAIN.add(at(2, 3, 12), "1WH") == at(2, 3, 14, 30)  # lunch
    assert PLAIN.add(at(2, 3, 18), "0WD") == at(3, 3, 7, 30)
    assert PLAIN.add(at(2, 3, 9), "0WD") == at(2, 3, 9)


def test_negative_durations_walk_back_to_an_interval_start() -> None:
    assert PLAIN.add(at(3, 3, 17, 30), "-1WD") == at(3, 3, 7, 30)
    assert PLAIN.add(at(3, 3, 10), "-1WD") == at(2, 3, 10)
    assert PLAIN.add(at(9, 3, 8), "-1WH") == at(6, 3, 17)


def test_results_keep_the_time_zone_of_the_input() -> None:
    start = at(2, 3, 10).astimezone(UTC)
    result = PLAIN.add(start, "1WD")
    assert result.tzinfo is UTC
    assert result == at(3, 3, 10)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        PLAIN.add(datetime(2026, 3, 2, 8), "1WD")


# -- moments and days ---------------------------------------------------------------------------------------


def test_is_working_uses_half_open_intervals() -> None:
    assert PLAIN.is_working(at(2, 3, 7, 30))
    assert not PLAIN.is_working(at(2, 3, 11, 30))
    assert PLAIN.is_working(at(2, 3, 17, 29))
    assert not PLAIN.is_working(at(2, 3, 17, 30))
    assert not PLAIN.is_working(at(7, 3, 9))


def test_next_working() -> None:
    assert PLAIN.next_working(at(2, 3, 9)) == at(2, 3, 9)
    assert PLAIN.next_working(at(2, 3, 11, 30)) == at(2, 3, 13, 30)
    assert PLAIN.next_working(at(6, 3, 17, 30)) == at(9, 3, 7, 30)


def test_between_counts_working_time_and_is_signed() -> None:
    assert PLAIN.between(at(2, 3, 10), at(2, 3, 15)) == timedelta(hours=3)
    assert PLAIN.between(at(6, 3, 16), at(9, 3, 9)) == timedelta(hours=3)
    assert PLAIN.between(at(9, 3, 9), at(6, 3, 16)) == -timedelta(hours=3)
    assert PLAIN.between(at(7, 3, 9), at(8, 3, 9)) == timedelta(0)


def test_days_and_their_bounds() -> None:
    assert VN_2026.working_day_after(date(2026, 2, 13)) == date(2026, 2, 23)
    assert VN_2026.working_day_after(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert VN_2026.working_day_after(date(2026, 2, 14), 0) == date(2026, 2, 14)
    assert VN_2026.day_start(date(2026, 3, 2)) == at(2, 3, 7, 30)
    assert VN_2026.day_end(at(2, 3, 9)) == at(2, 3, 17, 30)
    with pytest.raises(ValueError, match="16/02/2026 is not a working day"):
        VN_2026.day_end(date(2026, 2, 16))


def test_working_days_between_counts_after_the_first_day() -> None:
    assert VN_2026.working_days_between(date(2026, 2, 9), date(2026, 3, 16)) == 20
    assert VN_2026.working_days_between(date(2026, 3, 16), date(2026, 2, 9)) == -20
    assert VN_2026.working_days_between(at(2, 3, 9), at(2, 3, 16)) == 0


# -- the domain's 2026 facts --------------------------------------------------------------------------------


def test_twenty_working_days_across_tet_end_on_monday_16_march() -> None:
    received = at(9, 2, 8)
    assert VN_2026.add(received, "20WD") == at(16, 3, 8)
    assert VN_2026.due_date_for(received, "20WD") == at(16, 3, 17, 30)


def test_gio_to_compensation_monday_is_off() -> None:
    assert not VN_2026.is_working_day(date(2026, 4, 27))
    assert VN_2026.add(at(24, 4, 9), "1WD") == at(28, 4, 9)
    assert VN_2026.due_date_for(at(24, 4, 9), "1WD") == at(28, 4, 17, 30)


def test_the_national_day_swap_moves_durations() -> None:
    without_swap = WorkCalendar(days_off=OFF_2026 - {date(2026, 8, 31)})
    assert VN_2026.is_working_day(date(2026, 8, 22)) and not VN_2026.is_working_day(date(2026, 8, 31))
    assert VN_2026.day_end(date(2026, 8, 22)) == at(22, 8, 17, 30)  # a full day on the Saturday worked
    assert without_swap.add(at(21, 8, 10), "1WD") == at(24, 8, 10)
    assert VN_2026.add(at(21, 8, 10), "1WD") == at(22, 8, 10)
    assert without_swap.add(at(28, 8, 10), "2WD") == at(3, 9, 10)
    assert VN_2026.add(at(28, 8, 10), "2WD") == at(4, 9, 10)
    assert VN_2026.between(at(21, 8, 8), at(4, 9, 8)) == timedelta(hours=8 * 8)


def test_after_the_cutoff_the_clock_starts_next_working_day() -> None:
    assert VN_2026.receive(at(2, 3, 14, 59)) == at(2, 3, 14, 59)
    assert VN_2026.receive(at(2, 3, 15, 0)) == at(2, 3, 15, 0)
    assert VN_2026.receive(at(2, 3, 15, 1)) == at(3, 3, 7, 30)
    assert VN_2026.receive(at(6, 3, 16)) == at(9, 3, 7, 30)
    assert VN_2026.receive(at(7, 3, 10)) == at(9, 3, 7, 30)  # Saturday
    assert VN_2026.receive(at(2, 3, 6)) == at(2, 3, 7, 30)
    assert VN_2026.receive(at(2, 3, 12)) == at(2, 3, 13, 30)
    assert VN_2026.receive(at(24, 4, 16)) == at(28, 4, 7, 30)  # Friday before Giỗ Tổ Monday
    assert VN_2026.due_date_for(at(2, 3, 14), "1WD") == at(3, 3, 17, 30)
    assert VN_2026.due_date_for(at(2, 3, 15, 30), "1WD") == at(4, 3, 17, 30)


def test_due_date_for_partial_days_is_exact_working_time() -> None:
    assert VN_2026.due_date_for(at(2, 3, 9), "0.5WD") == at(2, 3, 15)
    assert VN_2026.due_date_for(at(2, 3, 16), "4WH") == at(3, 3, 11, 30)
    with pytest.raises(ValueError, match="negative"):
        VN_2026.due_date_for(at(2, 3, 9), "-1WD")


def test_a_saturday_morning_desk() -> None:
    desk = SATURDAY_DESK
    assert desk.day_length == timedelta(hours=8)
    assert desk.is_working(at(7, 3, 10)) and not desk.is_working(at(7, 3, 14))
    assert desk.receive(at(7, 3, 10)) == at(7, 3, 10)
    assert desk.add(at(6, 3, 14), "1WD") == at(9, 3, 8)  # 3.5 h Friday, 4 h Saturday, 0.5 h Monday
    assert desk.due_date_for(at(6, 3, 9), "1WD") == at(7, 3, 11, 30)
    assert desk.between(at(6, 3, 7, 30), at(9, 3, 7, 30)) == timedelta(hours=12)


# -- construction -------------------------------------------------------------------------------------------


def test_week_json_round_trip_and_errors() -> None:
    stored = week_to_json(SATURDAY_DESK.hours)
    assert stored["sat"] == ["07:30-11:30"] and stored["sun"] == []
    assert week_from_json(stored) == SATURDAY_DESK.hours | {6: ()}
    with pytest.raises(ValueError, match="'7h30-11h30'"):
        week_from_json({"mon": ["7h30-11h30"]})
    with pytest.raises(ValueError, match="'monday'"):
        week_from_json({"monday": ["07:30-11:30"]})
    with pytest.raises(ValueError, match="'25:00-26:00'"):
        week_from_json({"mon": ["25:00-26:00"]})


def test_invalid_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar({0: ((time(8), time(12)), (time(11), time(17)))})
    with pytest.raises(ValueError, match="start < end"):
        WorkCalendar({0: ((time(12), time(8)),)})
    with pytest.raises(ValueError, match="at least one weekday"):
        WorkCalendar({})
    with pytest.raises(ValueError, match="01/01/2026 is both"):
        WorkCalendar(days_off={date(2026, 1, 1)}, extra_working_days={date(2026, 1, 1)})


# -- properties ---------------------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(HCM))
minutes = st.integers(min_value=-30 * 8 * 60, max_value=30 * 8 * 60).map(lambda m: timedelta(minutes=m))
calendars = st.sampled_from([VN_2026, SATURDAY_DESK])


@settings(max_examples=150, deadline=None)
@given(calendars, moments, minutes)
def test_between_undoes_add(calendar: WorkCalendar, start: datetime, amount: timedelta) -> None:
    assert calendar.between(start, calendar.add(start, amount)) == amount


@settings(max_examples=150, deadline=None)
@given(calendars, moments, minutes.filter(lambda d: d >= timedelta(0)))
def test_add_lands_in_working_time_or_at_an_interval_end(
    calendar: WorkCalendar, start: datetime, amount: timedelta
) -> None:
    result = calendar.add(start, amount)
    assert result >= start
    assert calendar.is_working(result) or (amount > timedelta(0) and calendar.is_working(result - MICRO))


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(min_value=1, max_value=30))
def test_whole_day_due_dates_equal_adding_from_the_receipt_day_end(received: datetime, days: int) -> None:
    receipt_day = VN_2026.receive(received).date()
    expected = VN_2026.add(VN_2026.day_end(receipt_day), f"{days}WD")
    assert VN_2026.due_date_for(received, f"{days}WD") == expected
    assert VN_2026.working_days_between(receipt_day, expected) == days


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), st.integers(-40, 40))
def test_working_day_after_and_between_agree(day: date, n: int) -> None:
    assume(n >= 0 or VN_2026.is_working_day(day))  # counting back starts from a working day
    assert VN_2026.working_days_between(day, VN_2026.working_day_after(day, n)) == n
