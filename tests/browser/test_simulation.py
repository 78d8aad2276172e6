"""A designer runs a what-if from the workbench (the shipped procedures against a draft that halves the
appraisal's budget, with one appraiser fewer): both plans come back side by side with their charts and the
simulated figures on the diagram; then the supervisor opens the live map of the same procedure on the dashboard."""

from __future__ import annotations

from datetime import timedelta

from engine import Engine
from engine.clock import VirtualClock
from tests.browser import dossiers
from tests.web.test_simulate import halved

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


def test_a_what_if_from_the_workbench_then_the_live_map(
    world, engine: Engine, vclock: VirtualClock, sign_in, page, shot
) -> None:
    sign_in("thietke", ["designer"])
    page.goto("/designer")
    page.click("#open-simulation")
    page.fill("#sim-from", "02/03/2026")
    page.fill("#sim-to", "29/05/2026")
    page.fill("#sim-dossiers", "4")
    page.fill("#sim-seed", "5")
    page.uncheck("#sim-history")
    page.check("#sim-compare")
    page.fill("#sim-staff_b_appraiser", "1")
    draft = halved("appraise")["appraisal.bpmn"]
    page.set_input_files("#sim-draft-b", {"name": "appraisal.bpmn", "mimeType": "text/xml", "buffer": draft})
    shot("simulation-form")
    with page.expect_navigation(timeout=180_000):
        page.click("#sim-run", no_wait_after=True)
    page.wait_for_selector("#sim-results[data-ready=true]")
    page.wait_for_selector("#map-a[data-ready=true]")
    page.wait_for_selector("#map-b[data-ready=true]")
    summary = page.inner_text("#sim-summary")
    assert "Phương án A" in summary and "Phương án B" in summary
    for chart in ("throughput", "steps-a", "steps-b", "dossiers-b", "queues-a", "utilisation-b"):
        assert page.locator(f"#chart-{chart}[data-drawn=true]").count() == 1, chart
    assert "Chuyên viên thẩm định" in page.inner_text("#side-b .sim-utilisation")
    box = page.locator('#map-b .heat[data-element="appraise"]')
    assert box.count() == 1 and "Trễ hạn" in box.inner_text(), "the simulated figures are on the diagram"
    assert page.locator("#map-b .heat a").count() == 0, "a simulation's numbers open no dossiers"
    shot("simulation-results")

    # the supervisor's live map of the same procedure, with real work overdue on it
    dossiers.received(world)
    vclock.advance(timedelta(days=7))
    engine.timers.fire_due()
    page.goto("/logout")
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard")
    page.click("#open-map")
    page.select_option("#map-process", "appraisal")
    with page.expect_navigation():
        page.click("#map-filters button[type=submit]")
    page.wait_for_selector("#map-canvas[data-ready=true]")
    assert "Quá hạn 1" in page.locator('.heat[data-element="assign_appraiser"]').inner_text()
    shot("simulation-then-live-map")
