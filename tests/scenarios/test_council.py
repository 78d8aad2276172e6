"""The council: threshold over the whole membership, quorum missed then met, quota ranking with ties."""

from __future__ import annotations

from sqlalchemy import select

from handlers.models import CouncilSession
from tests.scenarios.conftest import World, drive, individual, titles

MEMBERS = [f"TV0{i}" for i in range(1, 10)]


def star(name: str, gender: str) -> dict:
    return individual(name, gender, titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def ids(world: World, code: str) -> dict[str, int]:
    return {n.name: n.id for n in world.nominees(code)}


def sessions(world: World, code: str) -> list[CouncilSession]:
    with world.engine.db.transaction() as s:
        d = world.dossier(code)
        return list(s.scalars(select(CouncilSession).where(CouncilSession.dossier_id == d.id).order_by("round")))


def test_below_the_threshold_of_all_members_the_dossier_ends_without_award(world: World) -> None:
    code = world.submit("CSTD_TINH", [star("Nguyễn Thị Hoa", "nu")])
    drive(world, code, until="record_session")
    nid = ids(world, code)["Nguyễn Thị Hoa"]
    # 8 present, all approve: 8/9 = 88,89 % < 90 %
    world.do(code, "record_session", {"present": MEMBERS[:8], "ballots": [{"nominee": nid, "approve": 8}]})
    assert world.ready_ids(code) == ["return_result"]
    nominee = world.nominees(code)[0]
    assert nominee.state == "failed" and "8/9" in (nominee.reason or "") and "90%" in (nominee.reason or "")
    drive(world, code)
    d = world.dossier(code)
    assert (d.status, d.outcome) == (10, "not_awarded")
    assert world.documents(code)[-3:] == ["minutes.pdf", "result_notice.pdf", "control_slip.pdf"]
    assert world.statuses(code) == [1, 2, 4, 9, 10]


def test_an_absentees_written_vote_carries_it_over_the_threshold(world: World) -> None:
    code = world.submit("CSTD_TINH", [star("Nguyễn Thị Hoa", "nu")])
    drive(world, code, until="record_session")
    nid = ids(world, code)["Nguyễn Thị Hoa"]
    record = {
        "present": MEMBERS[:8],
        "ballots": [{"nominee": nid, "approve": 8}],
        "written_votes": [{"member": "TV09", "approve": [nid]}],
    }
    world.do(code, "record_session", record)
    assert world.nominees(code)[0].state == "passed"
    drive(world, code)
    assert world.dossier(code).outcome == "awarded"


def test_quorum_missed_then_met(world: World) -> None:
    code = world.submit("CO_TINH", [{"kind": "collective", "name": "Sở Tư pháp", "cluster_rank": 1}])
    drive(world, code, until="record_session")
    nid = ids(world, code)["Sở Tư pháp"]
    world.do(code, "record_session", {"present": MEMBERS[:5], "ballots": [{"nominee": nid, "approve": 5}]})
    assert world.ready_ids(code) == ["convene_session"]  # 5 of 9 < 2/3: convened again
    world.do(code, "convene_session", {"session_date": world.today()})
    world.do(
        code,
        "record_session",
        {
            "present": MEMBERS[:6],
            "ballots": [{"nominee": nid, "approve": 6}],
            "written_votes": [{"member": "TV07", "approve": [nid]}, {"member": "TV08", "approve": [nid]}],
        },
    )
    rounds = sessions(world, code)
    assert [(r.round, r.quorum_met) for r in rounds] == [(1, False), (2, True)]
    assert rounds[1].votes[0].total == 8  # 8/9 ≥ 80 %
    drive(world, code)
    assert world.dossier(code).outcome == "awarded"


def test_quota_ranking_a_tie_goes_to_the_woman(world: World) -> None:
    code = world.submit(
        "CSTD_TINH", [star("Trần Văn Nam", "nam"), star("Nguyễn Thị Hoa", "nu"), star("Lê Văn Tú", "nam")]
    )
    drive(world, code, until="convene_session")
    world.do(code, "convene_session", {"quota": 1})
    who = ids(world, code)
    ballots = [{"nominee": who[name], "approve": 9} for name in who]
    world.do(code, "record_session", {"present": MEMBERS, "ballots": ballots})
    states = {n.name: (n.state, n.reason) for n in world.nominees(code)}
    assert states["Nguyễn Thị Hoa"] == ("passed", None)
    assert states["Trần Văn Nam"][0] == "failed" and "ngoài chỉ tiêu 1" in (states["Trần Văn Nam"][1] or "")
    drive(world, code)
    assert [line.name for line in world.decision(code).lines] == ["Nguyễn Thị Hoa"]


def test_a_tie_between_two_women_goes_to_the_chair(world: World) -> None:
    code = world.submit("CSTD_TINH", [star("Nguyễn Thị Hoa", "nu"), star("Phạm Thị Lan", "nu")])
    drive(world, code, until="convene_session")
    world.do(code, "convene_session", {"quota": 1})
    who = ids(world, code)
    world.do(
        code, "record_session", {"present": MEMBERS, "ballots": [{"nominee": i, "approve": 9} for i in who.values()]}
    )
    assert world.ready_ids(code) == ["chair_tiebreak"]
    world.do(code, "chair_tiebreak", {"chair_order": [who["Phạm Thị Lan"], who["Nguyễn Thị Hoa"]]})
    states = {n.name: n.state for n in world.nominees(code)}
    assert states == {"Nguyễn Thị Hoa": "failed", "Phạm Thị Lan": "passed"}
    drive(world, code)
    assert [line.name for line in world.decision(code).lines] == ["Phạm Thị Lan"]
    assert "minutes.pdf" in world.documents(code)
