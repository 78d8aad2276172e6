"""The process map: the numbers on each step of the diagram agree with the engine's own reports row by row,
each links to the dossiers behind it, and the map is scoped, named and refused like the rest of the dashboard.

The world is the dashboard's (:func:`tests.web.test_pages_dashboard.make_world`, Fri 06/03/2026 10:00)."""

from __future__ import annotations

import json
from datetime import date

import lxml.html
from flask import Flask

from engine import Engine
from tests.web.test_pages_dashboard import cells, page, signed_in, world  # noqa: F401  (world is a fixture)

RANGE = "from=01/03/2026&to=31/03/2026"


def overlays(doc: lxml.html.HtmlElement) -> dict[str, dict]:
    return json.loads(doc.xpath('//script[@id="map-data"]')[0].text)["overlays"]


def test_the_numbers_on_each_step_are_the_reports(app: Flask, engine: Engine, world) -> None:  # noqa: F811
    client = signed_in(app, engine, "supervisor")
    doc = page(client, f"/dashboard/map?{RANGE}&process=sla_dossier")
    shown = overlays(doc)
    assert shown, "steps with work get numbers"
    pending = {p.group: p for p in engine.reports.pending(group_by="step")}
    rates = {}
    for rate in engine.reports.on_time(date(2026, 3, 1), date(2026, 3, 31), group_by="step", period="year"):
        rates[rate.group] = rate
    for element, heat in shown.items():
        open_now = pending.get(element)
        assert heat["waiting"] == (open_now.within + open_now.overdue if open_now else 0), element
        assert heat["overdue"] == (open_now.overdue if open_now else 0), element
        done = rates.get(element)
        assert heat["finished"] == (done.finished if done else 0), element
        assert heat["late"] == (done.late if done else 0), element
    assert set(shown) >= set(pending) & set(shown), "every step with open work is on the map"
    assert {e for e, p in pending.items() if p.overdue} <= {e for e, h in shown.items() if h["severity"] == "late"}

    # the table under the diagram says the same, by step name; every number opens its dossiers
    rows = {row[0]: row for row in cells(doc, "map")}
    names = engine.reports.step_names(shown)
    for element, heat in shown.items():
        row = rows[names.get(element, element)]
        assert row[1:4] == [str(heat["waiting"]), str(heat["overdue"]), str(heat["finished"])]
    overdue_step = next(e for e, h in shown.items() if h["overdue"])
    listed = page(client, shown[overdue_step]["links"]["overdue"])
    assert len(cells(listed, "items")) == shown[overdue_step]["overdue"]


def test_the_map_is_scoped_named_and_refused_like_the_dashboard(app: Flask, engine: Engine, world) -> None:  # noqa: F811
    head = signed_in(app, engine, "division_head")
    doc = page(head, f"/dashboard/map?{RANGE}&process=sla_dossier")
    own_unit = {e: h["waiting"] for e, h in overlays(doc).items()}
    supervisor = signed_in(app, engine, "supervisor")
    everyone = {
        e: h["waiting"] for e, h in overlays(page(supervisor, f"/dashboard/map?{RANGE}&process=sla_dossier")).items()
    }
    assert sum(own_unit.values()) < sum(everyone.values()), "a division head sees their own unit's work only"
    assert "Sở Nội vụ" in doc.text_content()
    assert "sla_dossier" not in doc.xpath('//select[@id="map-process"]')[0].text_content(), "procedures by title"
    page(head, f"/dashboard/map?{RANGE}&unit=so-tai-chinh", 403)
    page(head, f"/dashboard/map?{RANGE}&process=nope", 404)
    page(head, f"/dashboard/map?{RANGE}&process=sla_dossier&version=99999999999", 404)
    page(head, f"/dashboard/map?{RANGE}&process=sla_dossier&version=-1", 404)
    refused = head.get("/dashboard/map?from=31/02/2026&process=sla_dossier")
    shown = lxml.html.fromstring(refused.get_data(as_text=True))
    assert refused.status_code == 400
    assert "Từ ngày: ngày dạng dd/mm/yyyy" in shown.get_element_by_id("filter-refusal").text_content()
    assert overlays(shown), "the map is still drawn without the refused filter"
    page(signed_in(app, engine, "appraiser"), "/dashboard/map", 403)
