"""Reads of many dossiers at once, and of a dossier's own columns: what the simulated office tallies with."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import InvalidRequestError

from handlers import records
from handlers.domain import Domain
from tests.web.dossier_world import submission


def _received(world: Domain, desk: str) -> str:
    rules = world.dossiers.catalogue()
    papers = rules.award("CSTD_TINH").required_papers
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", b"%PDF-1.4\n" + c.encode()) for c in papers]
    actor = world.engine.identity.actor(desk)
    return world.dossiers.receive(actor, world.dossiers.submission_of(submission("CSTD_TINH", papers), uploaded))


def test_statuses_are_those_of_the_dossiers_the_caller_reaches(world: Domain) -> None:
    ours, theirs = _received(world, "motcua"), _received(world, "desk2")
    admin = world.engine.identity.actor("admin")
    desk = world.engine.identity.actor("motcua")
    world.dossiers.withdraw(desk, ours, "Đơn vị xin rút hồ sơ.")

    every = world.dossiers.statuses(admin, [ours, theirs, "HS-KHONG-CO"])
    assert every == {
        ours: world.dossiers.dossier(admin, ours).status,
        theirs: world.dossiers.dossier(admin, theirs).status,
    }
    assert every[ours] == records.WITHDRAWN != every[theirs]
    assert world.dossiers.statuses(desk, [ours, theirs]) == {ours: records.WITHDRAWN}


def test_statuses_of_more_dossiers_than_one_query_asks_for(world: Domain, monkeypatch: pytest.MonkeyPatch) -> None:
    import handlers.dossier_service as service

    monkeypatch.setattr(service, "_CODES_PER_QUERY", 2)
    codes = [_received(world, "motcua") for _ in range(3)]
    admin = world.engine.identity.actor("admin")
    assert world.dossiers.statuses(admin, codes) == {c: world.dossiers.dossier(admin, c).status for c in codes}


def test_a_dossier_without_its_parts_has_its_own_columns_only(world: Domain) -> None:
    code = _received(world, "motcua")
    admin = world.engine.identity.actor("admin")
    whole, brief = world.dossiers.dossier(admin, code), world.dossiers.dossier(admin, code, parts=False)
    assert (brief.status, brief.due_at, brief.award_type) == (whole.status, whole.due_at, whole.award_type)
    assert whole.nominees and whole.papers
    with pytest.raises(InvalidRequestError, match="nominees"):
        _ = brief.nominees
