"""What every figure shares: a fresh database, an engine with the bench processes and people, and the
script that walks a dossier through the award process."""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import ForkContext, SpawnContext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import Engine, Settings
from engine.db import Database
from engine.registry import HandlerRegistry

PROCESSES = Path(__file__).resolve().parent / "processes"
AWARD = "award_bench"
LOOP = "history_loop"
TIMER = "timer_bench"
#: The PostgreSQL schema the bench owns; dropped and created again for every figure.
PG_SCHEMA = "awardflow_bench"

#: Lanes of the bench processes; each has one user ``u_<lane>`` who completes its tasks.
LANES = ("desk", "division_head", "appraiser", "line_agency", "council", "leader")
COUNCIL = ["tv_01", "tv_02", "tv_03"]

#: The form data each task of a dossier gets (tasks not listed get none): the happy path, 13 completions.
FORMS: dict[str, dict[str, Any]] = {
    "receive": {"dossier_code": "HS-2026-000001", "award_code": "CSTD_CS", "nominee": "Nguyễn Văn An"},
    "check_completeness": {"complete": True},
    "appraise": {"eligible": True, "appraisal_note": "Đủ điều kiện: 3 năm liền hoàn thành xuất sắc nhiệm vụ."},
    "check_tax": {"tax_ok": True},
    "check_insurance": {"insurance_ok": True},
    "check_police": {"police_ok": True},
    "review_appraisal": {"rework": False},
    "council_vote": {"ballot": "approve"},
    "sign_decision": {"decision_number": "1234/QĐ-UBND", "signed": True},
}
COMPLETIONS_PER_DOSSIER = 13
#: Completions after which a dossier is mid-process: the council vote is next.
MID_PROCESS_COMPLETIONS = 8


def start_data(n: int) -> dict[str, Any]:
    """The data a dossier starts with."""
    return {"members": list(COUNCIL), "dossier_no": n, "unit": "so-noi-vu"}


def form_for(element_id: str) -> dict[str, Any]:
    return dict(FORMS.get(element_id, {}))


def user_for(lane: str | None) -> str:
    return f"u_{lane}" if lane else "admin"


def bundle() -> dict[str, bytes]:
    """The bench diagrams and forms, as one deployment bundle."""
    return {p.name: p.read_bytes() for p in sorted(PROCESSES.iterdir()) if p.suffix in (".bpmn", ".json")}


def mp_context() -> ForkContext | SpawnContext:
    """fork where there is one (fast, and the parent holds no open connections when it forks); else spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# -- databases --------------------------------------------------------------------------------------------


def pg_schema_url(url: str) -> str:
    """``url`` with its search path set to the bench's own schema (the user's tables are never touched)."""
    return make_url(url).update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"}).render_as_string(False)


@contextmanager
def fresh_database(kind: str, pg_url: str | None = None) -> Iterator[str]:
    """A URL to an empty awardflow schema: a new SQLite file, or the bench schema recreated on PostgreSQL."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="awardflow-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.sqlite"
            _create_tables(url)
            yield url
        return
    if not pg_url:
        raise ValueError("no PostgreSQL URL")
    _reset_pg_schema(pg_url)
    try:
        url = pg_schema_url(pg_url)
        _create_tables(url)
        yield url
    finally:
        _reset_pg_schema(pg_url, create=False)


def _create_tables(url: str) -> None:
    db = Database(url)
    try:
        db.create_all()
    finally:
        db.dispose()


def _reset_pg_schema(pg_url: str, *, create: bool = True) -> None:
    admin = create_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            if create:
                conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    finally:
        admin.dispose()


# -- engines ----------------------------------------------------------------------------------------------


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the operator's settings (``AWARDFLOW_*``, its connection pool included) and no
    domain handlers."""
    return Engine(Settings.from_env(database_url=url), handlers=HandlerRegistry())


def prepare(url: str) -> Engine:
    """Open an engine, deploy the bench bundle and create the lane users."""
    engine = open_engine(url)
    engine.ensure_admin()
    engine.repository.deploy(bundle(), actor="admin", name="bench")
    for lane in LANES:
        engine.identity.ensure_user(user_for(lane), groups=[lane], unit="so-noi-vu")
    return engine


@dataclass(frozen=True)
class ReadyTask:
    id: str
    element_id: str
    lane: str | None


class ReadyLookup:
    """Finds an instance's ready tasks with one plain autocommit query, outside the engine's transactions
    (so the lookup neither takes SQLite's write lock nor shows up in a completion's time)."""

    def __init__(self, url: str) -> None:
        self.sql: SqlEngine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.conn = self.sql.connect()

    def ready(self, instance_id: int) -> list[ReadyTask]:
        rows = self.conn.execute(
            text(
                "select id, element_id, lane from human_task where instance_id = :i and state = 'ready' "
                "order by created_at, id"
            ),
            {"i": instance_id},
        )
        return [ReadyTask(*row) for row in rows]

    def close(self) -> None:
        self.conn.close()
        self.sql.dispose()


def start_dossiers(engine: Engine, count: int, first: int = 0) -> list[int]:
    """Start ``count`` award dossiers; their ids."""
    return [
        engine.runtime.start(AWARD, business_key=f"HS-{n:07d}", data=start_data(n), actor="u_desk").id
        for n in range(first, first + count)
    ]
