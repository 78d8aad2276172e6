"""indexes for the inbox and the supervisor reports; PostgreSQL statistics for the inbox's plans

Partial indexes on open (and open unassigned) tasks let the inbox walk its order and stop after a page, and
let the pending-work report count from an index. Covering indexes on finished_at let the on-time report
count a period of the control slip (and of the dossier clocks) without reading the table. On PostgreSQL 14+
two statistics objects tell the planner that open and unassigned go together and how many tasks each
candidate group holds; without them it misjudges the inbox's claimable tasks by two orders of magnitude.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'ready'")
CLAIMABLE = sa.text("state = 'ready' AND assignee IS NULL")
INDEXES = {
    "ix_human_task_claimable_due": ("human_task", ["state", "due_at", "created_at", "id"], CLAIMABLE),
    "ix_human_task_claimable_unit_due": ("human_task", ["state", "unit", "due_at", "created_at", "id"], CLAIMABLE),
    "ix_human_task_open_unit_due": ("human_task", ["state", "unit", "due_at", "element_id"], OPEN),
    "ix_sla_segment_finished": (
        "sla_segment",
        ["finished_at", "unit", "classification", "element_id", "finished_by"],
        None,
    ),
    "ix_sla_clock_finished": ("sla_clock", ["finished_at", "unit", "classification"], None),
}
STATISTICS = {
    "st_human_task_state_assignee": "(mcv) ON state, assignee FROM human_task",
    "st_human_task_candidate_groups": "ON ((candidate_groups::jsonb)) FROM human_task",
}


def _has_statistics() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,)


def upgrade() -> None:
    for name, (table, columns, where) in INDEXES.items():
        op.create_index(name, table, columns, unique=False, sqlite_where=where, postgresql_where=where)
    if _has_statistics():
        for name, definition in STATISTICS.items():
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} {definition}")


def downgrade() -> None:
    if _has_statistics():
        for name in STATISTICS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    for name, (table, _columns, _where) in INDEXES.items():
        op.drop_index(name, table_name=table)
