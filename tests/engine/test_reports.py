"""Supervisor reports over stored classifications: on-time rates, pending work, late dossiers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine import Engine
from engine.clock import VirtualClock
from engine.errors import InvalidInput
from engine.reports import period_range
from tests.engine.conftest import complete
from tests.engine.test_sla import dossier, task, vn  # noqa: F401  (the dossier fixture)


@pytest.fixture
def march(engine: Engine, dossier, vclock: VirtualClock) -> dict[str, int]:  # noqa: F811
    """Three dossiers of March 2026 with hand-known results.

    early: every step early, finished Tue 03/03; late: B1 done late on Tue 03/03 (due Mon 14:00), then
    left open and overdue; open: untouched, B1 overdue since Mon 14:00.
    """
    early, late, open_ = dossier("R-EARLY"), dossier("R-LATE", limit="3WD"), dossier("R-OPEN")
    vclock.set(vn(2, 3, 9))
    complete(engine, early, "check_papers", user="chi")  # due 14:00 → đúng hạn
    complete(engine, early, "appraise", {"needs_supplement": False}, user="an")  # due 12/03 → trước hạn
    complete(engine, early, "draft_decision", user="an")  # trước hạn; dossier trước hạn
    vclock.set(vn(3, 3, 9))
    complete(engine, late, "check_papers", user="chi")  # quá hạn (due Mon 14:00)
    vclock.set(vn(6, 3, 10))  # R-LATE's 3 WD ran out Thu 05/03 17:30
    engine.timers.fire_due()
    return {"early": early, "late": late, "open": open_}


def test_on_time_rate_by_month_and_quarter(engine: Engine, march) -> None:
    [month] = engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31))
    assert (month.period, month.early, month.on_time, month.late) == ("2026-03", 2, 1, 1)
    assert month.on_time_rate == 0.75
    [quarter] = engine.reports.on_time(date(2026, 1, 1), date(2026, 3, 31), period="quarter")
    assert quarter.period == "2026-Q1" and quarter.finished == 4
    assert engine.reports.on_time(date(2026, 4, 1), date(2026, 4, 30)) == []


def test_on_time_rate_by_step_and_person_and_for_dossiers(engine: Engine, march) -> None:
    by_step = {r.group: r for r in engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31), group_by="step")}
    assert (by_step["check_papers"].on_time, by_step["check_papers"].late) == (1, 1)
    by_person = {
        r.group: r.finished for r in engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31), group_by="person")
    }
    assert by_person == {"chi": 2, "an": 2}
    [dossiers] = engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31), level="dossier")
    assert (dossiers.early, dossiers.late) == (1, 0), "open dossiers are not finished work"


def test_pending_now_overdue_and_due_soon(engine: Engine, march, vclock: VirtualClock) -> None:
    [everything] = engine.reports.pending(group_by="none")
    # R-LATE: appraise (due 13/03 09:00) within time; R-OPEN: check_papers overdue since 02/03 14:00
    assert (everything.within, everything.overdue) == (1, 1)
    by_step = {p.group: p for p in engine.reports.pending(group_by="step")}
    assert by_step["check_papers"].overdue == 1 and by_step["appraise"].within == 1
    vclock.set(vn(12, 3, 10))
    assert engine.reports.pending(group_by="none", soon=timedelta(days=1))[0].due_soon == 1


def test_late_dossiers_name_the_step_that_made_them_late(engine: Engine, march) -> None:
    [late] = engine.reports.late_dossiers(date(2026, 3, 1), date(2026, 3, 31))
    assert (late["business_key"], late["late_step"], late["late_step_person"]) == (
        "R-LATE",
        "B1 Tiếp nhận, kiểm tra hồ sơ",
        "chi",
    )
    assert late["due_at"] == vn(5, 3, 17, 30).isoformat()


def test_bad_report_parameters_name_the_field(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.reports.on_time(date(2026, 1, 1), date(2026, 3, 31), period="week", group_by="colour")
    assert set(err.value.fields) == {"period", "group_by"}


def test_drill_down_lists_exactly_the_work_behind_each_number(engine: Engine, march) -> None:
    overdue = engine.reports.pending_items(status="overdue")
    assert [(i.business_key, i.element_id, i.holder, i.classification) for i in overdue] == [
        ("R-OPEN", "check_papers", "desk", "qua_han")
    ]
    assert overdue[0].task_id == task(engine, march["open"], "check_papers").id
    within = engine.reports.pending_items(group_by="step", group="appraise", status="within")
    assert [(i.business_key, i.step) for i in within] == [("R-LATE", "B2 Thẩm định")]
    assert engine.reports.pending_items(group_by="person", group=None, status="open") == overdue + within
    assert engine.reports.pending_items(group_by="unit", group="so-tai-chinh") == []
    for rate in engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31), group_by="person"):
        found = engine.reports.finished_items(date(2026, 3, 1), date(2026, 3, 31), group_by="person", group=rate.group)
        assert len(found) == rate.finished
    [late] = engine.reports.finished_items(date(2026, 3, 1), date(2026, 3, 31), result="late")
    assert (late.business_key, late.element_id, late.person, late.process_key) == (
        "R-LATE",
        "check_papers",
        "chi",
        "sla_dossier",
    )
    [dossier_] = engine.reports.finished_items(date(2026, 3, 1), date(2026, 3, 31), level="dossier")
    assert (dossier_.business_key, dossier_.classification, dossier_.task_id) == ("R-EARLY", "truoc_han", None)
    assert engine.reports.finished_items(date(2026, 4, 1), date(2026, 4, 30)) == []
    assert engine.reports.step_names(["check_papers", "nowhere"]) == {"check_papers": "B1 Tiếp nhận, kiểm tra hồ sơ"}


def test_due_soon_drill_down_follows_the_clock(engine: Engine, march, vclock: VirtualClock) -> None:
    assert engine.reports.pending_items(status="due_soon") == []
    vclock.set(vn(12, 3, 10))  # R-LATE's appraise is due 13/03 09:00
    [soon] = engine.reports.pending_items(status="due_soon")
    assert (soon.business_key, soon.due_soon, soon.classification) == ("R-LATE", True, "trong_han")


def test_period_labels_give_their_days() -> None:
    assert period_range("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_range("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_range("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_range("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    for bad in ("2026-13", "2026-Q5", "26", "2026-03-01", "abcd"):
        with pytest.raises(InvalidInput):
            period_range(bad)


def test_bad_drill_down_parameters_name_the_field(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.reports.pending_items(status="late", group_by="colour")
    assert set(err.value.fields) == {"status", "group_by"}
    with pytest.raises(InvalidInput) as err:
        engine.reports.finished_items(date(2026, 1, 1), date(2026, 3, 31), result="soon")
    assert set(err.value.fields) == {"result"}
