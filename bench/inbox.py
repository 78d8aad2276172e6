"""(4) Inbox: with open and finished rows in ``human_task`` (100,000 and 1,000,000 in the full run), the
inbox of one appraiser and of one group, filtered and sorted by due date, through ``engine.tasks.inbox``.

Each query is the whole service call (actor lookup, count, first page of 50), timed ``inbox_repeats``
times (fewer once ``query_budget_s`` is spent) after one warm-up call. The inbox counts at most
``engine.inbox.count_limit`` matches; ``total_exact`` says whether ``total`` is the exact count or that limit + 1
("more than"). Queries:

* ``appraiser_mine``: tasks assigned to ``appraiser_00``, this process, due first;
* ``appraiser_all``: the default view: assigned to them or claimable through their groups, this process;
* ``group_claimable``: the appraiser group's unassigned tasks of one unit, due first;
* ``group_overdue``: the same, only those past due.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bench.harness import AWARD, fresh_database, prepare
from bench.seed import seed
from bench.sizes import Sizes
from bench.stats import Timer, repeat, summary_ms
from engine.inbox import InboxQuery, count_limit


def queries(unit: str) -> dict[str, InboxQuery]:
    return {
        "appraiser_mine": InboxQuery(scope="mine", process_key=AWARD, sort="due"),
        "appraiser_all": InboxQuery(scope="all", process_key=AWARD, sort="due"),
        "group_claimable": InboxQuery(scope="claimable", process_key=AWARD, unit=unit, sort="due"),
        "group_overdue": InboxQuery(scope="claimable", process_key=AWARD, unit=unit, overdue=True, sort="due"),
    }


def measure_on(url: str, sizes: Sizes) -> dict[str, Any]:
    engine = prepare(url)
    try:
        with Timer() as load:
            seeded = seed(engine, sizes.open_tasks, sizes.finished_tasks)
        out: dict[str, Any] = {
            "open_tasks": seeded.open_tasks,
            "finished_tasks": seeded.finished_tasks,
            "seed_s": round(load.seconds, 1),
        }
        for name, query in queries(seeded.unit).items():
            page = engine.tasks.inbox(seeded.appraiser, query)  # warm-up
            call = partial(engine.tasks.inbox, seeded.appraiser, query)
            durations = repeat(call, sizes.inbox_repeats, budget_s=sizes.query_budget_s)
            out[name] = {
                "total": page.total,
                "total_exact": page.total <= count_limit(query),
                "page_rows": len(page.items),
                "runs": len(durations),
                **summary_ms(durations),
            }
        return out
    finally:
        engine.close()


def measure(sizes: Sizes, pg_url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"user": "appraiser_00 (group appraiser)", "per_page": 50}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not pg_url:
            out[kind] = {"skipped": "no PostgreSQL URL"}
            continue
        with fresh_database(kind, pg_url) as url:
            out[kind] = measure_on(url, sizes)
    return out
