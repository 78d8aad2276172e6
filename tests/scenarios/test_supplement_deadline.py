"""The applicant's deadline for a supplement ("by when"): rule set 2026.07 gives 10 working days from the request
(``supplement_within``), counted on the office's calendar; the paper, the desk and the public look-up name the
day, and the look-up says when it has passed. Rule set 2025.07 sets none, so a dossier received under it gets no
date. The oracle is the Government's calendar for 2026: Saturday 22/08 is worked in exchange for Monday 31/08,
and 01/09 – 02/09 is National Day (Quốc khánh)."""

from __future__ import annotations

from tests.pdf_text import pdf_text
from tests.scenarios.conftest import World, drive, individual, titles, vn


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


INCOMPLETE = ["TO_TRINH", "BIEN_BAN_BINH_XET"]
ASK = {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH", "MINH_CHUNG_SANG_KIEN"]}


def test_a_supplement_asked_at_the_desk_names_its_last_day(world: World) -> None:
    """Asked on Tue 25/08/2026: Wed 26, Thu 27, Fri 28 (1–3), Mon 31/08 – Wed 02/09 off, Thu 03, Fri 04 (4–5),
    Mon 07 – Fri 11/09 (6–10): the last day is Friday 11/09/2026."""
    world.clock.set(vn(25, 8, 9))
    code = world.submit("CSTD_TINH", [star()], papers=INCOMPLETE)
    assert world.dossier(code).rule_version == "2026.07"
    world.do(code, "check_completeness", ASK)

    public = world.dossiers.lookup(code)
    assert (public.status, public.bring_by, public.bring_by_passed) == (5, "11/09/2026", False)
    slip = " ".join(pdf_text(world.document(code, "supplement_request")).split())
    assert "Thời hạn bổ sung: chậm nhất ngày 11/09/2026" in slip

    world.clock.set(vn(11, 9, 17))  # still the last day
    assert world.dossiers.lookup(code).bring_by_passed is False
    world.clock.set(vn(14, 9, 8))  # the Monday after
    assert world.dossiers.lookup(code).bring_by_passed is True

    world.dossiers.return_supplement(world.person("motcua"), code, world.papers(*ASK["missing"]))
    back = world.dossiers.lookup(code)
    assert (back.bring_by, back.bring_by_passed) == (None, False)  # nothing is awaited any more


def test_a_supplement_asked_in_appraisal_names_its_last_day(world: World) -> None:
    """Asked by the appraiser on Thu 27/08/2026 10:00: Fri 28 (1), Thu 03, Fri 04/09 (2–3), Mon 07 – Fri 11
    (4–8), Mon 14, Tue 15/09 (9–10): 10:00 on Tuesday 15/09/2026."""
    world.clock.set(vn(24, 8, 9))
    code = world.submit("CSTD_TINH", [star()])
    drive(world, code, until="appraise")
    world.clock.set(vn(27, 8, 10))
    world.do(
        code,
        "appraise",
        {"appraisal_outcome": "bo_sung", "supplement_missing": ["BAO_CAO_THANH_TICH"], "supplement_note": ""},
    )
    assert world.dossiers.lookup(code).bring_by == "15/09/2026"
    assert world.dossier(code).supplement_due_at == vn(15, 9, 10)


def test_a_dossier_under_the_earlier_rules_gets_no_date(world: World) -> None:
    world.clock.set(vn(30, 6, 9))  # the last day of rule set 2025.07
    code = world.submit("CSTD_TINH", [star()], papers=INCOMPLETE)
    assert world.dossier(code).rule_version == "2025.07"
    world.do(code, "check_completeness", ASK)
    public = world.dossiers.lookup(code)
    assert public.to_bring and public.bring_by is None
    slip = " ".join(pdf_text(world.document(code, "supplement_request")).split())
    assert "Thời hạn bổ sung" not in slip
