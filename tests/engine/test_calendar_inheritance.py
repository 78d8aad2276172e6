"""Named calendars inherit the national one (package holidays, the national rows), add and override their own,
are given to units, and roll back to their previous revision. Oracles: the 2026 public-sector calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine import Engine
from engine.calendar_store import DEFAULT
from engine.errors import Conflict, InvalidInput, PermissionDenied

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOTICE = "1234/TB-VPCP"
LOCAL = "Lịch Sở Nội vụ"


def at(day: int, month: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=HCM)


@pytest.fixture
def cal(engine: Engine) -> Engine:
    """A national swap entered by hand (Mon 19/10 off for Sat 24/10), and a unit calendar with a local holiday."""
    engine.identity.ensure_user("thietke", groups=["designer"])
    engine.calendar.add_swap(date(2026, 10, 19), date(2026, 10, 24), NOTICE, "thietke")
    engine.calendar.create_calendar(LOCAL, description="Sở Nội vụ", units=["so-noi-vu"], user="thietke")
    engine.calendar.add_holiday(
        date(2026, 7, 15), "Ngày truyền thống của Sở", "QĐ 12/QĐ-SNV", "thietke", calendar=LOCAL
    )
    return engine


def test_a_unit_calendar_keeps_the_national_days_and_adds_its_own(cal: Engine) -> None:
    local, national = cal.calendar.calendar(LOCAL), cal.calendar.calendar()
    assert not local.is_working(at(15, 7)) and national.is_working(at(15, 7)), "the local holiday is its own"
    for day, month in ((2, 9), (31, 8), (1, 9), (17, 2), (27, 4), (30, 4), (1, 5), (19, 10)):
        assert not local.is_working(at(day, month)), f"{day:02d}/{month:02d} is a national day off"
    assert local.is_working(at(22, 8)), "the swapped Saturday 22/08/2026 is worked"
    assert local.is_working(at(24, 10)), "the Saturday of the national swap entered by hand is worked"
    assert not local.is_working(at(29, 8)) and not local.is_working(at(25, 10)), "other weekend days stay off"


def test_twenty_working_days_over_tet_end_on_the_legal_date(cal: Engine) -> None:
    """The domain's example: 20 WD from Mon 09/02/2026 (Tết in between) end on Mon 16/03/2026."""
    local = cal.calendar.calendar(LOCAL)
    assert local.due_date_for(at(9, 2, 9), "20WD").astimezone(HCM).date() == date(2026, 3, 16)
    assert local.add(at(14, 7), "1WD") == at(16, 7), "the local holiday is skipped"
    assert cal.calendar.calendar().add(at(14, 7), "1WD") == at(15, 7)


def test_the_units_working_time_uses_its_calendar(cal: Engine) -> None:
    preview = cal.preview_timer("working_days_after(1)", "date", at(14, 7), unit="so-noi-vu")
    assert preview.due.astimezone(HCM) == at(16, 7)
    elsewhere = cal.preview_timer("working_days_after(1)", "date", at(14, 7), unit="so-tai-chinh")
    assert elsewhere.due.astimezone(HCM) == at(15, 7)


def test_an_own_row_overrides_a_national_one(cal: Engine) -> None:
    cal.calendar.add_working_day(date(2026, 10, 19), "Trực tiếp công dân", "QĐ 13/QĐ-SNV", "thietke", calendar=LOCAL)
    assert cal.calendar.calendar(LOCAL).is_working(at(19, 10))
    assert not cal.calendar.calendar().is_working(at(19, 10)), "the national calendar is unchanged"
    days = {(d.day, d.origin): d for d in cal.calendar.list_days(2026, LOCAL)}
    assert days[(date(2026, 10, 19), "national")].overridden
    assert not days[(date(2026, 10, 19), "admin")].overridden
    assert not days[(date(2026, 10, 24), "national")].overridden
    assert days[(date(2026, 9, 2), "package")].kind == "off"
    assert (date(2026, 7, 15), "admin") in days and (date(2026, 7, 15), "national") not in days
    national_list = {(d.day, d.origin) for d in cal.calendar.list_days(2026)}
    assert (date(2026, 7, 15), "admin") not in national_list, "the national list shows no unit's rows"


def test_a_national_change_reaches_the_named_calendar_at_once(cal: Engine) -> None:
    assert cal.calendar.calendar(LOCAL).is_working(at(3, 11))
    cal.calendar.add_holiday(date(2026, 11, 3), "Nghỉ đột xuất", NOTICE, "thietke")
    assert not cal.calendar.calendar(LOCAL).is_working(at(3, 11))


def test_units_follow_one_calendar_and_the_change_is_audited(cal: Engine) -> None:
    cal.calendar.create_calendar("Lịch một cửa thứ Bảy", units=["so-tai-chinh"], user="thietke")
    cal.calendar.set_units("Lịch một cửa thứ Bảy", ["so-noi-vu", "so-tai-chinh"], "thietke")
    units = {view.name: view.units for view in cal.calendar.calendars()}
    assert units == {DEFAULT: [], LOCAL: [], "Lịch một cửa thứ Bảy": ["so-noi-vu", "so-tai-chinh"]}
    assert [view.name for view in cal.calendar.calendars()][0] == DEFAULT, "the national calendar first"
    event = cal.design.changes()[0]
    assert (event.actor, event.action, event.details) == (
        "thietke",
        "calendar_units_changed",
        {"calendar": "Lịch một cửa thứ Bảy"},
    )
    assert event.before == {LOCAL: ["so-noi-vu"], "Lịch một cửa thứ Bảy": ["so-tai-chinh"]}
    assert event.after == {"Lịch một cửa thứ Bảy": ["so-noi-vu", "so-tai-chinh"]}
    cal.calendar.set_units(DEFAULT, ["so-tai-chinh"], "thietke")
    assert {v.name: v.units for v in cal.calendar.calendars()}["Lịch một cửa thứ Bảy"] == ["so-noi-vu"]


def test_only_designers_and_administrators_change_calendars(cal: Engine) -> None:
    before = cal.calendar.calendars()
    with pytest.raises(PermissionDenied):
        cal.calendar.set_units(LOCAL, ["so-tai-chinh"], "chi")
    with pytest.raises(PermissionDenied):
        cal.calendar.create_calendar("Lịch khác", user="chi")
    with pytest.raises(PermissionDenied):
        cal.calendar.restore_previous("chi", calendar=LOCAL)
    assert cal.calendar.calendars() == before
    with pytest.raises(Conflict):
        cal.calendar.create_calendar(DEFAULT, user="thietke")
    with pytest.raises(InvalidInput):
        cal.calendar.create_calendar("x" * 65, user="thietke")


def test_restoring_the_previous_revision_undoes_the_last_change(cal: Engine) -> None:
    before = cal.calendar.revision(LOCAL)
    cal.calendar.add_holiday(date(2026, 7, 16), "Nghỉ thêm", "QĐ 14/QĐ-SNV", "thietke", calendar=LOCAL)
    assert not cal.calendar.calendar(LOCAL).is_working(at(16, 7))
    revision = cal.calendar.restore_previous("admin", calendar=LOCAL)
    assert revision == before + 2
    local = cal.calendar.calendar(LOCAL)
    assert local.is_working(at(16, 7)) and not local.is_working(at(15, 7)), "back to the revision before"
    restored = cal.design.changes()[0]
    assert (restored.actor, restored.action) == ("admin", "calendar_restored")
    assert restored.details == {"calendar": LOCAL, "revision": revision, "restored": before}
    assert [d["day"] for d in restored.before["days"]] == ["2026-07-15", "2026-07-16"]
    assert [d["day"] for d in restored.after["days"]] == ["2026-07-15"]


def test_restoring_a_removal_enters_the_day_again(cal: Engine, database: object) -> None:
    cal.calendar.remove(date(2026, 7, 15), "thietke", calendar=LOCAL)
    assert cal.calendar.calendar(LOCAL).is_working(at(15, 7))
    cal.calendar.restore_previous("thietke", calendar=LOCAL)
    assert not cal.calendar.calendar(LOCAL).is_working(at(15, 7))
    rows = [d for d in cal.calendar.list_days(2026, LOCAL, include_removed=True) if d.origin == "admin"]
    assert [(d.day, d.removed_at is not None, d.entered_by) for d in rows] == [
        (date(2026, 7, 15), True, "thietke"),
        (date(2026, 7, 15), False, "thietke"),
    ], "history is kept: the removed row stays, a new one is entered"


def test_a_calendar_without_changes_has_nothing_to_restore(cal: Engine) -> None:
    cal.calendar.create_calendar("Lịch mới", user="thietke")
    events = len(cal.design.changes())
    with pytest.raises(InvalidInput):
        cal.calendar.restore_previous("thietke", calendar="Lịch mới")
    assert len(cal.design.changes()) == events
