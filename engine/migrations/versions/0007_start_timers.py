"""start timers: a timer start event of a definition waits in the timer table, with no instance yet

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.alter_column("instance_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("definition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cycles_left", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("period_s", sa.Float(), nullable=True))
        batch_op.create_foreign_key(
            "fk_timer_definition_id_process_definition", "process_definition", ["definition_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_constraint("fk_timer_definition_id_process_definition", type_="foreignkey")
        batch_op.drop_column("period_s")
        batch_op.drop_column("cycles_left")
        batch_op.drop_column("definition_id")
        batch_op.alter_column("instance_id", existing_type=sa.Integer(), nullable=False)
