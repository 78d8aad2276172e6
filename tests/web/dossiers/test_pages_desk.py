"""The desk pages: receive a dossier (receipt and appointment), the completeness check, supplement, withdrawal,
the apology; the catalogue; the public look-up page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine import Engine, clock
from handlers.models import Dossier
from tests.web.dossier_world import CSTD_TINH_PAPERS, PDF, signed_in


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    """Monday 09/02/2026 08:00 in Hà Nội."""
    virtual = clock.VirtualClock(datetime(2026, 2, 9, 1, 0, tzinfo=UTC))
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)



def form(token: str, papers: tuple[str, ...] = CSTD_TINH_PAPERS, accept: bool = True, **extra: Any) -> dict:
    data: dict[str, Any] = {
        "csrf_token": token,
        "award_type": "CSTD_TINH",
        "achievement_year": "2025",
        "unit": "so-gd",
        "unit_name": "Sở Giáo dục và Đào tạo",
        "nominee_name": ["Nguyễn Thị Hoa", "Lê Văn Bình"],
        "nominee_kind": ["individual", "individual"],
        "nominee_gender": ["nu", "nam"],
        "nominee_position": ["Giáo viên", "Hiệu trưởng"],
        "nominee_leader": ["0", "1"],
        "nominee_unit": ["Trường THPT Chuyên", "Trường THPT Chuyên"],
        **extra,
    }
    for code in papers:
        data[f"paper_{code}"] = (io.BytesIO(PDF + code.encode()), f"{code.lower()}.pdf")
    if accept:
        data["accept"] = "1"
    return data


def only(engine: Engine) -> Dossier:
    with engine.db.transaction() as session:
        return session.scalars(select(Dossier)).one()


def test_receive_a_dossier_and_see_the_receipt(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    page = client.get("/desk").get_data(as_text=True)
    assert "Tiếp nhận hồ sơ" in page and "Chiến sĩ thi đua cấp tỉnh" in page and 'name="paper_TO_TRINH"' in page
    done = client.post("/desk", data=form(token), content_type="multipart/form-data")
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    d = only(engine)
    assert done.headers["Location"].endswith(f"/desk/{d.code}")
    assert [n.is_leader for n in d.nominees] == [False, True] and len(d.papers) == 4
    html = client.get(f"/desk/{d.code}").get_data(as_text=True)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    assert "17:30 16/03/2026" in html and "08:00 09/02/2026" in html
    receipt = next(x for x in html.split('href="') if x.startswith(f"/desk/{d.code}/documents/"))
    pdf = client.get(receipt.split('"')[0])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    listing = client.get("/desk").get_data(as_text=True)
    assert d.code in listing and "16/03/2026" in listing
    assert "Đối tượng đề nghị khen thưởng" not in client.get("/desk?lang=en").get_data(as_text=True)


def test_bad_form_names_the_field_and_changes_nothing(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    bad = form(token, unit="")
    bad["paper_TO_TRINH"] = (io.BytesIO(b"not a pdf"), "x.txt")
    refused = client.post("/desk", data=bad, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "only application/pdf" in refused.get_data(as_text=True)
    unit = client.post("/desk", data=form(token, unit=""), content_type="multipart/form-data")
    assert unit.status_code == 422 and "required" in unit.get_data(as_text=True)
    assert engine.runtime.list() == []
    no_csrf = client.post("/desk", data=form("wrong"), content_type="multipart/form-data")
    assert no_csrf.status_code == 400


def test_supplement_then_return_then_receive(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    client.post("/desk", data=form(token, papers=("TO_TRINH",), accept=False), content_type="multipart/form-data")
    d = only(engine)
    html = client.get(f"/desk/{d.code}").get_data(as_text=True)
    assert 'id="check"' in html and 'id="refuse-link"' in html and 'href="/tasks/' in html
    missing = ["BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN"]
    asked = {"csrf_token": token, "completeness": "bo_sung", "missing": missing}
    assert client.post(f"/desk/{d.code}/check", data=asked).status_code == 302
    assert only(engine).status == 5
    public = client.get(f"/tra-cuu?code={d.code.lower()}").get_data(as_text=True)
    assert "Giấy tờ cần nộp bổ sung" in public and "Báo cáo thành tích (Mẫu số 05)" in public
    assert "Minh chứng sáng kiến" in public and "Nguyễn Thị Hoa" not in public
    html = client.get(f"/desk/{d.code}").get_data(as_text=True)
    assert 'id="supplement"' in html and "Báo cáo thành tích" in html
    back = {
        "csrf_token": token,
        "paper_BAO_CAO_THANH_TICH": (io.BytesIO(PDF + b"bc"), "bc.pdf"),
        "paper_BIEN_BAN_BINH_XET": (io.BytesIO(PDF + b"bb"), "bb.pdf"),
        "paper_MINH_CHUNG_SANG_KIEN": (io.BytesIO(PDF + b"mc"), "mc.pdf"),
    }
    assert client.post(f"/desk/{d.code}/supplement", data=back, content_type="multipart/form-data").status_code == 302
    received = {"csrf_token": token, "completeness": "tiep_nhan"}
    assert client.post(f"/desk/{d.code}/check", data=received).status_code == 302
    d = only(engine)
    assert d.status == 4 and d.due_at is not None and len(d.papers) == 4


def test_apology_then_withdrawal(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    client.post("/desk", data=form(token), content_type="multipart/form-data")
    code = only(engine).code
    moved = {"csrf_token": token, "new_day": "10/04/2026", "new_time": "17:30", "reason": "Chờ ý kiến hiệp y."}
    assert client.post(f"/desk/{code}/reschedule", data=moved).status_code == 302
    html = client.get(f"/desk/{code}").get_data(as_text=True)
    assert "17:30 10/04/2026" in html and "xin lỗi" in html.lower()
    client.post(f"/desk/{code}/withdraw", data={"csrf_token": token, "reason": ""})
    assert only(engine).status != 7
    client.post(f"/desk/{code}/withdraw", data={"csrf_token": token, "reason": "Đơn vị xin rút."})
    assert only(engine).status == 7
    assert "Công dân yêu cầu rút" in client.get(f"/desk/{code}").get_data(as_text=True)


def test_roles_and_units(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    client.post("/desk", data=form(token), content_type="multipart/form-data")
    code = only(engine).code
    other, _ = signed_in(app, engine, "desk9", ["desk"], unit="so-tai-chinh")
    assert code not in other.get("/desk").get_data(as_text=True)
    assert other.get(f"/desk/{code}").status_code == 404
    appraiser, _ = signed_in(app, engine, "tham", ["appraiser"])
    assert appraiser.get("/desk").status_code == 403
    assert app.test_client().get("/desk").status_code == 302


def test_catalogue_and_public_look_up(app: Flask, engine: Engine) -> None:
    client, token = signed_in(app, engine, "motcua", ["desk"])
    client.post("/desk", data=form(token), content_type="multipart/form-data")
    code = only(engine).code
    cat = client.get("/danh-muc").get_data(as_text=True)
    assert "01/07/2025" in cat and "90%" in cat and "2/3" not in cat and "66,67%" in cat and "3.0×" in cat
    assert app.test_client().get("/danh-muc").status_code == 302
    public = app.test_client()
    assert public.get("/tra-cuu").status_code == 200
    found = public.get(f"/tra-cuu?code={code}").get_data(as_text=True)
    assert "16/03/2026" in found and "Đang xử lý" in found
    assert "Hoa" not in found and "so-gd" not in found and "Sở Giáo dục" not in found
    missing = public.get("/tra-cuu?code=HS-2026-999999")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.get_data(as_text=True)
