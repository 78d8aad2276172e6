"""Public consultation as a step of the award procedure: where the rule set in force says so, the proposed list
is published for a number of working days, the procedure waits on that timer, and the dossier's clock stops."""

from __future__ import annotations

from sqlalchemy import select

from handlers.models import Consultation
from tests.scenarios.conftest import World, drive, individual, titles, vn


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
