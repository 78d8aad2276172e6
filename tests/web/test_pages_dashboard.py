"""The supervisor dashboard page: numbers from hand-made dossiers, drill-downs, unit scoping, bad parameters,
the Excel and PDF exports.

The world (virtual clock at Fri 06/03/2026 10:00): in so-noi-vu R-EARLY finished with every step early or on
time; R-LATE's B1 was done late, its due date moved once (reason given) and then missed; R-OPEN's B1 is
overdue since Mon 02/03 14:00; in so-tai-chinh R-OTHER's B1 is overdue too. Awards: see :func:`awards`.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine import Engine
from engine.clock import VirtualClock
from tests.engine.conftest import complete
from tests.web.conftest import OTHER_UNIT, PASSWORD, PEOPLE, UNIT
from tests.web.test_pages_session import csrf
from web.pages import exports

#: how the units read on the pages and in the exports (processes/units.yaml)
UNIT_NAME, OTHER_NAME = "Sở Nội vụ", "Sở Tài chính"
SLA = Path(__file__).parent.parent / "fixtures" / "sla"
VN_OFFSET = "+07:00"


def vn(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime.fromisoformat(f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00{VN_OFFSET}")


@pytest.fixture
def world(engine: Engine, vclock: VirtualClock) -> dict[str, int]:
    return make_world(engine, vclock)


@pytest.fixture
def awards(engine: Engine) -> None:
    pytest.importorskip("handlers.models")
    make_awards(engine)


def make_world(engine: Engine, vclock: VirtualClock) -> dict[str, int]:
    """The dossiers of this module's docstring (the users are the conftest's people)."""
    engine.repository.deploy({p.name: p.read_bytes() for p in SLA.glob("*.bpmn")}, actor="admin")

    def start(code: str, limit: str = "20WD", by: str = "desk") -> int:
        data = {"limit": limit, "policy": "resume"}
        return engine.runtime.start("sla_dossier", business_key=code, data=data, actor=by).id

    early, late, open_, other = start("R-EARLY"), start("R-LATE", "3WD"), start("R-OPEN"), start("R-OTHER", by="desk2")
    vclock.set(vn(2, 3, 9))
    complete(engine, early, "check_papers", user="desk")  # due 14:00 → đúng hạn
    complete(engine, early, "appraise", {"needs_supplement": False}, user="an")  # trước hạn
    complete(engine, early, "draft_decision", user="an")  # trước hạn; the dossier trước hạn
    vclock.set(vn(3, 3, 9))
    complete(engine, late, "check_papers", user="desk")  # quá hạn (due Mon 14:00)
    engine.sla.reschedule(late, vn(6, 3, 9), "Chờ ý kiến hiệp y của cơ quan thuế", "division_head")
    vclock.set(vn(6, 3, 10))
    engine.timers.fire_due()
    return {"early": early, "late": late, "open": open_, "other": other}


def make_awards(engine: Engine) -> None:
    """Decisions signed in March 2026 (and one in December 2025, outside the year):

    so-noi-vu KT-1 (CSTD_CS): Lan (woman), Hùng (leader), Mai (woman, leader) awarded, Tú not; KT-2 (TT_LDXS):
    a collective; so-tai-chinh KT-3 (CSTD_CS): Bình; so-noi-vu KT-0 (2025): Cúc (woman).
    """
    from handlers import models as m

    with engine.db.transaction() as session:
        names = {"CSTD_CS": {"name": "Chiến sĩ thi đua cơ sở"}, "TT_LDXS": {"name": "Tập thể lao động xuất sắc"}}
        rules = m.RuleSet(
            version="thu-2025",
            name="Bộ quy tắc thử",
            effective_from=date(2025, 7, 1),
            content={"award_types": names},
            content_hash="0" * 64,
            source="test",
            loaded_at=vn(1, 3, 8),
        )
        session.add(rules)
        session.flush()
        people = [
            ("KT-1", UNIT, "CSTD_CS", vn(4, 3, 9), [("Lan", "nu", False, 1), ("Hùng", "nam", True, 1)]),
            ("KT-1b", UNIT, "CSTD_CS", vn(4, 3, 10), [("Mai", "nu", True, 1), ("Tú", "nam", False, 0)]),
            ("KT-2", UNIT, "TT_LDXS", vn(5, 3, 9), [("Phòng Tổng hợp", None, False, 1)]),
            ("KT-3", OTHER_UNIT, "CSTD_CS", vn(5, 3, 15), [("Bình", "nam", False, 1)]),
            ("KT-0", UNIT, "CSTD_CS", vn(30, 12, 9, year=2025), [("Cúc", "nu", False, 1)]),
        ]
        for number, (code, unit, award, signed, nominees) in enumerate(people, start=1):
            dossier = m.Dossier(
                code=code,
                award_type=award,
                rule_set_id=rules.id,
                rule_version=rules.version,
                unit=unit,
                unit_name=unit,
                title=f"Đề nghị khen thưởng {code}",
                achievement_year=2025,
                status=9,
                status_at=signed,
                submitted_at=signed,
                outcome="awarded",
            )
            for seq, (name, gender, leader, awarded) in enumerate(nominees, start=1):
                kind = "individual" if gender else "collective"
                position = "Trưởng phòng" if leader else ("Chuyên viên" if gender else None)
                state = "awarded" if awarded else "failed"
                nominee = m.Nominee(seq=seq, kind=kind, name=name, gender=gender, is_leader=leader, state=state)
                nominee.position = position
                dossier.nominees.append(nominee)
            session.add(dossier)
            session.flush()
            decision = m.Decision(
                dossier_id=dossier.id,
                issuing_body="SNV",
                year=signed.year,
                number=number,
                symbol=f"{number}/QĐ-SNV",
                signed_at=signed,
                signed_by="lanhdao",
                base_salary_vnd=2_340_000,
                total_vnd=0,
            )
            awarded_ = [n for n in dossier.nominees if n.state == "awarded"]
            for seq, n in enumerate(awarded_, start=1):
                line = m.DecisionLine(seq=seq, nominee_id=n.id, name=n.name, unit=unit, multiple="1.0", bonus_vnd=1)
                decision.lines.append(line)
            session.add(decision)


# -- helpers -----------------------------------------------------------------------------------------------


def signed_in(app: Flask, engine: Engine, username: str, unit: str | None = "same") -> FlaskClient:
    """A client signed in through the login form as ``username`` (one of the conftest's people)."""
    groups, own = PEOPLE.get(username, ([], None))
    if username != "admin":
        engine.identity.ensure_user(username, groups=groups, unit=own if unit == "same" else unit, password=PASSWORD)
    else:
        engine.identity.ensure_user("admin", password=PASSWORD, is_admin=True)
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def page(client: FlaskClient, url: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return lxml.html.fromstring(response.get_data(as_text=True))


def cells(doc: lxml.html.HtmlElement, key: str) -> list[list[str]]:
    """The body and total rows of report table ``key`` as texts."""
    rows = doc.xpath(f'//div[@id="table-{key}"]//tbody/tr | //div[@id="table-{key}"]//tfoot/tr')
    return [[" ".join(td.text_content().split()) for td in row.xpath("./td")] for row in rows]


def link(doc: lxml.html.HtmlElement, key: str, first: str, column: int) -> str:
    """The drill-down link in the row of table ``key`` whose first cell is ``first``."""
    for row in doc.xpath(f'//div[@id="table-{key}"]//tr[td]'):
        tds = row.xpath("./td")
        if " ".join(tds[0].text_content().split()) == first:
            return str(tds[column].xpath(".//a/@href")[0])
    raise AssertionError(f"no row {first!r} in {key}")


def tile(doc: lxml.html.HtmlElement, key: str) -> str:
    return " ".join(doc.xpath(f'//a[@id="tile-{key}"]/span[@class="num"]')[0].text_content().split())


# -- the page ----------------------------------------------------------------------------------------------


def test_supervisor_sees_every_unit_now_and_the_rates(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard")
    assert "Giám sát tiến độ giải quyết hồ sơ" in doc.text_content()
    assert "Số liệu tại thời điểm 10:00 06/03/2026" in doc.text_content()
    assert (tile(doc, "overdue"), tile(doc, "due_soon"), tile(doc, "within"), tile(doc, "rate")) == (
        "2",
        "0",
        "1",
        "75,0 %",
    )
    assert cells(doc, "pending_unit") == [
        [UNIT_NAME, "1", "0", "1", "2"],
        [OTHER_NAME, "0", "0", "1", "1"],
        ["Tổng cộng", "1", "0", "2", "3"],
    ]
    assert cells(doc, "pending_step") == [
        ["B1 Tiếp nhận, kiểm tra hồ sơ", "0", "0", "2", "2"],
        ["B2 Thẩm định", "1", "0", "0", "1"],
        ["Tổng cộng", "1", "0", "2", "3"],
    ]
    assert cells(doc, "pending_person") == [
        ["(chưa có người nhận)", "1", "0", "2", "3"],
        ["Tổng cộng", "1", "0", "2", "3"],
    ]
    assert cells(doc, "rates") == [
        ["Tháng 03/2026", "2", "1", "1", "4", "75,0 %"],
        ["Tổng cộng", "2", "1", "1", "4", "75,0 %"],
    ]
    assert cells(doc, "late") == [
        [
            "R-LATE",
            UNIT_NAME,
            "09:00 06/03/2026",
            "đang xử lý",
            "B1 Tiếp nhận, kiểm tra hồ sơ",
            "desk",
            "Chờ ý kiến hiệp y của cơ quan thuế",
        ]
    ]
    chart = json.loads(doc.xpath('//script[@id="chart-data"]')[0].text_content())
    assert len(chart["labels"]) == 12 and chart["labels"][2] == "Tháng 03/2026"
    assert (chart["ok"][:4], chart["late"][:4], chart["rate"][:4]) == (
        [0, 0, 3, 0],
        [0, 0, 1, 0],
        [None, None, 75.0, None],
    )
    assert doc.xpath('//script[contains(@src, "/vendor/chart.js/chart.umd.min.js")]')
    assert doc.xpath('//select[@name="unit"]/option[.="Sở Tài chính"]'), "a supervisor picks a unit by name"


def test_rates_by_period_level_and_group(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard?period=quarter&group_by=person")
    assert cells(doc, "rates") == [
        ["Quý I/2026", "an", "2", "0", "0", "2", "100,0 %"],
        ["Quý I/2026", "desk", "0", "1", "1", "2", "50,0 %"],
        ["Tổng cộng", "", "2", "1", "1", "4", "75,0 %"],
    ]
    doc = page(client, "/dashboard?period=year&group_by=step&from=01/03/2026&to=31/03/2026")
    assert cells(doc, "rates") == [
        ["Năm 2026", "B2 Thẩm định", "1", "0", "0", "1", "100,0 %"],  # ordered by step id: appraise, check_papers…
        ["Năm 2026", "B1 Tiếp nhận, kiểm tra hồ sơ", "0", "1", "1", "2", "50,0 %"],
        ["Năm 2026", "B3 Dự thảo quyết định", "1", "0", "0", "1", "100,0 %"],
        ["Tổng cộng", "", "2", "1", "1", "4", "75,0 %"],
    ]
    doc = page(client, "/dashboard?level=dossier&group_by=unit")
    assert cells(doc, "rates") == [
        ["Tháng 03/2026", UNIT_NAME, "1", "0", "0", "1", "100,0 %"],
        ["Tổng cộng", "", "1", "0", "0", "1", "100,0 %"],
    ]
    doc = page(client, "/dashboard?from=01/04/2026&to=30/04/2026")
    assert cells(doc, "rates") == [] and "Chưa có việc nào hoàn thành" in doc.text_content()


def test_due_soon_follows_the_virtual_clock(app: Flask, engine: Engine, world, vclock: VirtualClock) -> None:
    vclock.set(vn(12, 3, 10))  # R-LATE's B2 is due Fri 13/03 09:00
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard")
    assert (tile(doc, "due_soon"), tile(doc, "within")) == ("1", "1")
    drill = page(client, link(doc, "pending_step", "B2 Thẩm định", 2))
    assert cells(drill, "items") == [
        ["R-LATE", UNIT_NAME, "B2 Thẩm định", "appraiser", "09:00 13/03/2026", "Sắp đến hạn", "Mở"]
    ]


# -- drill-downs -------------------------------------------------------------------------------------------


def test_every_open_work_number_drills_down_to_its_tasks(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard")
    overdue_here = page(client, link(doc, "pending_unit", UNIT_NAME, 3))
    open_task = engine.tasks.for_instance(world["open"])[0]
    assert cells(overdue_here, "items") == [
        ["R-OPEN", UNIT_NAME, "B1 Tiếp nhận, kiểm tra hồ sơ", "desk", "14:00 02/03/2026", "Quá hạn", "Mở"]
    ]
    assert overdue_here.xpath('//div[@id="table-items"]//a/@href') == [f"/tasks/{open_task.id}"]
    shown = " ".join(overdue_here.text_content().split())
    assert "Việc quá hạn" in shown and "Số liệu tại thời điểm 10:00 06/03/2026" in shown and "1 mục" in shown
    every_overdue = page(client, doc.xpath('//a[@id="tile-overdue"]/@href')[0])
    assert [row[0] for row in cells(every_overdue, "items")] == ["R-OPEN", "R-OTHER"]
    all_open = page(client, link(doc, "pending_unit", "Tổng cộng", 4))
    assert sorted(row[0] for row in cells(all_open, "items")) == ["R-LATE", "R-OPEN", "R-OTHER"]
    unclaimed = page(client, link(doc, "pending_person", "(chưa có người nhận)", 1))
    assert [row[:3] for row in cells(unclaimed, "items")] == [["R-LATE", UNIT_NAME, "B2 Thẩm định"]]
    back = overdue_here.xpath('//a[@id="back"]/@href')[0]
    assert back == "/dashboard?from=01/01/2026&to=31/12/2026&period=month&level=step&group_by=none"


def test_every_rate_number_drills_down_to_its_steps_or_dossiers(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard?group_by=person")
    late = page(client, link(doc, "rates", "Tháng 03/2026", 4))  # the first row: person "an", no late work
    assert cells(late, "items") == [] and "Không có mục nào." in late.text_content()
    rows = doc.xpath('//div[@id="table-rates"]//tbody/tr')
    desk_late = rows[1].xpath("./td")[4].xpath(".//a/@href")[0]
    assert cells(page(client, desk_late), "items") == [
        [
            "R-LATE",
            UNIT_NAME,
            "B1 Tiếp nhận, kiểm tra hồ sơ",
            "desk",
            "14:00 02/03/2026",
            "09:00 03/03/2026",
            "Quá hạn",
            "Mở",
        ]
    ]
    finished = page(client, link(doc, "rates", "Tổng cộng", 5))
    assert sorted((r[0], r[2]) for r in cells(finished, "items")) == [
        ("R-EARLY", "B1 Tiếp nhận, kiểm tra hồ sơ"),
        ("R-EARLY", "B2 Thẩm định"),
        ("R-EARLY", "B3 Dự thảo quyết định"),
        ("R-LATE", "B1 Tiếp nhận, kiểm tra hồ sơ"),
    ]
    early = page(client, link(doc, "rates", "Tổng cộng", 2))
    assert [r[6] for r in cells(early, "items")] == ["Trước hạn", "Trước hạn"]
    dossiers = page(client, "/dashboard?level=dossier")
    found = page(client, link(dossiers, "rates", "Tháng 03/2026", 1))
    assert [r[:3] + r[5:] for r in cells(found, "items")] == [
        ["R-EARLY", UNIT_NAME, "Hồ sơ thử đồng hồ ISO", "Trước hạn"]
    ]
    assert "Hoàn thành trước hạn (hồ sơ)" in found.text_content()


# -- who sees what -----------------------------------------------------------------------------------------


def test_division_head_sees_their_own_unit_only(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "division_head")
    doc = page(client, "/dashboard")
    assert (tile(doc, "overdue"), tile(doc, "within")) == ("1", "1")
    assert [row[0] for row in cells(doc, "pending_unit")] == [UNIT_NAME, "Tổng cộng"]
    assert not doc.xpath('//select[@name="unit"]'), "no unit to pick"
    every_overdue = page(client, doc.xpath('//a[@id="tile-overdue"]/@href')[0])
    assert [row[0] for row in cells(every_overdue, "items")] == ["R-OPEN"]
    refused = page(client, f"/dashboard?unit={OTHER_UNIT}", 403)
    assert "Bạn chỉ xem được số liệu của đơn vị mình." in refused.text_content()
    page(client, f"/dashboard/drill?kind=pending&status=overdue&unit={OTHER_UNIT}", 403)
    page(client, f"/dashboard/export.xlsx?unit={OTHER_UNIT}", 403)
    assert page(client, f"/dashboard?unit={UNIT}") is not None


def test_supervisor_may_narrow_to_one_unit(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, f"/dashboard?unit={OTHER_UNIT}")
    assert (tile(doc, "overdue"), tile(doc, "within"), tile(doc, "rate")) == ("1", "0", "—")
    drill = page(client, doc.xpath('//a[@id="tile-overdue"]/@href')[0])
    assert [row[0] for row in cells(drill, "items")] == ["R-OTHER"]


def test_who_may_open_the_dashboard(app: Flask, engine: Engine, world) -> None:
    assert app.test_client().get("/dashboard").headers["Location"].startswith("/login")
    page(signed_in(app, engine, "an"), "/dashboard", 403)
    for reader in ("leader", "admin"):
        page(signed_in(app, engine, reader), "/dashboard")
    nowhere = signed_in(app, engine, "division_head", unit=None)
    assert "chưa gắn với đơn vị" in page(nowhere, "/dashboard", 403).text_content()


def test_bad_parameters_give_a_400_page(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    for query, field in [  # each field named by its label on the page
        ("period=week", "Kỳ báo cáo: một trong: Tháng, Quý, Năm"),
        ("from=31/02/2026", "Từ ngày: ngày dạng dd/mm/yyyy"),
        ("to=2026-13-01", "Đến ngày:"),
        ("from=01/05/2026&to=01/04/2026", "Đến ngày: ngày bắt đầu phải trước ngày kết thúc"),
        ("level=dossier&group_by=step", "Nhóm theo:"),
        ("group_by=colour", "Nhóm theo:"),
        ("level=case", "Tính theo:"),
    ]:
        doc = page(client, f"/dashboard?{query}", 400)
        assert "Tham số không hợp lệ" in doc.text_content() and field in doc.text_content(), query


def test_a_drill_down_with_bad_parameters_names_them_and_keeps_the_rest(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    for query, field, listed in [  # (the parameters, the refusal's words, whether the list is still made)
        ("kind=bogus", "Loại danh sách: không dùng được giá trị «bogus»", False),
        ("kind=<script>alert(1)</script>", "Loại danh sách: không dùng được giá trị «<script>", False),
        ("kind=pending&status=late", "Tình trạng việc: không dùng được giá trị «late»", True),
        ("kind=pending&by=colour", "Nhóm theo: không dùng được giá trị «colour»", True),
        ("kind=finished&label=2026-13", "Kỳ: 2026-03, 2026-Q1, 2026", True),
        ("kind=finished&result=soon", "Kết quả: không dùng được giá trị «soon»", True),
        ("kind=awards&who=men", "Đối tượng được khen: không dùng được giá trị «men»", True),
        ("kind=finished&period=week", "Kỳ báo cáo: một trong: Tháng, Quý, Năm", True),
        ("kind=pending&status=late&from=31/02/2026", "Từ ngày: ngày dạng dd/mm/yyyy; Tình trạng việc:", True),
    ]:
        doc = page(client, f"/dashboard/drill?{query}", 400)
        (refusal,) = doc.xpath('//p[@id="filter-refusal"]')
        assert refusal.text_content().startswith("Tham số không hợp lệ — ") and field in refusal.text_content(), query
        assert bool(doc.xpath('//*[@id="drill-count"]')) is listed, query
        assert doc.xpath('//a[@id="back"]/@href')[0].startswith("/dashboard?"), "back to the dashboard it came from"
    # the good filters are kept: the same list as without the bad one
    good = page(client, "/dashboard/drill?kind=pending&status=overdue")
    kept = page(client, "/dashboard/drill?kind=pending&status=overdue&by=colour", 400)
    assert cells(kept, "items") == cells(good, "items") and cells(good, "items")
    assert kept.xpath("//h1")[0].text_content() == "Việc quá hạn"


@pytest.mark.parametrize("export", ["export.xlsx", "export.pdf"])
def test_an_export_with_a_bad_filter_goes_back_to_the_dashboard(app: Flask, engine: Engine, world, export) -> None:
    client = signed_in(app, engine, "supervisor")
    sent = client.get(f"/dashboard/{export}?period=week&level=dossier")
    assert sent.status_code == 303 and sent.headers["Content-Type"].startswith("text/html")
    assert sent.headers["Location"] == "/dashboard?period=week&level=dossier", "the same filters, to correct"
    doc = page(client, sent.headers["Location"], 400)
    text = doc.text_content()
    assert "Chưa xuất được tệp vì bộ lọc có giá trị không dùng được" in text
    assert "Kỳ báo cáo: một trong: Tháng, Quý, Năm" in doc.xpath('//p[@id="filter-refusal"]')[0].text_content()
    assert doc.xpath('//select[@name="level"]/option[@selected]/@value') == ["dossier"], "the good filter kept"


def test_english_is_one_click_away(app: Flask, engine: Engine, world) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard?lang=en")
    text = doc.text_content()
    assert "Open work now: overdue and due soon" in text and "Figures as of 10:00 06/03/2026" in text
    assert cells(doc, "rates")[0] == ["03/2026", "2", "1", "1", "4", "75.0 %"]
    assert "dash." not in text and "drill." not in text, "no untranslated keys"


# -- awards ------------------------------------------------------------------------------------------------


def test_award_shares_to_non_leaders_and_women(app: Flask, engine: Engine, world, awards) -> None:
    client = signed_in(app, engine, "supervisor")
    doc = page(client, "/dashboard")
    assert cells(doc, "awards") == [
        ["Chiến sĩ thi đua cơ sở", "4", "4", "2", "50,0 %", "2", "50,0 %"],
        ["Tập thể lao động xuất sắc", "1", "0", "0", "—", "0", "—"],
        ["Tổng cộng", "5", "4", "2", "50,0 %", "2", "50,0 %"],
    ]
    women = page(client, link(doc, "awards", "Tổng cộng", 5))
    assert [(r[0], r[2], r[3], r[4]) for r in cells(women, "awardees")] == [
        ("KT-1", "Lan", "Nữ", "Chuyên viên"),
        ("KT-1b", "Mai", "Nữ", "Trưởng phòng"),
    ]
    non_leaders = page(client, link(doc, "awards", "Chiến sĩ thi đua cơ sở", 3))
    assert [r[2] for r in cells(non_leaders, "awardees")] == ["Lan", "Bình"]
    assert cells(non_leaders, "awardees")[0][6:] == ["1/QĐ-SNV", "04/03/2026"]
    own = page(signed_in(app, engine, "division_head"), "/dashboard")
    assert cells(own, "awards")[0] == ["Chiến sĩ thi đua cơ sở", "3", "3", "1", "33,3 %", "2", "66,7 %"]
    last_year = page(client, "/dashboard?from=01/01/2025&to=31/12/2025")
    assert cells(last_year, "awards")[-1] == ["Tổng cộng", "1", "1", "1", "100,0 %", "1", "100,0 %"]


def test_without_awards_the_section_says_so(app: Flask, engine: Engine, world) -> None:
    doc = page(signed_in(app, engine, "supervisor"), "/dashboard")
    assert doc.xpath('//p[@id="no-award-data"]')[0].text_content().strip() == "Chưa có dữ liệu khen thưởng."
    assert not doc.xpath('//div[@id="table-awards"]')


# -- exports -----------------------------------------------------------------------------------------------


def test_excel_export_of_the_current_view(app: Flask, engine: Engine, world, awards) -> None:
    client = signed_in(app, engine, "supervisor")
    response = client.get("/dashboard/export.xlsx?group_by=person")
    assert response.status_code == 200 and response.mimetype == exports.XLSX_TYPE
    assert 'filename="giam-sat-20260101-20261231.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Thông tin",
        "Đang xử lý theo đơn vị",
        "Đang xử lý theo bước",
        "Đang xử lý theo người",
        "Tỷ lệ đúng hạn",
        "Hồ sơ trễ hạn",
        "Cơ cấu khen thưởng",
    ]
    info = [[c.value for c in row] for row in book["Thông tin"].iter_rows()]
    assert info[0] == ["Báo cáo giám sát tiến độ giải quyết hồ sơ", None]
    assert ["Khoảng thời gian", "01/01/2026 – 31/12/2026"] in info and ["Nhóm theo", "Người xử lý"] in info
    assert ["Thời điểm lập", "10:00 06/03/2026"] in info and ["Người lập", "supervisor"] in info
    units = [[c.value for c in row] for row in book["Đang xử lý theo đơn vị"].iter_rows()]
    assert units == [
        ["Việc đang xử lý: quá hạn và sắp đến hạn — theo đơn vị", None, None, None, None],
        ["Đơn vị", "Trong hạn", "Trong đó sắp đến hạn", "Quá hạn", "Tổng"],
        [UNIT_NAME, 1, 0, 1, 2],
        [OTHER_NAME, 0, 0, 1, 1],
        ["Tổng cộng", 1, 0, 2, 3],
    ]
    rates = book["Tỷ lệ đúng hạn"]
    assert [c.value for c in rates[2]] == [
        "Kỳ",
        "Người xử lý",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Đã hoàn thành",
        "Tỷ lệ đúng hạn",
    ]
    assert [c.value for c in rates[3]] == ["Tháng 03/2026", "an", 2, 0, 0, 2, 1.0]
    assert [c.value for c in rates[4]] == ["Tháng 03/2026", "desk", 0, 1, 1, 2, 0.5]
    assert rates["G3"].number_format == "0.0%" and rates["A4"].font.bold is False and rates["A5"].font.bold
    late = book["Hồ sơ trễ hạn"]
    assert [c.value for c in late[3]] == [
        "R-LATE",
        UNIT_NAME,
        datetime(2026, 3, 6, 9, 0),
        "đang xử lý",
        "B1 Tiếp nhận, kiểm tra hồ sơ",
        "desk",
        "Chờ ý kiến hiệp y của cơ quan thuế",
    ]
    assert late["C3"].number_format == "dd/mm/yyyy hh:mm"
    shares = book["Cơ cấu khen thưởng"]
    assert [c.value for c in shares[5]] == ["Tổng cộng", 5, 4, 2, 0.5, 2, 0.5]


def test_excel_without_awards_says_so(app: Flask, engine: Engine, world) -> None:
    response = signed_in(app, engine, "division_head").get("/dashboard/export.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert "Cơ cấu khen thưởng" not in book.sheetnames
    info = [[c.value for c in row] for row in book["Thông tin"].iter_rows()]
    assert ["Phạm vi", UNIT_NAME] in info and ["Cơ cấu khen thưởng", "Chưa có dữ liệu khen thưởng."] in info
    assert [c.value for c in book["Đang xử lý theo đơn vị"][3]] == [UNIT_NAME, 1, 0, 1, 2]


def test_pdf_export_in_vietnamese(app: Flask, engine: Engine, world, awards, tmp_path: Path) -> None:
    response = signed_in(app, engine, "supervisor").get("/dashboard/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="giam-sat-20260101-20261231.pdf"' in response.headers["Content-Disposition"]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text was not checked")
    (tmp_path / "d.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], capture_output=True, check=True).stdout
    shown = text.decode()
    for expected in (
        "Báo cáo giám sát tiến độ giải quyết hồ sơ",
        "Tỷ lệ đúng hạn",
        "Chờ ý kiến hiệp y của cơ quan thuế",
        "Chiến sĩ thi đua cơ sở",
        "R-LATE",
        "75,0 %",
    ):
        assert expected in shown, expected


def test_pdf_without_a_vietnamese_font_is_a_clear_503(app: Flask, engine: Engine, world, monkeypatch) -> None:
    monkeypatch.setattr(exports, "find_font", lambda: None)
    response = signed_in(app, engine, "supervisor").get("/dashboard/export.pdf")
    assert response.status_code == 503 and "phông chữ Unicode" in response.get_data(as_text=True)


def test_the_font_comes_from_an_installed_package() -> None:
    found = exports.find_font()
    assert found is not None and any(part in str(found[0]) for part in ("site-packages", "dist-packages"))
