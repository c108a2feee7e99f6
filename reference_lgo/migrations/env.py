"""Alembic environment of the reference LGO. `Database.migrate()` passes its connection in
`config.attributes["connection"]`; the `alembic` command line uses `sqlalchemy.url` instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from reference_lgo.db import VERSION_TABLE
from reference_lgo.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=True,  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as owned:
        _run(owned)
