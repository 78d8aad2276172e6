"""Schema migrations (Alembic), run by ``awardflow db upgrade``.

The engine's revisions live here; a layer above may bring its own version location (the award domain
does, with the branch ``awardflow_domain``), handed in by the composition root so that the engine never
imports it. :func:`upgrade` brings every branch to its head.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).parent
VERSIONS = HERE / "versions"


def alembic_config(url: str, version_locations: Sequence[Path] = ()) -> Config:
    """An Alembic config for ``url`` without an .ini file: the engine's revisions plus ``version_locations``."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in [VERSIONS, *version_locations]))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads", *, version_locations: Sequence[Path] = ()) -> None:
    """Bring the database at ``url`` to ``revision`` (every branch's head by default)."""
    command.upgrade(alembic_config(url, version_locations), revision)
