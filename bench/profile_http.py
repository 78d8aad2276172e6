"""Profile figure 3's requests in-process: ``python -m bench.profile_http [--dossiers N] [--pg-url URL]``.

Walks N award dossiers through the app with Flask's test client, as the lifecycle clients do over HTTP
(start, then inbox and complete until done, with bearer tokens). Per request kind it prints the time, SQL
statements, write and read transactions, connection checkouts, and the time spent in each engine call the
views make; the rest is the web layer. Then a pyinstrument call tree (cProfile's top functions without it).
No server and no concurrency: for those, run the figure itself.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import time
from collections import Counter, defaultdict
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from bench.harness import AWARD, LANES, form_for, fresh_database, prepare, start_data, user_for
from engine import Engine
from engine.db import READ_ONLY

#: The engine calls the three request kinds make, timed apart from the web layer around them.
ENGINE_CALLS = (
    ("identity", "actor"),
    ("tasks", "get"),
    ("tasks", "inbox"),
    ("tasks", "complete"),
    ("runtime", "start"),
    ("runtime", "find"),
)


class Recorder:
    """Counts statements and transactions, and times engine calls, for the request kind being served."""

    def __init__(self, engine: Engine) -> None:
        self.kind: str | None = None
        self.counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.seconds: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        event.listen(engine.db.engine, "before_cursor_execute", self._statement)
        event.listen(engine.db.engine, "begin", self._begin)
        event.listen(engine.db.engine, "checkout", self._checkout)
        for service, method in ENGINE_CALLS:
            self._time(getattr(engine, service), method, f"{service}.{method}")

    def _statement(self, *_args: Any) -> None:
        if self.kind:
            self.counts[self.kind]["statements"] += 1

    def _checkout(self, *_args: Any) -> None:
        if self.kind:
            self.counts[self.kind]["checkouts"] += 1

    def _begin(self, conn: Any) -> None:
        if self.kind:
            self.counts[self.kind]["reads" if conn.get_execution_options().get(READ_ONLY) else "writes"] += 1

    def _time(self, service: Any, method: str, label: str) -> None:
        original = getattr(service, method)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if self.kind:
                    self.seconds[self.kind][label] += time.perf_counter() - started
                    self.counts[self.kind][label] += 1

        setattr(service, method, timed)

    def request(self, client: FlaskClient, kind: str, method: str, path: str, token: str, body: Any = None) -> Any:
        self.kind = kind
        started = time.perf_counter()
        response = client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})
        self.seconds[kind]["total"] += time.perf_counter() - started
        self.counts[kind]["requests"] += 1
        self.kind = None
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()

    def report(self) -> None:
        for kind, counts in self.counts.items():
            n = counts["requests"]
            total = self.seconds[kind]["total"]
            print(
                f"{kind}: {n} requests, {total / n * 1000:.2f} ms each, {counts['statements'] / n:.1f} statements, "
                f"{counts['writes'] / n:.2f} write transactions + {counts['reads'] / n:.2f} reading units, "
                f"{counts['checkouts'] / n:.2f} connection checkouts (on PostgreSQL a pre-ping round trip each)"
            )
            calls = {label: s for label, s in self.seconds[kind].items() if label != "total"}
            for label, seconds in sorted(calls.items()):
                print(f"    {label}: {seconds / n * 1000:.2f} ms, {counts[label] / n:.1f} calls")
            print(f"    web layer: {(total - sum(calls.values())) / n * 1000:.2f} ms")


def walk(recorder: Recorder, client: FlaskClient, tokens: dict[str, str], numbers: range) -> None:
    """The lifecycle client's loop (bench/lifecycle.py), through the test client."""
    for n in numbers:
        key = f"HS-{n:07d}"
        body = {"key": AWARD, "business_key": key, "data": start_data(n)}
        recorder.request(client, "start", "POST", "/api/instances", tokens["u_desk"], body)
        while items := recorder.request(
            client, "inbox", "GET", f"/api/tasks?business_key={key}&per_page=50", tokens["admin"]
        )["items"]:
            task = items[0]
            path, body = f"/api/tasks/{task['id']}/complete", {"data": form_for(task["element_id"])}
            recorder.request(client, "complete", "POST", path, tokens[user_for(task["lane"])], body)


def main(argv: list[str] | None = None) -> None:
    from web.app import create_app
    from web.auth import issue_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10)
    parser.add_argument("--pg-url", help="profile on PostgreSQL (the bench schema) instead of SQLite")
    args = parser.parse_args(argv)
    with fresh_database("postgresql" if args.pg_url else "sqlite", args.pg_url) as url:
        engine = prepare(url)
        app = create_app({"SECRET_KEY": "awardflow-bench-not-a-production-secret"}, engine=engine)
        with app.test_request_context():
            tokens = {user: issue_token(user)[0] for user in ["admin", *(user_for(lane) for lane in LANES)]}
        client, recorder = app.test_client(), Recorder(engine)
        walk(recorder, client, tokens, range(2))  # warm-up: spec cache, compiled statements
        recorder.counts.clear()
        recorder.seconds.clear()
        walk(recorder, client, tokens, range(2, 2 + args.dossiers))
        recorder.report()
        rest = range(2 + args.dossiers, 2 + 2 * args.dossiers)
        try:
            from pyinstrument import Profiler
        except ImportError:
            profile = cProfile.Profile()
            profile.runcall(walk, recorder, client, tokens, rest)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        else:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            walk(recorder, client, tokens, rest)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
        engine.close()


if __name__ == "__main__":
    main()
