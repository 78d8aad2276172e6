"""Public consultation as a step of the award procedure: where the rule set in force says so, the proposed list
is published for a number of working days, the procedure waits on that timer, and the dossier's clock stops."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict, InvalidInput, NotFound, RateLimited
from engine.tasks import TaskView
from handlers import rulesets
from handlers.catalogue import read_yaml
from handlers.consultation_service import CommentForm
from handlers.models import Consultation
from tests.pdf_text import pdf_text
from tests.scenarios.conftest import World, drive, individual, titles, unanimous, vn


def star(name: str = "Nguyễn Thị Hoa", gender: str = "nu") -> dict:
    return individual(name, gender, titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def consultation(world: World, code: str) -> Consultation | None:
    dossier_id = world.dossier(code).id
    with world.engine.db.reading() as s:
        return s.scalar(select(Consultation).where(Consultation.dossier_id == dossier_id))


def published(
    world: World, award: str, nominee: dict, day: int = 16, month: int = 11, until: str = "convene_session"
) -> str:
    """A dossier received and appraised on Monday ``day``/``month``/2026 at 09:00, up to its publication."""
    world.clock.set(vn(day, month, 9))
    code = world.submit(award, [nominee])
    drive(world, code, until=until)
    return code


def test_a_provincial_proposal_waits_exactly_seven_working_days_across_a_holiday(world: World) -> None:
    code = published(world, "CSTD_TINH", star())
    row = consultation(world, code)
    assert row is not None and row.days == 7 and row.closed_at is None
    # Mon 16/11 09:00 + 7 working days: weekend 21–22/11 and Tue 24/11 (Vietnam Cultural Day) do not count
    assert row.ends_at == vn(26, 11, 9)
    assert world.ready_ids(code) == []
    due_before = world.dossier(code).due_at

    world.clock.set(vn(26, 11, 8, 59))
    world.engine.timers.fire_due()
    assert world.ready_ids(code) == [], "a minute early: still published"

    world.clock.set(vn(26, 11, 9))
    world.later(seconds=1)  # a timer fires once its due time has passed
    assert world.engine.timers.fire_due() >= 1
    assert world.ready_ids(code) == ["convene_session"]
    closed = consultation(world, code)
    assert closed is not None and closed.closed_at is not None and closed.closed_at >= closed.ends_at
    due_after = world.dossier(code).due_at
    assert due_before is not None and due_after is not None
    with world.engine.db.reading() as s:
        calendar = world.engine.sla.calendar_for(s)
        moved, published_for = (
            calendar.between(due_before, due_after),
            calendar.between(row.opened_at, closed.closed_at),
        )
    assert published_for.total_seconds() == 7 * 8 * 3600 + 1
    assert moved == published_for, "the published days do not count against the time limit"
    drive(world, code)
    assert world.dossier(code).outcome == "awarded"


def test_an_award_the_rule_set_does_not_list_is_not_published(world: World) -> None:
    code = published(world, "BK_UBND", individual(titles=titles("HTXSNV", 2024, 2025)), until="standing_review")
    assert consultation(world, code) is None
    assert world.ready_ids(code) == ["standing_review"]


def test_before_the_rule_set_that_asks_for_it_nothing_is_published(world: World) -> None:
    code = published(world, "CSTD_TINH", star(), day=14, month=9)
    assert consultation(world, code) is None
    assert world.ready_ids(code) == ["convene_session"]


def comment_form(world: World, code: str, text: str, **fields: object) -> CommentForm:
    values: dict = {
        "code": code,
        "nominee_id": None,
        "kind": "phan_anh",
        "author_name": "Trần Văn Bình",
        "contact": "0912 345 678",
        "text": text,
        "address_hash": "a" * 64,
        "nonce": f"nonce-{text[:20]}",
        **fields,
    }
    return CommentForm(**values)


def comment_task(world: World, receipt: str) -> TaskView:
    instance = world.engine.runtime.list(business_key=receipt)[0]
    return next(t for t in world.engine.tasks.for_instance(instance.id) if t.state == "ready")


def test_a_comment_on_day_three_is_handled_before_the_vote_listed_in_the_minutes_and_the_decision_published(
    world: World,
) -> None:
    code = published(world, "CSTD_TINH", star())
    world.clock.set(vn(18, 11, 10))  # day 3 of the consultation
    receipt = world.domain.consultation.comment(
        comment_form(
            world, code, "Bà Hoa chưa có sáng kiến cấp tỉnh như hồ sơ kê khai.", nominee_id=world.nominees(code)[0].id
        )
    )
    task = comment_task(world, receipt)
    assert (task.element_id, task.assignee) == ("handle_comment", "thamdinh")
    assert task.due_at == vn(23, 11, 10), "3 working days over the weekend"
    assert world.domain.consultation.receipt(receipt)["status_name"] == "Đang xác minh"

    world.clock.set(vn(26, 11, 9))
    world.later(seconds=1)
    world.engine.timers.fire_due()
    assert world.domain.consultation.published() == [], "the period is over: the list left the public page"
    world.do(code, "convene_session", {"session_date": world.today()})
    before = world.nominees(code)[0].state
    with pytest.raises(InvalidInput, match="Chưa thể biểu quyết: còn 1 ý kiến phản ánh"):
        world.do(code, "record_session", unanimous(world, code))
    assert world.nominees(code)[0].state == before and world.ready_ids(code) == ["record_session"]

    answer = {"substantiated": False, "answer": "Đã xác minh: sáng kiến được công nhận cấp tỉnh năm 2025."}
    world.engine.tasks.complete(task.id, "thamdinh", answer)
    handled = world.domain.consultation.receipt(receipt)
    assert handled["status_name"] == "Đã xử lý: không có cơ sở"
    # handled on 26/11, past its budget's end on 23/11: late, as the report will count it
    assert handled["comment"].handled_on_time is False and handled["comment"].changes_proposal is False

    world.do(code, "record_session", unanimous(world, code))
    minutes = " ".join(pdf_text(world.document(code, "minutes")).split())  # table cells wrap their lines
    assert "Ý kiến của nhân dân trong thời gian công khai: 1 ý kiến" in minutes
    assert receipt in minutes.replace(" ", "") and "Đã xác minh: sáng kiến được công nhận" in minutes
    drive(world, code)
    found, more = world.domain.published_decisions.search("hoa")
    assert [(a.name, a.code, a.decision) for a in found] == [
        ("Nguyễn Thị Hoa", code, world.decision(code).symbol)
    ] and not more


def test_a_comment_after_the_period_or_on_an_unpublished_dossier_is_refused(world: World) -> None:
    code = published(world, "CSTD_TINH", star())
    world.clock.set(vn(26, 11, 9, 1))
    with pytest.raises(Conflict):
        world.domain.consultation.comment(comment_form(world, code, "Quá hạn góp ý."))
    with pytest.raises(NotFound):
        world.domain.consultation.comment(comment_form(world, "HS-KHONG-CO", "Không có hồ sơ này."))


def test_a_dossier_withdrawn_while_published_leaves_the_public_page(world: World) -> None:
    code = published(world, "CSTD_TINH", star())
    assert [p.code for p in world.domain.consultation.published()] == [code]
    world.later(days=1)
    world.dossiers.withdraw(world.person("motcua"), code, "Đơn vị đề nghị xin rút hồ sơ.")
    d = world.dossier(code)
    assert (d.status, d.outcome) == (7, "withdrawn")
    assert world.domain.consultation.published() == []
    with pytest.raises(Conflict):
        world.domain.consultation.comment(comment_form(world, code, "Hồ sơ đã rút."))
    world.clock.set(vn(27, 11, 9))
    world.engine.timers.fire_due()
    assert world.engine.runtime.get(world.instance(code)).incidents == []


def test_the_limit_per_proposal_is_the_rule_sets_and_refuses_without_effect(world: World) -> None:
    """A later rule set allows two comments a day on one proposal: the third, from another address, is refused."""
    content = read_yaml((rulesets.SHIPPED / "2026-10-01.yaml").read_text(encoding="utf-8"))
    content["version"], content["effective_from"] = "2026.11-hep", "2026-11-02"
    content["consultation"]["per_proposal_per_day"] = 2
    with world.engine.db.transaction() as session:
        rulesets.load(session, content, "2026-11-02.yaml")
    code = published(world, "CSTD_TINH", star())
    for i in range(2):
        world.domain.consultation.comment(comment_form(world, code, f"Ý kiến {i}", address_hash=f"{i}" * 64))
    with pytest.raises(RateLimited, match="đã nhận đủ số ý kiến"):
        world.domain.consultation.comment(comment_form(world, code, "Ý kiến 3", address_hash="c" * 64))
    assert len(world.domain.consultation.of_dossier(code)) == 2
    assert len(world.engine.runtime.list(process_key="public_comment")) == 2
    world.later(days=1, seconds=1)
    world.domain.consultation.comment(comment_form(world, code, "Ý kiến ngày sau", address_hash="c" * 64))
