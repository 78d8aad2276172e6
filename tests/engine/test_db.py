"""Units of work: commands commit or roll back as one; reads never wait behind a command."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.models import User


def test_a_read_sees_the_last_commit_while_a_command_holds_the_database(database: Database) -> None:
    with database.transaction() as session:
        session.add(User(username="an", display_name="An"))
    with database.transaction() as writing:
        writing.add(User(username="binh", display_name="Bình"))
        writing.flush()  # the command now holds the write lock (SQLite) / its row lock (PostgreSQL)
        with database.reading() as session:
            assert list(session.scalars(select(User.username).order_by(User.username))) == ["an"]


def test_a_reading_unit_of_work_refuses_to_write(database: Database) -> None:
    with database.reading() as session, pytest.raises(RuntimeError, match="cannot write"):
        session.add(User(username="an", display_name="An"))
        session.flush()
    with database.reading() as session:
        assert session.scalar(select(User.id)) is None
