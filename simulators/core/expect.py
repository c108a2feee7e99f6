"""`expect`: wait for an exchange matching an expectation, or say which recent ones came close."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from simulators.core.journal import ExchangeFilter, ExchangeRecord, Journal
from simulators.core.journal.filters import MAX_LIMIT

MAX_NEAR_MISSES = 20


class Expectation(BaseModel):
    service: str | None = None
    operation: str | None = None
    correlation: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=10.0, gt=0, le=600)
    since: datetime | None = None  # also accept records that started at or after this bench time


def mismatches(expectation: Expectation, record: ExchangeRecord) -> list[dict[str, Any]]:
    """The fields where `record` differs from `expectation`, named."""
    out: list[dict[str, Any]] = []
    if expectation.service is not None and record.service != expectation.service:
        out.append({"field": "service", "expected": expectation.service, "actual": record.service})
    if expectation.operation is not None and record.operation != expectation.operation:
        out.append({"field": "operation", "expected": expectation.operation, "actual": record.operation})
    for key, value in expectation.correlation.items():
        actual = record.correlation.get(key)
        if actual != value:
            out.append({"field": f"correlation.{key}", "expected": value, "actual": actual})
    return out


async def wait_for_exchange(journal: Journal, expectation: Expectation) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    arrived: asyncio.Queue[ExchangeRecord] = asyncio.Queue()
    seen: list[ExchangeRecord] = []

    def on_record(record: ExchangeRecord) -> None:
        loop.call_soon_threadsafe(arrived.put_nowait, record)

    unsubscribe = journal.subscribe(on_record)  # before reading the past, so nothing falls in between
    try:
        if expectation.since is not None:
            past = await run_in_threadpool(
                journal.query,
                ExchangeFilter(service=expectation.service, since=expectation.since, limit=MAX_LIMIT),
            )
            for record in past:
                if not mismatches(expectation, record):
                    return record.model_dump(mode="json")
            seen.extend(past)
        try:
            async with asyncio.timeout(expectation.timeout_s):
                while True:
                    record = await arrived.get()
                    if not mismatches(expectation, record):
                        return record.model_dump(mode="json")
                    seen.append(record)
        except TimeoutError:
            pass
    finally:
        unsubscribe()
    return _timeout_answer(expectation, seen)


def _timeout_answer(expectation: Expectation, seen: list[ExchangeRecord]) -> dict[str, Any]:
    candidates = [r for r in seen if expectation.service is None or r.service == expectation.service]
    if not candidates:  # nothing on that service: show what other services received
        candidates = seen
    near = []
    for record in candidates[-MAX_NEAR_MISSES:]:
        data = record.model_dump(mode="json")
        data["mismatches"] = mismatches(expectation, record)
        near.append(data)
    where = f"le service {expectation.service}" if expectation.service else "le banc"
    seconds = f"{expectation.timeout_s:g}".replace(".", ",")
    detail = f"Aucun échange attendu reçu par {where} en {seconds} s ; {len(near)} échange(s) proche(s)."
    return {"timeout": True, "detail": detail, "near_misses": near}
