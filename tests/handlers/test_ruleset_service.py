"""Publishing a rule-set version: the diff in Vietnamese, the effective date against today and the version in
force, and the refusals that leave nothing stored."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import clock
from engine.db import Database
from engine.errors import InvalidInput
from handlers.domain import Domain
from handlers.models import RuleSet
from handlers.ruleset_diff import changes
from handlers.ruleset_labels import label
from tests.web.dossier_world import domain_engine


@pytest.fixture
def world(database: Database, vclock: clock.VirtualClock, tmp_path: Path) -> Domain:
    return domain_engine(database, tmp_path / "files")


def count(world: Domain) -> int:
    with world.engine.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(RuleSet)) or 0)


def test_the_diff_names_each_field_in_vietnamese(world: Domain) -> None:
    old = world.rulesets.draft()
    new = copy.deepcopy(old)
    new["award_types"]["CO_TINH"]["vote"]["quorum"] = "80%"
    del new["award_types"]["BK_UBND"]["bonus_multiple"]["household"]
    new["award_types"]["TT_LDXS"]["eligibility"]["collective"][2]["min"] = "75%"
    new["version"] = "khác"  # every version has its own code and date: not a change of the rules
    found = {c.path: (c.label, c.before, c.after) for c in changes(old, new)}
    assert found == {
        "award_types.CO_TINH.vote.quorum": ("Cờ thi đua cấp tỉnh › Biểu quyết › Túc số họp", "2/3", "80%"),
        "award_types.TT_LDXS.eligibility.collective[2].min": (
            "Tập thể lao động xuất sắc › Điều kiện › Tập thể › mục 3 › Mức tối thiểu",
            "70%",
            "75%",
        ),
        "award_types.BK_UBND.bonus_multiple.household": (
            "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh › Hệ số tiền thưởng › Hộ gia đình",
            "1.0",
            "(không có)",
        ),
    }
    assert label("councils.tinh.members", old) == "Hội đồng Thi đua – Khen thưởng tỉnh › Thành viên"


def test_the_date_must_come_after_the_version_in_force(world: Domain, vclock: clock.VirtualClock) -> None:
    vclock.set(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))  # 2026.07 took effect this morning
    draft = world.rulesets.draft()
    assert draft["version"] == "2026.07"
    draft["version"] = "2026.07b"
    with pytest.raises(InvalidInput) as refused:
        world.rulesets.publish("designer", draft, "thử")
    assert refused.value.fields == {
        "effective_from": ["phải sau ngày hiệu lực của phiên bản đang áp dụng (01/07/2026)"]
    }
    draft["effective_from"] = "2026-07-02"
    version, found = world.rulesets.publish("admin", draft, "thử")
    assert (version, found) == ("2026.07b", [])  # the same rules from another day: nothing changed
    assert [v.version for v in world.rulesets.versions() if v.upcoming] == ["2026.10", "2026.07b"]


def test_a_date_years_ahead_is_refused(world: Domain, vclock: clock.VirtualClock) -> None:
    vclock.set(datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    before = count(world)
    draft = world.rulesets.draft()
    draft.update(version="9999.01", effective_from="9999-01-01")
    with pytest.raises(InvalidInput) as refused:
        world.rulesets.publish("designer", draft, "thử")
    assert refused.value.fields == {"effective_from": ["phải trong vòng 5 năm tới (đến ngày 10/03/2031)"]}
    assert count(world) == before
    draft["effective_from"] = "2031-03-10"  # the last day it may take effect
    assert world.rulesets.publish("designer", draft, "thử")[0] == "9999.01"


def test_bad_rules_are_refused_in_vietnamese_and_nothing_is_stored(world: Domain) -> None:
    draft = world.rulesets.draft()
    draft.update(version="2026.05", effective_from="2026-05-01")
    draft["award_types"]["CSTD_CS"]["quota"] = 0
    draft["award_types"]["CSTD_CS"]["recipients"] = ["ca_nhan"]
    before = count(world)
    with pytest.raises(InvalidInput) as refused:
        world.rulesets.publish("designer", draft, "thử")
    assert refused.value.fields["award_types.CSTD_CS.quota"] == ["phải là số nguyên dương hoặc null (không giới hạn)"]
    assert "không thuộc" in refused.value.fields["award_types.CSTD_CS.recipients"][0]
    assert count(world) == before
