"""The journal on SQLite (file, WAL) and on PostgreSQL: read-after-write, batching, body dedup, filters."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from simulators.core.findings import Finding
from simulators.core.journal import BodyRef, ExchangeFilter, ExchangeRecord, Journal, RequestRecord, body_url

T0 = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'journal.sqlite'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    name = f"journal_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def record(
    n: int, *, service: str = "insi", operation: str = "op", body: bytes | None = None, **corr: str
) -> tuple[ExchangeRecord, list[BodyRef]]:
    refs = [BodyRef.of(body, "application/xml")] if body is not None else []
    request = RequestRecord(
        headers={"content-type": "application/xml"},
        body_sha256=refs[0].sha256 if refs else None,
        body_url=body_url(refs[0].sha256) if refs else None,
    )
    rec = ExchangeRecord(
        id=f"rec-{n}-{uuid.uuid4().hex[:6]}",
        service=service,
        operation=operation,
        started_at=T0 + timedelta(seconds=n),
        ended_at=T0 + timedelta(seconds=n, milliseconds=5),
        request=request,
        correlation=corr,
        findings=[Finding("R-1", "warning", ["W1-INS-01"], "message")],
        scenario_id="scn-1" if n % 2 else None,
    )
    return rec, refs


def wait_until(predicate: object, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_read_after_write_before_and_after_flush(database_url: str) -> None:
    journal = Journal(database_url, autostart=False)
    try:
        rec, refs = record(1, body=b"<a/>", ins="1234")
        journal.add(rec, refs)
        assert journal.pending_count == 1
        assert [r.id for r in journal.query(ExchangeFilter())] == [rec.id]
        assert journal.body(refs[0].sha256).data == b"<a/>"
        assert journal.flush() == 1
        assert journal.pending_count == 0
        found = journal.query(ExchangeFilter())
        assert [r.id for r in found] == [rec.id]
        assert found[0] == rec
        assert journal.get(rec.id) == rec
        assert journal.body(refs[0].sha256).content_type == "application/xml"
    finally:
        journal.close()


def test_bodies_are_stored_once(database_url: str) -> None:
    journal = Journal(database_url, autostart=False)
    try:
        for n in range(3):
            journal.add(*record(n, body=b"<same/>"))
        journal.flush()
        journal.add(*record(9, body=b"<same/>"))
        journal.add(*record(10, body=b"<other/>"))
        journal.flush()
        assert journal.count_bodies() == 2
        assert len(journal.query(ExchangeFilter())) == 5
    finally:
        journal.close()


def test_background_flusher_writes_full_batches(database_url: str) -> None:
    journal = Journal(database_url, flush_interval_s=3600, batch_size=3)
    try:
        for n in range(2):
            journal.add(*record(n))
        assert journal.pending_count == 2  # below the batch size, the hour-long interval holds them
        journal.add(*record(2))
        assert wait_until(lambda: journal.pending_count == 0)
        assert len(journal.query(ExchangeFilter())) == 3
    finally:
        journal.close()


def test_close_flushes_and_a_new_journal_reads_everything(database_url: str) -> None:
    journal = Journal(database_url, flush_interval_s=3600)
    journal.add(*record(1))
    journal.close()
    reopened = Journal(database_url, autostart=False)
    try:
        assert len(reopened.query(ExchangeFilter())) == 1
    finally:
        reopened.close()


def test_filters_apply_to_stored_and_pending_records_alike(database_url: str) -> None:
    journal = Journal(database_url, autostart=False)
    try:
        for n in range(6):
            journal.add(
                *record(n, service="insi" if n < 4 else "dmp", operation=f"op{n % 2}", ins=f"ins{n % 3}")
            )
            if n == 2:
                journal.flush()  # half stored, half pending

        def ids(**kw: object) -> list[int]:
            return [int(r.id.split("-")[1]) for r in journal.query(ExchangeFilter(**kw))]  # type: ignore[arg-type]

        assert ids() == [0, 1, 2, 3, 4, 5]
        assert ids(service="dmp") == [4, 5]
        assert ids(operation="op1") == [1, 3, 5]
        assert ids(correlation={"ins": "ins0"}) == [0, 3]
        assert ids(scenario_id="scn-1") == [1, 3, 5]
        assert ids(since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4)) == [2, 3]
        assert ids(limit=2) == [4, 5]
        assert ids(service="insi", operation="op0", correlation={"ins": "ins2"}) == [2]
    finally:
        journal.close()


def test_subscribers_see_every_record_and_can_unsubscribe(database_url: str) -> None:
    journal = Journal(database_url, autostart=False)
    try:
        seen: list[str] = []
        unsubscribe = journal.subscribe(lambda r: seen.append(r.id))
        first, _ = record(1)
        journal.add(first)
        unsubscribe()
        journal.add(*record(2))
        assert seen == [first.id]
    finally:
        journal.close()
