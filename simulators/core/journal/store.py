"""The journal store: pending records in memory, flushed in batches to any SQLAlchemy database.

Readers (`query`, `get`, `body`) merge what is stored with what is still pending, so a record is
visible as soon as its exchange ends (CONVENTIONS). Records leave the pending list only after their
batch is committed, and readers snapshot the pending list before querying the database: a record is
never invisible in between.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from simulators.core.journal.filters import MAX_LIMIT, ExchangeFilter
from simulators.core.journal.flusher import Flusher
from simulators.core.journal.models import Base, BodyRow, CorrelationRow, ExchangeRow
from simulators.core.journal.records import BodyRef, ExchangeRecord

log = logging.getLogger(__name__)
Subscriber = Callable[[ExchangeRecord], None]


def default_database_url() -> str:
    """SEGUR_BENCH_SIM_DATABASE_URL, else a SQLite file under $SEGUR_BENCH_HOME/db/."""
    url = os.environ.get("SEGUR_BENCH_SIM_DATABASE_URL")
    if url:
        return url
    db_dir = Path(os.environ.get("SEGUR_BENCH_HOME", "var")).resolve() / "db"
    db_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{db_dir / 'simulators.sqlite'}"


def _epoch_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database in (None, "", ":memory:"):
        # One shared in-memory database for every thread (tests, throwaway runs).
        return create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class Journal:
    def __init__(
        self,
        url: str | None = None,
        *,
        flush_interval_s: float = 0.1,
        batch_size: int = 200,
        autostart: bool = True,
    ) -> None:
        self.url = url or default_database_url()
        self.engine = make_engine(self.url)
        Base.metadata.create_all(self.engine)
        self.batch_size = batch_size
        # An in-memory SQLite database is one connection shared by every thread: serialise its use.
        self._db_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if isinstance(self.engine.pool, StaticPool) else contextlib.nullcontext()
        )
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[tuple[ExchangeRecord, tuple[BodyRef, ...]]] = []
        self._subscribers: list[Subscriber] = []
        self._flusher = Flusher(self.flush, flush_interval_s)
        self._closed = False
        if autostart:
            self._flusher.start()

    # --- writing -------------------------------------------------------------------------------
    def add(self, record: ExchangeRecord, bodies: Iterable[BodyRef] = ()) -> None:
        """Queues a record (never blocks on the database) and tells the subscribers."""
        with self._lock:
            self._pending.append((record, tuple(bodies)))
            full = len(self._pending) >= self.batch_size
        if full:
            self._flusher.poke()
        for subscriber in list(self._subscribers):
            try:
                subscriber(record)
            except Exception:
                log.exception("abonné du journal en erreur")

    def flush(self) -> int:
        """Writes every pending record in one transaction; returns how many were written."""
        with self._flush_lock:
            with self._lock:
                batch = list(self._pending)
            if not batch:
                return 0
            self._write(batch)
            with self._lock:
                del self._pending[: len(batch)]
            return len(batch)

    def _write(self, batch: list[tuple[ExchangeRecord, tuple[BodyRef, ...]]]) -> None:
        bodies: dict[str, BodyRef] = {}
        for _record, refs in batch:
            for ref in refs:
                bodies.setdefault(ref.sha256, ref)
        with self._db_lock, Session(self.engine) as session, session.begin():
            if bodies:
                known = set(session.scalars(select(BodyRow.sha256).where(BodyRow.sha256.in_(list(bodies)))))
                missing = [
                    {"sha256": r.sha256, "content_type": r.content_type, "size": len(r.data), "data": r.data}
                    for sha, r in bodies.items()
                    if sha not in known
                ]
                if missing:
                    session.execute(self._insert_ignoring_duplicates(), missing)
            session.execute(
                insert(ExchangeRow),
                [
                    {
                        "id": rec.id,
                        "service": rec.service,
                        "operation": rec.operation,
                        "direction": rec.direction,
                        "started_us": _epoch_us(rec.started_at),
                        "scenario_id": rec.scenario_id,
                        "record": rec.model_dump_json(),
                    }
                    for rec, _ in batch
                ],
            )
            correlations = [
                {"exchange_id": rec.id, "key": k, "value": v}
                for rec, _ in batch
                for k, v in rec.correlation.items()
            ]
            if correlations:
                session.execute(insert(CorrelationRow), correlations)

    def _insert_ignoring_duplicates(self) -> Any:
        """Another process sharing a PostgreSQL journal may store the same body at the same time."""
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(BodyRow).on_conflict_do_nothing(index_elements=["sha256"])
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(BodyRow).on_conflict_do_nothing(index_elements=["sha256"])
        return insert(BodyRow)

    # --- reading -------------------------------------------------------------------------------
    def query(self, flt: ExchangeFilter) -> list[ExchangeRecord]:
        limit = max(1, min(flt.limit, MAX_LIMIT))
        with self._lock:  # snapshot before reading the database (see module docstring)
            pending = [rec for rec, _ in self._pending if flt.matches(rec)]
        stmt = select(ExchangeRow.record).order_by(ExchangeRow.seq.desc()).limit(limit)
        if flt.service is not None:
            stmt = stmt.where(ExchangeRow.service == flt.service)
        if flt.operation is not None:
            stmt = stmt.where(ExchangeRow.operation == flt.operation)
        if flt.scenario_id is not None:
            stmt = stmt.where(ExchangeRow.scenario_id == flt.scenario_id)
        if flt.since is not None:
            stmt = stmt.where(ExchangeRow.started_us >= _epoch_us(flt.since))
        if flt.until is not None:
            stmt = stmt.where(ExchangeRow.started_us < _epoch_us(flt.until))
        for key, value in flt.correlation.items():
            sub = select(CorrelationRow.exchange_id).where(
                CorrelationRow.key == key, CorrelationRow.value == value
            )
            stmt = stmt.where(ExchangeRow.id.in_(sub))
        with self._db_lock, Session(self.engine) as session:
            stored = [ExchangeRecord.model_validate_json(raw) for raw in session.scalars(stmt)]
        stored.reverse()
        seen = {rec.id for rec in stored}
        merged = stored + [rec for rec in pending if rec.id not in seen]
        return merged[-limit:]

    def get(self, record_id: str) -> ExchangeRecord | None:
        with self._lock:
            for rec, _ in self._pending:
                if rec.id == record_id:
                    return rec
        with self._db_lock, Session(self.engine) as session:
            raw = session.scalar(select(ExchangeRow.record).where(ExchangeRow.id == record_id))
        return ExchangeRecord.model_validate_json(raw) if raw else None

    def body(self, sha256: str) -> BodyRef | None:
        with self._lock:
            for _rec, refs in self._pending:
                for ref in refs:
                    if ref.sha256 == sha256:
                        return ref
        with self._db_lock, Session(self.engine) as session:
            row = session.get(BodyRow, sha256)
            return BodyRef(row.sha256, row.data, row.content_type) if row else None

    def count_bodies(self) -> int:
        with self._db_lock, Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(BodyRow)) or 0)

    @property
    def pending_count(self) -> int:
        with self._lock:
            return len(self._pending)

    # --- notifications and lifecycle -----------------------------------------------------------
    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """`subscriber(record)` runs in the writer's thread for every later record; returns an unsubscribe."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._flusher.stop()
        try:
            self.flush()
        finally:
            self.engine.dispose()
