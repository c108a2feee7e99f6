"""Database plumbing: configuration from the environment, Alembic migrations up and down, reset
(SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

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
