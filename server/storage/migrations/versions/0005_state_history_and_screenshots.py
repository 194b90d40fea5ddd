"""zone-state changes kept with time, reason and who; each kiosk's last screenshot

Closures are drawn on the microclimate charts from ``zone_state_changes`` (``zone_states``
holds only the state now). A kiosk's last uploaded frame lives in the database, so that every
server process sharing it serves the same picture.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'zone_state_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('zone_id', sa.String(length=128), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('changed_by', sa.String(length=128), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'],
                                name=op.f('fk_zone_state_changes_site_id_sites')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_zone_state_changes')),
    )
    with op.batch_alter_table('zone_state_changes', schema=None) as batch_op:
        batch_op.create_index('ix_zone_state_changes_site_at', ['site_id', 'at'], unique=False)
    # the changes made before this table existed: the state each zone has now, from when
    op.execute("INSERT INTO zone_state_changes (site_id, zone_id, state, reason, changed_by, at) "
               "SELECT site_id, zone_id, state, reason, changed_by, changed_at FROM zone_states")
    op.create_table(
        'kiosk_screenshots',
        sa.Column('kiosk_id', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'],
                                name=op.f('fk_kiosk_screenshots_kiosk_id_kiosks')),
        sa.PrimaryKeyConstraint('kiosk_id', name=op.f('pk_kiosk_screenshots')),
    )


def downgrade() -> None:
    op.drop_table('kiosk_screenshots')
    with op.batch_alter_table('zone_state_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_zone_state_changes_site_at')
    op.drop_table('zone_state_changes')
