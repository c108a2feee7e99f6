"""Shared pytest fixtures: an isolated bench home per session, and a throwaway PostgreSQL 15
cluster (CONVENTIONS: database tests run on SQLite and, when PostgreSQL can be started, again on
PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bench_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private $SEGUR_BENCH_HOME for the test session (PKI generated once, reused)."""
    home = tmp_path_factory.mktemp("bench-home")
    os.environ["SEGUR_BENCH_HOME"] = str(home)
    return home


def _pg_bin() -> Path | None:
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "initdb").exists():
            return base
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL cluster, or a skip when this machine has none.

    CI installs PostgreSQL (scripts/bootstrap.sh), so there these tests always run; SEGUR_BENCH_REQUIRE_PG=1
    turns the skip into a failure so a missing install cannot hide.
    """
    pg_bin = _pg_bin()
    if pg_bin is None:
        if os.environ.get("SEGUR_BENCH_REQUIRE_PG") == "1" or os.environ.get("CI"):
            pytest.fail("PostgreSQL requis (CI) mais introuvable sous /usr/lib/postgresql")
        pytest.skip("PostgreSQL non installé sur cette machine")
    with socket.socket() as probe:  # a free port: another cluster (a parallel run) may hold any fixed one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="segur-pg-"))
    data, sock = workdir / "data", workdir / "sock"
    sock.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres")
        shutil.chown(sock, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_postgres,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "start",
            "-l",
            str(workdir / "log"),
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)
