"""The engine object: one per process, giving the services (Camunda's ProcessEngine, in small)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine import clock
from engine.access import AccessPolicy
from engine.bpmn.spiff import Workflows, install_clock
from engine.calendar import WorkCalendar
from engine.calendar_store import CalendarService
from engine.db import Database, PoolOptions
from engine.design_history import DesignHistory
from engine.events import Deployed, Listeners
from engine.execution import Executor, current_execution
from engine.history import HistoryService
from engine.identity import IdentityService
from engine.notifications import NotificationService
from engine.registry import HandlerRegistry
from engine.reports import ReportService
from engine.repository import RepositoryService
from engine.runtime import RuntimeService
from engine.scheduler import SchedulerService
from engine.scripting import SandboxEnvironment, ScriptEngine, ScriptLimits
from engine.settings import Settings
from engine.sla import SlaService
from engine.tasks import TaskService
from engine.timer_preview import TimerPreview, preview_timer, time_helpers
from engine.timers import TimerService


class Engine:
    """Builds the services around one database, handler registry and script environment."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        handlers: HandlerRegistry | None = None,
        helpers: dict[str, Callable[..., Any]] | None = None,
        database: Database | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        install_clock(self.settings.time_zone)
        pool = PoolOptions(self.settings.db_pool_size, self.settings.db_max_overflow, self.settings.db_pool_pre_ping)
        self.db = database or Database(self.settings.database_url, pool, durable=self.settings.db_durable)
        #: the unit rule every command checks inside its transaction
        self.access = AccessPolicy(self.settings)
        self.calendar = CalendarService(self.db)
        #: who hears what happens inside each transaction (the SLA here; the award domain subscribes too)
        self.listeners = Listeners()
        self.sla = SlaService(self.db, self.calendar, self.settings, self.listeners, self.access)
        self.handlers = HandlerRegistry(self._sla_handlers(), *([handlers] if handlers else []))
        self.workflows = Workflows()
        limits = ScriptLimits(
            max_items=self.settings.script_max_items,
            max_text=self.settings.script_max_text,
            max_int_bits=self.settings.script_max_int_bits,
            max_value_bytes=self.settings.max_task_data_bytes,
            max_memory_mb=self.settings.script_max_memory_mb,
        )
        environment = SandboxEnvironment(
            helpers={**self._time_helpers(), **(helpers or {})},
            time_limit_s=self.settings.script_time_limit_s,
            limits=limits,
        )
        self.script_environment = environment
        self.script_engine = ScriptEngine(environment=environment, services=self.handlers.call)
        self.executor = Executor(
            self.workflows,
            self.script_engine,
            self.listeners,
            max_data_bytes=self.settings.max_task_data_bytes,
            max_workflow_bytes=self.settings.workflow_max_bytes,
        )
        self.repository = RepositoryService(self.db, self.listeners)
        #: the designer's changes (deployments, calendars, the workbench's hook) and a process's rollback
        self.design = DesignHistory(self.db, self.repository)
        self.listeners.subscribe(Deployed, self.executor.schedule_start_timers)
        self.runtime = RuntimeService(self.db, self.executor, self.access)
        self.tasks = TaskService(self.db, self.executor, self.access, self.handlers)
        self.notifications = NotificationService(self.db, self.settings)
        self.timers = TimerService(
            self.db,
            self.executor,
            self.sla,
            self.notifications,
            batch=self.settings.timer_batch,
            max_attempts=self.settings.timer_max_attempts,
            retry_base_s=self.settings.timer_retry_base_s,
        )
        self.history = HistoryService(self.db)
        self.identity = IdentityService(self.db)
        self.reports = ReportService(self.db, self.settings.time_zone)
        #: the periodic jobs (digests, reports, housekeeping); the composition root registers them
        self.jobs = SchedulerService(self.db, self.calendar, self.notifications)

    def ensure_admin(self) -> None:
        """The built-in administrator the command line acts as."""
        self.identity.ensure_user(self.settings.admin_user, display_name="Quản trị hệ thống", is_admin=True)

    def close(self) -> None:
        self.db.dispose()

    def _sla_handlers(self) -> HandlerRegistry:
        """The dossier clock, for BPMN service tasks: ``sla.start_clock`` / ``pause`` / ``resume`` / ``finish``."""
        registry = HandlerRegistry()
        registry.register("sla.start_clock", self.sla.start_clock)
        registry.register("sla.pause", self.sla.pause)
        registry.register("sla.resume", self.sla.resume)
        registry.register("sla.finish", self.sla.finish)
        return registry

    def _time_helpers(self) -> dict[str, Callable[..., str]]:
        """Working-time functions for scripts and timer expressions, on the running instance's unit calendar."""

        def calendar() -> WorkCalendar:
            context = current_execution()
            return self.sla.calendar_for(context.session, unit=context.instance.unit)

        return time_helpers(clock.now, calendar)

    def preview_timer(self, expression: str, kind: str, start: datetime, unit: str | None = None) -> TimerPreview:
        """When a timer with ``expression`` would fall due if reached at ``start`` in ``unit`` (the designer's
        preview); InvalidInput names ``expression`` or ``kind``."""
        with self.db.reading() as session:
            calendar = self.sla.calendar_for(session, unit=unit)
        return preview_timer(self.script_environment, expression, kind, start, calendar)
