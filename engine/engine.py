"""The engine object: one per process, giving the services (Camunda's ProcessEngine, in small)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.bpmn.spiff import Workflows
from engine.calendar_store import CalendarService
from engine.db import Database
from engine.execution import DuePolicy, Executor
from engine.history import HistoryService
from engine.identity import IdentityService
from engine.registry import HandlerRegistry
from engine.repository import RepositoryService
from engine.runtime import RuntimeService
from engine.scripting import SandboxEnvironment, ScriptEngine
from engine.settings import Settings
from engine.tasks import TaskService
from engine.timers import TimerService


class Engine:
    """Builds the services around one database, handler registry and script environment."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        handlers: HandlerRegistry | None = None,
        helpers: dict[str, Callable[..., Any]] | None = None,
        due_policy: DuePolicy | None = None,
        database: Database | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.db = database or Database(self.settings.database_url)
        self.handlers = handlers or HandlerRegistry()
        self.workflows = Workflows()
        environment = SandboxEnvironment(helpers=dict(helpers or {}), time_limit_s=self.settings.script_time_limit_s)
        self.script_engine = ScriptEngine(environment=environment, services=self.handlers.call)
        self.executor = Executor(self.workflows, self.script_engine, due_policy)
        self.repository = RepositoryService(self.db)
        self.runtime = RuntimeService(self.db, self.executor)
        self.tasks = TaskService(self.db, self.executor)
        self.timers = TimerService(self.db, self.executor)
        self.history = HistoryService(self.db)
        self.identity = IdentityService(self.db)
        self.calendar = CalendarService(self.db)

    def ensure_admin(self) -> None:
        """The built-in administrator the command line acts as."""
        self.identity.ensure_user(self.settings.admin_user, display_name="Quản trị hệ thống", is_admin=True)

    def close(self) -> None:
        self.db.dispose()
