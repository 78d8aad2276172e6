"""(10) Scale-out: HTTP with several server processes, and timers with several workers, in one run.

* **HTTP**: figure 3's walk (4 client processes; start, then inbox and complete until done) against
  ``awardflow serve --workers N``'s server, for each N in ``sizes.scaleout_processes``: gunicorn's command
  line from :func:`web.serving.gunicorn_command` (pre-fork, ``gthread``, the default threads), each worker
  building the bench's app on a fresh database. Each client first walks 2 dossiers untimed, so the workers'
  first requests (spec parsing, caches) stay out of the figure. Tokens are signed here with the key all
  processes share, as `serve` shares one. ``server_cpu_share_per_process``: how the timed
  part's server CPU fell on the workers (a keep-alive connection stays with the worker that accepted it).
* **Timers**: figure 6's workers (``awardflow worker``'s loop) on a backlog: ``sizes.scaleout_timers`` due
  within ``sizes.scaleout_timer_window_s``, far more than one worker fires in that time, for each worker
  count in ``sizes.scaleout_timer_workers``. ``fired_per_s`` is then what the workers can fire, not the rate
  timers arrive at; ``twice`` and ``missed`` must stay 0.

On PostgreSQL (the figure is about it); without one it runs on SQLite with a note, where one writer at a time
caps both. The bench judges nothing: where the figures stop growing is read in bench/README.md.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from bench.harness import LANES, fresh_database, open_engine, prepare, user_for
from bench.lifecycle import CLIENTS, SECRET, drive
from bench.machine import children_cpu_s, tree_cpu_s
from bench.sizes import Sizes
from bench.timers import run_timers
from engine import Settings

#: the environment variable that tells :func:`bench_app` its database
URL_VARIABLE = "AWARDFLOW_BENCH_APP_URL"
#: the bench's app as gunicorn's workers build it (``module:factory()``)
APP_FACTORY = "bench.scaleout:bench_app()"
#: untimed dossiers each client walks first
WARM_UP_DOSSIERS = 2
#: the most the bench waits for the server to listen
START_TIMEOUT_S = 120.0


def bench_app() -> Flask:
    """The app of figure 3's server (the bench's processes, no award domain), for one gunicorn worker."""
    from web.app import create_app

    return create_app({"SECRET_KEY": SECRET}, engine=open_engine(os.environ[URL_VARIABLE]))


def _tokens(users: list[str]) -> dict[str, str]:
    """What ``POST /api/auth/token`` returns to each user, signed with the key the server processes share."""
    from web.auth import issue_token

    app = Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, AWARDFLOW_TOKEN_MAX_AGE=8 * 3600)
    with app.test_request_context():
        return {user: issue_token(user)[0] for user in users}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn ended with status {server.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen within {START_TIMEOUT_S:.0f} s")


def run_http(url: str, processes: int, dossiers_per_client: int) -> dict[str, Any]:
    """Figure 3's walk against ``processes`` gunicorn workers on ``url``."""
    from web.serving import gunicorn_command

    prepare(url).close()
    port = _free_port()
    argv = gunicorn_command(Settings(web_workers=processes), "127.0.0.1", port, app=APP_FACTORY)
    env = {**os.environ, URL_VARIABLE: url, "GUNICORN_CMD_ARGS": "--log-level warning"}
    server = subprocess.Popen(argv, env=env)
    postmaster = _postmaster(url)
    try:
        _wait_listening(port, server)
        tokens = _tokens(["admin", *(user_for(lane) for lane in LANES)])
        began: dict[str, float | None] = {}

        workers_began: dict[int, float] = {}

        def cpu_now() -> dict[str, float | None]:
            return {"server": tree_cpu_s(server.pid), "postgresql": tree_cpu_s(postmaster) if postmaster else None}

        def on_start() -> None:
            began.update(cpu_now())
            workers_began.update(children_cpu_s(server.pid))

        result = drive(port, tokens, dossiers_per_client, CLIENTS, WARM_UP_DOSSIERS, on_start)
        ended = cpu_now()
        workers_ended = children_cpu_s(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    per_completion = {
        f"{role}_cpu_ms_per_completion": _per(ended[role], began.get(role), result["completions"]) for role in ended
    }
    # How the timed part's server CPU fell on the workers: keep-alive connections stay with the worker that took
    # them, so an uneven share says the clients' connections were not spread over the processes.
    shares = sorted((workers_ended[pid] - workers_began.get(pid, 0.0) for pid in workers_ended), reverse=True)
    busy = sum(shares) or 1.0
    return {"processes": processes, **result, **per_completion,
            "server_cpu_share_per_process": [round(share / busy, 2) for share in shares]}  # fmt: skip


def _per(end: float | None, start: float | None, completions: int) -> float | None:
    if end is None or start is None or not completions:
        return None
    return round(1000 * (end - start) / completions, 2)


def _postmaster(url: str) -> int | None:
    """The PostgreSQL server's process id when it runs on this machine and we may read its data directory
    (as the bench's own server, started as in .ci/run, allows); None otherwise."""
    if not url.startswith("postgresql"):
        return None
    sql = create_engine(url)
    try:
        with sql.connect() as conn:
            directory = conn.execute(text("SELECT setting FROM pg_settings WHERE name = 'data_directory'")).scalar()
        return int((Path(str(directory)) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, SQLAlchemyError):
        return None
    finally:
        sql.dispose()


def measure(sizes: Sizes, pg_url: str | None) -> dict[str, Any]:
    try:
        import web.api  # noqa: F401
    except ImportError as err:
        return {"skipped": f"HTTP API not built yet ({err})"}
    kind = "postgresql" if pg_url else "sqlite"
    out: dict[str, Any] = {"database": kind, "server": "gunicorn gthread, as `awardflow serve --workers N`"}
    if not pg_url:
        out["note"] = "no PostgreSQL URL: ran on SQLite, where one writer at a time caps both figures"
    for processes in sizes.scaleout_processes:
        with fresh_database(kind, pg_url) as url:
            load = _load()
            run = run_http(url, processes, sizes.scaleout_dossiers_per_client)
            out[f"http_processes_{processes}"] = {**run, "load_average_1m_before": load}
    backlog = replace(sizes, timers=sizes.scaleout_timers, timer_window_s=sizes.scaleout_timer_window_s)
    for workers in sizes.scaleout_timer_workers:
        with fresh_database(kind, pg_url) as url:
            load = _load()
            run = run_timers(url, backlog, workers, grace=600.0)
            out[f"timers_workers_{workers}"] = {**run, "load_average_1m_before": load}
    return out


def _load() -> float | None:
    """The machine's load when a run begins (other work on the cores skews its figures)."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
