"""A cluster year's ranking as an Excel workbook: the points per criterion as numbers, the totals, the votes and
the proposals, and the meeting on a second sheet — in Vietnamese, dates dd/mm/yyyy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from handlers.catalogue import format_ratio
from handlers.cluster_rules import ClusterRules
from handlers.cluster_service import StandingRow, YearView
from handlers.cluster_views import Meeting
from handlers.timefmt import fmt_date
from web.pages import exports

XLSX_TYPE = exports.XLSX_TYPE


def workbook(
    view: YearView, rules: ClusterRules, rows: Sequence[StandingRow], held: Meeting | None, awards: Mapping[str, str]
) -> bytes:
    """Sheet "Xếp hạng": rank, unit, each code's points, total, key criteria, votes, result, proposal; sheet
    "Hội nghị": the meeting's date, attendance and the votes needed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Xếp hạng"
    sheet.append([f"Kết quả chấm điểm, xếp hạng thi đua — {view.name} — năm {view.year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    codes = list(rules.items)
    sheet.append(["Hạng", "Đơn vị", *codes, "Tổng điểm", "Điểm tiêu chí chính", "Số phiếu", "Kết quả", "Đề nghị"])
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), exports.HEADER_FILL
    for r in rows:
        result = "" if r.passed is None else ("Đạt" if r.passed else "Không đạt")
        sheet.append(
            [
                r.rank,
                r.name,
                *(r.scores.get(c) for c in codes),
                r.total,
                r.key_total,
                r.votes,
                result,
                awards.get(r.proposal or "", ""),
            ]
        )
    sheet.freeze_panes = "C3"
    info = book.create_sheet("Hội nghị")
    info.append(["Cụm, khối", view.name])
    info.append(["Năm", view.year])
    info.append(["Quy tắc chấm điểm", f"{rules.name} ({rules.version})"])
    info.append(["Tỷ lệ phiếu cần đạt", f"{format_ratio(rules.threshold)} tổng số thành viên"])
    if held is not None:
        info.append(["Ngày họp", fmt_date(held.held_on)])
        info.append(["Số đơn vị có mặt", f"{len(held.present)}/{len(view.members)}"])
        info.append(["Số phiếu đồng ý cần đạt", held.votes_needed])
    for target in (sheet, info):
        exports.widths(target)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
