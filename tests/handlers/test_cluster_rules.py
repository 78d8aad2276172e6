"""A cluster's scoring rules and its data: the shipped versions parse; a broken document is refused naming every
field; a loaded version never changes; a unit is in one cluster or bloc at a time; the arithmetic (bounds, totals,
weights, gaps, who grades whom, the tie-breaks) as the rules say."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput
from handlers import cluster_data, cluster_records, cluster_scoring, rulesets
from handlers.catalogue import CatalogueInvalid, read_yaml
from handlers.cluster_rules import ClusterRules, parse
from handlers.models import Cluster, ClusterMember, ClusterRuleSet, ClusterYear
from handlers.units import Units

RULES = cluster_data.SHIPPED / "rules" / "2025-01-01.yaml"
PROVINCE = cluster_data.SHIPPED / "clusters.yaml"


@pytest.fixture
def content() -> dict[str, Any]:
    return read_yaml(RULES.read_text(encoding="utf-8"), RULES.name)


@pytest.fixture
def rules(content: dict[str, Any]) -> ClusterRules:
    return parse(content, RULES.name)


def test_the_shipped_rules_parse(rules: ClusterRules) -> None:
    assert rules.version == "CUM-2025" and rules.cross_mode == "all" and rules.flags == 1
    assert rules.key_criteria == ("I.1", "I.2") and rules.max_total == Decimal(105)
    assert rules.deadlines.on("proposal", 2026).isoformat() == "2026-12-10"
    assert [c.code for c in rules.criteria if c.evidence] == ["I.1", "I.2", "II.2"]


def _broken(content: dict[str, Any], change: Any) -> dict[str, list[str]]:
    changed = copy.deepcopy(content)
    change(changed)
    with pytest.raises(CatalogueInvalid) as refused:
        parse(changed, "broken.yaml")
    return refused.value.fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c["grid"]["groups"][0]["criteria"][1].update(max=0), "grid.groups[0].criteria[1].max"),
        (lambda c: c["grid"]["groups"][0]["criteria"][1].update(max="nhiều"), "grid.groups[0].criteria[1].max"),
        (lambda c: c["grid"]["groups"][1]["criteria"][0].update(code="I.1"), "grid"),
        (lambda c: c["grid"]["groups"].clear(), "grid.groups"),
        (lambda c: c.update(weights={"self": "50%", "cross": "70%"}), "weights"),
        (lambda c: c.update(cross_grading="moi_nguoi"), "cross_grading"),
        (lambda c: c.update(tie_breaks=["tuoi"]), "tie_breaks[0]"),
        (lambda c: c["vote"].update(threshold="120%"), "vote.threshold"),
        (lambda c: c.update(flags=0), "flags"),
        (lambda c: c.update(certificates=True), "certificates"),
        (lambda c: c.update(tolerance=-1), "tolerance"),
        (lambda c: c["deadlines"].update(proposal="31/02"), "deadlines.proposal"),
        (lambda c: c["deadlines"].update(self_score="15/12"), "deadlines"),
        (lambda c: c.update(effective_from="mùng một"), "effective_from"),
        (lambda c: c.pop("version"), "version"),
    ],
)
def test_a_broken_rule_set_is_refused_naming_the_field(content: dict[str, Any], change: Any, field: str) -> None:
    fields = _broken(content, change)
    assert field in fields, fields
    assert all(message and message[0].isupper() for messages in fields.values() for message in messages)


def test_key_criteria_tie_break_needs_a_key_criterion(content: dict[str, Any]) -> None:
    def unkey(c: dict[str, Any]) -> None:
        for group in c["grid"]["groups"]:
            for criterion in group["criteria"]:
                criterion.pop("key", None)

    assert "tie_breaks" in _broken(content, unkey)


def test_a_loaded_version_never_changes(session: Session, content: dict[str, Any]) -> None:
    assert cluster_data.ensure_shipped(session) > 0
    assert cluster_data.ensure_shipped(session) == 0
    changed = copy.deepcopy(content)
    changed["tolerance"] = 8
    with pytest.raises(Conflict):
        cluster_data.load_rules(session, changed, "sua-tai-cho.yaml")
    assert session.scalar(select(func.count()).select_from(ClusterRuleSet)) == 1
    row, found = cluster_data.rules_in_force(session, date(2026, 5, 1))
    assert row.version == found.version == "CUM-2025" and found.tolerance == 5


def test_the_shipped_province_loads_with_the_2025_reorganisation(session: Session) -> None:
    cluster_data.ensure_shipped(session)
    assert session.scalar(select(func.count()).select_from(Cluster)) == 3
    assert session.scalar(select(func.count()).select_from(ClusterYear)) == 6
    merged = session.scalars(select(ClusterMember).where(ClusterMember.unit == "so-kh")).one()
    assert (merged.year, merged.valid_from.isoformat(), str(merged.valid_to)) == (2025, "2025-01-01", "2025-02-28")
    bloc = cluster_records.year_of(session, "khoi-van-xa", 2025)
    assert cluster_records.members_on(bloc, date(2025, 2, 1)).count("so-ldtbxh") == 1
    scored = cluster_records.scored_members(bloc)  # at year end: the merged unit is gone, the new one is in
    assert "so-ldtbxh" not in scored and "so-dttg" in scored and len(scored) == 6


def _province() -> dict[str, Any]:
    return read_yaml(PROVINCE.read_text(encoding="utf-8"), PROVINCE.name)


def test_a_unit_is_in_one_cluster_or_bloc_at_a_time() -> None:
    document = _province()
    document["clusters"][2]["years"]["2026"]["members"].append("so-tc")  # already in khoi-kinh-te in 2026
    with pytest.raises(InvalidInput) as refused:
        cluster_data.check(document, Units.load(), "clusters.yaml")
    assert "clusters[2].years.2026.members[6]" in refused.value.fields
    assert "chỉ thuộc một cụm" in refused.value.fields["clusters[2].years.2026.members[6]"][0]


def test_a_unit_may_move_cluster_on_its_effective_date() -> None:
    document = _province()
    kinh_te = document["clusters"][1]["years"]["2025"]["members"]
    kinh_te[kinh_te.index("so-tp")] = {"unit": "so-tp", "until": "2025-06-30"}
    document["clusters"][2]["years"]["2025"]["members"].append({"unit": "so-tp", "from": "2025-07-01"})
    assert cluster_data.check(document, Units.load(), "clusters.yaml").desk_unit == "so-noi-vu"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda d: d["clusters"][0]["years"]["2026"]["members"].append("khong-co"),
            "clusters[0].years.2026.members[8]",
        ),
        (lambda d: d["clusters"][0]["years"]["2026"].update(head="so-gd"), "clusters[0].years.2026.head"),
        (lambda d: d["clusters"][0].update(kind="nhom"), "clusters[0].kind"),
        (lambda d: d.update(desk_unit="khong-co"), "desk_unit"),
    ],
)
def test_a_broken_province_is_refused_naming_the_field(change: Any, field: str) -> None:
    document = _province()
    change(document)
    with pytest.raises(InvalidInput) as refused:
        cluster_data.check(document, Units.load(), "clusters.yaml")
    assert field in refused.value.fields


def test_sheet_bounds_and_totals(rules: ClusterRules) -> None:
    sheet = {"I.1": 28, "I.2": "14,5", "I.3": 9, "II.1": 9, "II.2": 9, "III.1": 13, "III.2": 8, "T.1": 2, "TR.1": 3}
    checked = cluster_scoring.check_sheet(rules, sheet)
    assert cluster_scoring.total(rules, checked) == Decimal("89.5")  # 90.5 + 2 bonus − 3 penalty
    assert cluster_scoring.key_total(rules, checked) == Decimal("42.5")
    with pytest.raises(InvalidInput) as refused:
        cluster_scoring.check_sheet(rules, {**sheet, "I.3": -1, "TR.1": 11, "X.9": 1, "II.1": True})
    assert set(refused.value.fields) == {"scores.I.3", "scores.TR.1", "scores.X.9", "scores.II.1"}
    with pytest.raises(InvalidInput) as missing:
        cluster_scoring.check_sheet(rules, {k: v for k, v in sheet.items() if k != "III.2"})
    assert list(missing.value.fields) == ["scores.III.2"]


def test_weights_gap_and_who_grades_whom(rules: ClusterRules) -> None:
    own = {code: Decimal(10) for code in ("I.1", "I.2")}
    crosses = [{"I.1": Decimal(0), "I.2": Decimal(0)}, {"I.1": Decimal(10), "I.2": Decimal(0)}]
    combined = cluster_scoring.combine(rules, own, crosses)
    assert (combined["I.1"], combined["I.2"]) == (Decimal("6.50"), Decimal("3.00"))  # 30 % own + 70 % average
    assert cluster_scoring.gap(rules, own, crosses) == Decimal("15.00")
    members = ["a", "b", "c"]
    assert cluster_scoring.expected_graders(rules, members, "a", "b") == {
        "a": ["b", "c"],
        "b": ["a", "c"],
        "c": ["a", "b"],
    }
    group = ClusterRules(**{**rules.__dict__, "cross_mode": "head_group"})
    assert cluster_scoring.expected_graders(group, members, "a", "b") == {"a": ["b"], "b": ["a"], "c": ["a", "b"]}


def test_ties_are_broken_by_the_rules_in_their_order(rules: ClusterRules) -> None:
    standing = cluster_scoring.Standing
    tied = [standing("x", Decimal(90), Decimal(40), 8), standing("y", Decimal(90), Decimal(42), 6)]
    assert [(s.unit, s.rank) for s in cluster_scoring.ranking(rules, tied)] == [("y", 1), ("x", 2)]
    votes_first = ClusterRules(**{**rules.__dict__, "tie_breaks": ("votes", "key_criteria")})
    assert [(s.unit, s.rank) for s in cluster_scoring.ranking(votes_first, tied)] == [("x", 1), ("y", 2)]
    even = [standing("x", Decimal(90), Decimal(40), 8), standing("y", Decimal(90), Decimal(40), 8)]
    assert [s.rank for s in cluster_scoring.ranking(rules, even)] == [1, 1]


def test_the_award_catalogue_still_loads_through_the_shared_version_store(session: Session) -> None:
    assert rulesets.ensure_shipped(session) == len(rulesets.shipped_files())
