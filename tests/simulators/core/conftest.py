"""Fixtures of the core's tests: the test PKI, a running stack with test-only services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from core_testkit import descriptor

from protocols.pki import TestPKI
from simulators.core.testing import RunningStack, running_stack


@pytest.fixture(scope="session")
def core_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("core-home")


@pytest.fixture(scope="session")
def pki(core_home: Path) -> TestPKI:
    return TestPKI.ensure(core_home / "pki")


@pytest.fixture(scope="module")
def stack(core_home: Path, pki: TestPKI) -> Iterator[RunningStack]:
    services = [descriptor("echo", True), descriptor("plain", False), descriptor("insi", False)]
    with running_stack(core_home, descriptors=services) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "stack" in request.fixturenames:
        running: RunningStack = request.getfixturevalue("stack")
        for host in running.runtime.hosts.values():
            host.faults.clear()
