"""report runs as the API shows them: progress by cell, results, a structured error, the cache

A run's progress is the cell it reached of how many; its error is the failing cell, the
exception's name and its value (the old one-string error becomes the value); its results are
the notebook's key figures; a cache key (indexed) finds an earlier run of the same notebook,
parameters, code and data, which ``cached_from`` names; the output files are named relative to
the run's folder; ``worker`` and ``heartbeat_at`` tell a run whose process died from a live one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_column('progress')
        batch_op.alter_column('error', new_column_name='error_evalue',
                              existing_type=sa.String(length=2000), type_=sa.Text(),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('progress_cell', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('progress_cells', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('results', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('error_cell', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('error_ename', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('cache_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cached_from', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('html_file', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('notebook_file', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_runs_cache_key'), ['cache_key'], unique=False)
        batch_op.create_index('ix_report_runs_status_created', ['status', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_report_runs_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    op.execute("UPDATE report_runs SET error_evalue = substr(error_evalue, 1, 2000)")
    with op.batch_alter_table('report_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_report_runs_created_at')
        batch_op.drop_index('ix_report_runs_status_created')
        batch_op.drop_index(batch_op.f('ix_report_runs_cache_key'))
        for column in ('heartbeat_at', 'worker', 'notebook_file', 'html_file', 'cached_from',
                       'cache_key', 'error_ename', 'error_cell', 'results', 'progress_cells',
                       'progress_cell'):
            batch_op.drop_column(column)
        batch_op.alter_column('error_evalue', new_column_name='error',
                              existing_type=sa.Text(), type_=sa.String(length=2000),
                              existing_nullable=True)
        batch_op.add_column(sa.Column('progress', sa.Double(), nullable=False,
                                      server_default='0'))
