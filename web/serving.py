"""`awardflow serve` with several server processes: gunicorn's pre-fork workers and one timer worker process.

One process (``web_workers`` 1) stays waitress with the timers in a thread (``web.server``): SQLite takes one
writer at a time whatever serves the requests, so a district office gains nothing from more processes, and
waitress also runs where gunicorn does not (Windows). Several processes are for PostgreSQL, where commands run
side by side and one process is bound by its GIL: gunicorn (Unix pre-fork) runs ``web_workers`` processes of
``web_threads`` threads each (``gthread``: keep-alive, reads overlap a command's wait on the database). Each
worker builds its own app, engine and connection pool after the fork (no ``--preload``), so no connection is
shared across processes. The timers and periodic jobs run in one ``awardflow worker`` process beside them, not
in every web worker; several of those would still fire each timer once (row claims), but one is enough here.

This process only supervises: it starts the children, stops them (SIGTERM) when it is told to stop (SIGTERM or
Ctrl-C), and stops them all when one ends (a web server without its timers, or timers without a server, is not
what was asked for).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

import click

from engine import Settings

#: The WSGI application gunicorn's workers build, each its own (``module:factory()``).
APP_FACTORY = "web.app:create_app()"
#: Seconds a child has to stop after SIGTERM before it is killed.
STOP_GRACE_S = 30.0
#: prctl option: the signal a process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Child:
    """One process `serve` supervises: a name for messages and its command line. SIGTERM stops each gracefully
    (gunicorn finishes its requests, the timer worker its batch)."""

    name: str
    argv: list[str]


def gunicorn_command(settings: Settings, host: str, port: int, app: str = APP_FACTORY) -> list[str]:
    """gunicorn serving ``app`` with ``web_workers`` processes of ``web_threads`` threads on ``host:port``.
    ``GUNICORN_CMD_ARGS`` in the environment adds or overrides options (access log, timeouts …)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(settings.web_workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(settings.web_threads),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--keep-alive",
        "5",
        "--graceful-timeout",
        str(int(STOP_GRACE_S)),
        "--no-control-socket",  # one fixed path per user: a second server on the host would take it over
        app,
    ]


def worker_command() -> list[str]:
    """`awardflow worker`, run by the same Python as this process."""
    return [sys.executable, "-m", "web", "worker"]


def children(settings: Settings, host: str, port: int) -> list[Child]:
    """What `serve` runs for several processes: the web server, and the timer worker unless switched off."""
    found = [Child("gunicorn", gunicorn_command(settings, host, port))]
    if settings.serve_timers:
        found.append(Child("timer worker", worker_command()))
    return found


def shared_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The children's environment: this one, with a secret key all of them share. Without
    AWARDFLOW_SECRET_KEY each process would make up its own, and a token one worker signed would fail in the
    next; the one made here lasts until `serve` stops (set the variable to keep sign-ins across restarts)."""
    env = dict(environ)
    if not env.get("AWARDFLOW_SECRET_KEY"):
        click.echo("AWARDFLOW_SECRET_KEY is not set: the server processes share a key made up now; sign-ins end "
                   "when serve stops")  # fmt: skip
        env["AWARDFLOW_SECRET_KEY"] = secrets.token_hex(32)
    return env


def require_gunicorn() -> None:
    """A clear refusal where gunicorn cannot run (Windows) or is not installed."""
    if importlib.util.find_spec("gunicorn") is None:
        raise click.ClickException(
            "several server processes need gunicorn (Unix): install it, or serve with --workers 1"
        )


def supervise(commands: Sequence[Child], env: Mapping[str, str]) -> int:
    """Run ``commands`` until one ends or this process is told to stop; then stop the others (SIGTERM, then
    SIGKILL after :data:`STOP_GRACE_S`). Returns the exit status of the first child that ended (0 when stopped
    by a signal). Each child is in a process group of its own, so a terminal's Ctrl-C reaches them once, through
    here; on Linux each is also sent SIGTERM if this process dies without stopping them (SIGKILL)."""
    running = [
        (child, subprocess.Popen(child.argv, env=dict(env), process_group=0, preexec_fn=_die_with_parent))
        for child in commands
    ]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for _child, process in running:
            if process.poll() is None:
                process.terminate()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        name, status = _first_exit(running)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for child, process in running:
            if process.poll() is None and not stopping:
                process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                click.echo(f"{child.name} did not stop in {STOP_GRACE_S:.0f} s; killed", err=True)
                process.kill()
                process.wait()
    if stopping:
        return 0
    click.echo(f"{name} ended with status {status}; the others were stopped", err=True)
    return status or 1


def _die_with_parent() -> None:
    """In the child before it runs its command: on Linux, ask for SIGTERM when the parent dies
    (``prctl(PR_SET_PDEATHSIG)``), so a killed `serve` leaves no server or worker behind. Elsewhere nothing."""
    if sys.platform != "linux":
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _first_exit(running: Sequence[tuple[Child, subprocess.Popen[bytes]]]) -> tuple[str, int]:
    """Wait until any child ends (os.wait: no polling); its name and exit status."""
    by_pid = {process.pid: (child, process) for child, process in running}
    while True:
        try:
            pid, raw = os.wait()
        except ChildProcessError:  # every child already reaped
            return "", 0
        if pid in by_pid:
            child, process = by_pid[pid]
            process.returncode = os.waitstatus_to_exitcode(raw)
            return child.name, process.returncode
