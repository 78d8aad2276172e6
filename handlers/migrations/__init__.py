"""The award domain's schema migrations: an Alembic version location of their own (branch
``awardflow_domain``), which the composition root hands to :func:`engine.migrations.upgrade`."""

from __future__ import annotations

from pathlib import Path

#: The directory of the domain's revisions.
VERSIONS = Path(__file__).parent / "versions"
