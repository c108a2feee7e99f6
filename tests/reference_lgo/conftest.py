"""Fixtures of the reference LGO tests: a database per test (SQLite, and PostgreSQL when the
cluster fixture is available), the app behind a TestClient, the test PKI and its cards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from _lgo_support import PROS, CardSet, cps_catalog, seed_payload
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from protocols.pki import TestPKI
from reference_lgo.app import create_app
from reference_lgo.runtime import Runtime
from reference_lgo.settings import LgoConfig


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new database in the throwaway PostgreSQL cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lgo.sqlite'}"
        return
    server_url: str = request.getfixturevalue("postgres_url")
    name = f"lgo_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lgo.sqlite'}"


def _runtime(home: Path, url: str, token: str | None = None) -> Runtime:
    return Runtime.start(LgoConfig(home=home, database_url=url, driver_token=token, card_mode="bench"))


@pytest.fixture
def runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    runtime = _runtime(tmp_path / "home", database_url)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def seeded(client: TestClient) -> TestClient:
    answer = client.post("/driver/v1/seed", json=seed_payload())
    assert answer.status_code == 200, answer.text
    return client


@pytest.fixture
def sqlite_client(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    """SQLite only: for tests of the UI and the driver API that do not depend on the database."""
    runtime = _runtime(tmp_path / "home", sqlite_url)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as test_client:
        answer = test_client.post("/driver/v1/seed", json=seed_payload())
        assert answer.status_code == 200, answer.text
        yield test_client
    runtime.db.dispose()


@pytest.fixture(scope="session")
def lgo_pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestPKI, Path]:
    """The test PKI and its export (the trust files an LGO is given)."""
    directory = tmp_path_factory.mktemp("lgo-pki")
    pki = TestPKI.ensure(directory / "pki")
    export = directory / "export"
    pki.export(
        export,
        [(pro.id_nat_ps, pro.display_name) for pro in PROS.values() if pro.key not in ("revoque", "expire")],
    )
    return pki, export


@pytest.fixture(scope="session")
def lgo_cards(lgo_pki: tuple[TestPKI, Path]) -> CardSet:
    return cps_catalog(lgo_pki[0])
