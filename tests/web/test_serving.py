"""`awardflow serve --workers N`: the commands it runs, the key its processes share, and a real run of two
server processes and a timer worker answering over HTTP."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from engine import Settings
from web import serving
from web.auth import issue_token
from web.cli import main

#: the most a test waits for the server to come up: a bound on polling the port, not a sleep on the clock
START_TIMEOUT_S = 120.0


def test_gunicorn_runs_the_workers_and_threads_the_settings_ask_for() -> None:
    argv = serving.gunicorn_command(Settings(web_workers=4, web_threads=3), "0.0.0.0", 8080)
    assert argv[:3] == [sys.executable, "-m", "gunicorn"]
    options = dict(zip(argv[3:-1:2], argv[4:-1:2], strict=False))
    assert options["--workers"] == "4" and options["--threads"] == "3"
    assert options["--worker-class"] == "gthread" and options["--bind"] == "0.0.0.0:8080"
    assert argv[-1] == serving.APP_FACTORY == "web.app:create_app()"
    assert serving.gunicorn_command(Settings(), "::1", 80)[argv.index("--bind") + 1] == "[::1]:80"


def test_one_timer_worker_runs_beside_the_server_unless_switched_off() -> None:
    both = serving.children(Settings(web_workers=2), "127.0.0.1", 5000)
    assert [c.name for c in both] == ["gunicorn", "timer worker"]
    assert both[1].argv == [sys.executable, "-m", "web", "worker"]
    alone = serving.children(Settings(web_workers=2, serve_timers=False), "127.0.0.1", 5000)
    assert [c.name for c in alone] == ["gunicorn"]


def test_the_processes_share_one_secret_key() -> None:
    assert serving.shared_environment({"AWARDFLOW_SECRET_KEY": "k", "X": "1"}) == {
        "AWARDFLOW_SECRET_KEY": "k",
        "X": "1",
    }
    made = serving.shared_environment({})["AWARDFLOW_SECRET_KEY"]
    assert len(made) == 64 and made != serving.shared_environment({})["AWARDFLOW_SECRET_KEY"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--workers", "0"], {}, "Invalid value for '--workers': 0 is not in the range x>=1"),
        ([], {"AWARDFLOW_WEB_WORKERS": "many"}, "AWARDFLOW_WEB_WORKERS: 'many' is not a whole number"),
    ],
)
def test_a_wrong_worker_count_is_refused_before_anything_starts(
    args: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    env = {**env, "AWARDFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite'}"}
    result = CliRunner().invoke(main, ["serve", *args], env=env)
    assert result.exit_code != 0 and f"Error: {message}" in result.output  # one line, no traceback
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "never.sqlite").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _token(secret: str, username: str) -> str:
    """A bearer token as the server signs them, with the key its processes share."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=secret, AWARDFLOW_TOKEN_MAX_AGE=3600)
    with app.test_request_context():
        return issue_token(username)[0]


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    """One request on a connection of its own (so any of the server's processes may take it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Connection": "close", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, "serve ended before listening"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)  # wall-clock wait for another process, not the engine's clock
    pytest.fail(f"serve did not listen on {port} within {START_TIMEOUT_S:.0f} s")


def _children(pid: int) -> dict[int, str]:
    """The processes ``pid`` started (Linux /proc), with their command lines."""
    found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return {child: Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode() for child in found}


@dataclass
class Served:
    """`serve --workers 2` running as a real process on a fresh SQLite file, and what it printed."""

    process: subprocess.Popen[bytes]
    port: int
    secret: str
    access_log: Path
    output: list[bytes]

    def text(self) -> str:
        return b"".join(self.output).decode()


@contextmanager
def serving_two(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "AWARDFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
        "AWARDFLOW_STORAGE_DIR": str(tmp_path / "files"),
        "AWARDFLOW_SECRET_KEY": "test-only-secret",
        # who answered each request: gunicorn's access log with the worker's pid
        "GUNICORN_CMD_ARGS": f"--access-logfile {access_log} --access-logformat '%(p)s %(s)s %(U)s'",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--workers", "2", "--port", str(port), "--no-demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    served = Served(process, port, env["AWARDFLOW_SECRET_KEY"], access_log, [])
    reader = threading.Thread(target=lambda: served.output.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        _wait_for_port(port, process)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)
        reader.join(timeout=10)


def _gone(pids: Iterable[int]) -> bool:
    """Whether none of ``pids`` runs any more, polling up to 60 s (a bounded wait for other processes)."""
    deadline = time.monotonic() + 60
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


LINUX_PROC = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux /proc")


@LINUX_PROC
def test_two_server_processes_answer_and_stop_with_serve(tmp_path: Path) -> None:
    with serving_two(tmp_path) as served:
        started = _children(served.process.pid)
        [arbiter] = [pid for pid, cmd in started.items() if "-m gunicorn" in cmd]
        assert [cmd for cmd in started.values() if "-m web worker" in cmd], started
        token = _token(served.secret, "admin")  # the inbox: the token checked, the database read
        answered: set[int] = set()
        for _ in range(400):  # new connections until both workers have answered (each is free to take one)
            threads = [threading.Thread(target=_get, args=(served.port, "/api/tasks", token)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            status, body = _get(served.port, "/api/tasks", token)
            assert status == 200 and b'"items"' in body, body
            lines = served.access_log.read_text().splitlines()
            answered = {int(line.split()[0].strip("<>")) for line in lines if " 200 /api/tasks" in line}
            if len(answered) == 2:
                break
        workers = set(_children(arbiter))
        assert answered == workers and len(workers) == 2
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=60) == 0
    assert f"awardflow serving on http://127.0.0.1:{served.port}/ with 2 process(es)" in served.text()
    assert "did not stop" not in served.text()  # the timer worker stopped on SIGTERM, not killed after the grace
    assert _gone([*started, *workers]), served.text()


@LINUX_PROC
def test_a_killed_serve_leaves_no_server_or_worker_behind(tmp_path: Path) -> None:
    with serving_two(tmp_path) as served:
        started = _children(served.process.pid)
        [arbiter] = [pid for pid, cmd in started.items() if "-m gunicorn" in cmd]
        workers = _children(arbiter)
        served.process.kill()  # no handler runs: the children hear of it from the kernel
        served.process.wait()
        assert _gone([*started, *workers]), (started, workers)


def test_setup_runs_once_and_hosts_serve_without_it(tmp_path: Path) -> None:
    env = {"AWARDFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite'}", "AWARDFLOW_STORAGE_DIR": str(tmp_path)}
    refused = CliRunner().invoke(main, ["serve", "--no-setup"], env=env)
    assert refused.exit_code != 0 and "run `awardflow db upgrade` first" in refused.output
    first = CliRunner().invoke(main, ["setup", "--no-demo"], env=env)
    assert first.exit_code == 0, first.output
    assert "deployed award_dossier version 1" in first.output and "sign-in: admin; password:" in first.output
    again = CliRunner().invoke(main, ["setup", "--no-demo"], env=env)
    assert again.exit_code == 0 and "deployed" not in again.output.replace("already deployed", "")
    assert "keep their passwords" in again.output


def test_when_one_child_ends_the_others_are_stopped_and_its_status_returned() -> None:
    """A web server without its timers (or the reverse) is not what was asked for: serve ends with the
    first child's status, and stops the rest."""
    began = time.monotonic()
    status = serving.supervise(
        [
            serving.Child("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"]),
            serving.Child("failing", [sys.executable, "-c", "import sys; sys.exit(3)"]),
        ],
        os.environ,
    )
    assert status == 3
    assert time.monotonic() - began < 60  # the sleeper was stopped, not waited for
