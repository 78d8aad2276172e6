"""The project's own crash test: ``awardflow serve`` and ``awardflow worker`` run as real processes on a real
database and are killed with SIGKILL several times while completions arrive over HTTP and timers fall due.
Afterwards every acknowledged completion is there, none twice, and every timer fired exactly once.

This is the one test that runs on real time (the servers cannot share a virtual clock): each wait is a
bounded poll of the loopback server or the database, and the whole run stays under ~90 s.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from engine import Settings
from engine.db import Base
from engine.models import Event, HumanTask, ProcessInstance, Timer
from web.boot import prepare

pytestmark = pytest.mark.slow

PASSWORD = "crash-test-password"
TASKS = 300
#: seconds after the set-up at which the timers fall due: spread over the rounds of kills
TIMER_DELAYS = [2 + i for i in range(30)]
#: completions acknowledged in each round before the worker, then the server, is killed (from another thread,
#: so that the kill lands in the middle of the next requests and of timer firings)
ROUNDS = (40, 25, 55, 30)
STARTUP_S = 40.0

BUNDLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="crash" targetNamespace="http://t">
  <bpmn:process id="crash_task" isExecutable="true">
    <bpmn:startEvent id="task_start"/>
    <bpmn:sequenceFlow id="t1" sourceRef="task_start" targetRef="work"/>
    <bpmn:userTask id="work"/>
    <bpmn:sequenceFlow id="t2" sourceRef="work" targetRef="task_end"/>
    <bpmn:endEvent id="task_end"/>
  </bpmn:process>
  <bpmn:process id="crash_timer" isExecutable="true">
    <bpmn:startEvent id="timer_start"/>
    <bpmn:sequenceFlow id="m1" sourceRef="timer_start" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition>
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">due</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="m2" sourceRef="wait" targetRef="timer_end"/>
    <bpmn:endEvent id="timer_end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _wait_until(what: str, condition: Callable[[], bool], limit_s: float, step_s: float = 0.1) -> None:
    """Poll ``condition`` on real time, at most ``limit_s`` seconds (bounded in count too)."""
    deadline = time.monotonic() + limit_s
    for _ in range(int(limit_s / step_s) + 1):
        if condition():
            return
        if time.monotonic() > deadline:
            break
        time.sleep(step_s)
    raise AssertionError(f"{what}: not within {limit_s} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Cluster:
    """The server and the worker as subprocesses on one database."""

    url: str
    workdir: Path
    port: int = field(default_factory=_free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    starts: int = 0

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AWARDFLOW_DATABASE_URL": self.url,
            "AWARDFLOW_SECRET_KEY": "crash-test-secret",  # tokens outlive a restart
            "AWARDFLOW_TIMER_POLL_S": "0.2",
            "AWARDFLOW_TIMER_RETRY_BASE_S": "0.5",
            "AWARDFLOW_STORAGE_DIR": str(self.workdir / "files"),
        }

    def spawn(self, *args: str) -> None:
        self.starts += 1
        log = (self.workdir / f"{args[0]}-{self.starts}.log").open("wb")
        command = [sys.executable, "-c", "from web.cli import main; main()", *args]
        self.processes.append(
            subprocess.Popen(command, env=self.env(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        )

    def start(self) -> None:
        self.spawn("serve", "--no-demo", "--host", "127.0.0.1", "--port", str(self.port))
        self.spawn("worker")
        _wait_until("the server answers", self.healthy, STARTUP_S, 0.2)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def kill(self, *which: int) -> None:
        """SIGKILL the processes (by index: 0 the server, 1 the worker; default both): no shutdown code runs,
        as when the machine loses power under them."""
        for index in which or range(len(self.processes)):
            process = self.processes[index]
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)

    def kill_soon(self, *which: int) -> None:
        """Kill from another thread, while this one goes on sending requests."""
        threading.Thread(target=self.kill, args=which).start()

    def reap(self) -> None:
        self.kill()
        self.processes.clear()

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    url = os.environ.get("AWARDFLOW_DATABASE_URL") or f"sqlite:///{tmp_path / 'crash.sqlite'}"
    if url.startswith("postgresql"):  # the shared test database: start from an empty schema
        engine = create_engine(url)
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    running = Cluster(url, tmp_path)
    yield running
    running.reap()


@dataclass
class Work:
    """What the test set up: task ids to complete and timer instances; what the servers acknowledged."""

    tasks: list[str]
    timer_instances: list[int]
    acknowledged: set[str] = field(default_factory=set)


def set_up(url: str, workdir: Path) -> Work:
    """Migrate, deploy, create the user, start the instances: in this process, before the servers run."""
    os.environ.setdefault("AWARDFLOW_STORAGE_DIR", str(workdir / "files"))
    domain = prepare(Settings(database_url=url, storage_dir=str(workdir / "files")), demo=False)
    engine = domain.engine
    try:
        engine.identity.ensure_user("crash", password=PASSWORD, is_admin=True, unit="so-noi-vu")
        engine.repository.deploy({"crash.bpmn": BUNDLE.encode()}, actor="admin")
        tasks: list[str] = []
        for i in range(TASKS):
            started = engine.runtime.start("crash_task", business_key=f"T-{i}", actor="admin")
            tasks.extend(t.id for t in engine.tasks.for_instance(started.id) if t.state == "ready")
        now = time.time()
        timer_instances = []
        for i, delay in enumerate(TIMER_DELAYS):
            due = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now + delay))
            started = engine.runtime.start("crash_timer", business_key=f"M-{i}", data={"due": due}, actor="admin")
            timer_instances.append(started.id)
        return Work(tasks, timer_instances)
    finally:
        engine.close()


def drive(cluster: Cluster, work: Work, token: str, kill_after: int | None = None) -> None:
    """Complete tasks over HTTP; an answer of 200 is an acknowledged completion. With ``kill_after``, the
    worker is killed half-way and the server after that many, and requests go on until the server is gone."""
    acknowledged = 0
    for task_id in [t for t in work.tasks if t not in work.acknowledged]:
        try:
            status, body = cluster.call("POST", f"/api/tasks/{task_id}/complete", {"data": {"by": "crash"}}, token)
        except (OSError, http.client.HTTPException):
            return  # the server is gone (killed before or while answering: an answer cut short is not one)
        if status == 200:
            work.acknowledged.add(task_id)
            acknowledged += 1
        else:
            assert status == 409, body  # completed by a request whose answer a kill swallowed
        if kill_after is not None and acknowledged == kill_after // 2:
            cluster.kill_soon(1)
        if kill_after is not None and acknowledged == kill_after:
            cluster.kill_soon(0)


def test_kill_9_loses_no_acknowledged_completion_and_fires_every_timer_once(cluster: Cluster) -> None:
    started = time.monotonic()
    work = set_up(cluster.url, cluster.workdir)
    token = ""
    for kill_after in ROUNDS:
        cluster.start()
        if not token:
            status, body = cluster.call("POST", "/api/auth/token", {"username": "crash", "password": PASSWORD})
            assert status == 200, body
            token = body["token"]
        drive(cluster, work, token, kill_after)
        cluster.reap()
    durable = _state(cluster.url)
    assert work.acknowledged <= durable.completed_tasks, "an acknowledged completion was lost"
    print(f"before the last restart: {len(work.acknowledged)} acknowledged, {durable.fired} timers fired")
    assert 0 < len(work.acknowledged) < TASKS and durable.fired > 0, "the kills hit work in flight"

    cluster.start()  # the last restart: the rest is completed and every timer falls due
    drive(cluster, work, token)
    _wait_until(
        "every timer fired",
        lambda: _state(cluster.url).fired >= len(TIMER_DELAYS),
        max(0.0, TIMER_DELAYS[-1] - (time.monotonic() - started)) + 15,
        0.25,
    )
    cluster.reap()

    final = _state(cluster.url)
    assert final.completed_tasks == set(work.tasks)
    assert final.task_completions == Counter[str | None](work.tasks), "a completion was recorded twice"
    assert final.timer_firings == Counter[int | None](work.timer_instances), "a timer was missed or fired twice"
    assert final.fired == len(TIMER_DELAYS) and final.states == {"completed"}
    assert time.monotonic() - started < 120


@dataclass(frozen=True)
class Durable:
    completed_tasks: set[str]
    task_completions: Counter[str | None]
    timer_firings: Counter[int | None]
    fired: int
    states: set[str]


def _state(url: str) -> Durable:
    """What the database holds now (read in this process, beside the servers)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            completed = set(connection.scalars(select(HumanTask.id).where(HumanTask.state == "completed")).all())
            completions = Counter(
                connection.scalars(select(Event.task_id).where(Event.action == "task_completed")).all()
            )
            firings = Counter(connection.scalars(select(Event.instance_id).where(Event.action == "timer_fired")).all())
            fired = connection.scalar(
                select(func.count()).select_from(Timer).where(Timer.state == "fired", Timer.kind == "bpmn")
            )
            states = set(
                connection.scalars(
                    select(ProcessInstance.state).where(ProcessInstance.process_key.in_(("crash_task", "crash_timer")))
                ).all()
            )
    finally:
        engine.dispose()
    return Durable(completed, completions, firings, int(fired or 0), states)
