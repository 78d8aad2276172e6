"""Alembic environment: the engine's metadata (and whatever tables a layer above registered on the same
``Base`` before running), URL from the caller's config."""

from __future__ import annotations

from alembic import context

import engine.calendar_store  # noqa: F401  (registers the tables)
import engine.models  # noqa: F401
from engine.db import Base, make_sql_engine

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    sql_engine = make_sql_engine(config.get_main_option("sqlalchemy.url") or "")
    with sql_engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    sql_engine.dispose()


run()
