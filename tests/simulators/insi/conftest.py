"""Fixtures of the INSi simulator tests: the test PKI (generated once per session), a seeded
backend and the request handler."""

from __future__ import annotations

from pathlib import Path

import pytest
from insi_testkit import seed_payload

from protocols.pki import TestPKI
from simulators.insi.models import InsiBackend
from simulators.insi.wire import InsiHandler, Trust


@pytest.fixture(scope="session")
def pki(bench_home: Path) -> TestPKI:
    return TestPKI.ensure(bench_home / "pki")


@pytest.fixture()
def backend() -> InsiBackend:
    b = InsiBackend()
    b.seed(seed_payload())
    return b


@pytest.fixture()
def handler(backend: InsiBackend, pki: TestPKI) -> InsiHandler:
    trust = Trust(
        roots=[*pki.trust_roots(), pki.personnes.cert],
        organisations=pki.organisations.cert.subject,
        personnes=pki.personnes.cert.subject,
    )
    return InsiHandler(backend, trust)
