"""The machine a run happened on: cores, CPU, load, Python, library and database versions."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def postgresql(url: str) -> dict[str, Any]:
    """Server version and the settings that change what the figures mean."""
    sql = create_engine(url)
    try:
        with sql.connect() as conn:
            show = {name: conn.execute(text(f"show {name}")).scalar() for name in ("server_version", "fsync",
                                                                                   "synchronous_commit")}  # fmt: skip
        return {
            "version": show["server_version"],
            "fsync": show["fsync"],
            "synchronous_commit": show["synchronous_commit"],
        }
    finally:
        sql.dispose()


def machine(pg_url: str | None) -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cores": os.cpu_count(),
        "cpu_model": cpu_model(),
        "os": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "spiffworkflow": _version("SpiffWorkflow"),
        "sqlalchemy": _version("SQLAlchemy"),
        "flask": _version("Flask"),
        "psycopg": _version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgresql(pg_url) if pg_url else None,
    }


def tree_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by ``pid`` and the processes below it (Linux /proc; None
    elsewhere). A process that ended took its time with it, so this is read while they all run."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return own + sum(tree_cpu_s(int(child)) or 0.0 for child in children)


def children_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each process directly below ``pid`` (gunicorn's workers), by process id."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return {}
    return {int(child): cpu for child in children if (cpu := tree_cpu_s(int(child))) is not None}
