"""dossier.supplement_due_at: the applicant's deadline for the one supplement (rule set 2026.07 onwards)

Revision ID: d0002
Revises: d0001
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "d0002"
down_revision = "d0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("dossier")}
    if "supplement_due_at" in columns:  # a database whose award tables were made from the models (d0001)
        return
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("supplement_due_at", engine.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("supplement_due_at")
