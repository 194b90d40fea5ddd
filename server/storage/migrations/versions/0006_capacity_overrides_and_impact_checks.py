"""a zone's live capacity set over the venue data (and every change of it); saved
heritage-impact checks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'zone_capacity_overrides',
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('zone_id', sa.String(length=128), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('source', sa.JSON(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('set_by', sa.String(length=128), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_zone_capacity_overrides_site_id_sites')),
        sa.PrimaryKeyConstraint('site_id', 'zone_id', name=op.f('pk_zone_capacity_overrides')),
    )
    op.create_table(
        'zone_capacity_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('zone_id', sa.String(length=128), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('previous', sa.Integer(), nullable=True),
        sa.Column('source', sa.JSON(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('changed_by', sa.String(length=128), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_zone_capacity_changes_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_zone_capacity_changes')),
    )
    with op.batch_alter_table('zone_capacity_changes', schema=None) as batch_op:
        batch_op.create_index('ix_zone_capacity_changes_zone_at', ['site_id', 'zone_id', 'at'],
                              unique=False)
    op.create_table(
        'impact_checks',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('geometry', sa.JSON(), nullable=False),
        sa.Column('height_m', sa.Float(), nullable=True),
        sa.Column('buffer_m', sa.Float(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_impact_checks_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_checks')),
    )
    with op.batch_alter_table('impact_checks', schema=None) as batch_op:
        batch_op.create_index('ix_impact_checks_site_created', ['site_id', 'created_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('impact_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_impact_checks_site_created')
    op.drop_table('impact_checks')
    with op.batch_alter_table('zone_capacity_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_zone_capacity_changes_zone_at')
    op.drop_table('zone_capacity_changes')
    op.drop_table('zone_capacity_overrides')
