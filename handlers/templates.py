"""The Vietnamese documents of a dossier, as document models (see :mod:`handlers.render`).

Receipt and appointment slip, supplement request, refusal, stop notice, apology with the new date, control
slip, council minutes (Biên bản kiểm phiếu), the decision with its awardee list, the result notice and the
drafts (Tờ trình, draft decision) that the appraiser edits in Word. Dates are dd/mm/yyyy, Vietnam time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import object_session

from engine import clock
from handlers.catalogue import Catalogue, format_ratio
from handlers.document_templates import KINDS, wording
from handlers.models import CouncilSession, Decision, Dossier
from handlers.render import Doc, Paragraph, Signature, Table
from handlers.timefmt import fmt_date, fmt_datetime, fmt_vnd, local_day, long_date

__all__ = [
    "apology",
    "control_slip",
    "decision",
    "draft_decision",
    "draft_submission",
    "minutes",
    "receipt",
    "refusal",
    "result_notice",
    "stop_notice",
    "supplement_request",
]

OFFICE = ("ỦY BAN NHÂN DÂN TỈNH {province}", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG")
RESULT_NAMES = {"truoc_han": "Trước hạn", "dung_han": "Đúng hạn", "qua_han": "Quá hạn", "trong_han": "Trong hạn"}


def _office(rules: Catalogue) -> tuple[str, ...]:
    province = rules.office.get("province", "").upper()
    return tuple(line.format(province=province) for line in OFFICE)


def _dateline(rules: Catalogue) -> str:
    return f"{rules.office.get('province', '')}, {long_date(local_day(clock.now()))}"


def _notice(d: Dossier, rules: Catalogue, title: str, *blocks: Any) -> Doc:
    """A one-stop notice to the proposing unit: the office's heading, the dossier code, today's dateline."""
    return Doc(
        title=title, issuer=_office(rules), number=f"Mã hồ sơ: {d.code}", dateline=_dateline(rules), blocks=blocks
    )


def _worded(
    d: Dossier,
    rules: Catalogue,
    kind: str,
    values: Mapping[str, Any],
    *,
    tables: Sequence[Table] = (),
    signature: Signature | None = None,
    source: str | None = None,
    heading: tuple[tuple[str, ...], str, str] | None = None,
) -> Doc:
    """A document whose title and paragraphs are the designer's template (:mod:`handlers.document_templates`) in
    force on the dossier's submission day (``source``: a draft, for the preview), over the dossier's values; the
    heading (issuer, number, dateline) is the code's: a one-stop notice's unless given."""
    context = {**_values(d, rules), **values}
    made = wording(object_session(d), kind, d.submitted_at, context, tables=tables, signature=signature, source=source)
    issuer, number, dateline = heading or (_office(rules), f"Mã hồ sơ: {d.code}", _dateline(rules))
    return Doc(
        title=made.title or KINDS[kind].upper(),
        subtitle=made.subtitle or "",
        issuer=issuer,
        number=number,
        dateline=dateline,
        blocks=made.blocks,
    )


def _values(d: Dossier, rules: Catalogue) -> dict[str, Any]:
    """What every notice's template may say of the dossier and of the office."""
    return {
        "ho_so": {
            "ma": d.code,
            "don_vi": d.unit_name,
            "ma_don_vi": d.unit,
            "hinh_thuc": rules.award(d.award_type).name,
            "nam": d.achievement_year,
            "noi_dung": d.title,
        },
        "co_quan": {
            "ten": rules.office.get("name", ""),
            "tinh": rules.office.get("province", ""),
            "duong_day_nong": rules.office.get("hotline", ""),
        },
    }


def _award_line(d: Dossier, rules: Catalogue) -> str:
    return f"Hình thức đề nghị: {rules.award(d.award_type).name} — năm {d.achievement_year}. Nội dung: {d.title}."


def receipt(
    d: Dossier, rules: Catalogue, *, received_at: datetime, due_at: datetime, officer: str, source: str | None = None
) -> Doc:
    papers = tuple((str(i), rules.papers.get(p.code, p.code), p.filename) for i, p in enumerate(d.papers, start=1))
    values = {
        "can_bo": officer,
        "tiep_nhan_luc": fmt_datetime(received_at),
        "hen_tra_luc": fmt_datetime(due_at),
        "hen_tra_ngay": fmt_date(due_at),
        "giay_to": [name for _, name, _ in papers],
    }
    table = Table(("STT", "Thành phần hồ sơ", "Tệp"), papers, (1, 7, 4))
    signature = Signature("NGƯỜI TIẾP NHẬN", officer, "(Ký, ghi rõ họ tên)")
    return _worded(d, rules, "receipt", values, tables=(table,), signature=signature, source=source)


def supplement_request(
    d: Dossier,
    rules: Catalogue,
    *,
    missing: Sequence[dict[str, str]],
    note: str,
    officer: str,
    source: str | None = None,
) -> Doc:
    rows = tuple((str(i), m["name"]) for i, m in enumerate(missing, start=1))
    appraised = d.received_at is not None  # asked during processing, not at the desk
    values = {
        "can_bo": officer,
        "dang_tham_dinh": appraised,
        "noi_dung_bo_sung": [m["name"] for m in missing],
        "ghi_chu": note,
        "han_bo_sung": fmt_date(d.supplement_due_at) if d.supplement_due_at else "",
    }
    table = Table(("STT", "Nội dung cần bổ sung, hoàn thiện"), rows, (1, 11))
    signature = Signature("CHUYÊN VIÊN THẨM ĐỊNH" if appraised else "NGƯỜI TIẾP NHẬN", officer, "(Ký, ghi rõ họ tên)")
    return _worded(d, rules, "supplement_request", values, tables=(table,), signature=signature, source=source)


def refusal(d: Dossier, rules: Catalogue, *, reason: str, officer: str, source: str | None = None) -> Doc:
    signature = Signature("NGƯỜI TIẾP NHẬN", officer, "(Ký, ghi rõ họ tên)")
    values = {"can_bo": officer, "ly_do": reason}
    return _worded(d, rules, "refusal", values, signature=signature, source=source)


def stop_notice(d: Dossier, rules: Catalogue, *, reason: str, officer: str) -> Doc:
    return _notice(
        d,
        rules,
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        Paragraph(f"Kính gửi: {d.unit_name}."),
        Paragraph(_award_line(d, rules)),
        Paragraph(
            f"Theo đề nghị của quý cơ quan, việc giải quyết hồ sơ được dừng lại. Lý do: {reason or 'rút hồ sơ'}."
        ),
        Signature("NGƯỜI TIẾP NHẬN", officer, "(Ký, ghi rõ họ tên)"),
    )


def apology(
    d: Dossier,
    rules: Catalogue,
    *,
    old_due: datetime,
    new_due: datetime,
    reason: str,
    officer: str,
    source: str | None = None,
) -> Doc:
    values = {
        "can_bo": officer,
        "ly_do": reason,
        "hen_cu_luc": fmt_datetime(old_due),
        "hen_moi_luc": fmt_datetime(new_due),
        "hen_moi_ngay": fmt_date(new_due),
    }
    signature = Signature("THỦ TRƯỞNG CƠ QUAN", officer, "(Ký, ghi rõ họ tên, đóng dấu)")
    return _worded(d, rules, "apology", values, signature=signature, source=source)


def control_slip(
    d: Dossier, rules: Catalogue, *, clock_row: Any, segments: Sequence[Any], source: str | None = None
) -> Doc:
    rows = tuple(
        (
            str(i),
            s.step or s.element_id,
            s.from_actor or "",
            s.to_actor or "",
            fmt_datetime(s.received_at),
            s.budget or "",
            fmt_datetime(s.due_at),
            fmt_datetime(s.finished_at),
            RESULT_NAMES.get(s.classification or "", ""),
        )
        for i, s in enumerate(segments, start=1)
    )
    values = {
        "tiep_nhan_luc": fmt_datetime(clock_row.received_at) if clock_row is not None else "",
        "hen_tra_luc": fmt_datetime(clock_row.due_at) if clock_row is not None else "",
        "ket_qua": RESULT_NAMES.get(clock_row.classification or "", "") if clock_row is not None else "",
        "yeu_cau_bo_sung_luc": fmt_datetime(d.supplement_requested_at) if d.supplement_requested_at else "",
        "nhan_bo_sung_luc": fmt_datetime(d.supplement_returned_at) if d.supplement_returned_at else "",
    }
    table = Table(
        ("STT", "Bước", "Bên giao", "Bên nhận", "Nhận lúc", "Định mức", "Hạn", "Hoàn thành", "Kết quả"),
        rows,
        (1, 4, 2.5, 2.5, 3, 2, 3, 3, 2),
    )
    return _worded(d, rules, "control_slip", values, tables=(table,), source=source)


def minutes(
    d: Dossier,
    rules: Catalogue,
    *,
    session: CouncilSession,
    names: dict[int, str],
    council_name: str,
    comments: Sequence[Mapping[str, Any]] = (),
    source: str | None = None,
) -> Doc:
    rows = tuple(
        (
            str(i),
            names.get(v.nominee_id, str(v.nominee_id)),
            str(v.ballots),
            str(v.written),
            str(v.total),
            format_ratio(_share(v.total, session.members_total)),
            "Đạt" if v.passed else "Không đạt",
            "Đề nghị khen thưởng" if v.selected else (v.reason or ""),
        )
        for i, v in enumerate(sorted(session.votes, key=lambda v: (v.rank or 999, v.nominee_id)), start=1)
    )
    votes = Table(
        ("STT", "Họ tên / Tập thể", "Phiếu tại họp", "Phiếu văn bản", "Tổng", "Tỷ lệ", "Kết quả", "Ghi chú"),
        rows,
        (1, 4, 2, 2, 1.5, 2, 2, 5),
    )
    values = {
        "hoi_dong": council_name,
        "phien": session.round,
        "ngay_hop": fmt_date(session.session_date),
        "tong_thanh_vien": session.members_total,
        "co_mat": len(session.present),
        "tuc_so": session.quorum,
        "ty_le_dat": session.threshold,
        "chi_tieu": session.quota,
        "so_y_kien": len(comments),
    }
    return _worded(
        d,
        rules,
        "minutes",
        values,
        tables=(votes, *_public_comments(comments)),
        signature=Signature("THƯ KÝ HỘI ĐỒNG", "", "(Ký, ghi rõ họ tên)"),
        source=source,
        heading=((council_name.upper(),), f"Hồ sơ: {d.code}", _dateline(rules)),
    )


def _public_comments(comments: Sequence[Mapping[str, Any]]) -> tuple[Table, ...]:
    """The comments received while the list was published, and how each was handled (for the council)."""
    if not comments:
        return ()
    rows = tuple(
        (
            item["comment"].receipt,
            item["nominee_name"] or "Cả danh sách",
            item["kind_name"],
            item["comment"].text,
            item["status_name"],
            item["comment"].answer or "",
        )
        for item in comments
    )
    return (Table(("Mã", "Về", "Loại", "Nội dung", "Kết quả xác minh", "Trả lời"), rows, (2, 3, 2, 6, 3, 5)),)


def _share(total: int, members: int) -> Fraction:
    return Fraction(total, members) if members else Fraction(0)


def decision(d: Dossier, rules: Catalogue, *, row: Decision, signer: str, source: str | None = None) -> Doc:
    body = rules.issuing_bodies[row.issuing_body]
    lines = tuple(
        (str(line.seq), line.name, line.unit or "", f"{line.multiple}×", fmt_vnd(line.bonus_vnd)) for line in row.lines
    )
    values = {
        **_issuing(body),
        "can_cu_phap_ly": list(rules.legal_basis),
        "so_quyet_dinh": row.symbol,
        "so_nguoi": len(row.lines),
        "muc_luong_co_so": fmt_vnd(row.base_salary_vnd),
        "tong_tien_thuong": fmt_vnd(row.total_vnd),
        "nguoi_ky": signer,
    }
    dateline = f"{rules.office.get('province', '')}, {long_date(local_day(row.signed_at))}"
    return _worded(
        d,
        rules,
        "decision",
        values,
        tables=(Table(("STT", "Họ tên / Tập thể", "Đơn vị", "Hệ số", "Tiền thưởng"), lines, (1, 5, 5, 1.5, 3)),),
        signature=Signature(str(body.get("signer_title", "")), signer, "(Đã ký)"),
        source=source,
        heading=((str(body["name"]),), f"Số: {row.symbol}", dateline),
    )


def _issuing(body: Mapping[str, str]) -> dict[str, str]:
    """What a decision's template may say of the body that issues it."""
    return {"co_quan_ban_hanh": str(body["name"]), "chuc_danh_ky": str(body.get("signer_title", ""))}


def result_notice(d: Dossier, rules: Catalogue, *, reasons: Sequence[tuple[str, str]], officer: str) -> Doc:
    rows = tuple((str(i), name, reason) for i, (name, reason) in enumerate(reasons, start=1))
    return _notice(
        d,
        rules,
        "THÔNG BÁO KẾT QUẢ XÉT KHEN THƯỞNG",
        Paragraph(f"Kính gửi: {d.unit_name}."),
        Paragraph(_award_line(d, rules)),
        Paragraph("Kết quả: hồ sơ không đủ điều kiện đề nghị khen thưởng, với lý do đối với từng trường hợp như sau:"),
        Table(("STT", "Họ tên / Tập thể", "Lý do"), rows, (1, 4, 8)),
        Signature("NGƯỜI TRẢ KẾT QUẢ", officer, "(Ký, ghi rõ họ tên)"),
    )


def draft_submission(d: Dossier, rules: Catalogue, *, summary: str, names: Sequence[str]) -> Doc:
    award = rules.award(d.award_type)
    return Doc(
        title="TỜ TRÌNH",
        subtitle=f"Về việc đề nghị tặng {award.name} (dự thảo)",
        issuer=("SỞ NỘI VỤ", "BAN THI ĐUA - KHEN THƯỞNG"),
        number="Số:      /TTr-BTĐKT",
        dateline=_dateline(rules),
        blocks=(
            Paragraph(f"Kính gửi: {rules.issuing_bodies[award.issuing_body]['name'].title()}."),
            Paragraph(f"Căn cứ hồ sơ {d.code} của {d.unit_name}; kết quả thẩm định và ý kiến hiệp y,"),
            Paragraph(summary or "(Nội dung tờ trình)"),
            Paragraph(f"Đề nghị tặng {award.name} cho: " + "; ".join(names) + "."),
            Signature("TRƯỞNG BAN", "", "(Ký, ghi rõ họ tên)"),
        ),
    )


def draft_decision(
    d: Dossier, rules: Catalogue, *, lines: Sequence[tuple[str, str, str, int]], source: str | None = None
) -> Doc:
    award = rules.award(d.award_type)
    body = rules.issuing_bodies[award.issuing_body]
    rows = tuple(
        (str(i), name, unit, f"{multiple}×", fmt_vnd(bonus)) for i, (name, unit, multiple, bonus) in enumerate(lines, 1)
    )
    return _worded(
        d,
        rules,
        "draft_decision",
        _issuing(body),
        tables=(Table(("STT", "Họ tên / Tập thể", "Đơn vị", "Hệ số", "Tiền thưởng"), rows, (1, 5, 5, 1.5, 3)),),
        signature=Signature(str(body.get("signer_title", "")), "", "(Dự thảo)"),
        source=source,
        heading=((str(body["name"]),), f"Số:      /{body['symbol']}", _dateline(rules)),
    )
