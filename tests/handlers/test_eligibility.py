"""Eligibility checks computed from nominee data: the domain's examples, each way round."""

from __future__ import annotations

from typing import Any

from handlers.catalogue import Catalogue
from handlers.eligibility import evaluate, verdict


def person(**facts: Any) -> dict[str, Any]:
    return {"kind": "individual", "name": "Nguyễn Thị Hoa", "gender": "nu", **facts}


def titles(title: str, *years: int) -> list[dict[str, Any]]:
    return [{"year": y, "title": title} for y in years]


def test_cstd_tinh_needs_three_consecutive_cstd_cs_and_a_provincial_initiative(loaded: Catalogue) -> None:
    award = loaded.award("CSTD_TINH")
    good = person(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"name": "Số hóa hồ sơ", "scope": "tinh"}])
    checks = evaluate(good, award, loaded, 2025)
    assert [c.rule for c in checks] == ["freeze", "consecutive_titles", "initiative"]
    assert verdict(checks) == "dat"
    gap = person(titles=titles("CSTD_CS", 2022, 2023, 2025), initiatives=[{"scope": "toan_quoc"}])
    checks = evaluate(gap, award, loaded, 2025)
    assert verdict(checks) == "khong_dat"
    assert "thiếu năm 2024" in checks[1].detail
    local_only = person(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "co_so"}])
    assert evaluate(local_only, award, loaded, 2025)[2].passed is False


def test_tt_ldxs_needs_100_percent_completing_70_percent_ldtt_and_one_cstd_cs(loaded: Catalogue) -> None:
    award = loaded.award("TT_LDXS")
    team = {"kind": "collective", "name": "Phòng Tổ chức", "members_total": 20}
    ok = {**team, "members_completing": 20, "members_ldtt": 14, "members_cstd_cs": 1}
    assert verdict(evaluate(ok, award, loaded, 2025)) == "dat"
    one_short = {**ok, "members_completing": 19}
    checks = evaluate(one_short, award, loaded, 2025)
    assert checks[1].passed is False and checks[1].detail == "19/20 = 95%"
    below_70 = {**ok, "members_ldtt": 13}
    assert evaluate(below_70, award, loaded, 2025)[2].passed is False
    no_cstd = {**ok, "members_cstd_cs": 0}
    assert evaluate(no_cstd, award, loaded, 2025)[3].passed is False
    unknown = {**team}
    assert verdict(evaluate(unknown, award, loaded, 2025)) == "can_xem_xet"


def test_the_freeze_rule_stops_discipline_investigation_and_open_complaints(loaded: Catalogue) -> None:
    award = loaded.award("BK_UBND")
    base = person(titles=titles("HTXSNV", 2024, 2025))
    assert verdict(evaluate(base, award, loaded, 2025)) == "dat"
    for flag in ("discipline", "under_investigation", "open_complaint"):
        checks = evaluate({**base, flag: True}, award, loaded, 2025)
        assert checks[0].passed is False and checks[0].detail.startswith("Tạm hoãn")
        assert verdict(checks) == "khong_dat"


def test_award_types_are_for_their_recipients_only(loaded: Catalogue) -> None:
    checks = evaluate({"kind": "collective", "name": "Phòng A"}, loaded.award("CSTD_TINH"), loaded, 2025)
    assert [(c.rule, c.passed) for c in checks] == [("recipient", False)]
    household = {"kind": "household", "name": "Hộ ông Nguyễn Văn A"}
    assert verdict(evaluate(household, loaded.award("BK_UBND"), loaded, 2025)) == "dat"


def test_cstd_cs_and_co_tinh(loaded: Catalogue) -> None:
    cs = person(titles=titles("LDTT", 2025), initiatives=[{"scope": "co_so"}])
    assert verdict(evaluate(cs, loaded.award("CSTD_CS"), loaded, 2025)) == "dat"
    assert verdict(evaluate(person(), loaded.award("CSTD_CS"), loaded, 2025)) == "khong_dat"
    leader = {"kind": "collective", "name": "Sở Tư pháp", "cluster_rank": 1}
    assert verdict(evaluate(leader, loaded.award("CO_TINH"), loaded, 2025)) == "dat"
    second = {**leader, "cluster_rank": 2}
    assert evaluate(second, loaded.award("CO_TINH"), loaded, 2025)[1].passed is False
