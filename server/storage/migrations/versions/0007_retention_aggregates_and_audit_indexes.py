"""what is kept of purged positions (arrivals per site and hour, visitors per site and day);
the audit log indexed for its filters

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hourly_arrivals',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
        sa.Column('arrivals', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_hourly_arrivals_site_id_sites')),
        sa.PrimaryKeyConstraint('site_id', 'day', 'hour', name=op.f('pk_hourly_arrivals')),
    )
    op.create_table(
        'daily_visitors',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('visitors', sa.Integer(), nullable=False),
        sa.Column('positions', sa.Integer(), nullable=False),
        sa.Column('summarised_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_daily_visitors_site_id_sites')),
        sa.PrimaryKeyConstraint('site_id', 'day', name=op.f('pk_daily_visitors')),
    )
    # GET /api/v1/audit filters by actor or action and pages by id, newest first
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor_id', ['actor', 'id'], unique=False)
        batch_op.create_index('ix_audit_log_action_id', ['action', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_action_id')
        batch_op.drop_index('ix_audit_log_actor_id')
    op.drop_table('daily_visitors')
    op.drop_table('hourly_arrivals')
