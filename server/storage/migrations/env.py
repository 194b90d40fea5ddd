"""Alembic environment: runs against the engine handed over by server.storage.database.Database.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from server.storage.models import Base

config = context.config
engine = config.attributes.get("connection_engine")
if engine is None:  # plain `alembic` command line: DATABASE_URL or the default SQLite file
    from server.config import load_config

    engine = create_engine(load_config()["DATABASE_URL"])

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
