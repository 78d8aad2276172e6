"""candidate lists on human_task; task_candidate indexes open tasks only

The inbox searched task_candidate with one probe per task, and the table kept the rows of every finished
task. The lists now live on the task row too (for display and checks), and task_candidate keeps only the
rows of ready tasks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:10:00
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TASK = sa.table(
    "human_task",
    sa.column("id", sa.String),
    sa.column("state", sa.String),
    sa.column("candidate_groups", sa.JSON),
    sa.column("candidate_users", sa.JSON),
)
CANDIDATE = sa.table("task_candidate", sa.column("task_id", sa.String), sa.column("kind"), sa.column("name"))


def upgrade() -> None:
    for name in ("candidate_groups", "candidate_users"):
        op.add_column("human_task", sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    bind = op.get_bind()
    lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"group": [], "user": []})
    for task_id, kind, name in bind.execute(sa.select(CANDIDATE.c.task_id, CANDIDATE.c.kind, CANDIDATE.c.name)):
        lists[task_id][kind].append(name)
    for task_id, kinds in lists.items():
        bind.execute(
            TASK.update()
            .where(TASK.c.id == task_id)
            .values(candidate_groups=sorted(kinds["group"]), candidate_users=sorted(kinds["user"]))
        )
    ready = sa.select(TASK.c.id).where(TASK.c.state == "ready")
    bind.execute(CANDIDATE.delete().where(CANDIDATE.c.task_id.not_in(ready)))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("candidate_users")
        batch.drop_column("candidate_groups")
