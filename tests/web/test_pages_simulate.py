"""The designer's what-if page: the form for designers only, every wrong field refused by name before anything
runs, a run bounded in time, and a real run of two plans whose figures and overlays are the run's own (the same
as :func:`web.simulation.run_plans` gives for the same seed, which is what `awardflow simulate` prints)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.reports import ElementHeat
from tests.web.test_pages_designer import sign_in, token_of
from tests.web.test_pages_vietnamese import Visible, leaks
from tests.web.test_simulate import halved
from web.boot import PROCESSES_DIR, bundle_files
from web.pages.dashboard_data import Lang
from web.pages.dashboard_map import overlays_for
from web.pages.designer_simulate import RUNS
from web.simulation import Plan, Workload, demo_staff, run_plans

URL = "/designer/simulate"
SMALL = {"from": "02/03/2026", "to": "29/05/2026", "dossiers": "4", "seed": "5", "show": "appraisal"}


@pytest.fixture
def designer(app: Flask, engine: Engine) -> FlaskClient:
    engine.repository.deploy(bundle_files([PROCESSES_DIR]), actor="admin")
    return sign_in(app, engine, "designer")


def form(client: FlaskClient, **changed: Any) -> dict[str, Any]:
    staff = {f"staff_{p}_{g}": str(n) for p in "ab" for g, n in demo_staff().items()}
    return {"csrf_token": token_of(client, URL), **SMALL, **staff, **changed}


def post(client: FlaskClient, data: dict[str, Any]) -> tuple[int, lxml.html.HtmlElement]:
    response = client.post(URL, data=data, content_type="multipart/form-data")
    return response.status_code, lxml.html.fromstring(response.get_data(as_text=True))


def vietnamese(html: str) -> list[str]:
    """What a Vietnamese reader should not meet on the page (the walk of every page's check)."""
    parser = Visible()
    parser.feed(html)
    return leaks(" ".join(parser.parts), set(demo_staff()))


def errors(doc: lxml.html.HtmlElement) -> dict[str, str]:
    return {li.get("data-field"): li.text_content() for li in doc.xpath('//div[@id="sim-errors"]//li')}


def test_the_form_is_the_designers_with_groups_by_name(app: Flask, engine: Engine, designer: FlaskClient) -> None:
    assert 'href="/designer/simulate"' in designer.get("/designer").get_data(as_text=True)
    html = designer.get(URL).get_data(as_text=True)
    assert vietnamese(html) == []
    doc = lxml.html.fromstring(html)
    staff = doc.xpath('//fieldset[@id="plan-a"]//table')[0].text_content()
    assert "Chuyên viên thẩm định" in staff and "appraiser" not in staff, "groups by name"
    assert "tối đa 60 hồ sơ" in doc.xpath('//p[@id="sim-bounds"]')[0].text_content()
    assert doc.xpath('//input[@id="sim-staff_a_appraiser"]')[0].get("value") == "2", "the demo's people"
    appraiser = sign_in(app, engine, "appraiser")
    assert appraiser.get(URL).status_code == 403
    assert appraiser.post(URL, data=form(designer)).status_code == 403


@pytest.mark.parametrize(
    ("changed", "field", "named"),
    [
        ({"dossiers": "1000000"}, "dossiers", "Số hồ sơ: nhập số nguyên từ 1 đến 60"),
        ({"dossiers": "-3"}, "dossiers", "Số hồ sơ"),
        ({"from": "31/02/2026"}, "from", "Từ ngày: ngày dạng dd/mm/yyyy"),
        ({"to": "01/01/2026"}, "to", "Đến ngày: phải sau ngày bắt đầu"),
        ({"to": "01/01/2099"}, "to", "không quá 366 ngày"),
        ({"seed": "9" * 40}, "seed", "Hạt giống ngẫu nhiên"),
        ({"staff_a_appraiser": "0"}, "staff_a_appraiser", "Số người — Chuyên viên thẩm định (A)"),
        ({"staff_a_desk": "ba"}, "staff_a_desk", "(A)"),
        ({"staff_a_desk": "²"}, "staff_a_desk", "(A)"),
        ({"dossiers": "9" * 5000}, "dossiers", "Số hồ sơ"),
        ({"show": "khong-co"}, "show", "Sơ đồ hiển thị: không có quy trình này"),
        ({"compare": "on", "version_b": "appraisal:99999999999"}, "version_b", "Phương án B: không có phiên bản"),
        ({"compare": "on", "staff_b_leader": "100000"}, "staff_b_leader", "(B)"),
    ],
)
def test_a_wrong_field_is_refused_by_name_and_nothing_runs(
    designer: FlaskClient, changed: dict[str, str], field: str, named: str
) -> None:
    status, doc = post(designer, form(designer, **changed))
    assert status == 422
    assert named in errors(doc)[field]
    assert not doc.xpath('//section[@id="sim-results"]'), "nothing ran"


def test_a_draft_the_engine_refuses_is_named(designer: FlaskClient) -> None:
    bad = (io.BytesIO(b"<definitions><process id='x'>"), "nhap.bpmn")
    status, doc = post(designer, form(designer, compare="on", draft_b=bad))
    assert status == 422 and "Phương án B: bản nháp không triển khai được" in errors(doc)["draft_b"]
    status, doc = post(designer, form(designer, draft_a=[(io.BytesIO(b"1"), "a.json"), (io.BytesIO(b"2"), "a.json")]))
    assert status == 422 and "Phương án A" in errors(doc)["draft_a"]


def test_a_run_past_its_time_is_stopped_and_said(app: Flask, designer: FlaskClient) -> None:
    app.config["AWARDFLOW_SIMULATION_SECONDS"] = 1  # the child needs longer than that to load the engine
    status, doc = post(designer, form(designer))
    assert status == 422
    assert "Số hồ sơ: lần chạy quá 1 giây nên đã dừng" in errors(doc)["dossiers"]


def test_runs_at_once_are_bounded(designer: FlaskClient) -> None:
    taken = [RUNS.acquire(blocking=False) for _ in range(2)]  # two runs going on in this server process
    try:
        assert all(taken)
        status, doc = post(designer, form(designer))
        assert status == 429 and "thử lại sau" in errors(doc)["run"]
    finally:
        for _ in taken:
            RUNS.release()


def side_data(doc: lxml.html.HtmlElement, name: str) -> dict[str, Any]:
    return json.loads(doc.xpath(f'//script[@id="map-data-{name}"]')[0].text)


def test_two_plans_side_by_side_are_the_runs_own_figures(designer: FlaskClient, engine: Engine, tmp_path: Path) -> None:
    draft = halved("appraise")
    deployed = {"appraisal.bpmn": engine.repository.xml("appraisal", 1).encode()}  # plan A: a deployed version
    data = form(
        designer,
        compare="on",
        version_a="appraisal:1",
        draft_b=(io.BytesIO(draft["appraisal.bpmn"]), "appraisal.bpmn"),
    )
    response = designer.post(URL, data=data, content_type="multipart/form-data")
    status, doc = response.status_code, lxml.html.fromstring(response.get_data(as_text=True))
    assert status == 200, errors(doc)
    assert vietnamese(response.get_data(as_text=True)) == []

    # the same workload and plans, run directly: the page shows exactly that run (the same seed, the same result)
    workload = Workload(4, date(2026, 3, 2), date(2026, 5, 29), 5, {})
    plans = {"a": Plan(demo_staff(), deployed), "b": Plan(demo_staff(), draft)}
    expected = run_plans(workload, plans, tmp_path, show="appraisal")
    summary = {
        row.get("data-measure"): [td.text_content() for td in row.xpath("td")[1:]]
        for row in doc.xpath('//table[@id="sim-summary"]//tr[@data-measure]')
    }
    for key in ("early", "on_time", "late", "errors"):
        assert summary[key] == [str(expected[p]["dossiers"][key]) for p in "ab"], key
    assert summary["errors"] == ["0", "0"]

    charts = json.loads(doc.xpath('//script[@id="sim-data"]')[0].text)
    assert charts["labels"] == ["Phương án A", "Phương án B"]
    for i, plan in enumerate("ab"):
        result = expected[plan]
        steps = {row["name"]: row for row in result["steps"].values()}
        assert charts["sides"][i]["steps"]["labels"] == list(steps), "steps by name"
        assert charts["sides"][i]["dossiers"] == {k: result["dossiers"][k] for k in ("early", "on_time", "late")}
        assert "Chuyên viên thẩm định" in charts["sides"][i]["utilisation"]["labels"]
        queues = charts["sides"][i]["queues"]["series"]
        assert {s["label"] for s in queues} >= {"Chuyên viên thẩm định"}
        # the overlays on the simulated diagram are the run's heat rows, one by one
        heat = {e: ElementHeat(**{k: v for k, v in r.items() if k != "late_share"}) for e, r in result["heat"].items()}
        shown = side_data(doc, plan)
        assert shown["overlays"] == overlays_for(result["diagram"]["xml"], heat, Lang("vi"))
        assert shown["overlays"], "the appraisal's steps carry numbers"
        assert 'id="appraise"' in shown["xml"]

    # plan B halves the appraisal's budget: its late share there is not lower, and the page says the change
    a, b = (expected[p]["steps"]["appraise"]["late_share"] for p in "ab")
    assert b >= a
    change = doc.xpath('//section[@id="side-b"]//tr[@data-element="appraise"]/td[@class="num change"]')
    assert change and change[0].text_content() == Lang("vi").percent(expected["late_share_change"]["appraise"])
