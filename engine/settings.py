"""Every setting of awardflow in one typed object, with its default and meaning.

Read from the environment (``AWARDFLOW_<NAME>``) by :func:`Settings.from_env`; tests build one directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_DB_PATH = Path("instance") / "awardflow.sqlite"


@dataclass(frozen=True)
class Settings:
    """Configuration of one engine; immutable once built."""

    #: SQLAlchemy URL; the default is an embedded SQLite file under ./instance.
    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    #: Seconds a BPMN script or expression may run before it is stopped as an incident.
    script_time_limit_s: float = 2.0
    #: The most items a script's ``range`` or repeated list may have (one C call the time limit cannot stop).
    script_max_items: int = 1_000_000
    #: The most characters a string a script repeats (``'x' * n``) may have.
    script_max_text: int = 10_000_000
    #: The most bits an integer a script makes with ``*``, ``**``, ``<<`` or ``pow`` may have.
    script_max_int_bits: int = 100_000
    #: The most the server process may grow (MB) while one script runs, e.g. appending in a loop (Linux).
    script_max_memory_mb: int = 256
    #: The most bytes one instance's stored workflow may take; a change that would pass it is refused.
    workflow_max_bytes: int = 16_000_000
    #: How many times a failing timer is tried before it becomes an incident on its instance.
    timer_max_attempts: int = 5
    #: Seconds before a failed timer's first retry; each further retry waits twice as long as the one before.
    timer_retry_base_s: float = 30.0
    #: The longest the timer worker (`awardflow worker`, and inside `serve`) sleeps between two runs; it
    #: sleeps less when a timer falls due sooner, and not at all after a full batch.
    timer_poll_s: float = 1.0
    #: How many due timers one run claims and fires in one transaction (each in a savepoint). More saves
    #: work per timer, but every timer in it waits for the batch's commit, and the claimed instances' row
    #: locks (on SQLite the write lock) are held until then. On PostgreSQL keep it well under 64, the
    #: subtransactions a backend caches.
    timer_batch: int = 10
    #: The longest the worker waits before it looks at the periodic jobs again (digests, reports): it wakes at
    #: the next run's due time, and within this an administrator's change made in another process is seen.
    jobs_poll_s: float = 60.0
    #: Days an e-mailed (or, without SMTP, any) notification and a job run are kept before housekeeping purges
    #: them; the runs that archived a period report are kept.
    retention_days: int = 180
    #: The user name the command line acts as when given no --user.
    admin_user: str = "admin"
    #: Time zone the users live in; storage is always UTC.
    time_zone: str = "Asia/Ho_Chi_Minh"
    #: The working calendar deadlines use unless a task names another (``calendar`` property).
    default_calendar: str = "default"
    #: How long before a due time the due-soon warning comes (a step may set ``warn_before``).
    warn_before: str = "1WD"
    #: The group told about every warning and overdue mark, besides the task's own people.
    supervisor_group: str = "supervisor"
    #: Groups whose members act in every unit (besides the engine's administrators); everyone else acts only
    #: on their own unit's instances and tasks (comma-separated in the environment).
    wide_groups: tuple[str, ...] = ("supervisor",)
    #: Line agencies' groups: a member reaches the tasks of their groups in every unit (cross-checks asked of
    #: them), but not other units' instances.
    cross_unit_groups: tuple[str, ...] = ("line_agency",)
    #: Groups above a claimant: their members (and administrators) may reassign a task someone claimed; a
    #: peer of the claimant may not.
    reassigner_groups: tuple[str, ...] = ("division_head", "supervisor")
    #: Largest data one task completion, instance start or retry may carry, in bytes of JSON: it becomes part of
    #: the workflow row and of every answer that shows the instance (1 MB holds any form many times over).
    max_task_data_bytes: int = 1024 * 1024
    #: SMTP server for e-mailed notifications; empty means in-app only.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "awardflow@localhost"
    #: Folder of uploaded papers and generated documents (files stay out of the database).
    storage_dir: str = "instance/files"
    #: Extra settings the handlers read (base salary, ...); free-form.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``AWARDFLOW_*`` variables, then apply ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"AWARDFLOW_{f.name.upper()}")
            if raw is None or f.name == "extra":
                continue
            default = getattr(cls, f.name, None)
            if isinstance(default, tuple):  # a comma-separated list
                values[f.name] = tuple(part.strip() for part in raw.split(",") if part.strip())
            else:
                values[f.name] = type(default)(raw) if isinstance(default, int | float) else raw
        values.update(overrides)
        return cls(**values)
