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
) -> Doc:
    """A notice whose title and paragraphs are the designer's template (:mod:`handlers.document_templates`) in
    force on the dossier's submission day (``source``: a draft, for the preview), over the dossier's values."""
    context = {**_values(d, rules), **values}
    made = wording(object_session(d), kind, d.submitted_at, context, tables=tables, signature=signature, source=source)
    return _notice(d, rules, made.title or KINDS[kind].upper(), *made.blocks)


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
) -> Doc:
    members = len(session.present)
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
    return Doc(
        title="BIÊN BẢN KIỂM PHIẾU",
        subtitle=f"{council_name} — phiên họp lần {session.round}",
        issuer=(council_name.upper(),),
        number=f"Hồ sơ: {d.code}",
        dateline=_dateline(rules),
        blocks=(
            Paragraph(f"Ngày họp: {fmt_date(session.session_date)}. {_award_line(d, rules)}"),
            Paragraph(
                f"Tổng số thành viên Hội đồng: {session.members_total}; có mặt: {members}; túc số yêu cầu: "
                f"{session.quorum} tổng số thành viên. Tỷ lệ phiếu đồng ý cần đạt: từ {session.threshold} tổng số "
                "thành viên Hội đồng (tính cả phiếu bằng văn bản của thành viên vắng mặt)."
            ),
            Table(
                ("STT", "Họ tên / Tập thể", "Phiếu tại họp", "Phiếu văn bản", "Tổng", "Tỷ lệ", "Kết quả", "Ghi chú"),
                rows,
                (1, 4, 2, 2, 1.5, 2, 2, 5),
            ),
            *(
                (Paragraph(f"Chỉ tiêu: {session.quota}; thứ tự khi đồng phiếu theo quyết định của Chủ tịch Hội đồng."),)
                if session.quota
                else ()
            ),
            *_public_comments(comments),
            Signature("THƯ KÝ HỘI ĐỒNG", "", "(Ký, ghi rõ họ tên)"),
        ),
    )


def _public_comments(comments: Sequence[Mapping[str, Any]]) -> tuple[Paragraph | Table, ...]:
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
    return (
        Paragraph(f"Ý kiến của nhân dân trong thời gian công khai: {len(rows)} ý kiến.", bold=True),
        Table(("Mã", "Về", "Loại", "Nội dung", "Kết quả xác minh", "Trả lời"), rows, (2, 3, 2, 6, 3, 5)),
    )


def _share(total: int, members: int) -> Fraction:
    return Fraction(total, members) if members else Fraction(0)


def decision(d: Dossier, rules: Catalogue, *, row: Decision, signer: str) -> Doc:
    award = rules.award(d.award_type)
    body = rules.issuing_bodies[row.issuing_body]
    lines = tuple(
        (str(line.seq), line.name, line.unit or "", f"{line.multiple}×", fmt_vnd(line.bonus_vnd)) for line in row.lines
    )
    return Doc(
        title="QUYẾT ĐỊNH",
        subtitle=f"Về việc tặng {award.name}",
        issuer=(str(body["name"]),),
        number=f"Số: {row.symbol}",
        dateline=f"{rules.office.get('province', '')}, {long_date(local_day(row.signed_at))}",
        blocks=(
            Paragraph(f"{body.get('signer_title', '')} {body['name']}".strip(), bold=True, align="C"),
            *(Paragraph(f"Căn cứ {basis};") for basis in rules.legal_basis),
            Paragraph(f"Xét đề nghị của {d.unit_name} (hồ sơ {d.code}) và kết quả thẩm định,"),
            Paragraph("QUYẾT ĐỊNH:", bold=True, align="C"),
            Paragraph(
                f"Điều 1. Tặng {award.name} cho {len(row.lines)} cá nhân, tập thể có tên trong danh sách kèm theo, "
                f"đã có thành tích năm {d.achievement_year}."
            ),
            Paragraph(
                f"Điều 2. Mức tiền thưởng theo hệ số của mức lương cơ sở {fmt_vnd(row.base_salary_vnd)}; "
                f"tổng số tiền thưởng: {fmt_vnd(row.total_vnd)}."
            ),
            Paragraph(
                "Điều 3. Quyết định có hiệu lực kể từ ngày ký. Các cơ quan, đơn vị và cá nhân có tên tại Điều 1 "
                "chịu trách nhiệm thi hành."
            ),
            Signature(str(body.get("signer_title", "")), signer, "(Đã ký)"),
            Paragraph(f"DANH SÁCH KÈM THEO QUYẾT ĐỊNH SỐ {row.symbol}", bold=True, align="C"),
            Table(("STT", "Họ tên / Tập thể", "Đơn vị", "Hệ số", "Tiền thưởng"), lines, (1, 5, 5, 1.5, 3)),
        ),
    )


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


def draft_decision(d: Dossier, rules: Catalogue, *, lines: Sequence[tuple[str, str, str, int]]) -> Doc:
    award = rules.award(d.award_type)
    body = rules.issuing_bodies[award.issuing_body]
    rows = tuple(
        (str(i), name, unit, f"{multiple}×", fmt_vnd(bonus)) for i, (name, unit, multiple, bonus) in enumerate(lines, 1)
    )
    return Doc(
        title="QUYẾT ĐỊNH (DỰ THẢO)",
        subtitle=f"Về việc tặng {award.name}",
        issuer=(str(body["name"]),),
        number=f"Số:      /{body['symbol']}",
        dateline=_dateline(rules),
        blocks=(
            Paragraph(f"Điều 1. Tặng {award.name} cho các cá nhân, tập thể có tên trong danh sách kèm theo."),
            Table(("STT", "Họ tên / Tập thể", "Đơn vị", "Hệ số", "Tiền thưởng"), rows, (1, 5, 5, 1.5, 3)),
            Signature(str(body.get("signer_title", "")), "", "(Dự thảo)"),
        ),
    )
