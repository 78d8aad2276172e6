"""The document-template editor in Chromium: a refusal's wording edited, a deliberate fault named with its line,
the sample dossier's PDF previewed, and the new wording published from a later day."""

from __future__ import annotations

from datetime import date

from handlers import document_templates as wording
from handlers.domain import Domain
from tests.browser import dossiers
from tests.pdf_text import pdf_text

#: the dossier world's fixtures (the domain publishes the wording)
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world

READ_FRAME = """async () => {
  const answer = await fetch(document.getElementById('de-frame').src);
  return Array.from(new Uint8Array(await answer.arrayBuffer()));
}"""


def test_edit_preview_and_publish_a_template(world: Domain, sign_in, page, shot) -> None:
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("#open-documents")
    page.click("#documents tr[data-kind=refusal] a")
    page.wait_for_selector("body[data-document-editor-ready=true][data-preview-state=ok]")
    assert page.input_value("#de-body") == wording.shipped("refusal")

    page.fill("#de-body", "Kính gửi: {{ ho_so.don_vi }}.\n{{ ho_so.__class__ }}")
    page.wait_for_selector("body[data-preview-state=bad]")
    assert page.inner_text("#de-problems") == "Dòng 2: Không được truy cập «__class__»."
    shot("document-template-error")

    changed = wording.shipped("refusal").replace("Xin thông báo", "Trân trọng thông báo")
    page.fill("#de-body", changed)
    page.wait_for_selector("body[data-preview-state=ok]")
    assert page.get_attribute("#de-frame", "src").startswith("blob:")
    shown = bytes(page.evaluate(READ_FRAME))  # the PDF the frame shows
    said = " ".join(pdf_text(shown).split())
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in said and "Trân trọng thông báo" in said
    shot("document-template-preview")

    page.fill("#de-effective", "10/03/2026")
    page.click("#de-publish")
    page.wait_for_selector("body[data-published=true]")
    assert page.inner_text("#de-status") == (
        "Đã ban hành mẫu “Phiếu từ chối tiếp nhận, giải quyết hồ sơ” áp dụng từ 10/03/2026."
    )
    shot("document-template-published")
    assert world.document_templates.in_force("refusal", date(2026, 3, 10)).body == changed
    assert world.document_templates.in_force("refusal", date(2026, 3, 9)).body == wording.shipped("refusal")
