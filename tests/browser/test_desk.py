"""In Chromium: a desk officer receives a dossier and the receipt shows the right appointment date; the council
secretary records the sitting with the live tally; anyone looks the dossier up by its code.

The clock stands at Monday 09/02/2026 08:00 (Hà Nội). Chiến sĩ thi đua cấp tỉnh has a limit of 20 working days
(processes/catalogue/2025-07-01.yaml), counted from the working day after receipt. By hand: Tue 10/02 – Fri 13/02
are days 1–4; Tết takes 14/02 – 22/02; 23/02 – 27/02 are 5–9, 02/03 – 06/03 are 10–14, 09/03 – 13/03 are 15–19;
Monday 16/03 is day 20, so the appointment is 17:30 on 16/03/2026 (domain.md's example).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from engine import Engine, clock
from engine.db import Database
from handlers.domain import Domain
from tests.scenarios.conftest import DEFAULTS, WORKER
from tests.scenarios.conftest import PEOPLE as WORKERS
from tests.web.dossier_world import PDF, domain_app, domain_engine

PAPERS = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "MINH_CHUNG_SANG_KIEN")


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    virtual = clock.VirtualClock(datetime(2026, 2, 9, 1, 0, tzinfo=UTC))  # Mon 09/02/2026 08:00 +07:00
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)


@pytest.fixture
def world(database: Database, vclock: object, tmp_path: Path) -> Domain:
    domain = domain_engine(database, tmp_path / "files")
    for name, groups in WORKERS.items():
        domain.engine.identity.ensure_user(name, groups=groups, unit="so-noi-vu")
    return domain


@pytest.fixture
def engine(world: Domain) -> Engine:
    return world.engine


@pytest.fixture
def live_app(world: Domain) -> Flask:
    return domain_app(world, TESTING=False, SECRET_KEY="browser-test-secret")


def drive_to(engine: Engine, code: str, element: str) -> None:
    """Work the dossier's tasks with the scenarios' answers until ``element`` is ready."""
    instance = engine.runtime.list(business_key=code)[0].id
    for _ in range(30):
        ready = sorted(
            (t for t in engine.tasks.for_instance(instance) if t.state == "ready"), key=lambda t: t.element_id
        )
        if not ready or element in [t.element_id for t in ready]:
            return
        task = ready[0]
        engine.tasks.claim(task.id, WORKER[task.element_id])
        engine.tasks.complete(task.id, WORKER[task.element_id], dict(DEFAULTS[task.element_id]))
    raise AssertionError(f"{element} never became ready")


def test_the_desk_receives_a_dossier_and_the_receipt_shows_the_appointment(page, sign_in, shot, engine) -> None:
    sign_in("motcua", ["desk"])
    page.goto("/desk")
    page.select_option("select[name=award_type]", "CSTD_TINH")
    page.fill("input[name=unit]", "so-gd")
    page.fill("input[name=unit_name]", "Sở Giáo dục và Đào tạo")
    page.fill("input[name=title]", "Đề nghị tặng danh hiệu Chiến sĩ thi đua cấp tỉnh năm 2025")
    row = page.locator("#nominees tr.nominee").nth(0)
    row.locator("input[name=nominee_name]").fill("Nguyễn Thị Hoa")
    row.locator("input[name=nominee_position]").fill("Giáo viên")
    row.locator("input[name=nominee_unit]").fill("Trường THPT Chuyên")
    page.click("#add-nominee")
    row = page.locator("#nominees tr.nominee").nth(1)
    row.locator("input[name=nominee_name]").fill("Lê Văn Bình")
    row.locator("select[name=nominee_gender]").select_option("nam")
    row.locator("select[name=nominee_leader]").select_option("1")
    row.locator("input[name=nominee_position]").fill("Hiệu trưởng")
    for code in PAPERS:
        page.set_input_files(
            f"input[name=paper_{code}]",
            files=[{"name": f"{code.lower()}.pdf", "mimeType": "application/pdf", "buffer": PDF + code.encode()}],
        )
    shot("desk-receive")
    page.click("#receive-form button[type=submit]")
    page.wait_for_selector("#receipt")
    assert page.inner_text("#appointment").strip() == "17:30 16/03/2026"
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page.inner_text("#receipt")
    assert "08:00 09/02/2026" in page.inner_text("#receipt")
    shot("desk-receipt")
    href = page.get_attribute("#receipt a.print", "href")
    assert href is not None and page.request.get(href).body().startswith(b"%PDF")
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert code.startswith("HS-2026-")

    # the council secretary records the sitting: 8 of 9 present all approve, the absent TV09 approves in writing
    drive_to(engine, code, "record_session")
    sign_in("thuky", ["council_secretary"])
    page.goto("/council")
    page.click(f"#council-tasks tr:has-text('{code}') a")
    page.wait_for_selector("#session-form")
    assert "Chưa đủ túc số" in page.inner_text("#quorum")
    for member in [f"TV0{i}" for i in range(1, 9)]:
        page.check(f"input[name=present_{member}]")
    assert "Đủ túc số" in page.inner_text("#quorum")
    candidate = page.locator("#tally tr[data-candidate]").nth(0)
    candidate.locator("input.ballot").fill("8")
    assert candidate.locator(".verdict").inner_text() == "Không đạt"  # 8/9 < 90 % of ALL members
    page.locator("#members tr[data-member=TV09] input.written").nth(0).check()
    assert candidate.locator(".total").inner_text() == "9"
    assert candidate.locator(".verdict").inner_text() == "Đạt"
    shot("council-session")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector("#minutes")
    assert "Biên bản kiểm phiếu" in page.inner_text("#minutes")

    # anyone looks it up by its code: status and appointment only
    page.context.clear_cookies()
    page.goto("/tra-cuu")
    page.fill("input[name=code]", code)
    page.click("#lookup-form button[type=submit]")
    result = page.inner_text("#lookup-result")
    assert "16/03/2026" in result and "Đang xử lý" in result and "Hoa" not in page.content()
    shot("public-lookup")
