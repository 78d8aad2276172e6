"""A supplement asked by the appraiser during processing: the dossier clock stops while the applicant works and,
when the desk receives the papers, resumes (the working time left is kept) or restarts (the whole legal limit
from the return), as the award type's ``supplement_policy`` says; the dossier goes back to the same appraiser.
Asked once per dossier. The working-day calendar is the oracle for every date."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.errors import InvalidInput
from engine.models import Event
from tests.pdf_text import pdf_text
from tests.scenarios.conftest import World, drive, individual, titles, vn

ASKED = {
    "appraisal_outcome": "bo_sung",
    "supplement_missing": ["BAO_CAO_THANH_TICH"],
    "supplement_note": "Báo cáo thành tích chưa có xác nhận của thủ trưởng đơn vị.",
}


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def holder() -> dict:
    return individual("Lê Văn Bình", "nam", titles=titles("HTXSNV", 2024, 2025))


def to_appraisal(world: World, award_type: str, nominee: dict) -> str:
    code = world.submit(award_type, [nominee])
    drive(world, code, until="appraise")
    assert world.ready_ids(code) == ["appraise"]
    return code


def ask_and_return(world: World, code: str, asked_at: datetime, back_at: datetime) -> None:
    """The appraiser asks for the papers at ``asked_at``; the desk receives them at ``back_at``."""
    world.clock.set(asked_at)
    world.do(code, "appraise", ASKED)
    world.clock.set(back_at)
    world.dossiers.return_supplement(world.person("motcua"), code, world.papers("BAO_CAO_THANH_TICH"))


def trail_events(world: World, code: str) -> list[Event]:
    with world.engine.db.reading() as s:
        return list(s.scalars(select(Event).where(Event.instance_id == world.instance(code)).order_by(Event.id)))


def events(world: World, code: str) -> list[str]:
    return [e.action for e in trail_events(world, code)]


@pytest.mark.parametrize(
    ("award_type", "nominee", "policy"), [("CSTD_TINH", star(), "resume"), ("BK_UBND", holder(), "restart")]
)
def test_the_clock_follows_the_award_types_policy(world: World, award_type: str, nominee: dict, policy: str) -> None:
    """Asked on Wed 04/03 10:00, back on Tue 28/04 14:00 (Giỗ Tổ on Mon 27/04, 30/04 and 01/05 ahead)."""
    code = to_appraisal(world, award_type, nominee)
    assert world.dossiers.catalogue().award(award_type).supplement_policy == policy
    due_before = world.clock_row(code).due_at
    asked_at, back_at = vn(4, 3, 10), vn(28, 4, 14)
    world.clock.set(asked_at)
    world.do(code, "appraise", ASKED)

    d = world.dossier(code)
    assert (d.status, world.ready_ids(code)) == (5, [])
    assert [m["name"] for m in d.supplement_items or []] == ["Báo cáo thành tích (Mẫu số 05)"]
    assert world.documents(code)[-1] == "supplement_request.pdf"
    slip = " ".join(pdf_text(world.document(code, "supplement_request")).split())
    assert "Sau khi thẩm định, hồ sơ chưa đầy đủ" in slip and "CHUYÊN VIÊN THẨM ĐỊNH" in slip
    assert ASKED["supplement_note"] in slip
    row = world.clock_row(code)
    cal = world.engine.sla.calendar_of(row.calendar)
    assert row.paused_at == asked_at and row.due_at == due_before
    public = world.dossiers.lookup(code)
    assert (public.status_name, public.to_bring, public.appointment) == (
        "Yêu cầu bổ sung",
        ("Báo cáo thành tích (Mẫu số 05)",),
        None,
    )
    left = cal.between(asked_at, due_before)
    limit = cal.duration(world.dossiers.catalogue().award(award_type).limit)
    assert (public.asked_on, public.on_return) == ("04/03/2026", policy)
    assert public.days_on_return == round((left if policy == "resume" else limit) / cal.day_length, 1)

    world.clock.set(back_at)
    world.dossiers.return_supplement(world.person("motcua"), code, world.papers("BAO_CAO_THANH_TICH"))

    row = world.clock_row(code)
    kept = cal.add(back_at, left)  # the working time left when the clock stopped, counted on from the return
    anew = cal.due_date_for(back_at, world.dossiers.catalogue().award(award_type).limit)
    assert kept != anew
    assert row.due_at == (kept if policy == "resume" else anew)
    assert row.paused_at is None and world.dossier(code).due_at == row.due_at
    assert world.dossiers.lookup(code).appointment == f"{row.due_at.astimezone(cal.zone):%d/%m/%Y}"
    # back to processing, with the same appraiser
    d = world.dossier(code)
    assert d.status == 4 and sum(p.supplement for p in d.papers) == 1
    (task,) = world.ready(code)
    assert (task.element_id, task.assignee) == ("appraise", "thamdinh")
    # the trail keeps the stop and the return
    trail = events(world, code)
    assert trail.index("clock_paused") < trail.index("message_received") < trail.index("clock_resumed")
    drive(world, code)
    assert world.dossier(code).status == 10
    slip = " ".join(pdf_text(world.document(code, "control_slip")).split())
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ: 10:00 04/03/2026; nhận hồ sơ bổ sung: 14:00 28/04/2026" in slip
    resumed = [e for e in trail_events(world, code) if e.action == "clock_resumed"]
    assert [e.details for e in resumed] == [{"policy": policy}]


def test_a_second_supplement_request_is_refused(world: World) -> None:
    code = to_appraisal(world, "BK_UBND", holder())
    assert [v for v, _ in world.dossiers.choices(world.person("thamdinh"), code)["appraisal_outcomes"]] == [
        "tham_dinh",
        "bo_sung",
    ]
    ask_and_return(world, code, vn(4, 3, 10), vn(9, 3, 9))
    # the form no longer offers it, and the answer is refused if sent anyway: nothing changes
    outcomes = world.dossiers.choices(world.person("thamdinh"), code)["appraisal_outcomes"]
    assert [v for v, _ in outcomes] == ["tham_dinh"]
    (task,) = world.ready(code)
    before = world.clock_row(code).due_at
    with pytest.raises(InvalidInput) as refused:
        world.engine.tasks.complete(task.id, "thamdinh", ASKED)
    assert "chỉ được yêu cầu bổ sung, hoàn thiện một lần" in refused.value.message
    assert list(refused.value.fields or {}) == ["appraisal_outcome"]
    assert (world.dossier(code).status, world.ready_ids(code)) == (4, ["appraise"])
    assert (world.clock_row(code).due_at, world.clock_row(code).paused_at) == (before, None)
    assert events(world, code).count("clock_paused") == 1


def test_a_supplement_asked_at_intake_was_the_one(world: World) -> None:
    """Asked at the desk already: the appraiser may not ask again."""
    code = world.submit("BK_UBND", [holder()], papers=["TO_TRINH", "BIEN_BAN_BINH_XET"])
    world.do(code, "check_completeness", {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH"]})
    world.dossiers.return_supplement(world.person("motcua"), code, world.papers("BAO_CAO_THANH_TICH"))
    drive(world, code, until="appraise")
    assert [v for v, _ in world.dossiers.choices(world.person("thamdinh"), code)["appraisal_outcomes"]] == ["tham_dinh"]
    (task,) = world.ready(code)
    world.engine.tasks.claim(task.id, "thamdinh")
    with pytest.raises(InvalidInput):
        world.engine.tasks.complete(task.id, "thamdinh", ASKED)


def test_the_request_names_what_is_missing(world: World) -> None:
    """The form's rule: a supplement lists at least one paper, of the dossier's rule set."""
    code = to_appraisal(world, "BK_UBND", holder())
    (task,) = world.ready(code)
    world.engine.tasks.claim(task.id, "thamdinh")
    for answer in ({"appraisal_outcome": "bo_sung"}, {**ASKED, "supplement_missing": ["GIAY_KHONG_CO"]}):
        with pytest.raises(InvalidInput):
            world.engine.tasks.complete(task.id, "thamdinh", answer)
    assert (world.dossier(code).status, world.ready_ids(code)) == (4, ["appraise"])


def test_the_applicant_may_withdraw_while_the_papers_are_awaited(world: World) -> None:
    code = to_appraisal(world, "CSTD_TINH", star())
    world.clock.set(vn(4, 3, 10))
    world.do(code, "appraise", ASKED)
    world.later(days=2)
    world.dossiers.withdraw(world.person("motcua"), code, "Đơn vị xin rút hồ sơ.")
    d = world.dossier(code)
    assert (d.status, d.outcome, world.ready_ids(code)) == (7, "withdrawn", [])
    assert world.engine.runtime.get(world.instance(code)).state == "completed"
    row = world.clock_row(code)
    assert row.finished_at is not None and row.paused_at is None and row.paused_s > 0
