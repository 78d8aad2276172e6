"""The dossier tests' world: the award domain over an engine with the shipped processes, and its app."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from engine import Engine
from engine.db import Database
from handlers.domain import Domain
from tests.web.dossier_world import domain_app, domain_engine


@pytest.fixture
def world(database: Database, vclock: object, tmp_path: Path) -> Domain:
    return domain_engine(database, tmp_path / "files")


@pytest.fixture
def engine(world: Domain) -> Engine:
    return world.engine


@pytest.fixture
def app(world: Domain) -> Flask:
    return domain_app(world)
