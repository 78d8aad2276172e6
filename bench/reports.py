"""(5) Reports: the supervisor's on-time / overdue figures for one quarter over the seeded task rows.

Two things are timed on the same rows (``human_task``, and one ``sla_segment`` control-slip row per task):

* ``by_unit_month`` / ``by_step``: the ad-hoc aggregate over ``human_task`` written before the product had
  a report (``"query": "adhoc aggregate over human_task"``): for the tasks due in the last full quarter,
  per unit and month (Vietnam time) and per step, finished on time, finished late, open overdue, open in
  time, judged from ``due_at`` / ``completed_at``;
* ``service_on_time`` / ``service_pending``: the product's report service as it now stands,
  ``engine.reports.on_time(quarter, period="quarter", group_by="unit")`` over the slip and
  ``engine.reports.pending(group_by="unit")`` over the open tasks, when the engine has it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from bench.harness import fresh_database, prepare
from bench.seed import seed
from bench.sizes import Sizes
from bench.stats import Timer, repeat, summary_ms
from engine import Engine
from engine.models import HumanTask

QUERY_LABEL = "adhoc aggregate over human_task"
SERVICE_LABEL = "engine.reports: on_time(last quarter, period=quarter, group_by=unit), pending(group_by=unit)"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def last_quarter(now: datetime) -> tuple[datetime, datetime]:
    """The last complete calendar quarter before ``now``, in Vietnam time."""
    local = now.astimezone(VN)
    first_month = 3 * ((local.month - 1) // 3) + 1
    end = datetime(local.year, first_month, 1, tzinfo=VN)
    start_month, start_year = (first_month - 3, local.year) if first_month > 3 else (first_month + 9, local.year - 1)
    return datetime(start_year, start_month, 1, tzinfo=VN), end


def _month(dialect: str) -> ColumnElement[str]:
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Ho_Chi_Minh", HumanTask.due_at), "YYYY-MM")
    return func.strftime("%Y-%m", HumanTask.due_at, "+7 hours")


def report_queries(dialect: str, start: datetime, end: datetime, now: datetime) -> dict[str, Select[Any]]:
    done, is_open = HumanTask.state == "completed", HumanTask.state == "ready"
    counts = [
        func.count().label("tasks"),
        func.sum(case((and_(done, HumanTask.completed_at <= HumanTask.due_at), 1), else_=0)).label("on_time"),
        func.sum(case((and_(done, HumanTask.completed_at > HumanTask.due_at), 1), else_=0)).label("late"),
        func.sum(case((and_(is_open, HumanTask.due_at < now), 1), else_=0)).label("open_overdue"),
        func.sum(case((and_(is_open, HumanTask.due_at >= now), 1), else_=0)).label("open_in_time"),
    ]
    in_quarter = and_(HumanTask.due_at >= start, HumanTask.due_at < end)
    month = _month(dialect).label("month")
    return {
        "by_unit_month": select(HumanTask.unit, month, *counts)
        .where(in_quarter)
        .group_by(HumanTask.unit, month)
        .order_by(HumanTask.unit, month),
        "by_step": select(HumanTask.element_id, *counts)
        .where(in_quarter)
        .group_by(HumanTask.element_id)
        .order_by(HumanTask.element_id),
    }


def _run(engine: Engine, stmt: Select[Any]) -> list[Any]:
    with engine.db.transaction() as session:
        return list(session.execute(stmt).all())


def measure_on(url: str, sizes: Sizes) -> dict[str, Any]:
    engine = prepare(url)
    try:
        with Timer() as load:
            seeded = seed(engine, sizes.open_tasks, sizes.finished_tasks, segments=True)
        start, end = last_quarter(seeded.now)
        out: dict[str, Any] = {
            "rows": seeded.open_tasks + seeded.finished_tasks,
            "seed_s": round(load.seconds, 1),
            "quarter": f"{start:%Y-%m-%d}..{end:%Y-%m-%d}",
        }
        for name, stmt in report_queries(engine.db.dialect, start, end, seeded.now).items():
            rows = _run(engine, stmt)  # warm-up
            call = partial(_run, engine, stmt)
            durations = repeat(call, sizes.report_repeats, budget_s=sizes.query_budget_s, at_least=3)
            out[name] = {
                "result_rows": len(rows),
                "tasks_in_quarter": sum(r.tasks for r in rows),
                "runs": len(durations),
                **summary_ms(durations, pcts=(50, 95)),
            }
        out.update(_service(engine, sizes, start, end))
        return out
    finally:
        engine.close()


def _service(engine: Engine, sizes: Sizes, start: datetime, end: datetime) -> dict[str, Any]:
    """The product's own report calls, if this engine has them."""
    reports = getattr(engine, "reports", None)
    if reports is None:
        return {"service": {"skipped": "engine has no report service"}}
    last_day = (end - timedelta(days=1)).date()
    calls: dict[str, Callable[[], list[Any]]] = {
        "service_on_time": partial(reports.on_time, start.date(), last_day, period="quarter", group_by="unit"),
        "service_pending": partial(reports.pending, group_by="unit"),
    }
    out: dict[str, Any] = {}
    for name, call in calls.items():
        try:
            rows = call()  # warm-up
        except Exception as err:  # the service is young; report its failure, keep the other figures
            out[name] = {"error": f"{type(err).__name__}: {err}"[:300]}
            continue
        durations = repeat(call, sizes.report_repeats, budget_s=sizes.query_budget_s, at_least=3)
        out[name] = {"result_rows": len(rows), "runs": len(durations), **summary_ms(durations, pcts=(50, 95))}
    return out


def measure(sizes: Sizes, pg_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"query": QUERY_LABEL, "service": SERVICE_LABEL}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not pg_url:
            out[kind] = {"skipped": "no PostgreSQL URL"}
            continue
        with fresh_database(kind, pg_url) as url:
            out[kind] = measure_on(url, sizes)
    return out
