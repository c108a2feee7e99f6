"""Database plumbing: configuration from the environment, Alembic migrations up and down, reset
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Connection, inspect

from reference_lgo.db import VERSION_TABLE, Database, alembic_config
from reference_lgo.settings import LgoConfig

TABLES = {"accounts", "account_permissions", "role_permissions", "sessions", "audit_events", "settings"}


def test_sqlite_under_the_bench_home_by_default(tmp_path: Path) -> None:
    config = LgoConfig.from_env({"SEGUR_BENCH_HOME": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'db' / 'lgo.sqlite'}"
    assert config.driver_token is None and config.card_mode is None
    database = Database(config.database_url)
    database.migrate()
    assert (tmp_path / "db" / "lgo.sqlite").exists()
    database.dispose()
    other = LgoConfig.from_env(
        {"SEGUR_BENCH_HOME": str(tmp_path), "SEGUR_BENCH_LGO_DATABASE_URL": "postgresql+psycopg://u@h/db",
         "SEGUR_BENCH_DRIVER_TOKEN": "t", "SEGUR_BENCH_CARDS": "pcsc"}
    )  # fmt: skip
    assert other.database_url == "postgresql+psycopg://u@h/db"
    assert (other.driver_token, other.card_mode) == ("t", "pcsc")


def test_migrations_go_up_and_down_and_are_idempotent(database_url: str) -> None:
    database = Database(database_url)
    try:
        database.migrate()
        database.migrate()
        assert TABLES | {VERSION_TABLE} <= set(inspect(database.engine).get_table_names())
        config = alembic_config(database_url)
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert not TABLES & set(inspect(database.engine).get_table_names())
        database.migrate()
        assert set(inspect(database.engine).get_table_names()) >= TABLES
    finally:
        database.dispose()


def test_reset_drops_only_the_lgo_tables(database_url: str) -> None:
    database = Database(database_url)
    try:
        database.migrate()
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE voisin (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at) VALUES ('idam', '\"X\"', '2026-01-01 00:00:00')"
            )
        database.reset()
        names = set(inspect(database.engine).get_table_names())
        assert names >= TABLES and "voisin" in names  # another part's table sharing the database survives
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM settings").scalar() == 0
    finally:
        database.dispose()


APPEND_ONLY_TABLES = (
    "audit_events",
    "ins_access_journal",
    "insi_call_journal",
    "patient_status_changes",
    "partner_traces",
    "id_document_purges",
)


def test_every_journal_refuses_update_and_delete_in_the_database(database_url: str) -> None:
    """Every journal gets its UPDATE/DELETE guard from the migrations (the guards firing on real rows are
    tested with the journals themselves: test_lgo_audit, test_lgo_identities)."""
    database = Database(database_url)
    try:
        database.migrate()
        for table in APPEND_ONLY_TABLES:
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with database.engine.connect() as connection:
                    guarded = _guarded(connection, table, statement)
                assert guarded, f"{table} : aucun déclencheur ne refuse « {statement} »"
    finally:
        database.dispose()


def _guarded(connection: Connection, table: str, statement: str) -> bool:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        names = connection.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal",
            {"t": table},
        ).scalars()
    else:
        names = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).scalars()
    verb = statement.split()[0].lower()
    return any(verb in name or "append_only" in name for name in names)
