"""Database plumbing: the declarative base, shared column types, and the unit of work.

One place commits: :meth:`Database.transaction` opens a session, yields it, commits on success and
rolls back on any error. Services take the session they are given; they never commit themselves.
A transaction opened inside another one (in the same thread or task) *joins* it, as Camunda's command
context does: a composite action (a domain service calling several engine services) is one commit or
none. :meth:`Database.reading` is the same for queries that change nothing: on SQLite it does not take the
write lock, so lists and look-ups never wait behind a command (WAL readers see the last commit); inside
an open unit of work it joins that one too. Work that cannot be rolled back (mail, files) is handed to
:meth:`Database.after_commit` and runs only once the commit succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

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
#: ``session.info`` key of the callbacks :meth:`Database.after_commit` collects for the open transaction.
AFTER_COMMIT_KEY = "awardflow.after_commit"

IntPK = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(queue: WriteQueue | None) -> Callable[[Any], None]:
    """Commands take the write lock up front (no deadlock on upgrade), queueing for it first; reads
    begin deferred and lock-free."""

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        if queue is not None:
            queue.enter(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return begin


@dataclass(frozen=True)
class PoolOptions:
    """A process's connection pool to a server database (ignored on SQLite, whose connections are files)."""

    size: int = 5
    max_overflow: int = 10
    pre_ping: bool = True


def make_sql_engine(url: str, pool: PoolOptions = PoolOptions()) -> Engine:
    """An SQLAlchemy engine tuned for the backend: WAL, busy timeout and a write queue on SQLite; on a server
    database a pool of at most ``pool.size + pool.max_overflow`` connections per process."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        path = make_url(url).database
        in_memory = path in (None, "", ":memory:")
        if in_memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, open transactions, so BEGIN IMMEDIATE can take the write lock.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        queue = None if in_memory else WriteQueue(str(path))
        event.listen(engine, "begin", _sqlite_begin(queue))
        if queue is not None:  # let go once the connection is back in the pool (its COMMIT is done), or lost
            event.listen(engine, "checkin", lambda _dbapi, record: queue.leave(record))
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


def _forget_cached(session: Session, _transaction: Any) -> None:
    """A rollback (also of a savepoint) drops what services cached in ``session.info`` for the transaction:
    it may hold rows the rollback undid. The after-commit callbacks stay: they only ever read committed state."""
    callbacks = session.info.get(AFTER_COMMIT_KEY)
    session.info.clear()
    if callbacks is not None:
        session.info[AFTER_COMMIT_KEY] = callbacks


class ReadingSession(Session):
    """The session of :meth:`Database.reading`: a change to an object fails instead of being dropped."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.dirty or self.deleted:
            raise RuntimeError("a reading unit of work cannot write; use Database.transaction")


class Database:
    """The SQL engine and session factory of one awardflow engine."""

    def __init__(self, url: str, pool: PoolOptions = PoolOptions()) -> None:
        self.url = url
        #: the unit of work open in this thread / task, joined by nested ``transaction()`` and ``reading()``
        self._open: ContextVar[Session | None] = ContextVar(f"awardflow_unit_of_work_{id(self)}", default=None)
        self.engine = make_sql_engine(url, pool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_soft_rollback", _forget_cached)
        self.readers = sessionmaker(
            self.engine.execution_options(**_reading_options(self.engine.dialect.name)),
            class_=ReadingSession,
            expire_on_commit=False,
        )

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
        session = self.sessions()
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
