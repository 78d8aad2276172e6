"""Shared fixtures: a real database (SQLite file, or PostgreSQL from AWARDFLOW_DATABASE_URL) and a virtual clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from engine import clock
from engine.db import Base, Database

FIXTURES = Path(__file__).parent / "fixtures"
#: Tests that run the same whatever AWARDFLOW_DATABASE_URL names, so CI's PostgreSQL pass leaves them to its SQLite
#: pass (the whole suite twice took longer than CI's 40 minutes): the browser walks, whose pages' queries the page
#: and API tests of tests/web run on PostgreSQL, and the simulations, which always run on scratch SQLite files.
SAME_ON_EVERY_DATABASE = ("browser/", "web/test_simulate.py", "web/test_simulation_shards.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("AWARDFLOW_DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="runs the same on every database: CI runs it in its SQLite pass")
    here = Path(__file__).parent
    for item in items:
        if item.path.relative_to(here).as_posix().startswith(SAME_ON_EVERY_DATABASE):
            item.add_marker(skip)


def database_url(tmp_path: Path) -> str:
    """PostgreSQL when CI sets AWARDFLOW_DATABASE_URL, else a fresh SQLite file per test."""
    return os.environ.get("AWARDFLOW_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An empty schema on the test database: SQLite's is a new file, dropped afterwards; PostgreSQL's is kept for
    the next test, which empties it (:func:`emptied`) or, when a test left other tables, creates it again."""
    db = Database(database_url(tmp_path))
    if not emptied(db):
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
    yield db
    if db.dialect != "postgresql":
        Base.metadata.drop_all(db.engine)
    db.dispose()


def emptied(db: Database) -> bool:
    """On PostgreSQL, with every table of the schema there, all of them emptied in one statement, their ids
    starting again at 1: what dropping and creating the schema gives, in a fifth of the time (that took about
    0.25 s a test, six minutes of CI's PostgreSQL pass). False where it did nothing."""
    if db.dialect != "postgresql":
        return False
    tables = Base.metadata.sorted_tables
    if not {t.name for t in tables} <= set(inspect(db.engine).get_table_names()):
        return False
    names = ", ".join(db.engine.dialect.identifier_preparer.format_table(t) for t in tables)
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    return True


@pytest.fixture
def vclock() -> Iterator[clock.VirtualClock]:
    """A virtual clock at Monday 02/03/2026 08:00 Asia/Ho_Chi_Minh (01:00 UTC), restored afterwards."""
    virtual = clock.VirtualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    previous = clock.install(virtual)
    yield virtual
    clock.install(previous)
