"""The Alembic migrations build exactly the schema the models describe: the engine's chain its own tables,
the award domain's branch (its own version location) the award tables, on a fresh database and on one the
old single chain built."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text

import handlers.models  # noqa: F401  (registers the award tables on Base)
from engine.db import Base, Database
from engine.migrations import upgrade
from handlers import migrations as domain_migrations
from tests.conftest import database_url

ENGINE_HEAD = "0007"
DOMAIN_HEAD = "d0006"
DOMAIN_TABLES = {
    mapper.local_table.name for mapper in Base.registry.mappers if mapper.class_.__module__ == "handlers.models"
}
#: domain tables added after the split (d0003 on): the old single chain never had them
LATER_DOMAIN_TABLES = {
    "consultation",
    "public_comment",
    "cluster_rule_set",
    "cluster",
    "cluster_year",
    "cluster_member",
    "cluster_sheet",
    "cluster_result",
}


def _empty(db: Database) -> None:
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A database without any table, emptied again afterwards."""
    database = Database(database_url(tmp_path))
    _empty(database)
    yield database
    _empty(database)
    database.dispose()


def _heads(sql_engine: Engine) -> set[str]:
    with sql_engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def _differences(sql_engine: Engine) -> list[object]:
    with sql_engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _migrate(db: Database) -> None:
    """What the composition root runs: the engine's chain and the domain's branch."""
    upgrade(_url(db), version_locations=[domain_migrations.VERSIONS])


def test_the_engine_chain_creates_only_the_engine_tables(db: Database) -> None:
    upgrade(_url(db))
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables) - DOMAIN_TABLES
    assert _heads(db.engine) == {ENGINE_HEAD}


def test_a_fresh_database_upgrades_to_both_heads(db: Database) -> None:
    _migrate(db)
    _migrate(db)  # a second run is a no-op
    assert _heads(db.engine) == {ENGINE_HEAD, DOMAIN_HEAD}
    assert _differences(db.engine) == []


def test_a_database_of_the_old_single_chain_keeps_its_award_rows(db: Database) -> None:
    """The old chain's head (0004) had the award tables too: the domain branch adopts them as they are."""
    upgrade(_url(db))
    old = DOMAIN_TABLES - LATER_DOMAIN_TABLES
    domain = [table for table in Base.metadata.sorted_tables if table.name in old]
    Base.metadata.create_all(db.engine, tables=domain)
    rule_set = Base.metadata.tables["rule_set"]
    row = {
        "version": "2024",
        "name": "Luật Thi đua, khen thưởng 2022",
        "effective_from": date(2024, 1, 1),
        "content": {"awards": []},
        "content_hash": "0" * 64,
        "source": "catalogue/2024.yaml",
        "loaded_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
    with db.engine.begin() as conn:
        conn.execute(insert(rule_set).values(row))
    assert _heads(db.engine) == {ENGINE_HEAD}

    _migrate(db)

    assert _heads(db.engine) == {ENGINE_HEAD, DOMAIN_HEAD}
    assert _differences(db.engine) == []
    with db.engine.connect() as conn:
        assert conn.execute(select(rule_set.c.version, rule_set.c.name)).all() == [("2024", row["name"])]
