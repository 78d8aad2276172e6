"""Working time: which moments count toward a one-stop time limit, and the arithmetic over them.

Pure (no I/O, no clock): a :class:`WorkCalendar` is built from data — weekly hours, explicit days off and
extra working days, the cut-off and the time zone — by :mod:`engine.calendar_store`, or directly in tests.

Conventions shared by every operation:

- Working time is a union of half-open intervals ``[start, end)`` of local wall-clock time per day
  (default Mon–Fri 07:30–11:30 and 13:30–17:30). An extra working day works the longest regular day's hours.
- Every datetime taken must be aware; a datetime returned is in the time zone of the datetime it was computed
  from (UTC in, UTC out). Datetimes built from a bare date are in the calendar's zone.
- Durations are ``"8WD"``, ``"0.5wd"``, ``"4WH"``, ``"30WM"`` (working days, hours, minutes) or timedeltas.
  One WD is :attr:`WorkCalendar.day_length`, the longest regular day (8 h by default), so with uniform days
  N WD from a mid-day moment end at the same clock time on the Nth working day (Mon 10:00 + 1WD = Tue 10:00).
- ``add`` returns the EARLIEST moment at which the duration has been used up, so work that ends with an
  interval ends at that interval's end: Mon 07:30 + 1WD = Mon 17:30 (not Tue 07:30), 07:30 + 4WH = 11:30.
  A negative duration walks backwards and returns the LATEST such moment (an interval's start).
- ``receive``: a dossier received on a working day at or before the cut-off (15:00) starts its clock at the
  next working moment of that day; one received after the cut-off or on a non-working day starts at the
  beginning of the next working day.
- ``due_date_for``: a whole-WD statutory limit counts days as the Civil Code does (art. 147–148): the day the
  clock starts is day 0, the limit ends at the END of the Nth working day after it (20WD from Mon 09/02/2026
  ends Mon 16/03/2026 17:30). On a uniform calendar that equals ``add(day_end(day 0), N WD)``. Any other
  duration is exact working time from ``receive(received)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_HOURS",
    "DEFAULT_ZONE",
    "Duration",
    "Interval",
    "WEEKDAYS",
    "WeekHours",
    "WorkCalendar",
    "WorkDuration",
    "parse_duration",
    "week_from_json",
    "week_to_json",
]

Interval = tuple[time, time]
#: Working intervals per weekday, 0 = Monday … 6 = Sunday; a missing weekday has no working hours.
WeekHours = Mapping[int, Sequence[Interval]]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[int, tuple[Interval, ...]] = {
    weekday: ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30))) for weekday in range(5)
}
DEFAULT_CUTOFF = time(15, 0)
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
#: The most digits before the decimal point of a working-time amount: 9999WD is forty years, far past any
#: statutory limit or step budget, and a due date is found by walking the calendar day by day (99999999WD
#: walked past year 9999).
DURATION_DIGITS = 4
#: A working-time amount as a procedure writes it (the API declares the same pattern).
DURATION_PATTERN = rf"[ \t\r\n]*([+-]?(?:\d{{1,{DURATION_DIGITS}}}(?:\.\d*)?|\.\d+))[ \t\r\n]*(WD|WH|WM)[ \t\r\n]*"
_UNITS = {"WD": None, "WH": timedelta(hours=1), "WM": timedelta(minutes=1)}
_DURATION = re.compile(DURATION_PATTERN, re.IGNORECASE)
_INTERVAL = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


@dataclass(frozen=True)
class WorkDuration:
    """A working-time amount as a procedure writes it ("8WD", "0.5WD", "4WH"), kept exact until converted."""

    amount: Decimal
    unit: str  # "WD", "WH" or "WM"

    @property
    def whole_days(self) -> int | None:
        """The number of days when this is a whole number of WD (statutory limits count days), else None."""
        if self.unit == "WD" and self.amount == self.amount.to_integral_value():
            return int(self.amount)
        return None

    def to_timedelta(self, day_length: timedelta) -> timedelta:
        """The working time this amounts to, one WD being ``day_length``; rounded to the microsecond."""
        unit = _UNITS[self.unit] or day_length
        micros = (self.amount * (unit // timedelta(microseconds=1))).to_integral_value(ROUND_HALF_EVEN)
        return timedelta(microseconds=int(micros))


Duration = str | WorkDuration | timedelta


def parse_duration(text: str) -> WorkDuration:
    """Read "8WD", "0.5wd", "4WH", "30WM" (a signed decimal of at most :data:`DURATION_DIGITS` digits before
    the point, and a unit); ValueError names the bad text."""
    match = _DURATION.fullmatch(text) if len(text) <= 40 else None
    if match is None:
        raise ValueError(
            f"invalid working-time duration {text[:40]!r}: expected a number of at most {DURATION_DIGITS} digits "
            "followed by WD, WH or WM, e.g. '8WD', '0.5WD', '4WH'"
        )
    return WorkDuration(Decimal(match.group(1)), match.group(2).upper())


def _parse_interval(text: str) -> Interval:
    match = _INTERVAL.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid working interval {text!r}: expected 'HH:MM-HH:MM', e.g. '07:30-11:30'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValueError(f"invalid working interval {text!r}: not a time of day") from None


def week_from_json(data: Mapping[str, Sequence[str]]) -> dict[int, tuple[Interval, ...]]:
    """Weekly hours from their stored form ``{"mon": ["07:30-11:30", "13:30-17:30"], ...}``."""
    unknown = sorted(set(data) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekday {unknown[0]!r} in working hours; use {', '.join(WEEKDAYS)}")
    return {WEEKDAYS.index(key): tuple(map(_parse_interval, spans)) for key, spans in data.items()}


def week_to_json(hours: WeekHours) -> dict[str, list[str]]:
    """The stored form of weekly hours (every weekday present, [] when closed)."""
    return {
        key: [f"{start:%H:%M}-{end:%H:%M}" for start, end in hours.get(weekday, ())]
        for weekday, key in enumerate(WEEKDAYS)
    }


def _checked_week(hours: WeekHours) -> dict[int, tuple[Interval, ...]]:
    week: dict[int, tuple[Interval, ...]] = {}
    for weekday, spans in hours.items():
        if weekday not in range(7):
            raise ValueError(f"weekday {weekday!r} out of range 0 (Monday) … 6 (Sunday)")
        ordered = tuple(sorted(spans))
        for start, end in ordered:
            if start.tzinfo is not None or end.tzinfo is not None or not start < end:
                raise ValueError(f"bad interval {start}-{end} on {WEEKDAYS[weekday]}: need naive start < end")
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start < end:
                raise ValueError(f"working intervals of {WEEKDAYS[weekday]} overlap at {start}")
        if ordered:
            week[weekday] = ordered
    if not week:
        raise ValueError("a calendar needs working hours on at least one weekday")
    return week


def _length(spans: Sequence[Interval]) -> timedelta:
    day = date(2000, 1, 1)
    return sum((datetime.combine(day, end) - datetime.combine(day, start) for start, end in spans), ZERO)


class WorkCalendar:
    """Working hours, days off and extra working days of one desk; answers every working-time question."""

    def __init__(
        self,
        hours: WeekHours = DEFAULT_HOURS,
        *,
        days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        cutoff: time = DEFAULT_CUTOFF,
        zone: str | ZoneInfo = DEFAULT_ZONE,
        name: str = "default",
        revision: int = 0,
    ) -> None:
        self.hours = _checked_week(hours)
        self.days_off = frozenset(days_off)
        self.extra_working_days = frozenset(extra_working_days)
        both = sorted(self.days_off & self.extra_working_days)
        if both:
            raise ValueError(f"{both[0]:%d/%m/%Y} is both a day off and an extra working day")
        self.cutoff = cutoff
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        #: Which stored calendar and which of its revisions this was built from (kept with due dates).
        self.name = name
        self.revision = revision
        self._extra_hours = max(self.hours.values(), key=_length)

    def __repr__(self) -> str:
        return f"<WorkCalendar {self.name!r} rev {self.revision}>"

    @property
    def day_length(self) -> timedelta:
        """One WD: the working time of the longest regular day (8 h by default)."""
        return _length(self._extra_hours)

    def duration(self, duration: Duration) -> timedelta:
        """The working time a duration stands for on this calendar."""
        if isinstance(duration, timedelta):
            return duration
        parsed = parse_duration(duration) if isinstance(duration, str) else duration
        return parsed.to_timedelta(self.day_length)

    # -- days -----------------------------------------------------------------------------------------------

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a date (of a datetime's local date): () on a day off."""
        day = self._day(day)
        if day in self.days_off:
            return ()
        if day in self.extra_working_days:
            return self._extra_hours
        return self.hours.get(day.weekday(), ())

    def is_working_day(self, day: date) -> bool:
        """Whether the date (a datetime's local date) has any working hours."""
        return bool(self.hours_on(day))

    def working_day_after(self, day: date, n: int = 1) -> date:
        """The nth working day after ``day`` (before it when n < 0; ``day`` itself when n == 0)."""
        current, step = self._day(day), (ONE_DAY if n > 0 else -ONE_DAY)
        for _ in range(abs(n)):
            current += step
            while not self.is_working_day(current):
                current += step
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b`` (as due dates count); negative if b < a."""
        first, last = self._day(a), self._day(b)
        if last < first:
            return -self.working_days_between(last, first)
        return sum(self.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))

    def day_start(self, day: date) -> datetime:
        """The first working moment of a working day, in the calendar's zone; ValueError on a day off."""
        return self._spans(self._working(day))[0][0]

    def day_end(self, day: date) -> datetime:
        """The end of a working day's last interval, in the calendar's zone; ValueError on a day off."""
        return self._spans(self._working(day))[-1][1]

    # -- moments --------------------------------------------------------------------------------------------

    def is_working(self, moment: datetime) -> bool:
        """Whether the moment lies inside a working interval (start included, end excluded)."""
        local = self._local(moment)
        return any(start <= local < end for start, end in self._spans(local.date()))

    def next_working(self, moment: datetime) -> datetime:
        """The moment itself when working, else the start of the next working interval."""
        start, _ = next(self._forward(self._local(moment)))
        return start.astimezone(moment.tzinfo)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The earliest moment at which ``duration`` of working time from ``start`` is used up."""
        amount = self.duration(duration)
        local = self._local(start)
        if amount < ZERO:
            spans = self._backward(local)
            begin, end = next(spans)
            while -amount > end - begin:
                amount += end - begin
                begin, end = next(spans)
            return (end + amount).astimezone(start.tzinfo)
        spans = self._forward(local)
        begin, end = next(spans)
        while amount > end - begin:
            amount -= end - begin
            begin, end = next(spans)
        return (begin + amount).astimezone(start.tzinfo)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        if b < a:
            return -self.between(b, a)
        stop = self._local(b)
        spans = self._forward(self._local(a))
        total = ZERO
        begin, end = next(spans)
        while begin < stop:
            total += min(end, stop) - begin
            begin, end = next(spans)
        return total

    def receive(self, moment: datetime) -> datetime:
        """When the clock starts for a dossier complete at ``moment`` (after the cut-off: next day)."""
        local = self._local(moment)
        if self.is_working_day(local.date()) and local.time() <= self.cutoff:
            return self.next_working(moment)
        return self.day_start(self.working_day_after(local.date())).astimezone(moment.tzinfo)

    def due_date_for(self, received: datetime, duration: Duration) -> datetime:
        """The due moment of a dossier received at ``received`` under a limit (see module conventions)."""
        if self.duration(duration) < ZERO:
            raise ValueError(f"a time limit cannot be negative: {duration!r}")
        start = self.receive(received)
        parsed = parse_duration(duration) if isinstance(duration, str) else duration
        days = parsed.whole_days if isinstance(parsed, WorkDuration) else None
        if days is None:
            return self.add(start, duration)
        last = self.working_day_after(self._local(start).date(), days)
        return self.day_end(last).astimezone(received.tzinfo)

    # -- internals ------------------------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"working-time arithmetic needs an aware datetime, got {moment.isoformat()}")
        return moment.astimezone(self.zone)

    def _day(self, day: date) -> date:
        return self._local(day).date() if isinstance(day, datetime) else day

    def _working(self, day: date) -> date:
        day = self._day(day)
        if not self.is_working_day(day):
            raise ValueError(f"{day:%d/%m/%Y} is not a working day")
        return day

    def _spans(self, day: date) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
            for start, end in self.hours_on(day)
        ]

    def _forward(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from ``local`` on, the first one clipped to start there."""
        day = local.date()
        while True:
            for begin, end in self._spans(day):
                if end > local:
                    yield max(begin, local), end
            day += ONE_DAY

    def _backward(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals before ``local``, latest first, the first one clipped to end there."""
        day = local.date()
        while True:
            for begin, end in reversed(self._spans(day)):
                if begin < local:
                    yield begin, min(end, local)
            day -= ONE_DAY
