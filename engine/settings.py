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
    #: Server processes `awardflow serve` runs (1: waitress in this process; more: gunicorn pre-fork workers).
    web_workers: int = 1
    #: Threads per server process: requests one process serves at once (reads overlap a command's write).
    web_threads: int = 8
    #: Whether `serve` also fires the timers and runs the periodic jobs (in one process of its own when it runs
    #: several); switch it off on web hosts when `awardflow worker` runs elsewhere.
    serve_timers: bool = True
    #: Connections each process keeps open to PostgreSQL (SQLAlchemy ``pool_size``), and how many more it may
    #: open at a peak (``max_overflow``): a process holds at most their sum.
    db_pool_size: int = 5
    db_max_overflow: int = 10
    #: Test each pooled connection before use (one round trip per transaction): survives a restarted
    #: database or pooler; switch it off behind a reliable PgBouncer to save the round trip.
    db_pool_pre_ping: bool = True
    #: Whether an SQLite file must survive a power cut (synced at each checkpoint); off for a scratch database
    #: that is thrown away after its run (a what-if simulation's).
    db_durable: bool = True
    #: Extra settings the handlers read (base salary, ...); free-form.
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse counts that would start no server or no connection, naming the variable that sets them."""
        for name, least in LEAST.items():
            if getattr(self, name) < least:
                raise ValueError(
                    f"{name} (AWARDFLOW_{name.upper()}) must be at least {least}, not {getattr(self, name)}"
                )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``AWARDFLOW_*`` variables, then apply ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            variable = f"AWARDFLOW_{f.name.upper()}"
            raw = env.get(variable)
            if raw is None or f.name == "extra":
                continue
            try:
                values[f.name] = _parse(raw, getattr(cls, f.name, None))
            except ValueError:
                raise ValueError(f"{variable}: {raw!r} is not {_KINDS[type(getattr(cls, f.name))]}") from None
        values.update(overrides)
        return cls(**values)


#: Settings that count processes, threads or connections, and their least value.
LEAST = {"web_workers": 1, "web_threads": 1, "db_pool_size": 1, "db_max_overflow": 0}
_KINDS = {bool: "yes/no (1, 0, true, false)", int: "a whole number", float: "a number", str: "text", tuple: "a list"}
_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _parse(raw: str, default: Any) -> Any:
    """One variable's text as the type of its default (ValueError when it is not one)."""
    if isinstance(default, bool):  # before int: a bool is an int, and bool("0") is True
        word = raw.strip().lower()
        if word not in _BOOLEANS:
            raise ValueError(raw)
        return _BOOLEANS[word]
    if isinstance(default, tuple):  # a comma-separated list
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(default, int | float):
        return type(default)(raw.strip())
    return raw
