"""A supervisor opens the procedure as a live map from the dashboard (the shipped appraisal): the step where a
dossier waits past its due time is coloured and carries its numbers; a click on the overdue number opens the
dossier behind it."""

from __future__ import annotations

from datetime import timedelta

from engine import Engine
from engine.clock import VirtualClock
from tests.browser import dossiers

#: the dossier world's fixtures, used here
engine = dossiers.engine
live_app = dossiers.live_app
world = dossiers.world


def test_the_supervisor_sees_where_the_time_goes_on_the_diagram(
    world, engine: Engine, vclock: VirtualClock, sign_in, page, shot
) -> None:
    late, on_time = dossiers.received(world), dossiers.received(world)
    vclock.advance(timedelta(days=7))  # the division head's assignment (half a working day) is long overdue
    engine.timers.fire_due()
    sign_in("giamsat", ["supervisor"])
    page.goto("/dashboard")
    page.click("#open-map")
    page.select_option("#map-process", "appraisal")
    with page.expect_navigation():
        page.click("#map-filters button[type=submit]")
    page.wait_for_selector("#map-canvas[data-ready=true]")
    box = page.locator('.heat[data-element="assign_appraiser"]')
    assert "Đang chờ 2" in box.inner_text() and "Quá hạn 2" in box.inner_text()
    assert page.locator('g.djs-element.heat-late[data-element-id="assign_appraiser"]').count() == 1
    assert page.locator('g.djs-element.heat-late[data-element-id="appraise"]').count() == 0, "nothing there yet"
    shot("process-map")
    with page.expect_navigation():
        box.get_by_text("Quá hạn 2").click()
    listed = page.inner_text("#table-items")
    assert late in listed and on_time in listed and "Sở Nội vụ" in listed
    shot("process-map-overdue-drill")
