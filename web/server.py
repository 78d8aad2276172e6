"""The HTTP server of ``awardflow serve``: waitress, one process, a pool of threads, keep-alive.

One process because the embedded database is SQLite, which takes one writer at a time whatever serves the
requests, and because ``serve`` also runs the timers in the background of that process. Threads still overlap
what does not write: reading requests and answers, sign-in checks, lists (WAL readers never wait). waitress
instead of Werkzeug's development server: it parses HTTP in less time per request (see bench/README.md).
"""

from __future__ import annotations

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

#: Requests served at once. SQLite runs one command at a time anyway; more threads let reads and slow
#: downloads go on beside it.
THREADS = 8


def make_server(app: Flask, host: str, port: int, *, threads: int = THREADS) -> BaseWSGIServer | MultiSocketServer:
    """A server bound to ``host``:``port`` (0: any free port); ``run()`` serves until interrupted."""
    return create_server(app, host=host, port=port, threads=threads, ident="awardflow")
