"""An engine on the test database, with users and helpers to deploy fixture diagrams."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine import Engine, Settings
from engine.db import Database
from engine.registry import HandlerRegistry
from engine.repository import DeploymentResult
from engine.tasks import TaskView

BPMN = Path(__file__).parent.parent / "fixtures" / "bpmn"

USERS = {
    "an": ["appraiser"],
    "binh": ["appraiser"],
    "chi": ["desk"],
    "dung": ["division_head", "appraiser"],
}


@pytest.fixture
def handlers() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register("demo.echo", lambda text: text)
    return registry


@pytest.fixture
def engine(database: Database, vclock: object, handlers: HandlerRegistry) -> Iterator[Engine]:
    eng = Engine(Settings(database_url=database.url, script_time_limit_s=0.5), handlers=handlers, database=database)
    eng.ensure_admin()
    for name, groups in USERS.items():
        eng.identity.ensure_user(name, groups=groups, unit="so-noi-vu")
    yield eng


def files(*names: str) -> dict[str, bytes]:
    return {name: (BPMN / name).read_bytes() for name in names}


@pytest.fixture
def deploy(engine: Engine) -> Callable[..., DeploymentResult]:
    def _deploy(*names: str) -> DeploymentResult:
        return engine.repository.deploy(files(*names), actor="admin")

    return _deploy


def ready(engine: Engine, instance_id: int) -> list[TaskView]:
    return [t for t in engine.tasks.for_instance(instance_id) if t.state == "ready"]


def ready_ids(engine: Engine, instance_id: int) -> list[str]:
    return sorted(t.element_id for t in ready(engine, instance_id))


def complete(engine: Engine, instance_id: int, element_id: str, data: dict | None = None, user: str = "admin") -> None:
    task = next(t for t in ready(engine, instance_id) if t.element_id == element_id)
    engine.tasks.complete(task.id, user, data or {})


def race_timer_workers(url: str, count: int = 2) -> None:
    """``count`` worker processes' timer runs (each its own engine, one timer per batch), racing in threads
    until nothing is due."""
    workers = [Engine(Settings(database_url=url, timer_batch=1)) for _ in range(count)]

    def work(worker: Engine, name: str) -> None:
        while worker.timers.run_job(name).full:
            pass

    threads = [threading.Thread(target=work, args=(w, f"worker-{i}")) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.close()
