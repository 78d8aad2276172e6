"""Time: a late step, the apology with a new date (once), and the dossier's classification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.errors import InvalidState
from engine.models import SlaSegment
from tests.scenarios.conftest import World, drive, individual, titles, vn


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def segment(world: World, code: str, element: str) -> SlaSegment:
    with world.engine.db.transaction() as s:
        stmt = select(SlaSegment).where(
            SlaSegment.instance_id == world.instance(code), SlaSegment.element_id == element
        )
        return s.scalars(stmt).one()


def test_a_late_step_an_apology_and_a_new_date(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()])
    drive(world, code, until="appraise")
    assert f"{world.dossier(code).due_at + timedelta(hours=7):%d/%m/%Y}" == "30/03/2026"
    world.clock.set(vn(12, 3, 10))  # 7 working days on a 5-day step
    world.do(code, "appraise")
    assert segment(world, code, "appraise").classification == "qua_han"
    result = world.dossiers.reschedule(
        world.person("truongphong"), code, vn(6, 4, 17, 30), "cần thêm thời gian xác minh hiệp y"
    )
    assert result["appointment"] == "06/04/2026"
    assert world.documents(code)[-1] == "apology.pdf"
    assert world.dossiers.lookup(code).appointment == "06/04/2026"
    with pytest.raises(InvalidState, match="already moved once"):
        world.dossiers.reschedule(world.person("truongphong"), code, vn(10, 4, 17, 30), "lần nữa")
    world.clock.set(vn(1, 4, 9))  # past the first date, before the new one
    drive(world, code)
    d = world.dossier(code)
    assert (d.status, d.classification) == (10, "truoc_han")
    assert f"{d.due_at + timedelta(hours=7):%d/%m/%Y}" == "06/04/2026"
    assert world.document(code, "control_slip").startswith(b"%PDF")


def test_too_late_to_apologise_and_the_dossier_is_late(world: World) -> None:
    code = world.submit("BK_UBND", [individual("Lê Văn Bình", "nam", titles=titles("HTXSNV", 2024, 2025))])
    drive(world, code, until="sign_decision")
    world.clock.set(vn(30, 3, 9))  # due 30/03 17:30: less than 1 working day left
    with pytest.raises(InvalidState, match="too late"):
        world.dossiers.reschedule(world.person("truongphong"), code, vn(3, 4, 17), "chậm")
    world.clock.set(vn(31, 3, 9))
    drive(world, code)
    assert (world.dossier(code).status, world.dossier(code).classification) == (10, "qua_han")


def test_returned_on_the_due_day_is_on_time(world: World) -> None:
    code = world.submit(
        "TT_LDXS",
        [
            {
                "kind": "collective",
                "name": "Phòng Kế toán",
                "members_total": 10,
                "members_completing": 10,
                "members_ldtt": 7,
                "members_cstd_cs": 1,
            }
        ],
    )
    drive(world, code, until="return_result")
    world.clock.set(vn(30, 3, 16))
    drive(world, code)
    assert world.dossier(code).classification == "dung_han"
