"""The desk: one supplement request (resume or restart), refusal, withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.errors import InvalidInput, InvalidState
from tests.scenarios.conftest import World, drive, individual, titles, vn


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def holder() -> dict:
    return individual("Lê Văn Bình", "nam", titles=titles("HTXSNV", 2024, 2025))


def test_supplement_once_with_the_clock_resumed(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()], papers=["TO_TRINH", "BIEN_BAN_BINH_XET"])
    original_due = world.clock_row(code).due_at
    task = world.ready(code)[0]
    assert task.element_id == "check_completeness"
    world.later(hours=2)
    world.do(code, "check_completeness", {"completeness": "bo_sung", "intake_note": "Bổ sung minh chứng."})
    d = world.dossier(code)
    assert d.status == 5 and d.supplement_requested_at is not None
    assert world.documents(code) == ["supplement_request.pdf"]
    assert world.ready_ids(code) == []
    assert world.dossiers.lookup(code).status_name == "Yêu cầu bổ sung"
    # the request listed everything missing at once
    assert [m["code"] for m in d.supplement_items or []] == ["BAO_CAO_THANH_TICH", "MINH_CHUNG_SANG_KIEN"]
    world.clock.set(vn(9, 3, 8))  # a week later (5 working days paused)
    listed = world.papers("BAO_CAO_THANH_TICH", "MINH_CHUNG_SANG_KIEN")
    world.dossiers.return_supplement(world.person("motcua"), code, listed)
    assert world.ready_ids(code) == ["recheck_completeness"]
    # no second request: the recheck only receives or refuses
    task = world.ready(code)[0]
    world.engine.tasks.claim(task.id, "motcua")
    with pytest.raises(InvalidInput):
        world.engine.tasks.complete(task.id, "motcua", {"recheck": "bo_sung"})
    world.do(code, "recheck_completeness", {"recheck": "tiep_nhan"})
    d = world.dossier(code)
    assert d.status == 4 and len(d.papers) == 4 and sum(p.supplement for p in d.papers) == 2
    # asked at intake, the clock had not started ("kể từ ngày nhận đủ hồ sơ hợp lệ"), whatever the award's
    # "resume" policy: it counts 20 WD from the day the dossier was complete, Mon 09/03 → 06/04, not from
    # the first submission (its would-be date was 30/03)
    assert f"{original_due + timedelta(hours=7):%d/%m/%Y}" == "30/03/2026"
    assert d.due_at is not None and f"{d.due_at + timedelta(hours=7):%d/%m/%Y}" == "06/04/2026"
    assert f"{world.clock_row(code).received_at + timedelta(hours=7):%d/%m/%Y}" == "09/03/2026"
    assert world.documents(code) == ["supplement_request.pdf", "receipt.pdf"]
    drive(world, code)
    assert (world.dossier(code).status, world.dossier(code).classification) == (10, "truoc_han")


def test_the_one_supplement_request_names_every_missing_paper(world: World) -> None:
    """Asked once, listing everything missing: a request that leaves a missing paper out is refused."""
    code = world.submit("BK_UBND", [holder()], papers=["TO_TRINH"])
    task = world.ready(code)[0]
    world.engine.tasks.claim(task.id, "motcua")
    with pytest.raises(InvalidInput) as refused:
        world.engine.tasks.complete(task.id, "motcua", {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH"]})
    assert "Biên bản bình xét" in refused.value.message and world.dossier(code).status == 1


def test_complete_is_refused_while_a_required_paper_is_missing(world: World) -> None:
    """A dossier lacking a required paper of its award type is never taken into processing: the desk asks
    for it or refuses, and the refused answer changes nothing."""
    code = world.submit("CSTD_TINH", [star()], papers=[])
    task = world.ready(code)[0]
    world.engine.tasks.claim(task.id, "motcua")
    with pytest.raises(InvalidInput) as refused:
        world.engine.tasks.complete(task.id, "motcua", {"completeness": "tiep_nhan"})
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc" in refused.value.message
    assert refused.value.fields["missing"] == list(world.dossiers.catalogue().award("CSTD_TINH").required_papers)
    assert (world.dossier(code).status, world.ready_ids(code)) == (1, ["check_completeness"])


def test_supplement_with_the_clock_restarted(world: World) -> None:
    code = world.submit("BK_UBND", [holder()], papers=["TO_TRINH"])
    world.do(
        code, "check_completeness", {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"]}
    )
    world.clock.set(vn(11, 3, 14))  # Wednesday 11/03 14:00
    papers = world.papers("BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET")
    world.dossiers.return_supplement(world.person("motcua"), code, papers)
    world.do(code, "recheck_completeness", {"recheck": "tiep_nhan"})
    d = world.dossier(code)
    # restarted: 20 working days from the return day, 11/03 → 08/04
    assert d.due_at is not None and f"{d.due_at + timedelta(hours=7):%d/%m/%Y %H:%M}" == "08/04/2026 17:30"
    assert world.dossiers.lookup(code).appointment == "08/04/2026"


def test_refusal_with_its_reason(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()], papers=["TO_TRINH"])
    with pytest.raises(InvalidInput):  # a refusal needs its reason
        task = world.ready(code)[0]
        world.engine.tasks.complete(task.id, "motcua", {"completeness": "tu_choi"})
    world.do(code, "check_completeness", {"completeness": "tu_choi", "refusal_reason": "Không thuộc thẩm quyền."})
    d = world.dossier(code)
    assert (d.status, d.outcome, d.outcome_reason) == (3, "refused", "Không thuộc thẩm quyền.")
    assert d.classification == "truoc_han"
    assert world.documents(code) == ["refusal.pdf", "control_slip.pdf"]
    assert world.engine.runtime.get(world.instance(code)).state == "completed"
    public = world.dossiers.lookup(code)
    assert (public.status_name, public.appointment) == ("Không được tiếp nhận", None)


def test_refusal_after_the_supplement(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()], papers=["TO_TRINH"])
    world.do(
        code,
        "check_completeness",
        {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"]},
    )
    world.dossiers.return_supplement(world.person("motcua"), code, [])
    world.do(code, "recheck_completeness", {"recheck": "tu_choi", "refusal_reason": "Vẫn thiếu báo cáo."})
    assert world.dossier(code).status == 3


def test_the_applicant_withdraws_during_appraisal(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()])
    drive(world, code, until="appraise")
    world.dossiers.withdraw(world.person("motcua"), code, "Đơn vị xin rút để bổ sung thành tích năm sau.")
    d = world.dossier(code)
    assert (d.status, d.outcome) == (7, "withdrawn")
    assert world.ready_ids(code) == []
    assert world.engine.runtime.get(world.instance(code)).state == "completed"
    assert world.documents(code)[-2:] == ["stop_notice.pdf", "control_slip.pdf"]
    assert world.dossiers.lookup(code).status_name == "Công dân yêu cầu rút"


def test_the_applicant_withdraws_while_supplementing(world: World) -> None:
    code = world.submit("CSTD_TINH", [star()], papers=["TO_TRINH"])
    world.do(
        code,
        "check_completeness",
        {"completeness": "bo_sung", "missing": ["BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"]},
    )
    world.dossiers.withdraw(world.person("motcua"), code, "Không bổ sung được.")
    assert world.dossier(code).status == 7


def test_no_withdrawal_once_the_decision_is_being_signed(world: World) -> None:
    code = world.submit("BK_UBND", [holder()])
    drive(world, code, until="sign_decision")
    with pytest.raises(InvalidState, match="can no longer be withdrawn"):
        world.dossiers.withdraw(world.person("motcua"), code, "Quá muộn")
