"""CalendarService against a real database: package holidays, administrators' rows, revisions, validation."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from engine import clock
from engine.calendar import DEFAULT_HOURS
from engine.calendar_store import CALENDAR_ACTIONS, CalendarDay, CalendarRow, CalendarService
from engine.db import Database
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.history import HistoryService
from engine.identity import IdentityService
from engine.models import Event

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = "1234/TB-VPCP"


#: who enters the days in these tests: the engine checks the role, so each is a designer or an administrator
STAFF = {"vanthu": ["designer"], "truongphong": ["designer"]}


@pytest.fixture
def service(database: Database, vclock: clock.VirtualClock) -> CalendarService:
    identity = IdentityService(database)
    for name, groups in STAFF.items():
        identity.ensure_user(name, groups=groups)
    identity.ensure_user("admin", is_admin=True)
    return CalendarService(database)


def at(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HCM)


def test_the_default_calendar_exists_before_its_row(service: CalendarService, database: Database) -> None:
    assert service.revision() == 0
    assert service.calendar().revision == 0
    service.ensure_default()
    service.ensure_default()
    with database.transaction() as session:
        rows = session.scalars(select(CalendarRow)).all()
    assert [(row.name, row.revision, row.cutoff) for row in rows] == [("default", 0, time(15))]


def test_package_holidays_give_the_2026_facts(service: CalendarService) -> None:
    calendar = service.calendar()
    assert calendar.due_date_for(at(9, 2), "20WD") == at(16, 3, 17, 30)
    assert not calendar.is_working_day(date(2026, 4, 27))
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 11, 24))


def test_list_days_marks_origins(service: CalendarService, vclock: clock.VirtualClock) -> None:
    assert service.add_holiday(date(2026, 1, 2), "Nghỉ Tết Dương lịch", SOURCE, "vanthu") == 1
    days = service.list_days(2026)
    package = [(d.day, d.kind) for d in days if d.origin == "package"]
    assert (date(2026, 2, 17), "off") in package and (date(2026, 8, 22), "work") in package
    (admin,) = [d for d in days if d.origin == "admin"]
    assert (admin.day, admin.kind, admin.name, admin.source) == (
        date(2026, 1, 2),
        "off",
        "Nghỉ Tết Dương lịch",
        SOURCE,
    )
    assert (admin.entered_by, admin.entered_at, admin.revision) == ("vanthu", vclock.now(), 1)
    assert days == sorted(days, key=lambda d: d.day)


def test_admin_rows_win_over_the_package(service: CalendarService) -> None:
    service.add_working_day(date(2026, 4, 27), "Làm việc theo thông báo", SOURCE, "admin")
    service.add_holiday(date(2026, 8, 22), "Không làm bù", SOURCE, "admin")
    calendar = service.calendar()
    assert calendar.is_working_day(date(2026, 4, 27))
    assert not calendar.is_working_day(date(2026, 8, 22))
    overridden = {d.day for d in service.list_days(2026) if d.overridden}
    assert overridden == {date(2026, 4, 27), date(2026, 8, 22)}


def test_a_swap_changes_due_dates(service: CalendarService) -> None:
    before = service.calendar()
    revision = service.add_swap(date(2026, 1, 5), date(2026, 1, 10), SOURCE, "admin", "Nghỉ bù thử")
    after = service.calendar()
    assert revision == after.revision == 1
    assert before.due_date_for(at(2, 1, 9), "1WD") == at(5, 1, 17, 30)
    assert after.due_date_for(at(9, 1, 9), "1WD") == at(10, 1, 17, 30)  # the Saturday worked counts
    assert after.due_date_for(at(2, 1, 9), "1WD") == at(6, 1, 17, 30)
    names = {d.day: d.name for d in service.list_days(2026) if d.origin == "admin"}
    assert names == {
        date(2026, 1, 5): "Nghỉ bù thử",
        date(2026, 1, 10): "Làm bù cho ngày 05/01/2026 (Nghỉ bù thử)",
    }


def test_the_official_national_day_swap_can_be_entered_over_the_package(service: CalendarService) -> None:
    service.add_swap(date(2026, 8, 31), date(2026, 8, 22), SOURCE, "admin", "Nghỉ bù Quốc khánh")
    calendar = service.calendar()
    assert calendar.is_working_day(date(2026, 8, 22)) and not calendar.is_working_day(date(2026, 8, 31))
    assert calendar.add(at(28, 8, 10), "2WD") == at(4, 9, 10)


def test_swap_validation_names_the_fields(service: CalendarService) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.add_swap(date(2026, 3, 7), date(2026, 3, 9), SOURCE, "admin")
    assert set(caught.value.fields) == {"off", "work"}
    with pytest.raises(InvalidInput) as caught:
        service.add_swap(date(2026, 3, 9), date(2026, 3, 7), " ", "")
    assert set(caught.value.fields) == {"source", "user"}
    with pytest.raises(InvalidInput) as caught:
        service.add_holiday(date(2026, 3, 9), "", SOURCE, "admin")
    assert set(caught.value.fields) == {"name"}
    assert service.revision() == 0


def test_one_active_row_per_date(service: CalendarService) -> None:
    service.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin")
    with pytest.raises(Conflict, match="09/03/2026 already has an active entry"):
        service.add_swap(date(2026, 3, 9), date(2026, 3, 14), SOURCE, "admin")
    assert service.revision() == 1
    service.remove(date(2026, 3, 9), "admin")
    assert service.add_swap(date(2026, 3, 9), date(2026, 3, 14), SOURCE, "admin") == 3


def test_removed_rows_are_kept_and_old_revisions_still_explain(service: CalendarService, database: Database) -> None:
    service.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin")
    assert service.remove(date(2026, 3, 9), "truongphong") == 2
    assert service.revision() == 2
    assert service.calendar().is_working_day(date(2026, 3, 9))
    assert not service.calendar(at_revision=1).is_working_day(date(2026, 3, 9))
    assert service.calendar(at_revision=0).is_working_day(date(2026, 3, 9))
    assert all(d.origin == "package" for d in service.list_days(2026))
    (removed,) = [d for d in service.list_days(2026, include_removed=True) if d.origin == "admin"]
    assert (removed.removed_by, removed.removed_at) == ("truongphong", clock.now())
    with database.transaction() as session:
        row = session.scalars(select(CalendarDay)).one()
    assert (row.revision, row.removed_revision) == (1, 2)


def test_errors_for_missing_things(service: CalendarService) -> None:
    with pytest.raises(NotFound, match="09/03/2026"):
        service.remove(date(2026, 3, 9), "admin")
    with pytest.raises(NotFound, match="'nowhere'"):
        service.calendar("nowhere")
    with pytest.raises(NotFound):
        service.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin", calendar="nowhere")
    with pytest.raises(InvalidInput) as caught:
        service.calendar(at_revision=3)
    assert set(caught.value.fields) == {"at_revision"}
    assert service.revision() == 0


def test_a_saturday_desk_calendar(service: CalendarService) -> None:
    hours = {**DEFAULT_HOURS, 5: ((time(7, 30), time(11, 30)),)}
    service.create_calendar("desk_saturday", hours=hours, description="Bộ phận một cửa")
    with pytest.raises(Conflict):
        service.create_calendar("desk_saturday")
    desk = service.calendar("desk_saturday")
    assert desk.is_working(at(7, 3, 10)) and not service.calendar().is_working(at(7, 3, 10))
    assert desk.due_date_for(at(6, 3, 9), "1WD") == at(7, 3, 11, 30)
    service.add_swap(date(2026, 3, 9), date(2026, 3, 14), SOURCE, "admin", calendar="desk_saturday")
    assert service.revision("desk_saturday") == 1 and service.revision() == 0
    assert service.calendar("desk_saturday").day_end(date(2026, 3, 14)) == at(14, 3, 17, 30)


def test_create_calendar_validates(service: CalendarService) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.create_calendar("broken", hours={0: ((time(12), time(8)),)})
    assert set(caught.value.fields) == {"hours"}
    with pytest.raises(InvalidInput) as caught:
        service.create_calendar("elsewhere", time_zone="Mars/Olympus")
    assert set(caught.value.fields) == {"time_zone"}


def test_nothing_is_cached_between_services(service: CalendarService, database: Database) -> None:
    reader, writer = CalendarService(database), CalendarService(database)
    assert reader.calendar().is_working_day(date(2026, 3, 9))
    writer.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin")
    assert not reader.calendar().is_working_day(date(2026, 3, 9))


# -- the audit trail ----------------------------------------------------------------------------------------


def events(database: Database) -> list[Event]:
    """Every audit event but the fixture's users, oldest first (a calendar test writes nothing else)."""
    with database.reading() as session:
        return list(session.scalars(select(Event).where(Event.action != "user_created").order_by(Event.id)))


def test_each_change_records_one_event_with_its_days(service: CalendarService, database: Database) -> None:
    service.add_holiday(date(2026, 6, 15), " Nghỉ đột xuất ", f" {SOURCE} ", "vanthu")
    service.add_working_day(date(2026, 9, 2), "Trực lễ", SOURCE, "vanthu")
    service.add_swap(date(2026, 3, 9), date(2026, 3, 14), SOURCE, "truongphong", "Nghỉ bù thử")
    service.remove(date(2026, 6, 15), "admin")
    holiday, workday, swap, removed = events(database)
    assert all(e.instance_id is None and e.details["calendar"] == "default" for e in (holiday, workday, swap, removed))
    assert (holiday.actor, holiday.action, holiday.before, holiday.details["revision"]) == (
        "vanthu",
        "calendar_day_added",
        None,
        1,
    )
    assert holiday.after == {
        "days": [{"day": "2026-06-15", "kind": "off", "name": "Nghỉ đột xuất", "source": SOURCE, "revision": 1}]
    }
    assert (workday.action, [d["kind"] for d in workday.after["days"]]) == ("calendar_day_added", ["work"])
    assert (swap.actor, swap.action, swap.details["revision"]) == ("truongphong", "calendar_swap_added", 3)
    assert [(d["day"], d["kind"], d["name"]) for d in swap.after["days"]] == [
        ("2026-03-09", "off", "Nghỉ bù thử"),
        ("2026-03-14", "work", "Làm bù cho ngày 09/03/2026 (Nghỉ bù thử)"),
    ]
    assert (removed.actor, removed.action, removed.after, removed.details["revision"]) == (
        "admin",
        "calendar_day_removed",
        None,
        4,
    )
    assert removed.before == holiday.after, "what was removed, as it was entered (revision 1)"
    newest = HistoryService(database).administration(2, CALENDAR_ACTIONS)
    assert [e.id for e in newest] == [removed.id, swap.id]


def test_creating_a_calendar_is_audited(service: CalendarService, database: Database) -> None:
    hours = {**DEFAULT_HOURS, 5: ((time(7, 30), time(11, 30)),)}
    service.create_calendar("desk_saturday", hours=hours, units=["mot-cua", "mot-cua"], user="admin")
    service.create_calendar("quiet")
    desk, quiet = [event for event in events(database) if event.action in CALENDAR_ACTIONS]
    assert (desk.actor, desk.action, desk.details) == ("admin", "calendar_created", {"calendar": "desk_saturday"})
    assert {key: desk.after[key] for key in ("cutoff", "time_zone", "units")} == {
        "cutoff": "15:00",
        "time_zone": "Asia/Ho_Chi_Minh",
        "units": ["mot-cua"],
    }
    assert desk.after["working_hours"]["sat"] == ["07:30-11:30"]
    assert (quiet.actor, quiet.action) == ("system", "calendar_created")


def test_refused_changes_record_nothing(service: CalendarService, database: Database) -> None:
    service.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin")
    refused = [
        lambda: service.add_swap(date(2026, 3, 7), date(2026, 3, 9), SOURCE, "admin"),  # InvalidInput
        lambda: service.add_holiday(date(2026, 3, 10), "Nghỉ", SOURCE, " "),  # no user
        lambda: service.add_swap(date(2026, 3, 9), date(2026, 3, 14), SOURCE, "admin"),  # Conflict
        lambda: service.add_working_day(date(2026, 3, 9), "Làm", SOURCE, "admin"),  # Conflict
        lambda: service.remove(date(2026, 3, 10), "admin"),  # NotFound
        lambda: service.add_holiday(date(2026, 3, 10), "Nghỉ", SOURCE, "admin", calendar="nowhere"),  # NotFound
        lambda: service.create_calendar("default"),  # Conflict: stored by the first holiday
        lambda: service.create_calendar("elsewhere", time_zone="Mars/Olympus"),  # InvalidInput
        lambda: service.create_calendar("nobody", user=""),  # InvalidInput
    ]
    for change in refused:
        with pytest.raises((InvalidInput, Conflict, NotFound)):
            change()
    assert [e.action for e in events(database)] == ["calendar_day_added"]
    assert service.revision() == 1


@pytest.mark.parametrize("who", ["motcua", "nobody", "retired"])
def test_every_day_change_checks_the_role_inside_the_engine(
    service: CalendarService, database: Database, who: str
) -> None:
    """Whatever calls it (the CLI, a script), a day change by anyone but a designer or an administrator is
    refused inside the command's transaction: no row, no revision, no audit event."""
    identity = IdentityService(database)
    identity.ensure_user("motcua", groups=["desk"])
    identity.ensure_user("retired", groups=["designer"])
    identity.set_active("retired", False, actor="admin")
    service.add_holiday(date(2026, 3, 9), "Nghỉ", SOURCE, "admin")
    attempts = [
        lambda: service.add_holiday(date(2026, 3, 10), "Nghỉ", SOURCE, who),
        lambda: service.add_working_day(date(2026, 3, 11), "Làm", SOURCE, who),
        lambda: service.add_swap(date(2026, 3, 12), date(2026, 3, 14), SOURCE, who),
        lambda: service.remove(date(2026, 3, 9), who),
        lambda: service.restore_previous(who),
        lambda: service.set_units("default", ["so-gd"], who),
        lambda: service.create_calendar("rieng", user=who),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert [e.action for e in events(database) if not e.action.startswith("user_")] == ["calendar_day_added"]
    assert service.revision() == 1
    assert [d.day for d in service.list_days(2026) if d.origin == "admin"] == [date(2026, 3, 9)]
