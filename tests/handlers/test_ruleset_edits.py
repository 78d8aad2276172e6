"""The rule-set draft's structural edits (add / remove an award type or a condition) and the diff that names a
whole added or removed type: pure functions over the shipped document, no database."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import InvalidInput
from handlers.catalogue import parse, read_yaml
from handlers.ruleset_diff import changes
from handlers.ruleset_edits import NewAward, add_award, add_rule, remove_award, remove_rule
from handlers.rulesets import SHIPPED

NEW = NewAward("BK_SNV", "Bằng khen của Giám đốc Sở", "SNV", ["individual"], "khong_hoi_dong", "", "", "", ["TO_TRINH"])


@pytest.fixture
def shipped() -> dict[str, Any]:
    return read_yaml((SHIPPED / "2026-10-01.yaml").read_text(encoding="utf-8"))


def test_an_added_type_is_a_whole_valid_award_named_once_in_the_diff(shipped: dict[str, Any]) -> None:
    draft = add_rule(add_award(shipped, NEW), "BK_SNV", "individual", "consecutive_titles")
    award = parse(draft).award("BK_SNV")
    assert award.limit == "20WD" and award.vote is None and award.required_papers == ("TO_TRINH",)
    assert [r.kind for r in award.eligibility["individual"]] == ["freeze", "consecutive_titles"]
    found = changes(shipped, draft)
    assert [(c.path, c.after) for c in found] == [
        ("award_types.BK_SNV", "thêm mới: Bằng khen của Giám đốc Sở (BK_SNV)")
    ]
    assert "BK_SNV" not in shipped["award_types"]  # the edits copy the draft


def test_a_removed_type_leaves_the_consultation_list_too(shipped: dict[str, Any]) -> None:
    draft = remove_award(shipped, "CO_TINH")
    assert "CO_TINH" not in parse(draft).award_types
    found = {c.path: c for c in changes(shipped, draft)}
    assert found["award_types.CO_TINH"].after == "bỏ: Cờ thi đua cấp tỉnh (CO_TINH)"
    assert found["consultation.award_types"].before == "Chiến sĩ thi đua cấp tỉnh; Cờ thi đua cấp tỉnh"


def test_a_condition_is_removed_by_its_place(shipped: dict[str, Any]) -> None:
    draft = remove_rule(shipped, "award_types.CSTD_TINH.eligibility.individual[1]")
    assert [r["rule"] for r in draft["award_types"]["CSTD_TINH"]["eligibility"]["individual"]] == [
        "freeze",
        "initiative",
    ]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda d: add_award(
                d, NewAward("CSTD_TINH", "x", "SNV", ["individual"], "co_hoi_dong", "tinh", "", "", [])
            ),
            "new_award.code",
        ),
        (
            lambda d: add_award(d, NewAward("bk snv", "x", "SNV", ["individual"], "co_hoi_dong", "", "", "", [])),
            "new_award.code",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", " ", "SNV", ["individual"], "co_hoi_dong", "", "", "", [])),
            "new_award.name",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", "x", "BO", ["individual"], "co_hoi_dong", "", "", "", [])),
            "new_award.issuing_body",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", "x", "SNV", ["robot"], "co_hoi_dong", "", "", "", [])),
            "new_award.recipients",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", "x", "SNV", ["individual"], "khac", "", "", "", [])),
            "new_award.procedure",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", "x", "SNV", ["individual"], "co_hoi_dong", "xa", "", "", [])),
            "new_award.council",
        ),
        (
            lambda d: add_award(d, NewAward("BK_X", "x", "SNV", ["individual"], "co_hoi_dong", "", "", "", ["SO_DO"])),
            "new_award.required_papers",
        ),
        (lambda d: remove_award(d, "KHONG_CO"), "remove_award"),
        (lambda d: add_rule(d, "CSTD_TINH", "collective", "freeze"), "award_types.CSTD_TINH.add_rule"),
        (lambda d: add_rule(d, "CSTD_TINH", "individual", "ratio"), "award_types.CSTD_TINH.add_rule"),
        (lambda d: remove_rule(d, "award_types.CSTD_TINH.eligibility.individual[7]"), "remove_rule"),
        (lambda d: remove_rule(d, "award_types.CSTD_TINH.vote"), "remove_rule"),
        (lambda d: remove_rule({"award_types": {"X": []}}, "award_types.X.eligibility.individual[0]"), "remove_rule"),
    ],
)
def test_a_refused_edit_names_its_field_and_changes_nothing(shipped: dict[str, Any], edit, field: str) -> None:
    before = read_yaml((SHIPPED / "2026-10-01.yaml").read_text(encoding="utf-8"))
    with pytest.raises(InvalidInput) as refused:
        edit(shipped)
    assert field in refused.value.fields
    assert shipped == before
