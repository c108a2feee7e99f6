"""The audit trail: append-only (no update or delete path in code; database triggers refuse both)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_action", "action"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Who: copied, not joined, so that an entry keeps its author whatever happens to the account.
    account_id: Mapped[int | None] = mapped_column(Integer)
    account_login: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    id_nat_ps: Mapped[str | None] = mapped_column(String(40))
    auth_method: Mapped[str | None] = mapped_column(String(10))
    # From where.
    channel: Mapped[str] = mapped_column(String(10))  # ui | driver | systeme
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    # What.
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(10))  # succes | echec | refus
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(500))
    # {"avant": {...}, "apres": {...}} for changes; other context otherwise.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
