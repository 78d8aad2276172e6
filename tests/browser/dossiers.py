"""The browser tests' world of dossiers: the domain over the engine with the shipped processes, one worker per
role in so-noi-vu, the app serving it; and a helper that works a dossier's steps up to a given one.

A module imports the fixtures it wants (``from tests.browser.dossiers import engine, live_app, world``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from engine import Engine
from engine.db import Database
from handlers.domain import Domain
from tests.scenarios.conftest import DEFAULTS, WORKER
from tests.scenarios.conftest import PEOPLE as WORKERS
from tests.web.dossier_world import CSTD_TINH_PAPERS, PDF, domain_app, domain_engine, star, submission

__all__ = ["PDF", "drive_to", "engine", "live_app", "pdf_file", "received", "world"]


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


def pdf_file(code: str) -> dict[str, Any]:
    """A paper as Playwright's ``set_input_files`` takes it."""
    return {"name": f"{code.lower()}.pdf", "mimeType": "application/pdf", "buffer": PDF + code.encode()}


def received(world: Domain) -> str:
    """A received Chiến sĩ thi đua cấp tỉnh dossier of two teachers, all papers attached; its code."""
    body = {**submission(), "nominees": [star(), {**star("Lê Văn Bình", "nam"), "position": "Hiệu trưởng"}]}
    uploaded = [world.dossiers.upload(c, f"{c.lower()}.pdf", pdf_file(c)["buffer"]) for c in CSTD_TINH_PAPERS]
    return world.dossiers.receive(
        world.engine.identity.actor("motcua"), world.dossiers.submission_of(body, uploaded), accept=True
    )
