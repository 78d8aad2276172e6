"""drop task_candidate: the inbox reads the candidate lists on human_task

Since 0003 the inbox tests the task row's own candidate lists (``jsonb ?|`` / ``json_each``), so the
separate index table was written on every new task and deleted on every close, and never read.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_task_candidate_kind_name", table_name="task_candidate")
    op.drop_table("task_candidate")


def downgrade() -> None:
    op.create_table(
        "task_candidate",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["human_task.id"], name="fk_task_candidate_task_id_human_task", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "kind", "name", name="pk_task_candidate"),
    )
    op.create_index("ix_task_candidate_kind_name", "task_candidate", ["kind", "name", "task_id"])
    task = sa.table(
        "human_task",
        sa.column("id", sa.String),
        sa.column("state", sa.String),
        sa.column("candidate_groups", sa.JSON),
        sa.column("candidate_users", sa.JSON),
    )
    candidate = sa.table("task_candidate", sa.column("task_id"), sa.column("kind"), sa.column("name"))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(task.c.id, task.c.candidate_groups, task.c.candidate_users).where(task.c.state == "ready")
    )
    values = [
        {"task_id": task_id, "kind": kind, "name": name}
        for task_id, groups, users in rows
        for kind, names in (("group", groups or []), ("user", users or []))
        for name in names
    ]
    if values:
        bind.execute(candidate.insert(), values)
