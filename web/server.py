"""The HTTP server of ``awardflow serve`` with one process: waitress, a pool of threads, keep-alive.

One process suits the embedded database, SQLite, which takes one writer at a time whatever serves the requests;
the timers then run in the background of that process. Threads still overlap what does not write: reading
requests and answers, sign-in checks, lists (WAL readers never wait). waitress instead of Werkzeug's development
server: it parses HTTP in less time per request (see bench/README.md). Several processes (PostgreSQL) are
gunicorn's, started by :mod:`web.serving`.
"""

from __future__ import annotations

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from engine import Settings

#: Requests served at once (``AWARDFLOW_WEB_THREADS``). SQLite runs one command at a time anyway; more threads let
#: reads and slow downloads go on beside it.
THREADS = Settings.web_threads


def make_server(app: Flask, host: str, port: int, *, threads: int = THREADS) -> BaseWSGIServer | MultiSocketServer:
    """A server bound to ``host``:``port`` (0: any free port); ``run()`` serves until interrupted."""
    return create_server(app, host=host, port=port, threads=threads, ident="awardflow")
