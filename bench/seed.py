"""Bulk rows for the inbox and report figures: instances, open and finished human tasks.

As the engine writes them: every task row carries its candidate lists (here its lane's group).

Rows go in with plain SQL, not through the engine (a million completions would take an hour): DB-API
``executemany`` on SQLite, ``COPY`` on PostgreSQL, with the tables' secondary indexes dropped during the load
and built again after it (the usual way to bulk-load). Values pass through the columns' own SQLAlchemy bind
processors, so they are stored exactly as the engine stores them; columns the bench does not fill (added by
later migrations) get their scalar defaults.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Table, select, text
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bench.harness import AWARD
from engine import Engine, clock
from engine.db import Base
from engine.models import HumanTask, ProcessDefinition, ProcessInstance, SlaSegment

UNITS = tuple(f"unit-{n:02d}" for n in range(10))
PEOPLE_PER_LANE = 20
#: (element id, name, lane, weight among tasks): the award process's user tasks
STEPS = (
    ("receive", "Tiếp nhận hồ sơ", "desk", 6),
    ("check_completeness", "Kiểm tra thành phần hồ sơ", "desk", 6),
    ("assign_appraiser", "Phân công thẩm định", "division_head", 6),
    ("appraise", "Thẩm định hồ sơ", "appraiser", 30),
    ("check_tax", "Hiệp y thuế", "line_agency", 10),
    ("check_insurance", "Hiệp y bảo hiểm xã hội", "line_agency", 10),
    ("check_police", "Hiệp y công an", "line_agency", 10),
    ("review_appraisal", "Duyệt kết quả thẩm định", "division_head", 6),
    ("council_vote", "Bỏ phiếu Hội đồng", "council", 8),
    ("sign_decision", "Ký quyết định khen thưởng", "leader", 4),
    ("issue_result", "Trả kết quả", "desk", 4),
)
_CUMULATIVE = list(itertools.accumulate(w for *_, w in STEPS))
BATCH = 20_000

INSTANCE_COLUMNS = (
    "id", "definition_id", "process_key", "business_key", "unit", "state", "started_by", "started_at", "spec_ids",
    "serializer_version", "workflow", "version",
)  # fmt: skip
TASK_COLUMNS = (
    "id", "instance_id", "process_key", "business_key", "unit", "element_id", "name", "lane", "properties", "state",
    "assignee", "created_at", "due_at", "claimed_at", "completed_at", "completed_by", "budget", "sla_state",
    "classification", "candidate_groups", "candidate_users",
)  # fmt: skip
SEGMENT_COLUMNS = (
    "instance_id", "task_id", "element_id", "step", "unit", "from_actor", "to_actor", "received_at", "budget",
    "due_at", "finished_at", "finished_by", "used_s", "sla_state", "classification",
)  # fmt: skip
VN = timedelta(hours=7)  # Vietnam has no daylight saving time


@dataclass(frozen=True)
class Seeded:
    """What was inserted, and the person and unit whose inboxes the figures read."""

    instances: int
    open_tasks: int
    finished_tasks: int
    appraiser: str  # has tasks assigned, member of the appraiser group
    unit: str
    now: datetime
    seconds: float = 0.0


def person(lane: str, n: int) -> str:
    return f"{lane}_{n:02d}"


def seed(engine: Engine, open_tasks: int, finished_tasks: int, *, segments: bool = False, rng_seed: int = 7) -> Seeded:
    """One instance per open task, the open tasks, and the finished ones spread over those instances.

    Open tasks were created in the last 30 days and are due 1–10 days later; about 40 % are assigned.
    Finished tasks span the last 365 days; about a fifth finished after their due time; 3 % were cancelled.
    With ``segments``, every task also gets its control-slip row (``sla_segment``), as the SLA writes it.
    """
    rng = random.Random(rng_seed)
    now = clock.now()
    appraiser = person("appraiser", 0)
    engine.identity.ensure_user(appraiser, groups=["appraiser"], unit=UNITS[0])
    with engine.db.transaction() as session:
        definition_id = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == AWARD))
        last = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()).limit(1)) or 0
    instance_ids = range(last + 1, last + 1 + open_tasks)
    sql = engine.db.engine
    tables = [_table(ProcessInstance), _table(HumanTask)]
    if segments:
        tables.append(_table(SlaSegment))
    with _without_indexes(sql, tables):
        writer = _Writer(sql)
        try:
            writer.write(_table(ProcessInstance), INSTANCE_COLUMNS, _instances(instance_ids, definition_id, now, rng))
            tasks = _tasks(rng, instance_ids, open_tasks + finished_tasks, open_tasks, now)
            while chunk := list(itertools.islice(tasks, BATCH)):
                writer.write(_table(HumanTask), TASK_COLUMNS, chunk)
                if segments:
                    writer.write(_table(SlaSegment), SEGMENT_COLUMNS, [_segment(t) for t in chunk])
        finally:
            writer.close()
    if sql.dialect.name == "postgresql":  # what autovacuum does within a minute of a bulk load (PostgreSQL 13+)
        with sql.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {', '.join(table.name for table in tables)}"))
    return Seeded(len(instance_ids), open_tasks, finished_tasks, appraiser, UNITS[0], now)


def _instances(ids: range, definition_id: int | None, now: datetime, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for n in ids:
        started = now - timedelta(days=rng.uniform(30, 365))
        unit = UNITS[n % len(UNITS)]
        starter = person("desk", n % PEOPLE_PER_LANE)
        yield (
            n,
            definition_id,
            AWARD,
            f"HS-{n:07d}",
            unit,
            "running",
            starter,
            started,
            [definition_id],
            "1.5",
            "{}",
            1,
        )


def _tasks(
    rng: random.Random, instance_ids: range, total: int, open_tasks: int, now: datetime
) -> Iterator[tuple[Any, ...]]:
    properties = {"budget": "1WD"}
    no_users: list[str] = []
    lane_groups = {lane: [lane] for _e, _n, lane, _w in STEPS}
    top = _CUMULATIVE[-1]
    for n in range(total):
        element_id, name, lane, _w = STEPS[bisect.bisect_right(_CUMULATIVE, rng.random() * top)]
        instance_id = instance_ids[n % len(instance_ids)]
        unit = UNITS[instance_id % len(UNITS)]
        is_open = n < open_tasks
        created = now - timedelta(days=rng.random() * (30 if is_open else 365))
        due = created + timedelta(days=1 + rng.random() * 9)
        assigned = not is_open or rng.random() < 0.4
        assignee = person(lane, rng.randrange(PEOPLE_PER_LANE)) if assigned else None
        h = f"{rng.getrandbits(128):032x}"
        task_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        head = (task_id, instance_id, AWARD, f"HS-{instance_id:07d}", unit, element_id, name, lane, properties)
        if is_open:
            late = due < now
            claimed = created if assigned else None
            tail: tuple[Any, ...] = ("ready", assignee, created, due, claimed, None, None, "1WD", "pending")
            yield (*head, *tail, "qua_han" if late else "trong_han", lane_groups[lane], no_users)
            continue
        took = rng.random() * 9 if rng.random() < 0.8 else 1 + rng.random() * 11
        finished = created + timedelta(days=0.05 + took)
        late = finished > due
        early = (finished + VN).date() < (due + VN).date()
        state = "cancelled" if rng.random() < 0.03 else "completed"
        tail = (state, assignee, created, due, created, finished, assignee, "1WD", "violated" if late else "met")
        yield (*head, *tail, "qua_han" if late else "truoc_han" if early else "dung_han", lane_groups[lane], no_users)


def _segment(task: tuple[Any, ...]) -> tuple[Any, ...]:
    """The control-slip row of a seeded task (indexes follow TASK_COLUMNS)."""
    finished = task[14]
    used = (finished - task[11]).total_seconds() if finished else None
    return (task[1], task[0], task[5], task[6], task[4], person("desk", 0), task[10] or task[7], task[11], task[16],
            task[12], finished, task[15], used, task[17], task[18])  # fmt: skip


@contextmanager
def _without_indexes(sql: SqlEngine, tables: Sequence[Table]) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load and build them again afterwards."""
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(sql)
    try:
        yield
    finally:
        for index in indexes:
            index.create(sql)


class _Writer:
    """Writes tuples in a given column order: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, sql: SqlEngine) -> None:
        self.sql = sql
        self.raw = sql.raw_connection()
        self.is_pg = sql.dialect.name == "postgresql"

    def write(self, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        known = [c for c in columns if c in table.c]  # a column the schema dropped is left out
        picks = [columns.index(c) for c in known]
        defaults = [(c.name, d.arg) for c in table.c if c.name not in columns and (d := _scalar_default(c)) is not None]
        names = known + [name for name, _ in defaults]
        tail = tuple(value for _, value in defaults)
        converters = [self._converter(table, name) for name in names]
        cursor = self.raw.cursor()
        if not self.is_pg:  # the engine's SQLite connections run in autocommit mode: one transaction per load
            cursor.execute("BEGIN")
        try:
            for batch in _batched(rows):
                values = [
                    tuple(
                        conv(v) if conv else v
                        for conv, v in zip(converters, (*(row[i] for i in picks), *tail), strict=True)
                    )
                    for row in batch
                ]
                self._flush(cursor, table, names, values)
            self.raw.commit()
        finally:
            cursor.close()

    def _converter(self, table: Table, name: str) -> Callable[[Any], Any] | None:
        column = table.c[name]
        if self.is_pg:  # psycopg adapts datetimes itself; JSON goes as text
            return _memo(json.dumps) if isinstance(column.type, JSON) else None
        dialect = self.sql.dialect
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return _memo(process) if process and isinstance(column.type, JSON) else process

    def _flush(self, cursor: Any, table: Table, names: Sequence[str], values: list[tuple[Any, ...]]) -> None:
        quoted = ", ".join(f'"{name}"' for name in names)
        if self.is_pg:
            with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", values)

    def close(self) -> None:
        self.raw.close()


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` that reuses its last result when given the very same object again (shared JSON values)."""
    last: list[Any] = [object(), None]

    def converted(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converted


def _batched(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[tuple[Any, ...], ...]]:
    iterator = iter(rows)
    while batch := tuple(itertools.islice(iterator, BATCH)):
        yield batch


def _scalar_default(column: Column[Any]) -> ScalarElementColumnDefault | None:
    """The column's default when it is a plain value (a bulk load writes it itself)."""
    return column.default if isinstance(column.default, ScalarElementColumnDefault) else None


def _table(model: type[Base]) -> Table:
    """The model's table (SQLAlchemy types ``__table__`` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
