"""Documents render in Vietnamese as PDF (with an embedded font that has every Vietnamese letter) and DOCX."""

from __future__ import annotations

import zipfile
from io import BytesIO

from docx import Document as Docx
from fontTools.ttLib import TTFont

from engine import clock
from handlers.render import FONT_DIR, Doc, Paragraph, Signature, Table, to_docx, to_pdf

VIETNAMESE = "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐơưƠƯ"
DOC = Doc(
    title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    issuer=("ỦY BAN NHÂN DÂN TỈNH AN BÌNH",),
    number="Mã hồ sơ: HS-2026-000001",
    dateline="An Bình, ngày 02 tháng 03 năm 2026",
    blocks=(
        Paragraph("Hẹn trả kết quả: 17:30 ngày 30/03/2026. " + VIETNAMESE),
        Table(("STT", "Thành phần hồ sơ"), (("1", "Tờ trình đề nghị khen thưởng (Mẫu số 01)"),), (1, 8)),
        Signature("NGƯỜI TIẾP NHẬN", "Nguyễn Thị Một Cửa"),
    ),
)


def test_the_shipped_font_has_every_vietnamese_letter() -> None:
    for style in ("Regular", "Bold"):
        cmap = TTFont(FONT_DIR / f"SourceSerifPro-{style}.ttf").getBestCmap()
        assert [c for c in VIETNAMESE if ord(c) not in cmap] == []


def test_pdf_embeds_the_font() -> None:
    pdf = to_pdf(DOC)
    assert pdf.startswith(b"%PDF-") and b"SourceSerifPro" in pdf and b"/FontFile2" in pdf


def test_docx_keeps_the_text_for_editing() -> None:
    data = to_docx(DOC)
    assert zipfile.is_zipfile(BytesIO(data))
    text = "\n".join(p.text for p in Docx(BytesIO(data)).paragraphs)
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text and VIETNAMESE in text


def test_a_pdf_is_dated_by_the_engine_clock(vclock: clock.VirtualClock) -> None:
    """The same document made at the same (virtual) moment is the same file, whatever the wall clock says."""
    first = to_pdf(DOC)
    vclock.advance(days=1)
    later = to_pdf(DOC)
    assert b"/CreationDate (D:20260302010000Z)" in first
    assert later != first
    vclock.advance(days=-1)
    assert to_pdf(DOC) == first
