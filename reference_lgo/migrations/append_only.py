"""Append-only journals enforced by the database itself (UPDATE and DELETE refused, whatever the
client): one helper for every revision that adds such a table. It emits plain DDL only, so revisions
that use it stay frozen history."""

from __future__ import annotations

from alembic import op

JOURNAL_GUARD_FUNCTION = "lgo_journal_append_only"
JOURNAL_GUARD_MESSAGE = "journal en ajout seul : modification et suppression interdites"


def guard_tables(*tables: str) -> None:
    """Refuses UPDATE and DELETE on `tables` (PostgreSQL: a shared trigger function; SQLite: RAISE)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {JOURNAL_GUARD_FUNCTION}() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{JOURNAL_GUARD_MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {JOURNAL_GUARD_FUNCTION}()"
            )
        return
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{JOURNAL_GUARD_MESSAGE}'); END"
            )
