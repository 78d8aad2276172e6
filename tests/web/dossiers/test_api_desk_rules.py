"""The rules the desk, the division head and the appraiser meet, over the API as on the pages: "received" is
refused while a required paper is missing; the appraiser is an active appraiser of the unit; a nominee left out
is one of the dossier's; the public look-up says what to bring. Each refusal is a 422 that changes nothing."""

from __future__ import annotations

import json
from typing import Any

from engine import Engine
from tests.web.conftest import Api
from tests.web.dossier_world import files_of, submission


def _submit(api: Api, papers: tuple[str, ...], accept: bool = False) -> Any:
    body = {**submission(papers=papers), "accept": accept}
    return api.post(
        "/api/dossiers",
        "desk",
        data={"dossier": json.dumps(body), "files": files_of(papers)},
        content_type="multipart/form-data",
    )


def _task(api: Api, code: str, element: str) -> dict[str, Any]:
    tasks = api.get(f"/api/dossiers/{code}", "desk").json["tasks"]
    return next(t for t in tasks if t["element_id"] == element)


def _complete(api: Api, user: str, task: dict[str, Any], data: dict[str, Any]) -> Any:
    api.post(f"/api/tasks/{task['id']}/claim", user)
    return api.post(f"/api/tasks/{task['id']}/complete", user, json={"data": data})


def test_received_is_refused_while_a_required_paper_is_missing(api: Api) -> None:
    refused = _submit(api, ("TO_TRINH",), accept=True)
    assert refused.status_code == 422
    assert "Hồ sơ còn thiếu giấy tờ bắt buộc" in refused.json["message"]
    assert api.get("/api/dossiers", "desk").json["total"] == 0, "nothing was registered"

    code = _submit(api, ("TO_TRINH",)).json["code"]
    check = _task(api, code, "check_completeness")
    answer = _complete(api, "desk", check, {"completeness": "tiep_nhan"})
    assert answer.status_code == 422 and "Báo cáo thành tích" in answer.json["message"]
    assert set(answer.json["fields"]["missing"]) == {"BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"}
    assert api.get(f"/api/dossiers/{code}", "desk").json["status"] == 1

    asked = _complete(api, "desk", check, {"completeness": "bo_sung", "missing": answer.json["fields"]["missing"]})
    assert asked.status_code == 200
    public = api.get(f"/api/public/dossiers/{code.lower()}")
    assert public.json["status"] == 5 and public.json["appointment"] is None
    assert public.json["to_bring"] == [
        "Báo cáo thành tích (Mẫu số 05)",
        "Biên bản bình xét và kết quả bỏ phiếu",
        "Minh chứng sáng kiến, đề tài được công nhận",
    ]
    # asked at intake: the limit counts whole from the day the dossier is complete
    assert (public.json["on_return"], public.json["days_on_return"]) == ("start", 20)
    assert "Nguyễn Thị Hoa" not in public.get_data(as_text=True)


def test_only_an_active_appraiser_of_the_unit_is_assigned_and_only_the_dossiers_nominees_left_out(
    api: Api, engine: Engine
) -> None:
    code = _submit(api, ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"), True).json[
        "code"
    ]
    assign = _task(api, code, "assign_appraiser")
    engine.identity.ensure_user("nghi", groups=["appraiser"], unit="so-noi-vu")
    engine.identity.set_active("nghi", False, actor="admin")
    for ghost in ("nguyenvana", "khac", "nghi", "division_head"):  # nobody, another unit, inactive, not one
        refused = _complete(api, "division_head", assign, {"appraiser": ghost})
        assert refused.status_code == 422, ghost
        assert "không phải chuyên viên thẩm định" in refused.json["fields"]["appraiser"][0]
    assert _complete(api, "division_head", assign, {"appraiser": "an"}).status_code == 200

    appraise = _task(api, code, "appraise")
    nominee = api.get(f"/api/dossiers/{code}", "desk").json["nominees"][0]["id"]
    refused = _complete(api, "an", appraise, {"excluded": [{"nominee": 999, "reason": "Không có"}]})
    assert refused.status_code == 422
    assert refused.json["fields"] == {"excluded.0.nominee": ["Không có đối tượng này trong hồ sơ: 999"]}
    assert _task(api, code, "appraise")["id"] == appraise["id"], "still waiting"
    done = _complete(api, "an", appraise, {"excluded": [{"nominee": nominee, "reason": "Chưa đủ tiêu chuẩn"}]})
    assert done.status_code == 200
    assert api.get(f"/api/dossiers/{code}", "desk").json["nominees"][0]["state"] == "excluded"
