"""A dossier of each award type from submission to the returned result, through the engine."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import SlaClock, SlaSegment
from tests.scenarios.conftest import World, drive, individual, titles

MEMBERS = [f"TV0{i}" for i in range(1, 10)]


def star(name: str = "Nguyễn Thị Hoa", gender: str = "nu") -> dict:
    return individual(
        name, gender, titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"name": "Số hóa", "scope": "tinh"}]
    )


def team(name: str = "Phòng Giáo dục Trung học", **facts: object) -> dict:
    return {"kind": "collective", "name": name, "members_total": 20, "women_members": 15, **facts}


def test_cstd_tinh_from_submission_to_result(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()])
    assert world.dossier(code).status == 1
    assert world.dossiers.lookup(code).status_name == "Mới đăng ký"
    assert world.ready_ids(code) == ["check_completeness"]
    world.do(code, "check_completeness", {"completeness": "tiep_nhan"})
    d = world.dossier(code)
    assert d.status == 4 and d.received_at is not None  # received (2), then handed to the division (4)
    assert d.due_at is not None and f"{d.due_at:%Y-%m-%d %H:%M}" == "2026-03-30 10:30"  # 17:30 in Vietnam
    public = world.dossiers.lookup(code)
    assert (public.status, public.status_name, public.appointment) == (4, "Đang xử lý", "30/03/2026")
    world.do(code, "assign_appraiser", {"appraiser": "thamdinh"})
    [appraise] = world.ready(code)
    assert appraise.assignee == "thamdinh", "the division head's pick is the assignee (assignee_from)"
    world.do(code, "appraise")
    assert world.ready_ids(code) == ["cross_check_cong_an", "cross_check_thanh_tra"]
    world.do(code, "cross_check_cong_an", {"answer": "dong_y"})
    world.do(code, "cross_check_thanh_tra", {"answer": "dong_y"})
    world.do(code, "draft_submission", {"summary": "Đủ tiêu chuẩn."})
    world.do(code, "approve_draft", {"approval": "duyet"})
    world.do(code, "convene_session", {"session_date": world.today()})
    nominee = world.nominees(code)[0]
    world.do(code, "record_session", {"present": MEMBERS, "ballots": [{"nominee": nominee.id, "approve": 9}]})
    world.do(code, "sign_decision", {"signed": True})
    world.do(code, "publish_decision")
    world.do(code, "return_result", {"delivery": "truc_tiep"})
    d = world.dossier(code)
    assert (d.status, d.outcome, d.classification) == (10, "awarded", "truoc_han")
    assert world.statuses(code) == [1, 2, 4, 9, 10]
    decision = world.decision(code)
    assert decision.symbol == "1/QĐ-UBND" and decision.total_vnd == 7_020_000
    assert [(line.name, line.bonus_vnd) for line in decision.lines] == [("Nguyễn Thị Hoa", 7_020_000)]
    assert world.nominees(code)[0].state == "awarded"
    assert world.documents(code) == [
        "receipt.pdf",
        "draft_submission.docx",
        "draft_decision.docx",
        "minutes.pdf",
        "decision.pdf",
        "control_slip.pdf",
    ]
    assert world.document(code, "decision").startswith(b"%PDF")
    with world.engine.db.transaction() as s:
        clock_row = s.scalars(select(SlaClock).where(SlaClock.business_key == code)).one()
        # in the order the slip's rows were written: without ORDER BY, PostgreSQL gives rows as they lie on disk,
        # and a row updated since lies after the others (CI saw return_result first)
        slip = select(SlaSegment).where(SlaSegment.instance_id == d.instance_id).order_by(SlaSegment.id)
        steps = [seg.element_id for seg in s.scalars(slip)]
    assert clock_row.classification == "truoc_han"
    assert steps[:3] == ["check_completeness", "assign_appraiser", "appraise"] and steps[-1] == "return_result"
    assert world.engine.runtime.get(d.instance_id or 0).state == "completed"


def test_cstd_cs_votes_in_the_base_council_at_80_percent(world: World) -> None:
    nominee = individual(titles=titles("LDTT", 2025), initiatives=[{"scope": "co_so"}])
    code = world.submit("CSTD_CS", [nominee])
    drive(world, code, until="record_session")
    assert world.ready_ids(code) == ["record_session"]
    members = ["CS01", "CS02", "CS03", "CS04", "CS05"]
    nid = world.nominees(code)[0].id
    world.do(code, "record_session", {"present": members, "ballots": [{"nominee": nid, "approve": 4}]})  # 4/5 = 80 %
    drive(world, code)
    d = world.dossier(code)
    assert (d.status, d.outcome) == (10, "awarded")
    assert world.decision(code).symbol == "1/QĐ-SNV"
    assert world.decision(code).total_vnd == 2_340_000


def test_bk_ubnd_is_reviewed_by_the_standing_body_without_a_vote(world: World) -> None:
    person = individual("Trần Văn Nam", "nam", titles=titles("HTXSNV", 2024, 2025), is_leader=True)
    code = world.submit("BK_UBND", [person, team(titles=titles("HTXSNV", 2024, 2025))])
    drive(world, code, until="standing_review")
    assert "convene_session" not in world.ready_ids(code)
    drive(world, code)
    d = world.dossier(code)
    assert (d.status, d.outcome, d.classification) == (10, "awarded", "truoc_han")
    lines = [(line.name, line.multiple, line.bonus_vnd) for line in world.decision(code).lines]
    assert lines == [("Trần Văn Nam", "1.0", 2_340_000), ("Phòng Giáo dục Trung học", "2.0", 4_680_000)]
    assert "minutes.pdf" not in world.documents(code)


def test_tt_ldxs_collective(world: World) -> None:
    code = world.submit("TT_LDXS", [team(members_completing=20, members_ldtt=15, members_cstd_cs=2)])
    drive(world, code)
    d = world.dossier(code)
    assert (d.status, d.outcome) == (10, "awarded")
    assert world.decision(code).total_vnd == 3_510_000


def test_co_tinh_asks_all_four_agencies(world: World) -> None:
    code = world.submit("CO_TINH", [team("Sở Tư pháp", cluster_rank=1)])
    drive(world, code, until="cross_check_bhxh")
    assert world.ready_ids(code) == [
        "cross_check_bhxh",
        "cross_check_cong_an",
        "cross_check_thanh_tra",
        "cross_check_thue",
    ]
    drive(world, code)
    assert world.dossier(code).status == 10
    assert world.decision(code).total_vnd == 18_720_000
