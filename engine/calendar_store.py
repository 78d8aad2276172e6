"""The stored calendars: named working hours, plus the days administrators enter from official notices.

The "default" calendar is the national one. A named calendar (a unit's) inherits it: the package's holidays,
then the national rows (swaps, one-off days), then its own rows, each layer winning over the one before, so a
unit that adds a local holiday still keeps the national days off and works the swapped Saturdays.

Public holidays come from the ``holidays`` package (country VN, Vietnamese names), computed per year and
cached because they never change within a release. The administrators' rows are read afresh on every call,
since another worker may have just added a swap, and they win over the package. Rows are never deleted:
removing one marks it removed. Every change bumps the calendar's revision, so a due date stored with the
revision it used can be recomputed and explained later (``calendar(name, at_revision=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib.metadata import version
from zoneinfo import ZoneInfoNotFoundError

import holidays
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from engine import clock, history
from engine.calendar import (
    DEFAULT_CUTOFF,
    DEFAULT_HOURS,
    DEFAULT_ZONE,
    WEEKDAYS,
    WeekHours,
    WorkCalendar,
    week_from_json,
    week_to_json,
)
from engine.db import Base, Database, IntPK
from engine.design_history import CALENDAR_ACTIONS, require_designer
from engine.errors import Conflict, InvalidInput, NotFound
from engine.identity import SYSTEM_ACTOR
from engine.models import Event

__all__ = ["CALENDAR_ACTIONS", "CalendarDay", "CalendarRow", "CalendarService", "CalendarView", "DayEntry"]

DEFAULT = "default"
#: Package holidays are loaded from this year (or earlier when rows need it) to YEARS_AHEAD after today.
FIRST_YEAR = 2020
YEARS_AHEAD = 10
#: The years a calendar can be listed for (those of the reports' range): a year past them is no date at all.
LISTED_YEARS = range(1900, 2201)
PACKAGE_SOURCE = f"holidays {version('holidays')} (VN)"
#: Where :meth:`CalendarService._stored` keeps the calendar rows of the running transaction.
STORED_KEY = "awardflow.calendars"
ACTIVE_ROWS = text("removed_at IS NULL")  # the partial unique index: one active row per date


class CalendarRow(Base):
    """One named calendar ("default", "desk_saturday"): weekly hours, cut-off, time zone."""

    __tablename__ = "calendar"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(64), unique=True)
    working_hours: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    cutoff: Mapped[time]
    time_zone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Units whose deadlines follow this calendar unless a process names another.
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Bumped by every add and remove of a day; stored with due dates to explain them later.
    revision: Mapped[int] = mapped_column(default=0)


class CalendarDay(Base):
    """A day off or an extra working day entered from an official notice; kept, marked, when removed."""

    __tablename__ = "calendar_day"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'work')", name="kind"),
        Index(
            "uq_calendar_day_active",
            "calendar_name",
            "day",
            unique=True,
            sqlite_where=ACTIVE_ROWS,
            postgresql_where=ACTIVE_ROWS,
        ),
    )

    id: Mapped[IntPK]
    calendar_name: Mapped[str] = mapped_column(ForeignKey("calendar.name"), index=True)
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime]
    revision: Mapped[int]
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None]
    removed_revision: Mapped[int | None]


@dataclass(frozen=True)
class DayEntry:
    """One line of a calendar's year: a package holiday or an administrator's row, with its origin."""

    day: date
    kind: str  # "off" or "work"
    name: str
    source: str
    origin: str  # "package", "national" (a row of the default calendar, inherited) or "admin" (its own)
    #: A package (or inherited national) day that a row of a later layer replaces.
    overridden: bool = False
    entered_by: str | None = None
    entered_at: datetime | None = None
    revision: int | None = None
    removed_by: str | None = None
    removed_at: datetime | None = None


@dataclass(frozen=True)
class CalendarView:
    """A calendar as its list shows it: name, description, the units that use it, its revision."""

    name: str
    description: str
    units: list[str]
    revision: int


@cache
def _package_year(year: int) -> tuple[DayEntry, ...]:
    """The package's days off and make-up weekend days of one year (static, so cached per process)."""
    days = holidays.country_holidays("VN", years=year, language="vi")
    off = [DayEntry(day, "off", name, PACKAGE_SOURCE, "package") for day, name in sorted(days.items())]
    work = [
        DayEntry(day, "work", "Ngày làm việc bù", PACKAGE_SOURCE, "package")
        for day in sorted(days.weekend_workdays)
        if day.year == year
    ]
    return tuple(sorted(off + work, key=lambda entry: entry.day))


def _default_row() -> CalendarRow:
    return CalendarRow(
        name=DEFAULT,
        working_hours=week_to_json(DEFAULT_HOURS),
        cutoff=DEFAULT_CUTOFF,
        time_zone=DEFAULT_ZONE,
        description="Mon–Fri 07:30–11:30, 13:30–17:30; cut-off 15:00",
        revision=0,
    )


def _active() -> ColumnElement[bool]:
    return CalendarDay.removed_at.is_(None)


def _regular_hours(week: WorkCalendar, day: date) -> timedelta:
    """The working time a date has by the weekly hours alone."""
    midnight = datetime.combine(day, time(0), week.zone)
    return week.between(midnight, midnight + timedelta(days=1))


def _day_facts(entry: CalendarDay) -> dict[str, str | int]:
    """An administrator's row as its audit event keeps it."""
    return {
        "day": entry.day.isoformat(),
        "kind": entry.kind,
        "name": entry.name,
        "source": entry.source,
        "revision": entry.revision,
    }


def _required(**values: str | None) -> None:
    """InvalidInput naming every blank required text field."""
    fields = {key: ["is required"] for key, value in values.items() if not (value or "").strip()}
    if fields:
        raise InvalidInput(f"missing {', '.join(fields)}", fields)


class CalendarService:
    """Named calendars and their days; each method is one unit of work on its own transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        #: built calendars by (name, revision, row id, national revision): a revision never changes once written
        self._cache: dict[tuple[str, int, int | None, int | None], WorkCalendar] = {}

    # -- calendars ------------------------------------------------------------------------------------------

    def ensure_default(self) -> None:
        """Create the "default" calendar row if missing (setup and `db upgrade` call it; idempotent)."""
        with self.db.transaction() as session:
            self._row(session, DEFAULT, create=True)

    def create_calendar(
        self,
        name: str,
        *,
        hours: WeekHours = DEFAULT_HOURS,
        cutoff: time = DEFAULT_CUTOFF,
        time_zone: str = DEFAULT_ZONE,
        description: str = "",
        units: Sequence[str] = (),
        user: str = SYSTEM_ACTOR,
    ) -> None:
        """Define another named calendar (e.g. a desk open Saturday mornings) used by ``units``, audited as
        ``user`` (calendar_created); it inherits the national days. Conflict if the name exists, InvalidInput;
        PermissionDenied unless a designer or administrator."""
        _required(name=name, user=user)
        if len(name.strip()) > 64 or name != name.strip():
            raise InvalidInput("a calendar's name has 1 to 64 characters", {"name": ["1 to 64 characters"]})
        try:
            WorkCalendar(hours, cutoff=cutoff, zone=time_zone)
        except ValueError as exc:
            raise InvalidInput(str(exc), {"hours": [str(exc)]}) from None
        except ZoneInfoNotFoundError:
            raise InvalidInput(f"unknown time zone {time_zone!r}", {"time_zone": ["unknown"]}) from None
        with self.db.transaction() as session:
            require_designer(session, user)
            if name == DEFAULT or session.scalar(select(CalendarRow.id).where(CalendarRow.name == name)) is not None:
                raise Conflict(f"a calendar named {name!r} already exists")
            self._release_units(session, units)
            row = CalendarRow(
                name=name,
                working_hours=week_to_json(hours),
                cutoff=cutoff,
                time_zone=time_zone,
                description=description,
                units=sorted(set(units)),
                revision=0,
            )
            session.add(row)
            after = {
                "working_hours": row.working_hours,
                "cutoff": cutoff.isoformat("minutes"),
                "time_zone": time_zone,
                "description": description,
                "units": row.units,
            }
            history.record(session, user, "calendar_created", after=after, details={"calendar": name})
            session.info.pop(STORED_KEY, None)

    def calendars(self) -> list[CalendarView]:
        """Every calendar, the national one first, with the units that use it."""
        with self.db.reading() as session:
            rows = self._stored(session).values()
            views = [CalendarView(r.name, r.description or "", list(r.units or []), r.revision) for r in rows]
        return sorted(views, key=lambda view: (view.name != DEFAULT, view.name))

    def set_units(self, name: str, units: Sequence[str], user: str) -> None:
        """Give ``units`` the calendar ``name`` (taking them from any other; for "default", from every named
        one), audited as ``user`` (calendar_units_changed, every calendar's units before and after). NotFound,
        PermissionDenied unless a designer or administrator."""
        _required(user=user)
        wanted = sorted({unit.strip() for unit in units if unit.strip()})
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, name)
            stored = {r.name: r for r in session.scalars(select(CalendarRow).with_for_update())}
            before = {n: list(r.units or []) for n, r in stored.items() if r.units}
            self._release_units(session, wanted, keep=name)
            if name != DEFAULT:
                row.units = wanted
            after = {n: list(r.units or []) for n, r in stored.items() if r.units}
            history.record(
                session, user, "calendar_units_changed", before=before, after=after, details={"calendar": name}
            )
            session.info.pop(STORED_KEY, None)

    def restore_previous_units(self, user: str) -> str:
        """Give every calendar back the units it had before the newest assignment (a new change, audited
        ``calendar_units_changed`` with ``restored``: the event undone); returns the calendar that change was
        about. InvalidInput when units were never assigned, PermissionDenied unless a designer or administrator.
        One transaction."""
        _required(user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            stmt = select(Event).where(Event.action == "calendar_units_changed", Event.instance_id.is_(None))
            last = session.scalars(stmt.order_by(Event.id.desc()).limit(1)).first()
            if last is None:
                raise InvalidInput("no unit was ever given a calendar", {"calendar": ["no assignment to undo"]})
            stored = {r.name: r for r in session.scalars(select(CalendarRow).with_for_update())}
            before = {n: list(r.units or []) for n, r in stored.items() if r.units}
            wanted = dict(last.before or {})
            for name, row in stored.items():
                row.units = list(wanted.get(name, [])) if name != DEFAULT else row.units
            calendar = str((last.details or {}).get("calendar") or DEFAULT)
            after = {n: list(r.units or []) for n, r in stored.items() if r.units}
            details = {"calendar": calendar, "restored": last.id}
            history.record(session, user, "calendar_units_changed", before=before, after=after, details=details)
            session.info.pop(STORED_KEY, None)
            return calendar

    @staticmethod
    def _release_units(session: Session, units: Sequence[str], keep: str | None = None) -> None:
        """Take ``units`` from every named calendar but ``keep``: a unit follows one calendar."""
        for other in session.scalars(select(CalendarRow).where(CalendarRow.name != (keep or ""))):
            if set(other.units or []) & set(units):
                other.units = [unit for unit in other.units if unit not in units]

    @classmethod
    def name_for_unit(cls, session: Session, unit: str | None) -> str:
        """The calendar a unit's deadlines use: one that lists the unit, else the default."""
        if unit:
            for row in cls._stored(session).values():
                if unit in (row.units or []):
                    return row.name
        return DEFAULT

    def calendar(self, name: str = DEFAULT, at_revision: int | None = None) -> WorkCalendar:
        """The working calendar as of now or of an earlier revision; NotFound, InvalidInput (at_revision)."""
        with self.db.reading() as session:
            return self.calendar_in(session, name, at_revision)

    def calendar_in(self, session: Session, name: str = DEFAULT, at_revision: int | None = None) -> WorkCalendar:
        """:meth:`calendar` inside the caller's transaction (the SLA reads it while an instance is saved).

        A named calendar's ``at_revision`` is of its own rows; the national rows it inherits are as they are
        now (a national change bumps the national calendar's revision, not the named ones')."""
        stored = self._stored(session)
        row = stored.get(name) or self._row(session, name)
        revision = row.revision if at_revision is None else at_revision
        if not 0 <= revision <= row.revision:
            message = f"calendar {name!r} has revisions 0 to {row.revision}"
            raise InvalidInput(message, {"at_revision": [message]})
        national = stored[DEFAULT].revision if name != DEFAULT else None
        key = (name, revision, row.id, national)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        inherited = session.scalars(self._rows_at(DEFAULT, national)).all() if national is not None else []
        admin = [*inherited, *session.scalars(self._rows_at(name, revision))]  # later layers win
        years = self._years([entry.day for entry in admin])
        off = {entry.day for year in years for entry in _package_year(year) if entry.kind == "off"}
        work = {entry.day for year in years for entry in _package_year(year) if entry.kind == "work"}
        for entry in admin:
            if entry.kind == "off":
                off.add(entry.day)
                work.discard(entry.day)
            else:
                work.add(entry.day)
                off.discard(entry.day)
        calendar = WorkCalendar(
            week_from_json(row.working_hours),
            days_off=off,
            extra_working_days=work,
            cutoff=row.cutoff,
            zone=row.time_zone,
            name=name,
            revision=revision,
        )
        self._cache[key] = calendar
        return calendar

    def revision(self, name: str = DEFAULT) -> int:
        """The calendar's current revision (0 before any change); NotFound for an unknown calendar."""
        with self.db.reading() as session:
            return self._row(session, name).revision

    def list_days(self, year: int, name: str = DEFAULT, *, include_removed: bool = False) -> list[DayEntry]:
        """The year's package holidays and administrators' rows, by date, each marked with its origin: a named
        calendar lists the national rows it inherits too ("national"), each marked overridden where its own
        row replaces it."""
        if year not in LISTED_YEARS:
            raise InvalidInput(
                f"no calendar for the year {year}", {"year": [f"must be from {LISTED_YEARS[0]} to {LISTED_YEARS[-1]}"]}
            )
        layers = [DEFAULT, name] if name != DEFAULT else [DEFAULT]
        with self.db.reading() as session:
            self._row(session, name)
            query = select(CalendarDay).where(
                CalendarDay.calendar_name.in_(layers),
                CalendarDay.day >= date(year, 1, 1),
                CalendarDay.day <= date(year, 12, 31),
            )
            if not include_removed:
                query = query.where(_active())
            rows = session.scalars(query).all()
        own = {row.day for row in rows if row.removed_at is None and row.calendar_name == name}
        inherited = {row.day for row in rows if row.removed_at is None} - own if name != DEFAULT else set()
        entries = [
            DayEntry(e.day, e.kind, e.name, e.source, e.origin, overridden=e.day in own | inherited)
            for e in _package_year(year)
        ]
        entries += [
            DayEntry(
                row.day,
                row.kind,
                row.name,
                row.source,
                "admin" if row.calendar_name == name else "national",
                overridden=row.calendar_name != name and row.day in own,
                entered_by=row.entered_by,
                entered_at=row.entered_at,
                revision=row.revision,
                removed_by=row.removed_by,
                removed_at=row.removed_at,
            )
            for row in rows
        ]
        layer = {"package": 0, "national": 1, "admin": 2}
        return sorted(entries, key=lambda entry: (entry.day, layer[entry.origin], entry.revision or 0))

    # -- administrators' days -------------------------------------------------------------------------------

    def add_swap(
        self,
        off: date,
        work: date,
        source: str,
        user: str,
        name: str | None = None,
        *,
        calendar: str = DEFAULT,
    ) -> int:
        """Enter a Government swap: a regular working day off for a weekend day worked; returns the revision.

        ``off`` must have regular weekly hours and ``work`` less than a full regular day (a weekend), else
        InvalidInput naming the field; Conflict if either date already has an active row; PermissionDenied
        unless a designer or administrator.
        """
        _required(source=source, user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, calendar, create=True)
            week = WorkCalendar(week_from_json(row.working_hours), zone=row.time_zone)
            fields: dict[str, list[str]] = {}
            if not _regular_hours(week, off):
                fields["off"] = [f"{off:%d/%m/%Y} ({WEEKDAYS[off.weekday()]}) is not a regular working day"]
            if _regular_hours(week, work) >= week.day_length:
                fields["work"] = [f"{work:%d/%m/%Y} ({WEEKDAYS[work.weekday()]}) is a regular working day"]
            if fields:
                raise InvalidInput("a swap gives a working day off for a day not normally worked", fields)
            label = name.strip() if name and name.strip() else None
            return self._enter(
                session,
                row,
                user,
                "calendar_swap_added",
                (off, "off", label or f"Nghỉ bù, làm bù ngày {work:%d/%m/%Y}", source),
                (work, "work", f"Làm bù cho ngày {off:%d/%m/%Y}" + (f" ({label})" if label else ""), source),
            )

    def add_holiday(self, day: date, name: str, source: str, user: str, *, calendar: str = DEFAULT) -> int:
        """Enter a one-off day off from an official notice; returns the revision. PermissionDenied unless a
        designer or administrator (checked here, whatever page, API or command calls it)."""
        _required(name=name, source=source, user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, calendar, create=True)
            return self._enter(session, row, user, "calendar_day_added", (day, "off", name.strip(), source))

    def add_working_day(self, day: date, name: str, source: str, user: str, *, calendar: str = DEFAULT) -> int:
        """Enter a one-off working day (it cancels a package holiday on that date); returns the revision.
        PermissionDenied unless a designer or administrator."""
        _required(name=name, source=source, user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, calendar, create=True)
            return self._enter(session, row, user, "calendar_day_added", (day, "work", name.strip(), source))

    def remove(self, day: date, user: str, *, calendar: str = DEFAULT) -> int:
        """Mark the active row of a date removed (it is kept), audited as ``user`` (calendar_day_removed);
        returns the revision. NotFound if none; PermissionDenied unless a designer or administrator."""
        _required(user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, calendar)
            entry = session.scalar(
                select(CalendarDay)
                .where(CalendarDay.calendar_name == calendar, CalendarDay.day == day, _active())
                .with_for_update()
            )
            if entry is None:
                raise NotFound(f"no active entry on {day:%d/%m/%Y} in calendar {calendar!r}")
            revision = self._bump(session, row)
            entry.removed_by, entry.removed_at, entry.removed_revision = user, clock.now(), revision
            history.record(
                session,
                user,
                "calendar_day_removed",
                before={"days": [_day_facts(entry)]},
                details={"calendar": calendar, "revision": revision},
            )
            return revision

    def restore_previous(self, user: str, *, calendar: str = DEFAULT) -> int:
        """Roll the calendar's days back to its previous revision, as a new revision (rows are never rewritten:
        those added since are marked removed, those removed since entered again), audited as ``user``
        (calendar_restored, the days before and after); returns the new revision. InvalidInput when there is no
        earlier revision, NotFound, PermissionDenied unless a designer or administrator. One transaction."""
        _required(user=user)
        with self.db.transaction() as session:
            require_designer(session, user)
            row = self._row(session, calendar)
            if row.id is None or row.revision == 0:
                raise InvalidInput(f"calendar {calendar!r} has no earlier revision", {"calendar": ["no change yet"]})
            previous = row.revision - 1
            revision = self._bump(session, row)
            active = session.scalars(select(CalendarDay).where(CalendarDay.calendar_name == calendar, _active()))
            now_rows = {entry.id: entry for entry in active}
            then_rows = {entry.id: entry for entry in session.scalars(self._rows_at(calendar, previous))}
            moment = clock.now()
            for entry in now_rows.values():
                if entry.id not in then_rows:
                    entry.removed_by, entry.removed_at, entry.removed_revision = user, moment, revision
            session.flush()
            back = [
                CalendarDay(
                    calendar_name=calendar,
                    day=entry.day,
                    kind=entry.kind,
                    name=entry.name,
                    source=entry.source,
                    entered_by=user,
                    entered_at=moment,
                    revision=revision,
                )
                for entry in then_rows.values()
                if entry.id not in now_rows
            ]
            session.add_all(back)
            session.flush()
            history.record(
                session,
                user,
                "calendar_restored",
                before={"days": [_day_facts(entry) for entry in now_rows.values()]},
                after={"days": [_day_facts(entry) for entry in then_rows.values()]},
                details={"calendar": calendar, "revision": revision, "restored": previous},
            )
            return revision

    # -- internals ------------------------------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, name: str, *, create: bool = False) -> CalendarRow:
        """The calendar's row; "default" always exists (built in, stored on first write), others NotFound."""
        row = session.scalar(select(CalendarRow).where(CalendarRow.name == name))
        if row is not None:
            return row
        if name != DEFAULT:
            raise NotFound(f"no calendar named {name!r}")
        row = _default_row()
        if create:
            session.add(row)
            session.flush()
        return row

    @staticmethod
    def _stored(session: Session) -> dict[str, CalendarRow]:
        """Every calendar row (the built-in default if not stored yet), read once per transaction: the SLA
        asks for a calendar several times per command, and a calendar changes only in a transaction of its
        own."""
        stored: dict[str, CalendarRow] | None = session.info.get(STORED_KEY)
        if stored is None:
            stored = {row.name: row for row in session.scalars(select(CalendarRow).order_by(CalendarRow.id))}
            stored.setdefault(DEFAULT, _default_row())
            session.info[STORED_KEY] = stored
        return stored

    @staticmethod
    def _bump(session: Session, row: CalendarRow) -> int:
        """Take the next revision; the row lock it takes serialises writers of one calendar."""
        bumped = (
            update(CalendarRow)
            .where(CalendarRow.id == row.id)
            .values(revision=CalendarRow.revision + 1)
            .returning(CalendarRow.revision)
        )
        return session.execute(bumped).scalar_one()

    def _enter(
        self, session: Session, row: CalendarRow, user: str, action: str, *days: tuple[date, str, str, str]
    ) -> int:
        """Insert active rows at a new revision, with one audit event ``action``; Conflict if a date already
        has one."""
        revision = self._bump(session, row)
        taken = session.scalars(
            select(CalendarDay).where(
                CalendarDay.calendar_name == row.name, CalendarDay.day.in_([d[0] for d in days]), _active()
            )
        ).all()
        if taken:
            first = taken[0]
            raise Conflict(f"{first.day:%d/%m/%Y} already has an active entry ({first.kind}: {first.name})")
        now = clock.now()
        entries = [
            CalendarDay(
                calendar_name=row.name,
                day=day,
                kind=kind,
                name=name,
                source=source.strip(),
                entered_by=user,
                entered_at=now,
                revision=revision,
            )
            for day, kind, name, source in days
        ]
        session.add_all(entries)
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(f"calendar {row.name!r} was changed at the same time; retry") from None
        after = {"days": [_day_facts(entry) for entry in entries]}
        history.record(session, user, action, after=after, details={"calendar": row.name, "revision": revision})
        return revision

    @staticmethod
    def _rows_at(name: str, revision: int) -> Select[tuple[CalendarDay]]:
        """The administrators' rows of a calendar that were active at ``revision``."""
        return select(CalendarDay).where(
            CalendarDay.calendar_name == name,
            CalendarDay.revision <= revision,
            or_(CalendarDay.removed_revision.is_(None), CalendarDay.removed_revision > revision),
        )

    @staticmethod
    def _years(days: list[date]) -> range:
        """Years of package holidays a calendar carries: FIRST_YEAR … now + YEARS_AHEAD, and the rows'."""
        this_year = clock.now().year
        first = min([FIRST_YEAR, this_year - 1, *(day.year for day in days)])
        return range(first, max([this_year + YEARS_AHEAD, *(day.year for day in days)]) + 1)
