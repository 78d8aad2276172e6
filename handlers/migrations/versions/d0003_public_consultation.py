"""public consultation: the published proposals and the citizens' comments with their handling

Revision ID: d0003
Revises: d0002
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "d0003"
down_revision = "d0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("opened_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_consultation_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_consultation_dossier_id")),
    )
    op.create_index(op.f("ix_consultation_ends_at"), "consultation", ["ends_at"], unique=False)
    op.create_table(
        "public_comment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receipt", sa.String(length=20), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=True),
        sa.Column("contact", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("attachment_type", sa.String(length=100), nullable=True),
        sa.Column("attachment_size", sa.Integer(), nullable=True),
        sa.Column("attachment_key", sa.String(length=255), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("received_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("substantiated", sa.Boolean(), nullable=True),
        sa.Column("changes_proposal", sa.Boolean(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("handled_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.String(length=100), nullable=True),
        sa.Column("handled_on_time", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"], ["dossier.id"], name=op.f("fk_public_comment_dossier_id_dossier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"], ["nominee.id"], name=op.f("fk_public_comment_nominee_id_nominee"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_comment")),
        sa.UniqueConstraint("nonce", name=op.f("uq_public_comment_nonce")),
        sa.UniqueConstraint("receipt", name=op.f("uq_public_comment_receipt")),
    )
    op.create_index(op.f("ix_public_comment_dossier_id"), "public_comment", ["dossier_id"], unique=False)
    op.create_index(op.f("ix_public_comment_instance_id"), "public_comment", ["instance_id"], unique=False)
    op.create_index("ix_public_comment_address_at", "public_comment", ["address_hash", "received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("public_comment")
    op.drop_table("consultation")
