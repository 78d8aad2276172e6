"""emulation clusters and blocs: their scoring rule sets, years, members, score sheets and results

Revision ID: d0004
Revises: d0003
Create Date: 2026-12-06 04:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "d0004"
down_revision = "d0003"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def _year_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["cluster_year_id"],
        ["cluster_year.id"],
        name=op.f(f"fk_{table}_cluster_year_id_cluster_year"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "cluster_rule_set",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("loaded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_rule_set")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_cluster_rule_set_effective_from")),
        sa.UniqueConstraint("version", name=op.f("uq_cluster_rule_set_version")),
    )
    op.create_table(
        "cluster",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("basis", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster")),
        sa.UniqueConstraint("code", name=op.f("uq_cluster_code")),
    )
    op.create_table(
        "cluster_year",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("head_unit", sa.String(length=100), nullable=False),
        sa.Column("deputy_unit", sa.String(length=100), nullable=True),
        sa.Column("rule_set_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("opened_at", UTC, nullable=True),
        sa.Column("scoring_opens_at", UTC, nullable=True),
        sa.Column("self_score_due", UTC, nullable=True),
        sa.Column("cross_grade_due", UTC, nullable=True),
        sa.Column("proposal_due", UTC, nullable=True),
        sa.Column("meeting", sa.JSON(), nullable=True),
        sa.Column("proposal_sent_at", UTC, nullable=True),
        sa.Column("proposal_sent_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"], ["cluster.id"], name=op.f("fk_cluster_year_cluster_id_cluster"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["cluster_rule_set.id"], name=op.f("fk_cluster_year_rule_set_id_cluster_rule_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_year")),
        sa.UniqueConstraint("cluster_id", "year", name=op.f("uq_cluster_year_cluster_id")),
    )
    op.create_index(op.f("ix_cluster_year_cluster_id"), "cluster_year", ["cluster_id"], unique=False)
    op.create_index(op.f("ix_cluster_year_instance_id"), "cluster_year", ["instance_id"], unique=False)
    op.create_table(
        "cluster_member",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cluster_year_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("pledge_signed_at", UTC, nullable=True),
        sa.Column("pledge_signed_by", sa.String(length=100), nullable=True),
        _year_fk("cluster_member"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_member")),
        sa.UniqueConstraint("cluster_year_id", "unit", "valid_from", name=op.f("uq_cluster_member_cluster_year_id")),
    )
    op.create_index(op.f("ix_cluster_member_cluster_year_id"), "cluster_member", ["cluster_year_id"], unique=False)
    op.create_index("ix_cluster_member_unit_year", "cluster_member", ["unit", "year"], unique=False)
    op.create_table(
        "cluster_sheet",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cluster_year_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("grader_unit", sa.String(length=100), nullable=False),
        sa.Column("graded_unit", sa.String(length=100), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", UTC, nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        _year_fk("cluster_sheet"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_sheet")),
        sa.UniqueConstraint(
            "cluster_year_id", "kind", "grader_unit", "graded_unit", name=op.f("uq_cluster_sheet_cluster_year_id")
        ),
    )
    op.create_index(op.f("ix_cluster_sheet_cluster_year_id"), "cluster_sheet", ["cluster_year_id"], unique=False)
    op.create_table(
        "cluster_result",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("cluster_year_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("total", sa.String(length=20), nullable=False),
        sa.Column("key_total", sa.String(length=20), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("proposal", sa.String(length=20), nullable=True),
        sa.Column("dossier_code", sa.String(length=40), nullable=True),
        _year_fk("cluster_result"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_result")),
        sa.UniqueConstraint("cluster_year_id", "unit", name=op.f("uq_cluster_result_cluster_year_id")),
    )
    op.create_index(op.f("ix_cluster_result_cluster_year_id"), "cluster_result", ["cluster_year_id"], unique=False)


def downgrade() -> None:
    for table in ("cluster_result", "cluster_sheet", "cluster_member", "cluster_year", "cluster", "cluster_rule_set"):
        op.drop_table(table)
