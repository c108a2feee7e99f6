"""SQLAlchemy tables of the journal: exchanges, their correlation keys, and bodies stored once."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ExchangeRow(Base):
    __tablename__ = "bench_exchanges"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str] = mapped_column(String(64), index=True)
    operation: Mapped[str | None] = mapped_column(String(128), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    started_us: Mapped[int] = mapped_column(BigInteger, index=True)  # epoch microseconds, for since/until
    scenario_id: Mapped[str | None] = mapped_column(String(200), index=True)
    record: Mapped[str] = mapped_column(Text)  # the full record as JSON (CONVENTIONS shape)


class CorrelationRow(Base):
    __tablename__ = "bench_correlations"

    exchange_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("bench_exchanges.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(512))

    __table_args__ = (Index("ix_bench_correlations_kv", "key", "value"),)


class BodyRow(Base):
    __tablename__ = "bench_bodies"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
