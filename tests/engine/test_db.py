"""Units of work: commands commit or roll back as one; reads never wait behind a command."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from engine import Engine, Settings, history
from engine.db import LATE_LOCK_ATTEMPTS, Database, PoolOptions, StaleRead, expect_unchanged
from engine.models import Event, User
from engine.write_queue import CHECKPOINT_EVERY, WriteQueue


def test_a_read_sees_the_last_commit_while_a_command_holds_the_database(database: Database) -> None:
    with database.transaction() as session:
        session.add(User(username="an", display_name="An"))
    with database.transaction() as writing:
        writing.add(User(username="binh", display_name="Bình"))
        writing.flush()  # the command now holds the write lock (SQLite) / its row lock (PostgreSQL)
        seen: list[list[str]] = []

        def another_request() -> None:
            with database.reading() as session:
                seen.append(list(session.scalars(select(User.username).order_by(User.username))))

        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join(timeout=10)
        assert seen == [["an"]]


def test_a_transaction_inside_another_joins_it_and_one_commit_holds_both(database: Database) -> None:
    with database.transaction() as outer:
        outer.add(User(username="an", display_name="An"))
        with database.transaction() as inner:
            assert inner is outer
            inner.add(User(username="binh", display_name="Bình"))
        with database.reading() as reading:  # a read inside a command sees the command's own changes
            assert reading is outer
            assert reading.scalar(select(User.id).where(User.username == "binh")) is not None
    with database.reading() as session:
        assert sorted(session.scalars(select(User.username))) == ["an", "binh"]


def test_a_failure_in_a_joined_block_rolls_the_whole_unit_back(database: Database) -> None:
    with pytest.raises(ValueError), database.transaction() as outer:
        outer.add(User(username="an", display_name="An"))
        with database.transaction() as inner:
            inner.add(User(username="binh", display_name="Bình"))
            inner.flush()
            raise ValueError("half-way")
    with database.reading() as session:
        assert session.scalar(select(User.id)) is None


def test_a_command_cannot_start_inside_a_reading_unit_of_work(database: Database) -> None:
    with database.reading(), pytest.raises(RuntimeError, match="inside a reading one"):
        with database.transaction():
            pass


def test_after_commit_work_runs_only_once_the_commit_succeeded(database: Database) -> None:
    done: list[str] = []
    with database.transaction() as session:
        session.add(User(username="an", display_name="An"))
        database.after_commit(lambda: done.append("mail to an"))
        assert done == []
    assert done == ["mail to an"]
    with pytest.raises(ValueError), database.transaction():
        database.after_commit(lambda: done.append("never"))
        raise ValueError("rolled back")
    assert done == ["mail to an"]


def test_a_reading_unit_of_work_refuses_to_write(database: Database) -> None:
    with database.reading() as session, pytest.raises(RuntimeError, match="cannot write"):
        session.add(User(username="an", display_name="An"))
        session.flush()
    with database.reading() as session:
        assert session.scalar(select(User.id)) is None


class _Conn:
    """What the queue needs of a connection: its ``info`` dict."""

    def __init__(self) -> None:
        self.info: dict[str, object] = {}


def test_a_writer_waits_in_the_queue_until_the_one_before_lets_go(tmp_path) -> None:
    first, second = WriteQueue(str(tmp_path / "db.sqlite")), WriteQueue(str(tmp_path / "db.sqlite"))
    holder, waiter = _Conn(), _Conn()
    first.enter(holder)
    entered = threading.Event()
    thread = threading.Thread(target=lambda: (second.enter(waiter), entered.set(), second.leave(waiter)))
    thread.start()
    thread.join(timeout=0.2)
    assert thread.is_alive() and not entered.is_set(), "the second writer must wait"
    first.leave(holder)
    thread.join(timeout=5)
    assert entered.is_set()
    assert not waiter.info and not holder.info


def test_a_nested_transaction_of_the_same_thread_does_not_queue_behind_itself(tmp_path) -> None:
    queue = WriteQueue(str(tmp_path / "db.sqlite"))
    outer, inner = _Conn(), _Conn()
    queue.enter(outer)
    queue.enter(inner)  # returns at once: this thread holds the lock
    queue.leave(inner)  # the inner transaction did not take the lock, so it does not let it go
    later = _Conn()
    other = threading.Thread(target=lambda: (queue.enter(later), queue.leave(later)))
    other.start()
    other.join(timeout=0.2)
    assert other.is_alive(), "the outer transaction still holds the lock"
    queue.leave(outer)
    other.join(timeout=5)
    assert not other.is_alive()


def test_a_rolled_back_savepoint_drops_what_the_transaction_cached(database: Database) -> None:
    with database.transaction() as session:
        session.info["awardflow.example"] = {"cached": "row"}
        try:
            with session.begin_nested():
                session.add(User(username="an", display_name="An"))
                raise ValueError("this timer failed")
        except ValueError:
            pass
        assert session.info == {}


def test_a_server_database_gets_the_pool_the_settings_ask_for() -> None:
    """Per process at most size + overflow connections (README, "Running several hosts"); no connection is
    opened to build the pool."""
    database = Database("postgresql+psycopg://awardflow@db.invalid/awardflow", PoolOptions(3, 2, pre_ping=False))
    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (3, 2, False)
    assert Engine(Settings(database_url=database.url, db_pool_size=7)).db.engine.pool.size() == 7


def test_a_scratch_sqlite_file_is_never_synced_and_the_others_are_at_each_checkpoint(tmp_path: Path) -> None:
    """A what-if run's database is thrown away after it (Settings.db_durable off): no sync, which on this host
    cost ~14 ms of waiting at each checkpoint; every other file keeps WAL's NORMAL (synced at checkpoints)."""

    def synchronous(settings: Settings) -> int:
        with Engine(settings).db.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())

    durable = Settings(database_url=f"sqlite:///{tmp_path / 'kept.sqlite'}")
    assert synchronous(durable) == 1, "NORMAL"
    assert synchronous(Settings(database_url=f"sqlite:///{tmp_path / 'scratch.sqlite'}", db_durable=False)) == 0


def test_reads_on_postgresql_skip_begin_and_commands_stay_transactions(database: Database) -> None:
    """A reading unit on PostgreSQL runs in autocommit (no BEGIN / ROLLBACK round trips: READ COMMITTED gives
    each statement its own snapshot anyway); the connection goes back to the pool transactional."""
    with database.reading() as session:
        session.execute(select(User.username)).all()
        reading_in_transaction = _open_transaction(session)
    assert reading_in_transaction is (database.dialect == "sqlite")  # SQLite: one deferred snapshot per unit
    with pytest.raises(ZeroDivisionError), database.transaction() as session:
        session.add(User(username="an", display_name="An"))
        session.flush()
        assert _open_transaction(session)
        _ = 1 / 0
    with database.reading() as session:
        assert session.scalar(select(User.username)) is None


def _open_transaction(session: Session) -> bool:
    """Whether the driver's connection is inside a transaction now (sqlite3 and psycopg say it differently)."""
    raw = session.connection().connection.driver_connection
    info = getattr(raw, "info", None)
    return bool(raw.in_transaction) if info is None else info.transaction_status.name != "IDLE"


def _rename_in_another_command(database: Database, name: str, wait_s: float) -> threading.Thread:
    """Rename user ``an`` in another thread's command; returns the thread after waiting ``wait_s`` for it."""

    def rename() -> None:
        with database.transaction() as session:
            user = session.scalars(select(User).where(User.username == "an")).one()
            user.display_name = name

    thread = threading.Thread(target=rename)
    thread.start()
    thread.join(timeout=wait_s)
    return thread


@pytest.fixture
def late_locking(database: Database) -> Database:
    if database.dialect != "sqlite":
        pytest.skip("the late write lock is SQLite's; PostgreSQL commands lock the rows they change")
    with database.transaction() as session:
        session.add(User(username="an", display_name="An"))
    return database


def test_a_command_that_hides_its_stale_read_still_starts_again(late_locking: Database) -> None:
    database, seen = late_locking, []

    def work(session: Session) -> str:
        user = session.scalars(select(User).where(User.username == "an")).one()
        expect_unchanged(session, user, "display_name")
        if not seen:
            assert not _rename_in_another_command(database, "An (mới)", 10).is_alive(), "reads take no write lock"
        seen.append(user.display_name)
        session.add(User(username=f"try-{len(seen)}", display_name="x"))
        try:
            session.flush()
        except StaleRead:
            pass  # a careless caller swallows it: the command still cannot commit on its stale read
        return user.display_name

    assert database.command(work) == "An (mới)"
    assert seen == ["An", "An (mới)"]
    with database.reading() as session:
        assert sorted(session.scalars(select(User.username))) == ["an", "try-2"]


def test_a_command_that_keeps_finding_changes_holds_the_lock_on_its_last_try(late_locking: Database) -> None:
    database, others, finished_meanwhile = late_locking, [], []

    def work(session: Session) -> None:
        user = session.scalars(select(User).where(User.username == "an")).one()
        expect_unchanged(session, user, "display_name")
        others.append(_rename_in_another_command(database, f"An {len(others)}", 3))
        finished_meanwhile.append(not others[-1].is_alive())
        user.display_name = "An (của lệnh)"

    database.command(work)
    assert finished_meanwhile == [True] * (LATE_LOCK_ATTEMPTS - 1) + [False]
    others[-1].join(timeout=10)  # it ran once the last try had committed
    with database.reading() as session:
        name = session.scalar(select(User.display_name).where(User.username == "an"))
    assert name == f"An {LATE_LOCK_ATTEMPTS - 1}"


def _actions(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(Event.action).order_by(Event.id)))


def test_held_writes_are_seen_by_the_command_and_commit_in_order(database: Database) -> None:
    with database.transaction() as session:
        history.record(session, "an", "first")
        history.record(session, "an", "second")
        assert _actions(database) == ["first", "second"]  # a read inside the command sees its own writes
        session.execute(delete(Event).where(Event.action == "first"))  # a write runs after what was held
        history.record(session, "an", "third")
    assert _actions(database) == ["second", "third"]


def test_a_rolled_back_savepoint_keeps_the_writes_held_before_it(database: Database) -> None:
    with database.transaction() as session:
        history.record(session, "an", "before")
        with contextlib.suppress(ValueError), session.begin_nested():
            history.record(session, "an", "inside, undone")
            session.add(User(username="binh", display_name="Bình"))
            session.flush()  # runs the held writes inside the savepoint: its rollback undoes them all
            raise ValueError("one step failed")
        history.record(session, "an", "after")
    assert _actions(database) == ["before", "after"]
    with database.reading() as session:
        assert session.scalar(select(User.id)) is None


def test_the_wal_is_checkpointed_every_so_many_writes_after_the_writer_left_the_queue(late_locking: Database) -> None:
    """SQLite's own checkpoint (at 1000 pages of WAL) would run inside a COMMIT, with the next writer waiting:
    it is off, and each CHECKPOINT_EVERY-th writer copies the WAL into the database file after leaving."""
    database = late_locking
    path = Path(make_url(database.url).database or "")
    big = {"text": "x" * 150_000}  # about 37 pages a write: CHECKPOINT_EVERY of them pass SQLite's 1000 pages

    def write() -> bool:
        """One write; whether the database file grew (a checkpoint copied pages into it)."""
        before = path.stat().st_size
        with database.transaction() as session:
            history.record(session, "an", "big", details=big)
        return path.stat().st_size > before

    writes = 1
    while not write():  # the first checkpoint comes at some point of the count this process began
        writes += 1
        assert writes <= CHECKPOINT_EVERY
    grew = [write() for _ in range(CHECKPOINT_EVERY)]
    assert grew == [False] * (CHECKPOINT_EVERY - 1) + [True]
