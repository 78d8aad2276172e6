"""The catalogue: the shipped rule set says what domain.md says, bad documents are refused with every
problem named, versions load once and the version in force on a day is the one a dossier keeps."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import yaml
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import parse_duration
from engine.db import Database
from engine.errors import Conflict, NotFound
from handlers import rulesets
from handlers.catalogue import Catalogue, CatalogueInvalid, format_ratio, parse, parse_ratio, read_yaml
from handlers.models import RuleSet


def test_the_five_award_types_of_the_domain(loaded: Catalogue) -> None:
    assert set(loaded.award_types) >= {"CSTD_CS", "CSTD_TINH", "BK_UBND", "TT_LDXS", "CO_TINH"}
    expect = {
        "CSTD_CS": (Fraction(8, 10), ("individual",), "1.0"),
        "CSTD_TINH": (Fraction(9, 10), ("individual",), "3.0"),
        "BK_UBND": (None, ("individual", "collective", "household"), None),
        "TT_LDXS": (None, ("collective",), "1.5"),
        "CO_TINH": (Fraction(8, 10), ("collective",), "8.0"),
    }
    for code, (threshold, recipients, multiple) in expect.items():
        award = loaded.award(code)
        assert award.recipients == recipients
        assert (award.vote.threshold if award.vote else None) == threshold
        assert award.limit == "20WD"
        assert award.required_papers and award.agencies
        assert award.supplement_policy in ("resume", "restart")
        if multiple:
            assert award.bonus_multiple[recipients[0]] == Decimal(multiple)
        if award.vote:
            assert award.vote.quorum == Fraction(2, 3)
    assert loaded.base_salary_on(date(2026, 3, 2)) == 2_340_000
    assert loaded.base_salary_on(date(2024, 1, 1)) == 1_800_000


def test_every_procedure_adds_up_to_the_limit(loaded: Catalogue) -> None:
    for award in loaded.award_types.values():
        steps = loaded.procedures[award.procedure].steps
        total = sum(parse_duration(s.budget).amount for s in steps)
        assert total == parse_duration(award.limit).amount, award.code
        assert [s.step for s in steps] == [f"B{i}" for i in range(1, len(steps) + 1)]


def test_ratios_are_exact() -> None:
    assert parse_ratio("2/3") == Fraction(2, 3)
    assert parse_ratio("90%") == Fraction(9, 10)
    assert parse_ratio("0.8") == Fraction(4, 5)
    assert parse_ratio(0.7) == Fraction(7, 10)
    assert format_ratio(Fraction(9, 10)) == "90%"
    assert format_ratio(Fraction(2, 3)) == "66,67%"
    for bad in ("abc", "3/2", "120%", "1/0"):
        with pytest.raises(ValueError):
            parse_ratio(bad)


def test_a_bad_document_lists_every_problem(shipped_content: dict) -> None:
    doc = copy.deepcopy(shipped_content)
    award = doc["award_types"]["CSTD_TINH"]
    award["required_papers"].append("GIAY_KHONG_CO")
    award["vote"]["threshold"] = "150%"
    award["limit"] = "15WD"
    award["agencies"].append("hai_quan")
    award["supplement_policy"] = "sometimes"
    award["supplement_within"] = "4WH"
    doc["award_types"]["BK_UBND"]["supplement_within"] = "0WD"
    doc["award_types"]["CSTD_CS"]["supplement_within"] = "soon"
    doc["award_types"]["TT_LDXS"]["bonus_multiple"] = {}
    with pytest.raises(CatalogueInvalid) as caught:
        parse(doc)
    fields = caught.value.fields
    assert "award_types.CSTD_TINH.required_papers" in fields
    assert "award_types.CSTD_TINH.vote.threshold" in fields
    assert any("cộng lại 20" in m for m in fields["award_types.CSTD_TINH.procedure"])
    assert "award_types.CSTD_TINH.agencies" in fields
    assert "award_types.CSTD_TINH.supplement_policy" in fields
    assert "award_types.TT_LDXS.bonus_multiple" in fields
    for code in ("CSTD_TINH", "BK_UBND", "CSTD_CS"):
        assert f"award_types.{code}.supplement_within" in fields


def test_from_july_2026_a_supplement_has_ten_working_days(session: Session) -> None:
    rulesets.ensure_shipped(session)
    _, before = rulesets.in_force(session, date(2026, 6, 30))
    row, after = rulesets.in_force(session, date(2026, 7, 1))
    assert row.version == "2026.07"
    assert {a.supplement_within for a in before.award_types.values()} == {None}
    assert {a.supplement_within for a in after.award_types.values()} == {"10WD"}


def test_budgets_must_be_working_days(shipped_content: dict) -> None:
    doc = copy.deepcopy(shipped_content)
    doc["procedures"]["co_hoi_dong"]["steps"][0]["budget"] = "4WH"
    with pytest.raises(CatalogueInvalid, match="ngày làm việc"):
        parse(doc)


def test_loading_is_idempotent_and_versions_are_immutable(session: Session, shipped_content: dict) -> None:
    assert rulesets.ensure_shipped(session) == len(rulesets.shipped_files()) >= 2
    assert rulesets.ensure_shipped(session) == 0
    first = rulesets.load(session, copy.deepcopy(shipped_content), "again.yaml")
    assert first.source == "2025-07-01.yaml"
    changed = copy.deepcopy(shipped_content)
    changed["award_types"]["CSTD_TINH"]["bonus_multiple"]["individual"] = "3.5"
    with pytest.raises(Conflict, match="phiên bản mới"):
        rulesets.load(session, changed, "edited.yaml")
    clash = copy.deepcopy(changed)
    clash["version"] = "2025.07-bis"
    with pytest.raises(Conflict, match="đã có bộ quy tắc khác"):
        rulesets.load(session, clash, "clash.yaml")


def test_a_stored_version_is_read_once_per_transaction(database: Database, vclock: object) -> None:
    """A step's service tasks (and a list of dossiers) ask for their rules again and again: one read each
    transaction, and a new transaction reads again."""
    with database.transaction() as session:
        rulesets.ensure_shipped(session)
        first_id = session.scalars(select(RuleSet.id).order_by(RuleSet.id)).first()
    assert first_id is not None
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listener)
    try:
        for _transaction in range(2):
            with database.transaction() as session:
                rules = [rulesets.by_id(session, first_id) for _ in range(3)]
            assert rules[0] is rules[1] is rules[2] and rules[0].version == "2025.07"
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listener)
    assert sum("FROM rule_set" in s for s in statements) == 2, statements


def test_the_version_in_force_is_then_found_by_its_id_without_a_read(database: Database, vclock: object) -> None:
    """A registration takes the rules in force, and its dossier's next service task asks for them by id: the
    transaction knows them already (one read of the rule set less per dossier received)."""
    with database.transaction() as session:
        rulesets.ensure_shipped(session)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(database.engine, "before_cursor_execute", listener)
    try:
        with database.transaction() as session:
            row, rules = rulesets.in_force(session, date(2026, 3, 2))
            read = len(statements)
            assert rulesets.by_id(session, row.id) is rules
    finally:
        sa_event.remove(database.engine, "before_cursor_execute", listener)
    assert statements[read:] == [], statements


def test_the_version_in_force_on_a_day(session: Session, shipped_content: dict) -> None:
    rulesets.ensure_shipped(session)
    later = copy.deepcopy(shipped_content)
    later["version"], later["effective_from"] = "2026.03", "2026-03-09"
    later["award_types"]["CSTD_TINH"]["vote"]["threshold"] = "80%"
    rulesets.load(session, later, "2026-03-09.yaml")
    with pytest.raises(NotFound):
        rulesets.in_force(session, date(2025, 6, 30))
    assert rulesets.in_force(session, date(2025, 7, 1))[1].version == "2025.07"
    assert rulesets.in_force(session, date(2026, 3, 8))[1].version == "2025.07"
    row, rules = rulesets.in_force(session, date(2026, 3, 9))
    assert (row.version, rules.award("CSTD_TINH").vote.threshold) == ("2026.03", Fraction(4, 5))


def test_the_consultation_rules_are_data_by_effective_date(session: Session, shipped_content: dict) -> None:
    """2025.07 publishes nothing; 2026.10 publishes the provincial titles for 7 working days with contact required;
    a section naming an award the version does not have, or a zero, is refused by path."""
    rulesets.ensure_shipped(session)
    assert rulesets.in_force(session, date(2026, 9, 30))[1].consultation is None
    later = rulesets.in_force(session, date(2026, 10, 1))[1].consultation
    assert later is not None and later.days == 7 and later.contact_required
    assert later.applies("CSTD_TINH") and later.applies("CO_TINH") and not later.applies("BK_UBND")
    broken = copy.deepcopy(shipped_content)
    broken["consultation"] = {
        "award_types": ["KHONG_CO"],
        "days": 0,
        "max_text": 10,
        "max_attachment_bytes": 10,
        "per_address_per_hour": 1,
        "per_proposal_per_day": 1,
        "attachment_types": ["application/pdf"],
    }
    with pytest.raises(CatalogueInvalid) as refused:
        parse(broken)
    assert set(refused.value.fields) == {"consultation.award_types", "consultation.days"}


def test_the_shipped_rule_sets_read_as_pyyaml_s_own_safe_loader_reads_them() -> None:
    """libyaml reads the documents when PyYAML has it: the oracle is PyYAML's pure-Python safe loader."""
    for path in rulesets.shipped_files():
        text = path.read_text(encoding="utf-8")
        expected = json.loads(json.dumps(yaml.safe_load(text), default=str, ensure_ascii=False))
        assert read_yaml(text, path.name) == expected
