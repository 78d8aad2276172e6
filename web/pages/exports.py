"""The dashboard as files: an Excel workbook (one sheet per table) and a PDF, both in Vietnamese.

Dates are dd/mm/yyyy in Asia/Ho_Chi_Minh; numbers stay numbers in the workbook (counts, rates as per cent).
The PDF needs a Unicode font that has the Vietnamese letters: one shipped inside an installed package
(font-source-serif-pro, else matplotlib's DejaVu Sans), never a system path that a server may lack.
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from web.i18n import ZONE, format_date, format_datetime
from web.pages import names
from web.pages.dashboard_data import Cell, Dashboard, Lang, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
RATE_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")


class PdfUnavailable(Exception):
    """No PDF library or no font for Vietnamese on this server; the message says which (in Vietnamese)."""


def about(view: Dashboard, tr: Lang, author: str) -> list[tuple[str, str]]:
    """What the export covers: scope, range, grouping, when and by whom."""
    q = view.query
    return [
        (tr("dash.scope"), names.unit_name(view.unit) if view.unit else tr("dash.all_units")),
        (tr("export.range"), f"{format_date(q.start)} – {format_date(q.end)}"),
        (tr("dash.period"), tr(f"dash.period.{q.period}")),
        (tr("dash.level"), tr(f"dash.level.{q.level}")),
        (tr("dash.group_by"), tr(f"dash.group.{q.group_by}")),
        (tr("export.generated"), format_datetime(view.now)),
        (tr("export.generated_by"), author),
    ]


def file_name(view: Dashboard, suffix: str) -> str:
    return f"giam-sat-{view.query.start:%Y%m%d}-{view.query.end:%Y%m%d}.{suffix}"


# -- Excel -----------------------------------------------------------------------------------------------


def workbook(view: Dashboard, tr: Lang, author: str) -> bytes:
    """The view as .xlsx: an "about" sheet, then one sheet per table with its title, headers and rows."""
    book = Workbook()
    info = book.active
    assert info is not None
    info.title = tr("export.sheet.info")
    info.append([tr("export.title")])
    info["A1"].font = Font(bold=True, size=14)
    for label, value in about(view, tr, author):
        info.append([label, value])
    if view.awards is None:
        info.append([tr("dash.awards"), tr("dash.no_award_data")])
    widths(info)
    for table in view.tables():
        _sheet(book.create_sheet(tr(f"export.sheet.{table.key}")[:31]), table)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, table: Table) -> None:
    sheet.append([table.full_title or table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(table.headers)
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        _row(sheet, row)
    if table.total:
        _row(sheet, table.total)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    if not table.rows and table.empty:
        sheet.append([table.empty])
    sheet.freeze_panes = "A3"
    widths(sheet)


def _row(sheet: Worksheet, cells: list[Cell]) -> None:
    sheet.append([_value(c) for c in cells])
    for target, cell in zip(sheet[sheet.max_row], cells, strict=True):
        if cell.kind == "rate" and cell.value is not None:
            target.number_format = RATE_FORMAT
        elif cell.kind == "moment" and cell.value is not None:
            target.number_format = MOMENT_FORMAT
        elif cell.kind == "day" and cell.value is not None:
            target.number_format = DAY_FORMAT


def _value(cell: Cell) -> object:
    """Numbers as numbers, moments as local date-times (Excel has no time zones), the rest as its text."""
    if cell.kind in ("count", "rate") and cell.value is not None:
        return cell.value
    if cell.kind == "moment" and isinstance(cell.value, datetime):
        return cell.value.astimezone(ZONE).replace(tzinfo=None)
    if cell.kind == "day" and isinstance(cell.value, datetime):
        return cell.value.astimezone(ZONE).date()
    if cell.kind == "day" and isinstance(cell.value, date):
        return cell.value
    return cell.text or None


def widths(sheet: Worksheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=2), start=1):
        longest = max((len(_shown(c.value)) for c in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)


def _shown(value: object) -> str:
    if isinstance(value, datetime):
        return "dd/mm/yyyy hh:mm"
    return "" if value is None else str(value)


# -- PDF -------------------------------------------------------------------------------------------------


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec and spec.origin else None


def find_font() -> tuple[Path, Path] | None:
    """(regular, bold) TTF files with the Vietnamese letters, from an installed package; None if none."""
    candidates = []
    serif = _package_dir("font_source_serif_pro")
    if serif:
        candidates.append((serif / "files" / "SourceSerifPro-Regular.ttf", serif / "files" / "SourceSerifPro-Bold.ttf"))
    mpl = _package_dir("matplotlib")
    if mpl:
        fonts = mpl / "mpl-data" / "fonts" / "ttf"
        candidates.append((fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"))
    for regular, bold in candidates:
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    return None


def pdf_document(view: Dashboard, tr: Lang, author: str) -> bytes:
    """The view as a landscape A4 PDF: the filters, then every table. Raises :class:`PdfUnavailable`."""
    try:
        from fpdf import FPDF
        from fpdf.fonts import FontFace
    except ImportError:
        raise PdfUnavailable(tr("export.no_pdf")) from None
    font = find_font()
    if font is None:
        raise PdfUnavailable(tr("export.no_font"))
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_creation_date(view.now)
    pdf.set_title(tr("export.title"))
    pdf.set_creator("awardflow")
    pdf.add_font("VN", "", str(font[0]))
    pdf.add_font("VN", "B", str(font[1]))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font("VN", "B", 15)
    pdf.cell(0, 9, tr("export.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("VN", "", 9.5)
    for label, value in about(view, tr, author):
        pdf.cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    bold = FontFace(emphasis="BOLD")
    heading_style = FontFace(emphasis="BOLD", fill_color=(238, 242, 246))
    for table in view.tables():
        pdf.ln(4)
        pdf.set_font("VN", "B", 12)
        pdf.cell(0, 7, table.full_title or table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("VN", "", 9)
        if not table.rows:
            pdf.cell(0, 6, table.empty, new_x="LMARGIN", new_y="NEXT")
            continue
        body = [*table.rows, *([table.total] if table.total else [])]
        widths = [max(6, min(40, max(len(h), *(len(r[i].text) for r in body)))) for i, h in enumerate(table.headers)]
        align = tuple("RIGHT" if c.kind in ("count", "rate") else "LEFT" for c in body[-1])
        with pdf.table(col_widths=widths, headings_style=heading_style, line_height=5, text_align=align) as grid:
            heading = grid.row()
            for header in table.headers:
                heading.cell(header)
            for row in table.rows:
                line = grid.row()
                for cell in row:
                    line.cell(cell.text)
            if table.total:
                line = grid.row()
                for cell in table.total:
                    line.cell(cell.text, style=bold)
    if view.awards is None:
        pdf.ln(4)
        pdf.set_font("VN", "B", 12)
        pdf.cell(0, 7, tr("dash.awards"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("VN", "", 9)
        pdf.cell(0, 6, tr("dash.no_award_data"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
