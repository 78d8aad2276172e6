"""Render a document model to PDF (fpdf2) and DOCX (python-docx), laid out like a Vietnamese official letter.

The model is small on purpose: a header (issuing body on the left, the national motto on the right), the
number and dateline, a centred title, paragraphs, tables and a signature block. The PDF embeds Source Serif
Pro, a font shipped inside a PyPI package (``font-source-serif-pro``) that covers every Vietnamese letter, so
nothing depends on the fonts of the machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import font_source_serif_pro
from docx import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from engine import clock

__all__ = ["Doc", "Paragraph", "Signature", "Table", "to_docx", "to_pdf"]

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
FONT_DIR = Path(font_source_serif_pro.font_directory)
FONT = "SourceSerif"


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False
    align: str = "J"  # J justified, C centred, L left, R right


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative widths


@dataclass(frozen=True)
class Signature:
    title: str
    name: str = ""
    note: str = ""


Block = Paragraph | Table | Signature


@dataclass(frozen=True)
class Doc:
    """One document: what it is, who issues it, and its content."""

    title: str
    issuer: tuple[str, ...]
    dateline: str
    number: str = ""
    subtitle: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(25, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FONT, "", FONT_DIR / "SourceSerifPro-Regular.ttf")
        self.add_font(FONT, "B", FONT_DIR / "SourceSerifPro-Bold.ttf")
        self.set_creator("awardflow")

    def line_of(
        self, text: str, *, bold: bool = False, size: float = 12, align: str = "J", height: float = 6.5
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def to_pdf(doc: Doc) -> bytes:
    pdf = _Pdf()
    pdf.set_title(doc.title)
    pdf.set_creation_date(clock.now())  # fpdf2 would stamp the wall clock; the engine's clock is the time
    pdf.add_page()
    _pdf_header(pdf, doc)
    pdf.ln(6)
    pdf.line_of(doc.title, bold=True, size=14, align="C", height=7)
    if doc.subtitle:
        pdf.line_of(doc.subtitle, bold=True, align="C")
    pdf.ln(4)
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            pdf.line_of(block.text, bold=block.bold, align=block.align)
            pdf.ln(1)
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        else:
            _pdf_signature(pdf, block)
    return bytes(pdf.output())


def _pdf_header(pdf: _Pdf, doc: Doc) -> None:
    top, left_w = pdf.get_y(), 70.0
    right_x = pdf.l_margin + left_w + 2
    right_w = pdf.w - pdf.r_margin - right_x
    pdf.set_font(FONT, "B", 11)
    for line in doc.issuer:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 5.5, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.number:
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(left_w, 6, doc.number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_end = pdf.get_y()
    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(right_w, 5.5, MOTTO[0], align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.multi_cell(right_w, 5.5, MOTTO[1], align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(right_w, 6, doc.dateline, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_end, pdf.get_y()))


def _pdf_table(pdf: _Pdf, table: Table) -> None:
    widths = table.widths or tuple(1.0 for _ in table.columns)
    total_w = pdf.w - pdf.l_margin - pdf.r_margin
    scale = total_w / sum(widths)
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=tuple(w * scale for w in widths), line_height=5.5, text_align="LEFT", first_row_as_headings=True
    ) as grid:
        header = grid.row()
        for column in table.columns:
            header.cell(column)
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(value)
    pdf.ln(3)


def _pdf_signature(pdf: _Pdf, sig: Signature) -> None:
    pdf.ln(4)
    width = 80.0
    x = pdf.w - pdf.r_margin - width
    for text, bold in ((sig.title, True), (sig.note, False), ("", False), ("", False), (sig.name, True)):
        pdf.set_x(x)
        pdf.set_font(FONT, "B" if bold else "", 12)
        pdf.multi_cell(width, 6, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def to_docx(doc: Doc) -> bytes:
    """The same document as an editable Word file (for drafts an official edits before signing)."""
    document = DocxDocument()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    header = document.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.text = "\n".join(doc.issuer + ((doc.number,) if doc.number else ()))
    right.text = "\n".join((*MOTTO, doc.dateline))
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(doc.title).bold = True
    if doc.subtitle:
        sub = document.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.add_run(doc.subtitle).bold = True
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            paragraph.add_run(block.text).bold = block.bold
            paragraph.alignment = _DOCX_ALIGN[block.align]
        elif isinstance(block, Table):
            grid = document.add_table(rows=1, cols=len(block.columns))
            grid.style = "Table Grid"
            for cell, column in zip(grid.rows[0].cells, block.columns, strict=True):
                cell.text = column
            for values in block.rows:
                for cell, value in zip(grid.add_row().cells, values, strict=True):
                    cell.text = value
        else:
            for text, bold in ((block.title, True), (block.note, False), ("\n\n", False), (block.name, True)):
                paragraph = document.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.add_run(text).bold = bold
    out = BytesIO()
    document.save(out)
    return out.getvalue()


_DOCX_ALIGN = {
    "J": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "C": WD_ALIGN_PARAGRAPH.CENTER,
    "L": WD_ALIGN_PARAGRAPH.LEFT,
    "R": WD_ALIGN_PARAGRAPH.RIGHT,
}
