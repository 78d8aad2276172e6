"""Database plumbing: the declarative base, shared column types, and the unit of work.

One place commits: :meth:`Database.transaction` opens a session, yields it, commits on success and
rolls back on any error. Services take the session they are given; they never commit themselves.
A transaction opened inside another one (in the same thread or task) *joins* it, as Camunda's command
context does: a composite action (a domain service calling several engine services) is one commit or
none. :meth:`Database.reading` is the same for queries that change nothing: on SQLite it does not take the
write lock, so lists and look-ups never wait behind a command (WAL readers see the last commit); inside
an open unit of work it joins that one too. Work that cannot be rolled back (mail, files) is handed to
:meth:`Database.after_commit` and runs only once the commit succeeded.

:meth:`Database.command` runs a command that may take SQLite's write lock late: it reads its snapshot and does
its CPU work (SpiffWorkflow's steps, the checks) without the lock, and takes the lock at its first write. The
rows its decision rests on (:func:`expect_unchanged`: the instance's version, the task's state) are read again
under the lock; if another command changed one meanwhile, the command starts again from the beginning. So
two workers overlap everything but their writes, and no command acts on a stale read.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, cast

from sqlalchemy import DateTime, Integer, MetaData, create_engine, event, insert, inspect
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from engine.row_writes import write_dirty
from engine.write_queue import WriteQueue

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite gives it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every awardflow table (engine and handlers)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


#: Execution option marking the connections of :meth:`Database.reading`.
READ_ONLY = "awardflow_read_only"
#: Execution option marking the connections of :meth:`Database.command` (SQLite: the write lock is taken late).
LATE_LOCK = "awardflow_late_lock"
#: ``session.info`` key of the Core writes :func:`write_at_flush` holds for the next flush.
AT_FLUSH_KEY = "awardflow.at_flush"
#: ``conn.info`` key, present while a late-lock command still reads its snapshot: what it expects to be unchanged.
EXPECTED = "awardflow.expected"
#: ``conn.info`` key: a late-lock command found a row changed; it can write and commit nothing.
STALE = "awardflow.stale"
#: How often a late-lock command starts again before its last try takes the write lock up front.
LATE_LOCK_ATTEMPTS = 4

T = TypeVar("T")
#: The writes held when each open savepoint began (:func:`_mark_savepoint`).
_HELD_AT_SAVEPOINT: weakref.WeakKeyDictionary[SessionTransaction, list[Any]] = weakref.WeakKeyDictionary()
#: Whether the late-lock command running here found a row changed (an error it caused may hide the StaleRead).
_WENT_STALE: ContextVar[bool] = ContextVar("awardflow_went_stale", default=False)
#: ``session.info`` key of the callbacks :meth:`Database.after_commit` collects for the open transaction.
AFTER_COMMIT_KEY = "awardflow.after_commit"
#: Set in ``session.info`` by a transaction that deploys: what it reads of deployments is not cached, since a
#: rollback gives its ids out again (on SQLite). Kept through a savepoint's rollback: the deployment may stay.
DEPLOYING_KEY = "awardflow.deploying"

IntPK = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]


def _sqlite_pragmas(durable: bool) -> Callable[[Any, Any], None]:
    """WAL and a busy timeout; a durable file syncs at each checkpoint (a power cut loses at most the last
    commits), a scratch one never (a what-if run's file, thrown away: each sync cost ~14 ms of waiting)."""

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return pragmas


class StaleRead(Exception):
    """A late-lock command read a row that another command changed before it took the write lock: it must
    start again (:meth:`Database.command` does; nobody else sees this)."""


def _sqlite_begin(queue: WriteQueue | None) -> Callable[[Any], None]:
    """Commands take the write lock up front (no deadlock on upgrade), queueing for it first; reads and
    late-lock commands begin deferred and lock-free."""

    def begin(conn: Any) -> None:
        _forget_late_lock(conn)  # whatever a transaction before left on this pooled connection
        options = conn.get_execution_options()
        if options.get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        if options.get(LATE_LOCK) and queue is not None:
            conn.exec_driver_sql("BEGIN")
            conn.info[EXPECTED] = {}
            return
        if queue is not None:
            queue.enter(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return begin


def _leave_queue(queue: WriteQueue) -> Callable[[Any, Any], None]:
    """A connection back in the pool lets the next writer in, then now and then checkpoints the WAL
    (see :mod:`engine.write_queue`: never while the next writer waits)."""

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if queue.leave(record) and dbapi_connection is not None and queue.checkpoint_due():
            dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    return checkin


def _take_lock_late(queue: WriteQueue) -> Callable[..., None]:
    """Before a late-lock command's first write: end its read snapshot (nothing was written), queue for the
    write lock, begin again with it, and read its expected rows again; any change makes it stale."""

    def before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(STALE):
            raise StaleRead("this command read rows that changed; it must start again")
        expected = conn.info.get(EXPECTED)
        if expected is None or statement.lstrip()[:6].upper() == "SELECT":
            return
        del conn.info[EXPECTED]
        raw = conn.connection.dbapi_connection
        raw.execute("COMMIT")
        queue.enter(conn)
        raw.execute("BEGIN IMMEDIATE")
        for (sql, key), want in expected.items():
            if raw.execute(sql, (key,)).fetchone() != want:
                conn.info[STALE] = True
                _WENT_STALE.set(True)
                raise StaleRead(f"a row this command read changed before it could write ({sql}, {key})")

    return before_execute


def _end_late_lock(conn: Any) -> None:
    """The transaction ends: a stale command may not commit; nothing of it is carried to the next one."""
    conn.info.pop(EXPECTED, None)
    if conn.info.pop(STALE, False):
        raise StaleRead("this command read rows that changed; it must start again")


def _forget_late_lock(conn: Any) -> None:
    conn.info.pop(EXPECTED, None)
    conn.info.pop(STALE, None)


class _Rows:
    """Rows held for one ``INSERT`` into ``table``, all with the same columns: one ``executemany``."""

    __slots__ = ("rows", "table")

    def __init__(self, table: Any, row: dict[str, Any]) -> None:
        self.table = table
        self.rows = [row]


def write_at_flush(session: Session, statement: Any, params: dict[str, Any] | None = None) -> None:
    """Run a Core write (an UPDATE or DELETE by condition; ``params`` for a prebuilt one's bound values) when
    the session next writes (its flush, its commit, or another write statement), instead of now: a late-lock
    command then holds SQLite's write lock only while it writes. A read that would autoflush runs what is
    held first, so the command sees its own writes as it did when they ran at once."""
    session.info.setdefault(AT_FLUSH_KEY, []).append((statement, params))


def insert_at_flush(session: Session, model: Any, row: dict[str, Any]) -> None:
    """Add a row of an append-only table (audit events, slip rows, timers) as :func:`write_at_flush` does: the
    rows of one table go in one ``executemany``, without the ORM's unit of work or reading back their ids."""
    held: list[Any] = session.info.setdefault(AT_FLUSH_KEY, [])
    for earlier in reversed(held):  # inserts into other tables since then do not depend on these rows
        if not isinstance(earlier, _Rows):
            break
        if earlier.table is model.__table__ and earlier.rows[0].keys() == row.keys():
            earlier.rows.append(row)
            return
    held.append(_Rows(model.__table__, row))


def _run_held_writes(session: Session, *_args: Any) -> None:
    held = session.info.pop(AT_FLUSH_KEY, None)
    for write in held or ():
        if isinstance(write, _Rows):
            session.connection().execute(_insert_into(write.table), write.rows)  # plain Core: no ORM to consult
        elif write is not None:  # in the order they were held
            _run_held_write(session, *write)


def _run_held_write(session: Session, statement: Any, params: dict[str, Any] | None) -> None:
    """Through the ORM when objects of the statement's table are loaded, so it brings them in step (it finds
    them by the condition in Python, or with bound values by asking the database); else as plain Core."""
    if not _loaded_from(session, statement.table):
        session.connection().execute(statement, params)
        return
    options = {"autoflush": False, **({"synchronize_session": "fetch"} if params else {})}
    session.execute(statement, params, execution_options=options)


def _loaded_from(session: Session, table: Any) -> bool:
    """Whether the session holds an object of ``table`` (an ORM write must bring those in step with it)."""
    name = cast(Any, table).name
    return any(cast(Any, state.mapper.local_table).name == name for state in session.identity_map.all_states())


#: The INSERTs :func:`_insert_into` built, by table.
_INSERTS: dict[Any, Any] = {}


def _insert_into(table: Any) -> Any:
    """``INSERT INTO table``, built once per table (its compiled form is then found without building a key)."""
    found = _INSERTS.get(table)
    if found is None:
        found = _INSERTS[table] = insert(table)
    return found


def _before_statement(state: ORMExecuteState) -> None:
    """A write statement first runs the held writes (a read that autoflushes does, through ``flush``): the
    order of a command's writes, and what its reads see, stay as if each had run at once."""
    if not state.is_select and AT_FLUSH_KEY in state.session.info:
        _run_held_writes(state.session)


def expect_unchanged(session: Session, row: Any, *columns: str) -> None:
    """The command's decision rests on these columns of ``row`` as read: in a late-lock command on SQLite they
    are read again once the write lock is taken, and the command starts again if one changed. Elsewhere
    (the lock is held from the start, or PostgreSQL's row locks) nothing is to do. Plain values only."""
    if not session.in_transaction():
        return
    expected = session.connection().info.get(EXPECTED)
    if expected is None:
        return
    mapper = inspect(row).mapper
    (key,) = mapper.primary_key_from_instance(row)
    names = ", ".join(mapper.columns[c].name for c in columns)
    sql = f"SELECT {names} FROM {mapper.local_table.name} WHERE {mapper.primary_key[0].name} = ?"
    expected[(sql, key)] = tuple(getattr(row, c) for c in columns)


@dataclass(frozen=True)
class PoolOptions:
    """A process's connection pool to a server database (ignored on SQLite, whose connections are files)."""

    size: int = 5
    max_overflow: int = 10
    pre_ping: bool = True


def make_sql_engine(url: str, pool: PoolOptions = PoolOptions(), *, durable: bool = True) -> Engine:
    """An SQLAlchemy engine tuned for the backend: WAL, busy timeout and a write queue on SQLite (``durable``
    False: a scratch file, never synced); on a server database a pool of at most ``pool.size +
    pool.max_overflow`` connections per process."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        path = make_url(url).database
        in_memory = path in (None, "", ":memory:")
        if in_memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(durable))
        # Let SQLAlchemy, not pysqlite, open transactions, so BEGIN IMMEDIATE can take the write lock.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        queue = None if in_memory else WriteQueue(str(path))
        event.listen(engine, "begin", _sqlite_begin(queue))
        if queue is not None:  # let go once the connection is back in the pool (its COMMIT is done), or lost
            event.listen(engine, "before_cursor_execute", _take_lock_late(queue))
            event.listen(engine, "commit", _end_late_lock)
            event.listen(engine, "rollback", _forget_late_lock)
            event.listen(engine, "connect", lambda conn, _r: conn.execute("PRAGMA wal_autocheckpoint=0"))
            event.listen(engine, "checkin", _leave_queue(queue))
            event.listen(engine, "invalidate", lambda _dbapi, record, _error: queue.leave(record))
        return engine
    return create_engine(url, pool_pre_ping=pool.pre_ping, pool_size=pool.size, max_overflow=pool.max_overflow)


def _reading_options(dialect: str) -> dict[str, Any]:
    """How :meth:`Database.reading` connects. On PostgreSQL in autocommit: at READ COMMITTED each statement
    sees its own snapshot inside a transaction too, so a reading unit gains nothing from one but pays two
    round trips for it (BEGIN and ROLLBACK; every inbox request and every command's sign-in check ran one).
    On SQLite a deferred transaction keeps one snapshot for the unit, without taking the write lock."""
    if dialect == "postgresql":
        return {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY: True}


def _forget_cached(session: Session, previous: SessionTransaction) -> None:
    """A rollback (also of a savepoint) drops what services cached in ``session.info`` for the transaction:
    it may hold rows the rollback undid. The after-commit callbacks stay: they only ever read committed state.
    A savepoint's rollback gives back the writes held when it began (they belong to the outer transaction)."""
    kept = {key: session.info[key] for key in (AFTER_COMMIT_KEY, DEPLOYING_KEY) if key in session.info}
    held = _HELD_AT_SAVEPOINT.pop(previous, None) if previous.nested else None
    session.info.clear()
    session.info.update(kept)
    if held:
        session.info[AT_FLUSH_KEY] = held


def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """Remember the writes held when a savepoint begins, and let none of its rows join their batches."""
    if transaction.nested and session.info.get(AT_FLUSH_KEY):
        held = session.info[AT_FLUSH_KEY]
        held.append(None)  # a barrier: rows of the savepoint start batches of their own
        _HELD_AT_SAVEPOINT[transaction] = list(held)


class WritingSession(Session):
    """The session of commands: a flush (also an autoflush before a query) first runs the held writes, then
    writes changed columns of loaded rows without the unit of work where it can (:func:`write_dirty`)."""

    def flush(self, objects: Any = None) -> None:
        if self._flushing:
            super().flush(objects)
            return
        if AT_FLUSH_KEY in self.info:
            _run_held_writes(self)
        if objects is None and self._dirty_states and write_dirty(self):
            return
        super().flush(objects)


class ReadingSession(Session):
    """The session of :meth:`Database.reading`: a change to an object fails instead of being dropped."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("a reading unit of work cannot write; use Database.transaction")


class Database:
    """The SQL engine and session factory of one awardflow engine."""

    def __init__(self, url: str, pool: PoolOptions = PoolOptions(), *, durable: bool = True) -> None:
        self.url = url
        #: the unit of work open in this thread / task, joined by nested ``transaction()`` and ``reading()``
        self._open: ContextVar[Session | None] = ContextVar(f"awardflow_unit_of_work_{id(self)}", default=None)
        self.engine = make_sql_engine(url, pool, durable=durable)
        #: late-lock commands started again because a row they read had changed (a figure for the bench)
        self.restarts = 0
        self.sessions = sessionmaker(self.engine, class_=WritingSession, expire_on_commit=False)
        self.readers = sessionmaker(
            self.engine.execution_options(**_reading_options(self.engine.dialect.name)),
            class_=ReadingSession,
            expire_on_commit=False,
        )
        self.late_lockers = sessionmaker(
            self.engine.execution_options(**{LATE_LOCK: True}), class_=WritingSession, expire_on_commit=False
        )
        for sessions in (self.sessions, self.late_lockers):
            event.listen(sessions, "after_soft_rollback", _forget_cached)
            event.listen(sessions, "before_commit", _run_held_writes)
            event.listen(sessions, "do_orm_execute", _before_statement)
            event.listen(sessions, "after_transaction_create", _mark_savepoint)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def in_transaction(self) -> bool:
        """Whether a writing unit of work is open here (a caller frames it; this code joins it)."""
        session = self._open.get()
        return session is not None and not isinstance(session, ReadingSession)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit if the block succeeds, roll back if it raises. Inside an open one, the
        block joins it (the outermost block commits; an error anywhere rolls the whole back). A command
        cannot run inside :meth:`reading` (RuntimeError): the caller must frame a writing unit of work."""
        joined = self._open.get()
        if joined is not None:
            if isinstance(joined, ReadingSession):
                raise RuntimeError("a writing unit of work cannot start inside a reading one")
            yield joined
            return
        with self._unit(self.sessions) as session:
            yield session

    def command(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` as one unit of work (joining an open one), taking SQLite's write lock only at its first
        write: the command starts again when a row it rests on changed meanwhile (:func:`expect_unchanged`),
        and its last try holds the lock from the start, so it cannot starve. ``work`` may run more than once;
        it must change nothing outside the session. On PostgreSQL it is :meth:`transaction` (row locks)."""
        if self._open.get() is not None or self.dialect != "sqlite":
            with self.transaction() as session:
                return work(session)
        for _attempt in range(LATE_LOCK_ATTEMPTS - 1):
            token = _WENT_STALE.set(False)
            try:
                with self._unit(self.late_lockers) as session:
                    return work(session)
            except BaseException:
                if not _WENT_STALE.get():
                    raise
                self.restarts += 1
            finally:
                _WENT_STALE.reset(token)
        with self.transaction() as session:
            return work(session)

    @contextmanager
    def _unit(self, sessions: sessionmaker[WritingSession]) -> Iterator[Session]:
        """A new outermost unit of work from ``sessions``: commit, or roll back on any error."""
        session = sessions()
        token = self._open.set(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            callbacks = session.info.pop(AFTER_COMMIT_KEY, [])
            self._open.reset(token)
            session.close()
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the open unit of work has committed (never if it rolls back): the place
        for I/O that cannot be undone. Without an open unit of work it runs at once."""
        session = self._open.get()
        if session is None or isinstance(session, ReadingSession):
            callback()
            return
        session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads: closing it ends its transaction (rolled back, never committed);
        the objects it loaded stay readable. Inside an open unit of work (reading or writing) it joins it,
        so a command's reads see its own changes."""
        joined = self._open.get()
        if joined is not None:
            yield joined
            return
        session = self.readers()
        token = self._open.set(session)
        try:
            yield session
        finally:
            self._open.reset(token)
            session.close()

    def create_all(self) -> None:
        """Create every table directly (tests); production uses Alembic (`awardflow db upgrade`)."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
