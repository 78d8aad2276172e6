"""The `awardflow calendar` commands, run through click against a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace

import pytest
from click.testing import CliRunner, Result

from engine import clock
from engine.calendar_store import CALENDAR_ACTIONS, PACKAGE_SOURCE, CalendarService
from engine.db import Database
from engine.history import HistoryService
from engine.identity import IdentityService
from web.cli.calendar import calendar

SOURCE = "1234/TB-VPCP"
Invoke = Callable[..., Result]


@pytest.fixture
def service(database: Database, vclock: clock.VirtualClock) -> CalendarService:
    identity = IdentityService(database)
    identity.ensure_user("admin", is_admin=True)
    for name in ("vanthu", "truongphong"):
        identity.ensure_user(name, groups=["designer"])
    identity.ensure_user("motcua", groups=["desk"])
    return CalendarService(database)


@pytest.fixture
def run(service: CalendarService) -> Invoke:
    obj = SimpleNamespace(calendar=service)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(calendar, list(args), obj=obj)

    return invoke


def test_due_twenty_working_days_across_tet(run: Invoke) -> None:
    result = run("due", "2026-02-09T08:00", "20WD")
    assert result.exit_code == 0, result.output
    assert result.output == "2026-03-16T17:30:00+07:00\n"


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("09/02/2026 16:00", "1WD", "2026-02-11T17:30:00+07:00"),  # after the cut-off
        ("2026-03-02T01:00+00:00", "0.5wd", "2026-03-02T14:00:00+07:00"),
        ("2026-03-02", "4WH", "2026-03-02T11:30:00+07:00"),
    ],
)
def test_due_accepts_local_utc_and_date_forms(run: Invoke, start: str, duration: str, expected: str) -> None:
    result = run("due", start, duration)
    assert (result.exit_code, result.output) == (0, expected + "\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("due", "tomorrow", "1WD"), "Error: START: 'tomorrow' is not a moment"),
        (("due", "2026-02-09T08:00", "20XD"), "Error: invalid working-time duration '20XD'"),
        (("due", "2026-02-09T08:00", "1WD", "--calendar", "nowhere"), "Error: no calendar named 'nowhere'"),
        (("remove", "2026-03-09"), "Error: no active entry on 09/03/2026"),
        (
            ("holiday", "2026-13-01", "--name", "x", "--source", SOURCE),
            "Error: DATE: '2026-13-01' is not a date",
        ),
        (("list", "twenty"), "Error: YEAR: 'twenty' is not a year"),
    ],
)
def test_errors_are_one_line_and_fail(run: Invoke, args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1


def test_swap_then_list_and_due(run: Invoke, service: CalendarService) -> None:
    result = run("swap", "--off", "05/01/2026", "--work", "2026-01-10", "--source", SOURCE, "--user", "vanthu")
    assert (result.exit_code, result.output) == (
        0,
        "05/01/2026 off, 10/01/2026 worked (calendar default, revision 1)\n",
    )
    assert {d.entered_by for d in service.list_days(2026) if d.origin == "admin"} == {"vanthu"}
    lines = run("list", "2026").output.splitlines()
    assert "05/01/2026\toff\tNghỉ bù, làm bù ngày 10/01/2026\t1234/TB-VPCP\tadmin" in lines
    assert f"17/02/2026\toff\tTết Nguyên Đán\t{PACKAGE_SOURCE}\tpackage" in lines
    assert run("due", "2026-01-02T09:00", "1WD").output == "2026-01-06T17:30:00+07:00\n"


def test_swap_validation_is_reported_with_its_fields(run: Invoke) -> None:
    result = run("swap", "--off", "2026-03-07", "--work", "2026-03-09", "--source", SOURCE)
    assert result.exit_code == 1
    assert "off: 07/03/2026 (sat) is not a regular working day" in result.output
    assert "work: 09/03/2026 (mon) is a regular working day" in result.output


def test_holiday_and_remove_keep_history(run: Invoke, service: CalendarService) -> None:
    result = run("holiday", "2026-03-09", "--name", "Nghỉ đột xuất", "--source", SOURCE)
    assert (result.exit_code, result.output) == (0, "09/03/2026 off (calendar default, revision 1)\n")
    # without --user the administrator of Settings enters it
    assert {d.entered_by for d in service.list_days(2026) if d.origin == "admin"} == {"admin"}
    assert run("remove", "09/03/2026", "--user", "truongphong").exit_code == 0
    assert not [line for line in run("list", "2026").output.splitlines() if "admin" in line]
    (removed,) = [line for line in run("list", "2026", "--removed").output.splitlines() if "admin" in line]
    assert removed.endswith("admin (removed 02/03/2026 by truongphong)")


def test_workday_overrides_a_package_holiday(run: Invoke, service: CalendarService) -> None:
    result = run("workday", "27/04/2026", "--name", "Làm việc", "--source", SOURCE)
    assert result.exit_code == 0, result.output
    assert service.calendar().is_working_day(date(2026, 4, 27))
    lines = run("list", "2026").output.splitlines()
    assert any(line.startswith("27/04/2026\toff\t") and line.endswith("package (overridden)") for line in lines)
    assert "27/04/2026\twork\tLàm việc\t1234/TB-VPCP\tadmin" in lines


def test_each_change_is_audited_as_its_user(run: Invoke, database: Database) -> None:
    assert run("holiday", "2026-03-09", "--name", "Nghỉ đột xuất", "--source", SOURCE).exit_code == 0
    assert run("remove", "2026-03-10", "--user", "truongphong").exit_code != 0, "nothing to remove"
    assert run("remove", "2026-03-09", "--user", "truongphong").exit_code == 0
    events = HistoryService(database).administration(10, CALENDAR_ACTIONS)
    assert [(e.actor, e.action, e.details["revision"]) for e in events] == [
        ("truongphong", "calendar_day_removed", 2),
        ("admin", "calendar_day_added", 1),
    ], "newest first; without --user the administrator of Settings; the refused removal left none"


def test_a_day_change_by_someone_not_a_designer_is_refused_by_the_engine(run: Invoke, service: CalendarService) -> None:
    """The command names any user; the engine checks that user's role inside the transaction."""
    for args in (
        ("holiday", "09/03/2026", "--name", "Nghỉ", "--source", SOURCE),
        ("workday", "07/03/2026", "--name", "Làm", "--source", SOURCE),
        ("swap", "--off", "09/03/2026", "--work", "14/03/2026", "--source", SOURCE),
    ):
        result = run(*args, "--user", "motcua")
        assert result.exit_code != 0 and "may not change the design" in result.output, args
    assert service.revision() == 0
