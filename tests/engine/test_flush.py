"""A command's flush writes the changed columns of its loaded rows with plain Core UPDATEs (SQLAlchemy's unit of
work cost more than the writes): the version check, the refusal of a row deleted meanwhile and the identity map
must stay as the unit of work kept them. New or deleted rows still go through the unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, event, select, update
from sqlalchemy.orm import Session

from engine import Engine, history
from engine.db import write_at_flush
from engine.errors import ConcurrentModification
from engine.execution import flush
from engine.models import Event, ProcessInstance, User
from engine.repository import DeploymentResult


@pytest.fixture
def instance_id(engine: Engine, deploy: Callable[..., DeploymentResult]) -> int:
    deploy("user_task.bpmn", "review.schema.json")
    return engine.runtime.start("user_task", actor="chi").id


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL the database receives while the test runs, and how often the unit of work flushed (``"flush"``)."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    def on_flush(*_args: Any) -> None:
        seen.append("flush")

    event.listen(engine.db.engine, "before_cursor_execute", on_statement)
    event.listen(Session, "after_flush", on_flush)
    yield seen
    event.remove(engine.db.engine, "before_cursor_execute", on_statement)
    event.remove(Session, "after_flush", on_flush)


def _stored(engine: Engine, instance_id: int) -> tuple[str, int]:
    with engine.db.reading() as session:
        state, version = session.execute(
            select(ProcessInstance.state, ProcessInstance.version).where(ProcessInstance.id == instance_id)
        ).one()
        return state, version


def _instance(session: Session, instance_id: int, state: str) -> ProcessInstance:
    """The instance loaded in ``session``, its state set to ``state`` (not yet written)."""
    instance = session.get(ProcessInstance, instance_id)
    assert instance is not None
    instance.state = state
    return instance


def test_a_changed_row_is_one_update_of_its_changed_columns_and_its_version_moves_once(
    engine: Engine, instance_id: int, statements: list[str]
) -> None:
    _state, version = _stored(engine, instance_id)
    with engine.db.transaction() as session:
        instance = _instance(session, instance_id, "suspended")
        statements.clear()
        flush(session)
        assert instance.version == version + 1
        assert not session.dirty
        flush(session)  # nothing left to write
    updates = [s for s in statements if s.startswith("UPDATE")]
    assert updates == [s for s in updates if s.startswith("UPDATE process_instance SET state=")]
    assert len(updates) == 1 and "version" in updates[0]
    assert "flush" not in statements  # the unit of work did not run
    assert _stored(engine, instance_id) == ("suspended", version + 1)


def test_a_row_written_in_a_savepoint_that_rolls_back_reads_as_stored_again(engine: Engine, instance_id: int) -> None:
    """As after the unit of work: the savepoint's rollback expires the row, so the object shows the stored state
    and setting the same change again writes it again (a batch of timers is fired again one by one so)."""
    state, version = _stored(engine, instance_id)
    with engine.db.transaction() as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            instance = _instance(session, instance_id, "suspended")
            flush(session)
            raise RuntimeError("rolled back")
        assert (instance.state, instance.version) == (state, version)
        _instance(session, instance_id, "suspended")
    assert _stored(engine, instance_id) == ("suspended", version + 1)


def test_rows_written_before_a_refused_one_are_expired_by_the_savepoint_s_rollback(
    engine: Engine, instance_id: int
) -> None:
    """A flush that writes some rows and then finds one changed meanwhile: the savepoint's rollback must expire
    those already written too (else their objects keep values the database no longer has). The rows are written
    in the identity map's order, which the test cannot choose: six users beside the stale instance, five times,
    so that a user goes first at least once (it fails on the fault in all but one run in 7**5)."""
    names = [f"nguoi{i}" for i in range(6)]
    for name in names:
        engine.identity.ensure_user(name, display_name="Trước")
    for _attempt in range(5):
        _state, version = _stored(engine, instance_id)
        with engine.db.transaction() as session:
            users = list(session.scalars(select(User).where(User.username.in_(names))))
            instance = _instance(session, instance_id, "running")
            bump = update(ProcessInstance.__table__).where(ProcessInstance.__table__.c.id == instance_id)
            with pytest.raises(ConcurrentModification), session.begin_nested():
                for user in users:
                    user.display_name = "Sau"
                instance.state = "suspended"
                session.connection().execute(bump.values(version=version + 1))  # behind the ORM's back
                flush(session)
            assert {user.display_name for user in users} == {"Trước"}


def test_a_column_set_to_what_it_was_writes_nothing_and_keeps_the_version(
    engine: Engine, instance_id: int, statements: list[str]
) -> None:
    state, version = _stored(engine, instance_id)
    with engine.db.transaction() as session:
        _instance(session, instance_id, state)
        statements.clear()
        flush(session)
    assert not [s for s in statements if s.startswith("UPDATE")]
    assert _stored(engine, instance_id) == (state, version)


def test_a_row_another_command_changed_since_it_was_loaded_is_a_conflict(engine: Engine, instance_id: int) -> None:
    _state, version = _stored(engine, instance_id)
    with pytest.raises(ConcurrentModification), engine.db.transaction() as session:
        _instance(session, instance_id, "suspended")
        bump = update(ProcessInstance.__table__).where(ProcessInstance.__table__.c.id == instance_id)
        session.connection().execute(bump.values(version=version + 5))  # the other command, behind the ORM's back
        flush(session)
    assert _stored(engine, instance_id) == ("running", version)


def _record(engine: Engine, *actions: str) -> None:
    with engine.db.transaction() as session:
        for action in actions:
            history.record(session, "an", action)


def _actions(engine: Engine) -> list[str]:
    with engine.db.reading() as session:
        return list(session.scalars(select(Event.action).where(Event.action.like("test %")).order_by(Event.id)))


def test_a_row_deleted_since_it_was_loaded_is_refused_as_the_unit_of_work_refused_it(engine: Engine) -> None:
    _record(engine, "test one")
    with pytest.raises(ConcurrentModification), engine.db.transaction() as session:
        row = session.scalars(select(Event).where(Event.action == "test one")).one()
        session.connection().execute(delete(Event.__table__).where(Event.__table__.c.id == row.id))
        row.actor = "binh"
        flush(session)
    assert _actions(engine) == ["test one"]


def test_rows_of_a_table_changed_alike_are_one_statement_and_a_deleted_one_among_them_is_refused(
    engine: Engine, statements: list[str]
) -> None:
    _record(engine, "test a", "test b", "test c")
    with engine.db.transaction() as session:
        rows = list(session.scalars(select(Event).where(Event.action.like("test %"))))
        for row in rows:
            row.actor = "binh"
        rows[0].details = {"why": "other columns: a statement of its own"}
        statements.clear()
        flush(session)
    updates = [s for s in statements if s.startswith("UPDATE event")]
    assert len(updates) == 2, updates  # an executemany is one statement here
    with engine.db.reading() as session:
        assert set(session.scalars(select(Event.actor).where(Event.action.like("test %")))) == {"binh"}
    with pytest.raises(ConcurrentModification), engine.db.transaction() as session:
        rows = list(session.scalars(select(Event).where(Event.action.like("test %"))))
        session.connection().execute(delete(Event.__table__).where(Event.__table__.c.id == rows[1].id))
        for row in rows:
            row.actor = "chi"
        flush(session)
    with engine.db.reading() as session:
        assert set(session.scalars(select(Event.actor).where(Event.action.like("test %")))) == {"binh"}


def test_new_rows_beside_changed_ones_go_through_the_unit_of_work(
    engine: Engine, instance_id: int, statements: list[str]
) -> None:
    _state, version = _stored(engine, instance_id)
    with engine.db.transaction() as session:
        _instance(session, instance_id, "suspended")
        session.add(User(username="em", display_name="Em"))
        statements.clear()
        flush(session)
    assert statements.count("flush") == 1
    assert _stored(engine, instance_id) == ("suspended", version + 1)
    with engine.db.reading() as session:
        assert session.scalar(select(User.display_name).where(User.username == "em")) == "Em"


def test_a_held_delete_keeps_the_loaded_objects_of_its_table_in_step(engine: Engine) -> None:
    _record(engine, "test one", "test two", "test three")
    with engine.db.transaction() as session:
        one = session.scalars(select(Event).where(Event.action == "test one")).one()
        write_at_flush(session, delete(Event).where(Event.action == "test one"))
        flush(session)
        assert one not in session  # the ORM's delete told the session, which will not write it back
        one.actor = "binh"
        flush(session)
    with engine.db.transaction() as session:  # no object of the table loaded: a plain Core delete
        write_at_flush(session, delete(Event).where(Event.action == "test two"))
    assert _actions(engine) == ["test three"]


def test_a_held_prebuilt_delete_with_bound_values_keeps_the_loaded_objects_in_step_too(engine: Engine) -> None:
    _record(engine, "test one", "test two")
    prebuilt = delete(Event).where(Event.action == bindparam("action"))
    with engine.db.transaction() as session:
        one, two = session.scalars(select(Event).where(Event.action.like("test %")).order_by(Event.id))
        write_at_flush(session, prebuilt, {"action": "test one"})
        flush(session)
        assert one not in session and two in session  # matched by the bound value, not by the bare condition
        one.actor = two.actor = "binh"
    assert _actions(engine) == ["test two"]
    with engine.db.reading() as session:
        assert session.scalar(select(Event.actor).where(Event.action == "test two")) == "binh"
