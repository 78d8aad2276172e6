"""Document wording as templates: the shipped defaults, the version in force on the dossier's day, publication
(checked, audited, immutable) and the sandbox's refusals, each named in Vietnamese with its line."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from engine import Engine, Settings, clock
from engine.db import Database
from engine.errors import Conflict, InvalidInput, PermissionDenied
from engine.identity import Actor
from handlers import document_templates as wording
from handlers import rulesets
from handlers.catalogue import Catalogue
from handlers.document_samples import sample_doc
from handlers.document_template_service import DocumentTemplateService
from handlers.render import Paragraph, Signature, Table
from handlers.timefmt import local_day

DESIGNER = Actor("thietke", frozenset({"designer"}), "so-noi-vu")
RECEIPT = wording.shipped("receipt")


def texts(blocks: tuple[object, ...]) -> list[str]:
    return [b.text if isinstance(b, Paragraph) else type(b).__name__ for b in blocks]


@pytest.mark.parametrize("kind", sorted(wording.KINDS))
def test_every_shipped_template_words_the_sample(kind: str, loaded: Catalogue) -> None:
    source = wording.shipped(kind)
    doc = sample_doc(kind, loaded, clock.now(), source)
    assert doc.title == next(line[2:] for line in source.splitlines() if line.startswith("# "))
    said = " ".join(texts(doc.blocks))
    award = loaded.award(next(iter(loaded.award_types))).name
    assert award in said + doc.subtitle and "{{" not in said and "[bảng]" not in said and "\x01" not in said
    assert any(isinstance(b, Table) for b in doc.blocks) == (kind not in ("refusal", "apology"))
    assert any(isinstance(b, Signature) for b in doc.blocks) == (kind != "control_slip")


def test_work_without_output_is_bounded_too() -> None:
    """Two loops over a long text, reading and filtering in each round, print nothing: the steps stop them."""
    source = (
        "Đầu.\n{% for a in dai %}{% for b in dai %}{% if b|length and ho_so.ma %}{% endif %}{% endfor %}{% endfor %}"
    )
    with pytest.raises(InvalidInput) as refused:
        wording.render("receipt", source, {"dai": "x" * 2000, "ho_so": {"ma": "HS"}}, tables=(), signature=None)
    assert refused.value.fields == {"body": ["Dòng 2: Bản mẫu cần quá 100000 bước tính."]}
    made = wording.render("receipt", source, {"dai": "x" * 100, "ho_so": {"ma": "HS"}}, tables=(), signature=None)
    assert made.blocks == (Paragraph("Đầu."),), "10,000 rounds of a short text are fine"


def test_marks_place_the_code_s_table_and_signature_and_data_never_reads_as_a_mark() -> None:
    table, signature = Table(("STT",), (("1",),)), Signature("NGƯỜI TIẾP NHẬN")
    source = "# TIÊU ĐỀ\n[chữ ký]\n**{{ ly_do }}**\n{{ ghi_chu }}\n[bảng]\nCuối."
    made = wording.render(
        "refusal",
        source,
        {"ly_do": "đậm", "ghi_chu": "[bảng]\n# không phải tiêu đề"},
        tables=(table,),
        signature=signature,
    )
    assert made.title == "TIÊU ĐỀ"
    assert made.blocks[0] is signature and made.blocks[1] == Paragraph("đậm", bold=True)
    assert made.blocks[2] == Paragraph("[bảng]\n# không phải tiêu đề"), "a note is text, line breaks included"
    assert made.blocks[3] is table and made.blocks[4] == Paragraph("Cuối.")


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("Dòng một\n{% if %}", "Dòng 2: Lỗi cú pháp ở «{% if %}»."),
        ("Dòng một\n{{ khong_co }}", "Dòng 2: «khong_co» không có trong dữ liệu của văn bản này."),
        ("{{ ho_so.khong_co }}", "Dòng 1: «khong_co» không có trong dữ liệu của văn bản này."),
        ("{% for i in range(10**9) %}x{% endfor %}", "Dòng 1: Không được dùng lời gọi hàm."),
        ('{{ "x" * 1000000000 }}', "Dòng 1: Không được dùng phép nhân."),
        ('{{ "%0100000000d" % 1 }}', "Dòng 1: Không được dùng phép %."),
        ("{{ ho_so.__class__ }}", "Dòng 1: Không được truy cập «__class__»."),
        ("\n{{ ho_so['__init__'] }}", "Dòng 2: Không được truy cập «__init__»."),
        ("{% set x = ho_so %}", "Dòng 1: Không được dùng lệnh set."),
        ("{{ ho_so.ma|center(100000000) }}", "Dòng 1: Không được dùng bộ lọc «center»."),
        ("{% macro m() %}{% endmacro %}", "Dòng 1: Không được dùng macro."),
        (
            "{% for a in giay_to %}{% for b in giay_to %}\n{% for c in giay_to %}{% endfor %}{% endfor %}{% endfor %}",
            "Dòng 1: Vòng lặp lồng quá 2 tầng.",
        ),
        (
            "{% for a in [" + "1," * 3000 + "1] %}{% for b in [" + "1," * 3000 + "1] %}0123456789{% endfor %}"
            "{% endfor %}",
            "Văn bản sinh ra dài quá 50000 ký tự.",
        ),
        ("x" * 20_001, "Bản mẫu dài quá 20000 ký tự."),
    ],
)
def test_hostile_or_broken_templates_are_refused_with_their_line(source: str, says: str, loaded: Catalogue) -> None:
    with pytest.raises(InvalidInput) as refused:
        sample_doc("receipt", loaded, clock.now(), source)
    assert refused.value.fields == {"body": [says]}


@pytest.fixture
def service(database: Database, session: Session, loaded: Catalogue) -> DocumentTemplateService:
    session.commit()  # the rule sets, for the service's own transactions
    return DocumentTemplateService(Engine(Settings(database_url=database.url), database=database))


def test_the_version_in_force_on_the_dossier_s_day_is_used(service: DocumentTemplateService, session: Session) -> None:
    new = RECEIPT.replace("Thời gian tiếp nhận:", "Thời điểm tiếp nhận hồ sơ:")
    service.publish(DESIGNER, "receipt", date(2026, 4, 1), new)
    assert service.in_force("receipt", date(2026, 3, 31)).effective_from is None, "still the shipped default"
    assert service.in_force("receipt", date(2026, 4, 1)).body == new
    before, after = (datetime(2026, 3, 31, 3, tzinfo=UTC), datetime(2026, 4, 1, 3, tzinfo=UTC))
    for submitted, expected in ((before, "Thời gian tiếp nhận: x."), (after, "Thời điểm tiếp nhận hồ sơ: x.")):
        made = wording.wording(session, "receipt", submitted, {**_values(), "tiep_nhan_luc": "x"})
        assert expected in texts(made.blocks)


def _values() -> dict[str, object]:
    office = {"ten": "Trung tâm", "tinh": "An Bình", "duong_day_nong": "1022"}
    dossier = {"ma": "HS", "don_vi": "Sở", "ma_don_vi": "so", "hinh_thuc": "Bằng khen", "nam": 2025, "noi_dung": "x"}
    return {"ho_so": dossier, "co_quan": office, "hen_tra_luc": "y", "hen_tra_ngay": "z"}


def test_a_publication_is_checked_audited_and_never_changed(service: DocumentTemplateService) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.publish(DESIGNER, "receipt", date(2026, 3, 1), RECEIPT)
    assert refused.value.fields == {"effective_from": ["Ngày hiệu lực phải từ hôm nay trở đi."]}
    with pytest.raises(InvalidInput) as refused:
        service.publish(DESIGNER, "receipt", date(9999, 12, 31), RECEIPT)
    today = local_day(clock.now())
    far = f"{today.replace(year=today.year + 5):%d/%m/%Y}"
    assert refused.value.fields == {"effective_from": [f"Ngày hiệu lực phải trong vòng 5 năm tới (đến ngày {far})."]}
    with pytest.raises(InvalidInput):
        service.publish(DESIGNER, "receipt", date(2026, 4, 1), "{{ ho_so.__class__ }}")
    with pytest.raises(PermissionDenied):
        service.publish(Actor("an", frozenset({"appraiser"})), "receipt", date(2026, 4, 1), RECEIPT)
    with pytest.raises(InvalidInput):
        service.publish(DESIGNER, "minutes_of_nothing", date(2026, 4, 1), RECEIPT)
    published = service.publish(DESIGNER, "receipt", date(2026, 4, 1), RECEIPT + "Thêm một dòng.\n")
    assert (published.published_by, published.published_at) == ("thietke", clock.now())
    with pytest.raises(Conflict):
        service.publish(DESIGNER, "receipt", date(2026, 4, 1), RECEIPT)
    (event,) = [e for e in service.engine.history.administration() if e.action == "document_template_published"]
    assert event.actor == "thietke" and event.details == {
        "kind": "receipt",
        "effective_from": "2026-04-01",
        "version": 1,
    }
    assert event.before == {"body": RECEIPT} and event.after == {"body": RECEIPT + "Thêm một dòng.\n"}
    assert [v.effective_from for v in service.versions("receipt")] == [date(2026, 4, 1), None]


def test_the_preview_is_a_pdf_of_the_sample(service: DocumentTemplateService) -> None:
    from tests.pdf_text import pdf_text

    pdf = service.preview("refusal", wording.shipped("refusal").replace("Xin thông báo", "Trân trọng thông báo"))
    said = " ".join(pdf_text(pdf).split())
    assert pdf.startswith(b"%PDF-") and "Trân trọng thông báo để quý cơ quan biết." in said
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in said, "the national header stays the code's"
    assert rulesets.SHIPPED.exists()
