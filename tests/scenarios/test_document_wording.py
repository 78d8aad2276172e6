"""A dossier's receipt is worded by the template in force on the day the dossier was submitted: a designer
publishes a new wording from Wednesday; Tuesday's dossier, received on Thursday, keeps the old wording, and
Wednesday's gets the new one."""

from __future__ import annotations

from datetime import date

from engine.identity import Actor
from handlers import document_templates as wording
from tests.pdf_text import pdf_text
from tests.scenarios.conftest import World, drive, individual, titles, vn

DESIGNER = Actor("thietke", frozenset({"designer"}), "so-noi-vu")
NEW = wording.shipped("receipt").replace("Thời gian tiếp nhận:", "Hồ sơ được tiếp nhận lúc")


def star() -> dict:
    return individual(titles=titles("CSTD_CS", 2023, 2024, 2025), initiatives=[{"scope": "tinh"}])


def receipt_of(world: World, code: str) -> str:
    drive(world, code, until="assign_appraiser")
    return " ".join(pdf_text(world.document(code, "receipt")).split())


def test_the_wording_in_force_on_the_submission_day(world: World) -> None:
    world.clock.set(vn(3, 3, 9))  # Tuesday 03/03/2026
    world.domain.document_templates.publish(DESIGNER, "receipt", date(2026, 3, 4), NEW)
    before = world.submit("CSTD_TINH", [star()])
    world.clock.set(vn(4, 3, 9))
    after = world.submit("CSTD_TINH", [star()])
    world.clock.set(vn(5, 3, 9))
    old_text, new_text = receipt_of(world, before), receipt_of(world, after)
    assert "Thời gian tiếp nhận:" in old_text and "Hồ sơ được tiếp nhận lúc" not in old_text
    assert "Hồ sơ được tiếp nhận lúc" in new_text and "Thời gian tiếp nhận:" not in new_text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in new_text, "the national header is the code's"
