"""Profile the completion path: ``python -m bench.profile [--dossiers N] [--pg-url URL]``.

Completes the tasks of N award dossiers through ``engine.tasks.complete`` on a fresh database and prints
the time per completion, SQL statements and (non-empty) flushes per completion, the statements that run
most, how long (wall and CPU) a completion holds SQLite's write lock (from ``BEGIN IMMEDIATE`` or its first
write statement to the connection's return to the pool, where it leaves the write queue) against its whole
time, and a pyinstrument call tree (``pip install pyinstrument``; without it, cProfile's top functions).
Not part of ``awardflow bench``: profilers distort the timings they explain.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.harness import ReadyLookup, form_for, fresh_database, prepare, start_dossiers, user_for
from engine import Engine


def drive(engine: Engine, lookup: ReadyLookup, instance_ids: list[int]) -> int:
    done = 0
    for instance_id in instance_ids:
        while ready := lookup.ready(instance_id):
            task = ready[0]
            engine.tasks.complete(task.id, user_for(task.lane), form_for(task.element_id))
            done += 1
    return done


def counted(engine: Engine, lookup: ReadyLookup, instance_ids: list[int]) -> dict[str, Any]:
    """Time, statements and flushes per completion, measured without a profiler."""
    statements: collections.Counter[str] = collections.Counter()
    flushes = [0]
    locked_since: list[tuple[float, float]] = []  # (wall, cpu) when the open transaction took the write lock
    locked = [0.0, 0.0]

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = " ".join(statement.split())
        statements[text[:110]] += 1
        takes_lock = text.startswith("BEGIN IMMEDIATE") or not text.startswith(("SELECT", "BEGIN"))
        if takes_lock and not locked_since:
            locked_since.append((time.perf_counter(), time.process_time()))

    def on_checkin(*_args: Any) -> None:
        if locked_since:
            wall, cpu = locked_since.pop()
            locked[0] += time.perf_counter() - wall
            locked[1] += time.process_time() - cpu

    def on_flush(*_args: Any) -> None:
        flushes[0] += 1

    event.listen(engine.db.engine, "before_cursor_execute", on_statement)
    event.listen(engine.db.engine, "checkin", on_checkin, insert=True)  # before the queue is left
    event.listen(Session, "after_flush", on_flush)
    try:
        started, started_cpu = time.perf_counter(), time.process_time()
        done = drive(engine, lookup, instance_ids)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    finally:
        event.remove(engine.db.engine, "before_cursor_execute", on_statement)
        event.remove(engine.db.engine, "checkin", on_checkin)
        event.remove(Session, "after_flush", on_flush)
    return {
        "completions": done,
        "ms_per_completion": round(seconds / done * 1000, 2),
        "cpu_ms_per_completion": round(cpu / done * 1000, 2),
        "write_lock_ms_per_completion": round(locked[0] / done * 1000, 2),
        "write_lock_cpu_ms_per_completion": round(locked[1] / done * 1000, 2),
        "statements_per_completion": round(sum(statements.values()) / done, 1),
        "flushes_per_completion": round(flushes[0] / done, 2),
        "top_statements": [(round(n / done, 2), s) for s, n in statements.most_common(12)],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20)
    parser.add_argument("--pg-url", help="profile on PostgreSQL (the bench schema) instead of SQLite")
    args = parser.parse_args(argv)
    with fresh_database("postgresql" if args.pg_url else "sqlite", args.pg_url) as url:
        engine, lookup = prepare(url), ReadyLookup(url)
        ids = start_dossiers(engine, 3 * args.dossiers + 2)
        drive(engine, lookup, ids[:2])  # warm-up: spec cache, compiled-statement cache
        counts = counted(engine, lookup, ids[2 : 2 + args.dossiers])
        per = f"{counts['statements_per_completion']} statements, {counts['flushes_per_completion']} flushes"
        print(f"{counts['completions']} completions: {counts['ms_per_completion']} ms each, {per}")
        print(
            f"  CPU {counts['cpu_ms_per_completion']} ms each; write lock held {counts['write_lock_ms_per_completion']}"
            f" ms ({counts['write_lock_cpu_ms_per_completion']} ms CPU) each"
        )
        for share, statement in counts["top_statements"]:
            print(f"  {share:5.2f}  {statement}")
        rest = ids[2 + args.dossiers :]
        try:
            from pyinstrument import Profiler
        except ImportError:
            profile = cProfile.Profile()
            profile.runcall(drive, engine, lookup, rest)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        else:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            drive(engine, lookup, rest)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
        lookup.close()
        engine.close()


if __name__ == "__main__":
    main()
