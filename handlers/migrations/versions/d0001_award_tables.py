"""award tables: dossiers, nominees, papers, council, decisions, counters, rule sets

The award domain's own branch (label ``awardflow_domain``). These tables were created by the engine's
revision 0001 until the domain got its own version location, so a database migrated before that already has
them: each table is created only where it does not exist yet, and such a database keeps its rows.

Revision ID: d0001
Revises:
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "d0001"
down_revision = None
branch_labels = ("awardflow_domain",)
depends_on = None


def _exists(table: str) -> bool:
    return sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _exists('decision_counter'):
        op.create_table('decision_counter',
        sa.Column('issuing_body', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('issuing_body', 'year', name=op.f('pk_decision_counter'))
        )
    if not _exists('rule_set'):
        op.create_table('rule_set',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=255), nullable=False),
        sa.Column('loaded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_set')),
        sa.UniqueConstraint('effective_from', name=op.f('uq_rule_set_effective_from')),
        sa.UniqueConstraint('version', name=op.f('uq_rule_set_version'))
        )
    if not _exists('dossier'):
        op.create_table('dossier',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('award_type', sa.String(length=20), nullable=False),
        sa.Column('rule_set_id', sa.Integer(), nullable=False),
        sa.Column('rule_version', sa.String(length=40), nullable=False),
        sa.Column('unit', sa.String(length=100), nullable=False),
        sa.Column('unit_name', sa.String(length=255), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('achievement_year', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('applicant', sa.JSON(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('status_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('submitted_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('received_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('due_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('appraiser', sa.String(length=100), nullable=True),
        sa.Column('supplement_requested_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('supplement_returned_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('supplement_items', sa.JSON(), nullable=True),
        sa.Column('rework_count', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.Column('outcome_reason', sa.Text(), nullable=True),
        sa.Column('classification', sa.String(length=20), nullable=True),
        sa.Column('finished_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['rule_set_id'], ['rule_set.id'], name=op.f('fk_dossier_rule_set_id_rule_set')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier')),
        sa.UniqueConstraint('code', name=op.f('uq_dossier_code'))
        )
        with op.batch_alter_table('dossier', schema=None) as batch_op:
            batch_op.create_index('ix_dossier_award_received', ['award_type', 'received_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_dossier_instance_id'), ['instance_id'], unique=False)
            batch_op.create_index('ix_dossier_status_due', ['status', 'due_at'], unique=False)
            batch_op.create_index(batch_op.f('ix_dossier_unit'), ['unit'], unique=False)
    if not _exists('council_session'):
        op.create_table('council_session',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('council', sa.String(length=40), nullable=False),
        sa.Column('session_date', sa.Date(), nullable=True),
        sa.Column('members_total', sa.Integer(), nullable=False),
        sa.Column('present', sa.JSON(), nullable=False),
        sa.Column('ballots', sa.JSON(), nullable=False),
        sa.Column('written_votes', sa.JSON(), nullable=False),
        sa.Column('quorum', sa.String(length=20), nullable=False),
        sa.Column('threshold', sa.String(length=20), nullable=False),
        sa.Column('quota', sa.Integer(), nullable=True),
        sa.Column('quorum_met', sa.Boolean(), nullable=True),
        sa.Column('chair_order', sa.JSON(), nullable=True),
        sa.Column('convened_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tallied_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_council_session_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_session')),
        sa.UniqueConstraint('dossier_id', 'round', name=op.f('uq_council_session_dossier_id'))
        )
        with op.batch_alter_table('council_session', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_council_session_dossier_id'), ['dossier_id'], unique=False)
    if not _exists('cross_check'):
        op.create_table('cross_check',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('agency', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.String(length=20), nullable=False),
        sa.Column('objections', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('answered_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answered_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_cross_check_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cross_check')),
        sa.UniqueConstraint('dossier_id', 'agency', name=op.f('uq_cross_check_dossier_id'))
        )
        with op.batch_alter_table('cross_check', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_cross_check_dossier_id'), ['dossier_id'], unique=False)
    if not _exists('decision'):
        op.create_table('decision',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('issuing_body', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('symbol', sa.String(length=60), nullable=False),
        sa.Column('signed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('signed_by', sa.String(length=100), nullable=False),
        sa.Column('base_salary_vnd', sa.Integer(), nullable=False),
        sa.Column('total_vnd', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_decision_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision')),
        sa.UniqueConstraint('dossier_id', name=op.f('uq_decision_dossier_id')),
        sa.UniqueConstraint('issuing_body', 'year', 'number', name=op.f('uq_decision_issuing_body'))
        )
    if not _exists('dossier_document'):
        op.create_table('dossier_document',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('storage_key', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_document_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_document'))
        )
        with op.batch_alter_table('dossier_document', schema=None) as batch_op:
            batch_op.create_index('ix_dossier_document_dossier_kind', ['dossier_id', 'kind'], unique=False)
    if not _exists('dossier_status_change'):
        op.create_table('dossier_status_change',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_status_change_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_status_change'))
        )
        with op.batch_alter_table('dossier_status_change', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_dossier_status_change_dossier_id'), ['dossier_id'], unique=False)
    if not _exists('nominee'):
        op.create_table('nominee',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('gender', sa.String(length=10), nullable=True),
        sa.Column('position', sa.String(length=255), nullable=True),
        sa.Column('is_leader', sa.Boolean(), nullable=False),
        sa.Column('unit', sa.String(length=255), nullable=True),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('bonus_vnd', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_nominee_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nominee')),
        sa.UniqueConstraint('dossier_id', 'seq', name=op.f('uq_nominee_dossier_id'))
        )
        with op.batch_alter_table('nominee', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_nominee_dossier_id'), ['dossier_id'], unique=False)
    if not _exists('paper'):
        op.create_table('paper',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('supplement', sa.Boolean(), nullable=False),
        sa.Column('uploaded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_paper_dossier_id_dossier'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paper'))
        )
        with op.batch_alter_table('paper', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_paper_dossier_id'), ['dossier_id'], unique=False)
    if not _exists('council_vote'):
        op.create_table('council_vote',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('nominee_id', sa.Integer(), nullable=False),
        sa.Column('ballots', sa.Integer(), nullable=False),
        sa.Column('written', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('selected', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], name=op.f('fk_council_vote_nominee_id_nominee'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['council_session.id'], name=op.f('fk_council_vote_session_id_council_session'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_vote')),
        sa.UniqueConstraint('session_id', 'nominee_id', name=op.f('uq_council_vote_session_id'))
        )
        with op.batch_alter_table('council_vote', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_council_vote_session_id'), ['session_id'], unique=False)
    if not _exists('decision_line'):
        op.create_table('decision_line',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('nominee_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('unit', sa.String(length=255), nullable=True),
        sa.Column('multiple', sa.String(length=12), nullable=False),
        sa.Column('bonus_vnd', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_line_decision_id_decision'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['nominee_id'], ['nominee.id'], name=op.f('fk_decision_line_nominee_id_nominee'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_line'))
        )
        with op.batch_alter_table('decision_line', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_decision_line_decision_id'), ['decision_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_line_decision_id'))

    op.drop_table('decision_line')
    with op.batch_alter_table('council_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_vote_session_id'))

    op.drop_table('council_vote')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_dossier_id'))

    op.drop_table('paper')
    with op.batch_alter_table('nominee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nominee_dossier_id'))

    op.drop_table('nominee')
    with op.batch_alter_table('dossier_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_status_change_dossier_id'))

    op.drop_table('dossier_status_change')
    with op.batch_alter_table('dossier_document', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_document_dossier_kind')

    op.drop_table('dossier_document')
    op.drop_table('decision')
    with op.batch_alter_table('cross_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cross_check_dossier_id'))

    op.drop_table('cross_check')
    with op.batch_alter_table('council_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_session_dossier_id'))

    op.drop_table('council_session')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_unit'))
        batch_op.drop_index('ix_dossier_status_due')
        batch_op.drop_index(batch_op.f('ix_dossier_instance_id'))
        batch_op.drop_index('ix_dossier_award_received')

    op.drop_table('dossier')
    op.drop_table('rule_set')
    op.drop_table('decision_counter')
