"""The ISO clock through the persisted engine: due dates, pauses, one reschedule, classification, the slip.

Every expected moment below was worked out by hand on the 2026 calendar (08:00–11:30 + 13:30–17:30
style hours are 07:30–11:30 and 13:30–17:30, 8 h a day, Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event

from engine import Engine
from engine.clock import VirtualClock, install
from engine.errors import InvalidInput, InvalidState
from tests.engine.conftest import complete, ready

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SLA = Path(__file__).parent.parent / "fixtures" / "sla"


def vn(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def at(vclock: VirtualClock) -> Iterator[Callable[[datetime], VirtualClock]]:
    """Put the virtual clock at any moment (also earlier than the default one)."""
    previous: list = []

    def move(moment: datetime) -> VirtualClock:
        virtual = VirtualClock(moment)
        previous.append(install(virtual))
        return virtual

    yield move
    if previous:
        install(previous[0])


@pytest.fixture
def dossier(engine: Engine) -> Callable[..., int]:
    engine.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")

    def start(code: str, limit: str = "20WD", policy: str = "resume") -> int:
        inst = engine.runtime.start(
            "sla_dossier", business_key=code, data={"limit": limit, "policy": policy}, actor="chi"
        )
        return inst.id

    return start


def task(engine: Engine, instance_id: int, element_id: str):
    return next(t for t in ready(engine, instance_id) if t.element_id == element_id)


def clock_of(engine: Engine, instance_id: int):
    slip = engine.sla.slip(instance_id)
    assert slip.clock is not None
    return slip.clock


def test_happy_path_due_dates_warnings_overdue_and_classification(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-A")  # Mon 02/03/2026 08:00
    assert clock_of(engine, inst).due_at == vn(30, 3, 17, 30), "20 WD: day 0 is 02/03, the 20th is Mon 30/03"
    assert engine.runtime.get(inst).data["receipt"]["due_at"] == vn(30, 3, 17, 30).isoformat()
    b1 = task(engine, inst, "check_papers")
    assert (b1.due_at, b1.properties["budget"]) == (vn(2, 3, 14), "0.5WD")
    vclock.set(vn(2, 3, 10))
    complete(engine, inst, "check_papers", user="chi")
    assert engine.tasks.get(b1.id).properties  # still readable after completion
    b2 = task(engine, inst, "appraise")
    assert b2.due_at == vn(12, 3, 10), "8 WD from Mon 02/03 10:00"
    vclock.set(vn(10, 3, 10, 1))  # warn_before=2WD → the warning is due Tue 10/03 10:00
    assert engine.timers.fire_due() == 1
    notes = engine.notifications.for_user("an")
    assert [n.kind for n in notes] == ["task_warning"] and "HS-A" in notes[0].message
    assert engine.tasks.get(b2.id).classification == "trong_han"
    vclock.set(vn(12, 3, 10, 1))
    assert engine.timers.fire_due() == 1
    overdue = engine.tasks.get(b2.id)
    assert (overdue.classification, overdue.sla_state) == ("qua_han", "violated")
    vclock.set(vn(12, 3, 11))
    complete(engine, inst, "appraise", {"needs_supplement": False}, user="an")
    assert task(engine, inst, "draft_decision").due_at == vn(27, 3, 17), "11.5 WD from Thu 12/03 11:00"
    vclock.set(vn(16, 3, 9))
    complete(engine, inst, "draft_decision", user="an")
    slip = engine.sla.slip(inst)
    assert [(s.element_id, s.classification, s.sla_state) for s in slip.segments] == [
        ("check_papers", "dung_han", "met"),
        ("appraise", "qua_han", "violated"),
        ("draft_decision", "truoc_han", "met"),
    ]
    assert slip.segments[0].used_s == 2 * 3600 and slip.segments[0].from_actor == "chi"
    assert (slip.segments[1].to_actor, slip.segments[1].finished_by) == ("appraiser", "an")
    assert (slip.clock.classification, slip.clock.sla_state) == ("truoc_han", "met")
    assert engine.runtime.get(inst).state == "completed"


def test_supplement_pauses_and_resumes_the_clock(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-B", policy="resume")
    vclock.set(vn(2, 3, 8, 30))
    complete(engine, inst, "check_papers", user="chi")
    vclock.set(vn(4, 3, 8))
    complete(engine, inst, "appraise", {"needs_supplement": True}, user="an")
    paused = clock_of(engine, inst)
    assert paused.paused_at == vn(4, 3, 8) and paused.pauses == 1
    supplement = task(engine, inst, "receive_supplement")
    assert supplement.due_at is None and supplement.sla_state == "not_applicable"
    vclock.set(vn(9, 3, 8))  # the applicant returns after 3 working days (Wed 08:00 → Mon 08:00 = 24 h)
    complete(engine, inst, "receive_supplement", user="chi")
    resumed = clock_of(engine, inst)
    assert resumed.paused_at is None and resumed.paused_s == 24 * 3600
    assert resumed.due_at == vn(2, 4, 17, 30) and resumed.original_due_at == vn(30, 3, 17, 30)
    assert task(engine, inst, "draft_decision").due_at == vn(24, 3, 14)


def test_supplement_with_restart_counts_again_from_zero(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-C", policy="restart")
    complete(engine, inst, "check_papers", user="chi")
    vclock.set(vn(4, 3, 8))
    complete(engine, inst, "appraise", {"needs_supplement": True}, user="an")
    vclock.set(vn(9, 3, 8))
    complete(engine, inst, "receive_supplement", user="chi")
    assert clock_of(engine, inst).due_at == vn(6, 4, 17, 30), "20 WD counted again from Mon 09/03"


def test_one_reschedule_at_least_one_working_day_ahead(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-D")
    vclock.set(vn(27, 3, 8))  # 15.5 working hours before the due date
    with pytest.raises(InvalidInput, match="reason"):
        engine.sla.reschedule(inst, vn(6, 4, 17, 30), " ", actor="an")
    with pytest.raises(InvalidInput, match="after the current due date"):
        engine.sla.reschedule(inst, vn(27, 3, 17, 30), "thiếu ý kiến hiệp y", actor="an")
    moved = engine.sla.reschedule(inst, vn(6, 4, 17, 30), "chờ ý kiến hiệp y của cơ quan thuế", actor="an")
    assert (moved.due_at, moved.original_due_at) == (vn(6, 4, 17, 30), vn(30, 3, 17, 30))
    with pytest.raises(InvalidState, match="already moved once"):
        engine.sla.reschedule(inst, vn(10, 4, 17, 30), "lần hai", actor="an")
    assert [e.action for e in engine.history.for_instance(inst)].count("clock_rescheduled") == 1


def test_reschedule_too_late_is_refused(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-E")
    vclock.set(vn(30, 3, 8))  # 7.5 working hours left: less than 1 WD
    with pytest.raises(InvalidState, match="at least 1 working day"):
        engine.sla.reschedule(inst, vn(6, 4, 17, 30), "muộn", actor="an")
    assert clock_of(engine, inst).rescheduled_at is None


def test_a_dossier_received_after_the_cut_off_counts_from_the_next_day(engine: Engine, dossier, vclock) -> None:
    vclock.set(vn(2, 3, 15, 30))
    inst = dossier("HS-F")
    row = clock_of(engine, inst)
    assert (row.received_at, row.started_at, row.due_at) == (vn(2, 3, 15, 30), vn(3, 3, 7, 30), vn(31, 3, 17, 30))


def test_twenty_working_days_across_tet(engine: Engine, dossier, at) -> None:
    at(vn(9, 2, 8))
    inst = dossier("HS-TET")
    assert clock_of(engine, inst).due_at == vn(16, 3, 17, 30)


def test_the_dossier_overdue_mark_is_stored(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-G", limit="1WD")  # due Tue 03/03 17:30
    vclock.set(vn(3, 3, 17, 31))
    engine.timers.fire_due()
    row = clock_of(engine, inst)
    assert (row.classification, row.sla_state) == ("qua_han", "violated")
    assert any(n.kind == "dossier_overdue" for n in engine.notifications.for_user("admin") + _supervisor(engine))


def _supervisor(engine: Engine):
    engine.identity.ensure_user("giamsat", groups=["supervisor"])
    return engine.notifications.for_user("giamsat")


def test_cancelled_steps_are_aborted_on_the_slip(engine: Engine, dossier) -> None:
    inst = dossier("HS-H")
    engine.runtime.cancel(inst, actor="admin")
    [segment] = engine.sla.slip(inst).segments
    assert segment.sla_state == "aborted" and segment.finished_at is not None
    assert engine.timers.pending(inst) == []


def test_bad_clock_parameters_are_an_incident_naming_the_problem(engine: Engine, dossier) -> None:
    inst = engine.runtime.get(dossier("HS-I", limit="20 days"))
    assert inst.state == "error" and "20 days" in inst.incidents[0]["message"]


def test_escalation_unclaimed_notifies_and_incomplete_reassigns(engine: Engine, vclock) -> None:
    bpmn = (
        (SLA / "sla_dossier.bpmn")
        .read_text()
        .replace(
            '<spiffworkflow:property name="warn_before" value="2WD"/>',
            '<spiffworkflow:property name="escalate_unclaimed" value="4WH notify division_head"/>'
            '<spiffworkflow:property name="escalate_incomplete" value="2WD reassign user:dung"/>',
        )
    )
    engine.repository.deploy({"sla_dossier.bpmn": bpmn.encode()}, actor="admin")
    inst = engine.runtime.start("sla_dossier", data={"limit": "20WD", "policy": "resume"}, actor="chi").id
    complete(engine, inst, "check_papers", user="chi")
    b2 = task(engine, inst, "appraise")
    vclock.set(vn(2, 3, 14, 1))  # 4 working hours after 08:00 is 14:00; still unclaimed
    engine.timers.fire_due()
    assert [n.kind for n in engine.notifications.for_user("dung")] == ["escalation"]
    engine.tasks.claim(b2.id, "an")
    vclock.set(vn(4, 3, 8, 1))  # 2 WD after it became ready, still not done
    engine.timers.fire_due()
    moved = engine.tasks.get(b2.id)
    assert (moved.assignee, moved.candidate_users) == ("dung", ["dung"])
    escalations = [e for e in engine.history.for_task(b2.id) if e.action == "task_escalated"]
    assert [e.details["action"] for e in escalations] == ["notify", "reassign"]
    assert escalations[1].before["assignee"] == "an" and escalations[1].after["assignee"] == "dung"


def test_an_administrator_changes_the_escalation_of_a_running_task(engine: Engine, dossier, vclock) -> None:
    inst = dossier("HS-J")
    b1 = task(engine, inst, "check_papers")
    engine.sla.set_escalation(b1.id, "escalate_unclaimed", "1WH notify supervisor", actor="admin")
    vclock.set(vn(2, 3, 9, 1))
    engine.timers.fire_due()
    assert [n.kind for n in _supervisor(engine)] == ["escalation"]
    with pytest.raises(InvalidInput):
        engine.sla.set_escalation(b1.id, "escalate_unclaimed", "soon", actor="admin")


def test_timer_expression_in_working_days(engine: Engine, dossier, at) -> None:
    at(vn(24, 4, 10))  # Fri 24/04; Mon 27/04 (Giỗ Tổ), 30/04 and 01/05 are off
    inst = engine.runtime.start("disclosure", actor="admin").id
    [timer] = engine.timers.pending(inst)
    assert timer.due_at == vn(8, 5, 10), "7 working days: 28, 29/04, 04, 05, 06, 07, 08/05, at 10:00"


def test_a_month_of_dossiers_through_holidays(engine: Engine, dossier, at) -> None:
    """April–May 2026: Giỗ Tổ's compensation Monday 27/04, 30/04 and 01/05 off."""
    clk = at(vn(23, 4, 9))
    first = dossier("T-1", limit="3WD")  # Thu 23/04 09:00: 24, 28, 29/04 → due Wed 29/04 17:30
    clk.set(vn(24, 4, 16))
    second = dossier("T-2", limit="5WD")  # Fri 24/04 16:00 after the cut-off: starts Tue 28/04
    clk.set(vn(29, 4, 10))
    third = dossier("T-3", limit="2WD")  # Wed 29/04 10:00: 04/05, 05/05
    expected = {
        first: (vn(29, 4, 17, 30), vn(23, 4, 15)),
        second: (vn(7, 5, 17, 30), vn(28, 4, 10)),
        third: (vn(5, 5, 17, 30), vn(29, 4, 16)),
    }
    for inst, (due, b1_due) in expected.items():
        assert clock_of(engine, inst).due_at == due
        assert task(engine, inst, "check_papers").due_at == b1_due
    # every B1 of the first two is overdue by now (their overdue timers fire on this run)
    engine.timers.fire_due()
    assert task(engine, first, "check_papers").classification == "qua_han"
    assert task(engine, second, "check_papers").classification == "qua_han"
    assert task(engine, third, "check_papers").classification == "trong_han"
    clk.set(vn(29, 4, 17, 31))
    engine.timers.fire_due()
    assert [clock_of(engine, i).classification for i in (first, second, third)] == ["qua_han", "trong_han", "trong_han"]
    clk.set(vn(4, 5, 9))  # after the holidays: finish the second early, the third on its due day
    for inst in (second, third):
        for step in ("check_papers", "appraise", "draft_decision"):
            complete(engine, inst, step, {"needs_supplement": False} if step == "appraise" else {}, user="admin")
        clk.advance(timedelta(days=1))
    assert clock_of(engine, second).classification == "truoc_han"
    assert clock_of(engine, third).classification == "dung_han"


def test_a_unit_names_its_calendar(engine: Engine, dossier, at) -> None:
    """A one-stop desk that also works Saturday mornings: its unit's step deadlines count them."""
    from datetime import time as t

    week = {d: ((t(7, 30), t(11, 30)), (t(13, 30), t(17, 30))) for d in range(5)} | {5: ((t(7, 30), t(11, 30)),)}
    engine.calendar.create_calendar("desk_saturday", hours=week, units=["mot-cua-tinh"])
    engine.identity.ensure_user("desk_sat", groups=["desk"], unit="mot-cua-tinh")
    at(vn(6, 3, 15))  # Fri 06/03 15:00
    inst = engine.runtime.start("sla_dossier", data={"limit": "20WD", "policy": "resume"}, actor="desk_sat").id
    assert task(engine, inst, "check_papers").due_at == vn(7, 3, 9), "2.5 h on Friday, then Saturday 07:30 + 1.5 h"
    other = dossier("HS-WEEKDAY")
    assert task(engine, other, "check_papers").due_at == vn(9, 3, 9), "the default calendar skips to Monday"


def test_catching_up_after_downtime_announces_each_step_once(engine: Engine, dossier, vclock) -> None:
    """A worker down for weeks fires the due warnings and overdue marks at once: each step (and the dossier)
    is announced in its current state only — overdue — never "due soon" in the same minute."""
    engine.identity.ensure_user("giam", groups=["supervisor"])
    inst = dossier("HS-C", limit="5WD")
    vclock.set(vn(2, 3, 10))
    complete(engine, inst, "check_papers", user="chi")
    vclock.set(vn(20, 4, 9))  # weeks after both the step's and the dossier's due times
    engine.timers.fire_due(limit=100)
    kinds = [n.kind for n in engine.notifications.for_user("an")]
    assert kinds == ["task_overdue"], kinds
    supervisor = sorted(n.kind for n in engine.notifications.for_user("giam"))
    assert supervisor == ["dossier_overdue", "task_overdue"], supervisor
    assert engine.tasks.get(task(engine, inst, "appraise").id).classification == "qua_han"


def test_a_new_instance_starts_its_clock_without_looking_for_one(engine: Engine, dossier, vclock) -> None:
    """The transaction that creates an instance knows it has no clock yet: starting one reads no clock (a
    registration did, once per dossier), and the clock it starts is there, with its due date."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa_event.listen(engine.db.engine, "before_cursor_execute", on_statement)
    try:
        inst = dossier("HS-NEW")
    finally:
        sa_event.remove(engine.db.engine, "before_cursor_execute", on_statement)
    assert [s for s in seen if s.startswith("SELECT") and "FROM sla_clock" in s] == [], seen
    assert any(s.startswith("INSERT INTO sla_clock") for s in seen), seen
    assert clock_of(engine, inst).due_at == vn(30, 3, 17, 30)


def test_a_batch_of_due_timers_reads_its_steps_and_clocks_once_and_marks_each(
    engine: Engine, dossier, vclock
) -> None:
    """Warnings fire by the thousand: a batch reads the steps and dossier clocks it acts on in one query each
    (not one per timer), and every step and dossier is still marked late and announced."""
    instances = [dossier(f"HS-B{i}", limit="1WD") for i in range(3)]  # 9 timers: one batch (Settings.timer_batch)
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    vclock.set(vn(20, 4, 9))  # every step's and dossier's due time long past
    sa_event.listen(engine.db.engine, "before_cursor_execute", on_statement)
    try:
        fired = engine.timers.fire_due(limit=100)
    finally:
        sa_event.remove(engine.db.engine, "before_cursor_execute", on_statement)
    assert fired == 9, "each dossier: its step's warning (passed over) and overdue mark, and its own overdue mark"
    assert len([s for s in seen if s.startswith("SELECT") and "FROM human_task" in s]) == 1, seen
    assert len([s for s in seen if s.startswith("SELECT") and "FROM sla_clock" in s]) == 1, seen
    for inst in instances:
        assert (clock_of(engine, inst).classification, task(engine, inst, "check_papers").classification) == (
            "qua_han",
            "qua_han",
        )
