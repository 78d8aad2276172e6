"""(3) Dossier lifecycle over HTTP: whole dossiers, start to the last task, through the JSON API with
concurrent clients, each a process of its own.

The server is what ``awardflow serve`` runs (``web.server``: waitress, one process, threads, keep-alive) in a
child process, on a fresh database. Each client, with bearer tokens the server issued once (what
``POST /api/auth/token`` returns; sign-in is not what is measured):

1. ``POST /api/instances`` as the desk (``start``);
2. until the dossier is done: ``GET /api/tasks?business_key=…`` as the administrator (``inbox``), then
   ``POST /api/tasks/<id>/complete`` as the user of the task's lane with its form data (``complete``).

Figures: dossiers/s and task completions/s over the wall time of the whole run; p50/p95/p99 per request
kind, measured by the clients (so they include HTTP and JSON on both sides); the server process's CPU per
completion (Linux), the figure that depends least on what else runs on the machine.
"""

from __future__ import annotations

import http.client
import json
import time
import traceback
from collections.abc import Callable
from typing import Any

from bench.harness import AWARD, LANES, form_for, fresh_database, mp_context, open_engine, prepare, start_data, user_for
from bench.machine import tree_cpu_s
from bench.sizes import Sizes
from bench.stats import rate, summary_ms

NEEDED = ("POST /api/instances", "GET /api/tasks", "POST /api/tasks/<task_id>/complete")
SECRET = "awardflow-bench-not-a-production-secret"
CLIENTS = 4


def _serve(url: str, users: list[str], results: Any) -> None:
    """The server process: the app on ``url`` on a free port; reports the port and bearer tokens for
    ``users`` (or the endpoints that are missing)."""
    try:
        from web.app import create_app
        from web.auth import issue_token
        from web.server import make_server

        app = create_app({"SECRET_KEY": SECRET}, engine=open_engine(url))
        rules = {f"{method} {rule.rule}" for rule in app.url_map.iter_rules() for method in rule.methods or ()}
        missing = [need for need in NEEDED if need not in rules]
        if missing:
            results.put({"missing": missing})
            return
        with app.test_request_context():  # what POST /api/auth/token returns, minus two password hashes each
            tokens = {user: issue_token(user)[0] for user in users}
        server = make_server(app, "127.0.0.1", 0)
        results.put({"port": server.effective_port, "tokens": tokens})
        server.run()
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


class Client:
    """A keep-alive HTTP/1.1 connection that times every request, opened anew for each dossier."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.timings: dict[str, list[float]] = {}

    def reconnect(self) -> None:
        """A new connection, as a person's next visit is: a pre-fork server's worker keeps each connection it
        accepted, so 4 clients on 4 connections held for the whole run measured one worker of 2 or 4."""
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def call(self, kind: str, method: str, path: str, token: str, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=payload, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        self.timings.setdefault(kind, []).append(time.perf_counter() - started)
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


def _walk(client: Client, tokens: dict[str, str], n: int) -> int:
    """One dossier, start to the last task, on a connection of its own; returns its completions."""
    client.reconnect()
    key = f"HS-{n:07d}"
    client.call("start", "POST", "/api/instances", tokens["u_desk"], {"key": AWARD, "business_key": key,
                                                                         "data": start_data(n)})  # fmt: skip
    completions = 0
    while True:
        page = client.call("inbox", "GET", f"/api/tasks?business_key={key}&per_page=50", tokens["admin"])
        if not page["items"]:
            return completions
        task = page["items"][0]
        body = {"data": form_for(task["element_id"])}
        client.call("complete", "POST", f"/api/tasks/{task['id']}/complete", tokens[user_for(task["lane"])], body)
        completions += 1


def _client(
    port: int, tokens: dict[str, str], numbers: list[int], barrier: Any, results: Any, warm_up: list[int]
) -> None:
    """A client process: walks ``warm_up`` dossiers untimed (a server process's first requests pay its
    one-off costs), waits for the others, then walks ``numbers`` timed."""
    try:
        client = Client(port)
        for n in warm_up:
            _walk(client, tokens, n)
        client.timings.clear()
        barrier.wait()
        began, cpu = time.time(), time.process_time()
        completions = sum(_walk(client, tokens, n) for n in numbers)
        results.put({"timings": client.timings, "began": began, "ended": time.time(), "completions": completions,
                     "cpu_s": time.process_time() - cpu})  # fmt: skip
    except BaseException:
        results.put({"error": traceback.format_exc(limit=5)})
        raise


def run_lifecycle(url: str, dossiers_per_client: int, clients: int = CLIENTS) -> dict[str, Any]:
    """The figure with one waitress process, as `awardflow serve` runs by default."""
    prepare(url).close()
    users = ["admin", *(user_for(lane) for lane in LANES)]
    ctx = mp_context()
    results = ctx.Queue()
    server = ctx.Process(target=_serve, args=(url, users, results), daemon=True)
    server.start()
    try:
        hello = results.get(timeout=120)
        if "error" in hello:
            raise RuntimeError(hello["error"])
        if "missing" in hello:
            return {"skipped": f"HTTP API incomplete: missing {', '.join(hello['missing'])}"}
        pid = server.pid or 0
        began: list[float | None] = []
        result = drive(hello["port"], hello["tokens"], dossiers_per_client, clients,
                       on_start=lambda: began.append(tree_cpu_s(pid)))  # fmt: skip
        ended = tree_cpu_s(pid)
        if ended is not None and began[0] is not None and result["completions"]:
            result["server_cpu_ms_per_completion"] = round(1000 * (ended - began[0]) / result["completions"], 2)
        return result
    finally:
        server.terminate()
        server.join(timeout=10)


def drive(
    port: int,
    tokens: dict[str, str],
    dossiers_per_client: int,
    clients: int = CLIENTS,
    warm_up: int = 0,
    on_start: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run ``clients`` client processes against the server on ``port``, each first through ``warm_up``
    dossiers of its own untimed, and sum up what they measured; ``on_start`` is called as the timed part
    begins (when every client has warmed up)."""
    ctx = mp_context()
    results = ctx.Queue()
    barrier = ctx.Barrier(clients + (on_start is not None))
    numbers = list(range(clients * dossiers_per_client))
    spare = list(range(len(numbers), len(numbers) + clients * warm_up))
    procs = [
        ctx.Process(target=_client, args=(port, tokens, numbers[k::clients], barrier, results, spare[k::clients]),
                    daemon=True)
        for k in range(clients)
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    if on_start is not None:
        barrier.wait(timeout=600)
        on_start()
    reports = [results.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise RuntimeError(errors[0])
    wall = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    timings: dict[str, list[float]] = {}
    for report in reports:
        for kind, values in report["timings"].items():
            timings.setdefault(kind, []).extend(values)
    completions = sum(r["completions"] for r in reports)
    return {
        "clients": clients,
        "dossiers": len(numbers),
        "completions": completions,
        "requests": sum(len(v) for v in timings.values()),
        "wall_s": round(wall, 3),
        "dossiers_per_s": rate(len(numbers), wall),
        "completions_per_s": rate(completions, wall),
        "clients_cpu_ms_per_completion": round(1000 * sum(r["cpu_s"] for r in reports) / max(completions, 1), 2),
        **{kind: summary_ms(values) for kind, values in sorted(timings.items())},
    }


def measure(sizes: Sizes, pg_url: str | None) -> dict[str, Any]:
    try:
        import web.api  # noqa: F401
    except ImportError as err:
        return {"skipped": f"HTTP API not built yet ({err})"}
    from web.server import THREADS

    out: dict[str, Any] = {"server": f"waitress, {THREADS} threads (as `awardflow serve`)", "clients": CLIENTS}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and not pg_url:
            out[kind] = {"skipped": "no PostgreSQL URL"}
            continue
        with fresh_database(kind, pg_url) as url:
            out[kind] = run_lifecycle(url, sizes.lifecycle_dossiers_per_client)
        if "skipped" in out[kind]:
            return {"skipped": out[kind]["skipped"]}
    return out
