"""Rules by receipt date, and decision numbers when two leaders sign at the same moment."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta

from handlers import rulesets
from handlers.catalogue import read_yaml
from tests.scenarios.conftest import World, drive, individual, titles, vn

MEMBERS = [f"TV0{i}" for i in range(1, 10)]


def star(name: str = "Nguyễn Thị Hoa") -> dict:
    return individual(name, "nu", titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def march_rules() -> dict:
    """A rule change in force from Monday 09/03/2026: CSTD_TINH in 15 working days, 80 %, 3.5× the base salary."""
    content = read_yaml((rulesets.SHIPPED / "2025-07-01.yaml").read_text(encoding="utf-8"))
    content = copy.deepcopy(content)
    content["version"], content["effective_from"] = "2026.03", "2026-03-09"
    fast = copy.deepcopy(content["procedures"]["co_hoi_dong"])
    fast["name"] = "Xét khen thưởng có bỏ phiếu (rút gọn 15 ngày)"
    budgets = {"B3": "3WD", "B4": "3WD", "B5": "1WD"}
    for step in fast["steps"]:
        step["budget"] = budgets.get(step["step"], step["budget"])
        if "parallel" in step:
            step["parallel"] = {task: "3WD" for task in step["parallel"]}
    content["procedures"]["co_hoi_dong_15"] = fast
    award = content["award_types"]["CSTD_TINH"]
    award.update(limit="15WD", procedure="co_hoi_dong_15", supplement_policy="restart")
    award["vote"]["threshold"] = "80%"
    award["bonus_multiple"]["individual"] = "3.5"
    return content


def test_two_dossiers_either_side_of_a_rule_change_follow_different_rules(world: World) -> None:
    with world.engine.db.transaction() as s:
        rulesets.ensure_shipped(s)
        rulesets.load(s, march_rules(), "2026-03-09.yaml")
    world.clock.set(vn(6, 3, 9))  # Friday, old rules
    before = world.submit("CSTD_TINH", [star()])
    world.clock.set(vn(9, 3, 9))  # Monday, new rules
    after = world.submit("CSTD_TINH", [star("Phạm Thị Lan")])
    assert (world.dossier(before).rule_version, world.dossier(after).rule_version) == ("2025.07", "2026.03")
    for code in (before, after):
        drive(world, code, until="record_session")
        nid = world.nominees(code)[0].id
        world.do(code, "record_session", {"present": MEMBERS[:8], "ballots": [{"nominee": nid, "approve": 8}]})
    a, b = world.dossier(before), world.dossier(after)
    assert f"{a.due_at + timedelta(hours=7):%d/%m/%Y}" == "03/04/2026"  # 20 WD from 06/03
    assert f"{b.due_at + timedelta(hours=7):%d/%m/%Y}" == "30/03/2026"  # 15 WD from 09/03
    assert world.nominees(before)[0].state == "failed"  # 8/9 < 90 %
    assert world.nominees(after)[0].state == "passed"  # 8/9 ≥ 80 %
    drive(world, before)
    drive(world, after)
    assert (world.dossier(before).outcome, world.dossier(after).outcome) == ("not_awarded", "awarded")
    assert world.decision(after).total_vnd == 8_190_000  # 3.5 × 2,340,000
    # a dossier received on the 9th still reads its rules on the 9th, whatever comes later
    assert world.dossiers.catalogue(vn(8, 3).date()).version == "2025.07"


def test_two_decisions_signed_at_the_same_moment_get_consecutive_numbers(world: World) -> None:
    holder = individual("Lê Văn Bình", "nam", titles=titles("HTXSNV", 2024, 2025))
    codes = [world.submit("BK_UBND", [holder]) for _ in range(2)]
    for code in codes:
        drive(world, code, until="sign_decision")
    tasks = [next(t for t in world.ready(code) if t.element_id == "sign_decision") for code in codes]
    for task in tasks:
        world.engine.tasks.claim(task.id, "lanhdao")
    start, errors = threading.Barrier(2), []

    def sign(task_id: str) -> None:
        try:
            start.wait(10)
            world.engine.tasks.complete(task_id, "lanhdao", {"signed": True})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(t.id,)) for t in tasks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(world.decision(code).number for code in codes) == [1, 2]
    assert {world.decision(code).symbol for code in codes} == {"1/QĐ-UBND", "2/QĐ-UBND"}
