"""`expect`: a matching record arrives, or the near misses are named."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from core_testkit import client_context

from protocols.pki import TestPKI
from simulators.core.expect import Expectation, mismatches, wait_for_exchange
from simulators.core.journal import ExchangeRecord, Journal
from simulators.core.testing import RunningStack

T0 = datetime(2027, 2, 1, tzinfo=UTC)


@pytest.fixture
def journal() -> Iterator[Journal]:
    j = Journal("sqlite://", autostart=False)
    yield j
    j.close()


def rec(n: int, service: str = "insi", operation: str = "op", **corr: str) -> ExchangeRecord:
    return ExchangeRecord(
        id=f"r{n}",
        service=service,
        operation=operation,
        started_at=T0 + timedelta(seconds=n),
        ended_at=T0 + timedelta(seconds=n),
        correlation=corr,
    )


def test_mismatches_name_each_field() -> None:
    wanted = Expectation(service="insi", operation="verifierIns", correlation={"ins": "1", "idam": "X"})
    got = mismatches(wanted, rec(1, "dmp", "op", ins="2", idam="X"))
    assert got == [
        {"field": "service", "expected": "insi", "actual": "dmp"},
        {"field": "operation", "expected": "verifierIns", "actual": "op"},
        {"field": "correlation.ins", "expected": "1", "actual": "2"},
    ]


def test_a_record_arriving_during_the_wait_is_returned(journal: Journal) -> None:
    async def scenario() -> dict[str, object]:
        waiting = asyncio.create_task(
            wait_for_exchange(journal, Expectation(service="insi", correlation={"ins": "7"}))
        )
        await asyncio.sleep(0.01)
        journal.add(rec(1, ins="6"))
        await asyncio.to_thread(journal.add, rec(2, ins="7"))  # records may come from another thread
        return await waiting

    answer = asyncio.run(scenario())
    assert answer["id"] == "r2"


def test_since_accepts_a_record_already_journaled(journal: Journal) -> None:
    journal.add(rec(1, ins="5"))
    journal.flush()
    journal.add(rec(2, ins="6"))
    found = asyncio.run(
        wait_for_exchange(journal, Expectation(correlation={"ins": "5"}, since=T0, timeout_s=1))
    )
    assert found["id"] == "r1"
    later = Expectation(correlation={"ins": "5"}, since=T0 + timedelta(seconds=2), timeout_s=0.1)
    missed = asyncio.run(wait_for_exchange(journal, later))
    assert missed["timeout"] is True
    assert [m["id"] for m in missed["near_misses"]] == ["r2"]
    assert missed["near_misses"][0]["mismatches"] == [
        {"field": "correlation.ins", "expected": "5", "actual": "6"}
    ]


def test_timeout_without_any_exchange_says_so_in_french(journal: Journal) -> None:
    answer = asyncio.run(wait_for_exchange(journal, Expectation(service="insi", timeout_s=0.05)))
    assert answer == {
        "timeout": True,
        "detail": "Aucun échange attendu reçu par le service insi en 0,05 s ; 0 échange(s) proche(s).",
        "near_misses": [],
    }


def test_expect_through_the_control_plane(stack: RunningStack, pki: TestPKI) -> None:
    def send_later() -> None:
        time.sleep(0.2)
        with httpx.Client(verify=client_context(pki)) as client:
            client.post(stack.url("echo") + "/pong", content=b"<a/>", headers={"x-ins": "1"})
            client.post(stack.url("echo") + "/ping", content=b"<a/>", headers={"x-ins": "2"})

    sender = threading.Thread(target=send_later)
    sender.start()
    found = httpx.post(
        f"{stack.control_url}/echo/expect",
        json={"operation": "ping", "correlation": {"ins": "2"}, "timeout_s": 10},
        timeout=15,
    ).json()
    sender.join()
    assert found["operation"] == "ping" and found["correlation"] == {"ins": "2"}

    missed = httpx.post(
        f"{stack.control_url}/echo/expect",
        json={
            "operation": "ping",
            "correlation": {"ins": "3"},
            "timeout_s": 0.2,
            "since": found["started_at"],
        },
        timeout=15,
    ).json()
    assert missed["timeout"] is True
    assert missed["near_misses"][0]["mismatches"] == [
        {"field": "correlation.ins", "expected": "3", "actual": "2"}
    ]
    wrong = httpx.post(f"{stack.control_url}/echo/expect", json={"service": "plain", "timeout_s": 1})
    assert wrong.status_code == 422
