"""A short demo run: the shipped processes driven through a year up to the engine clock's now, with no error and
no dossier left where nobody can move it; every role, the line agencies included, has work in its inbox."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from engine import Settings, clock
from engine.inbox import InboxQuery
from web.boot import DEMO_USERS, prepare
from web.office import Simulation
from web.simulation import report


def test_a_short_demo_ends_with_no_error_and_nothing_stuck(tmp_path, vclock) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.sqlite'}", storage_dir=str(tmp_path / "files"))
    domain = prepare(settings, demo=True, password="mật-khẩu-demo")
    vclock.set(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # a year after the catalogue came into force
    until = clock.now()
    simulation = Simulation(domain, random.Random(7), until)
    statuses = simulation.run(20)
    assert simulation.errors == 0
    assert simulation.stuck() == []
    assert sum(statuses.values()) == 20
    assert simulation.start >= until - timedelta(days=372), "a year up to now, not a fixed past date"
    assert clock.now() == until, "the run leaves the engine clock where it was"
    figures = report(simulation)  # the demo is a simulation of the shipped procedures, reported as one
    finished = [figures["dossiers"][k] for k in ("early", "on_time", "late")]
    assert statuses["10 Đã trả kết quả"] <= sum(finished) <= 20, "returned ones and refusals are finished"
    assert figures["steps"]["appraise"]["late_share"] is not None and figures["queues"] == {}
    engine = domain.engine
    thue = engine.identity.actor("thue")
    reach = engine.access.task_groups(thue)
    assert "agency_tax" in reach, "a line agency's cross-checks reach it from every unit"
    query = InboxQuery(units=(thue.unit,), cross_unit_groups=reach, per_page=5)
    assert isinstance(engine.tasks.inbox("thue", query).total, int)
    assert {u for u, *_ in DEMO_USERS} <= {u.username for u in engine.identity.list_users()}
