"""presence checkpoints: presence is written behind, replayed from here after a crash

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('presence_checkpoints',
    sa.Column('writer', sa.String(length=64), nullable=False),
    sa.Column('event_pk', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('writer', name=op.f('pk_presence_checkpoints'))
    )


def downgrade() -> None:
    op.drop_table('presence_checkpoints')
