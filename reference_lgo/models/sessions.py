"""Server-side sessions: one table for browser sessions and driver tokens, so that inactivity
logout, revocation and the audit author work the same for both channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime


class UserSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_account_open", "account_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the cookie value or bearer token: a database leak does not leak live sessions.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))  # ui | driver
    auth_method: Mapped[str] = mapped_column(String(10))  # password | cps
    id_nat_ps: Mapped[str | None] = mapped_column(String(40))  # from the card certificate (CPS logins)
    # The reader the card was read in: CPx mode signs INSi assertions on the card in that reader.
    card_reader: Mapped[str | None] = mapped_column(String(200))
    csrf_token: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(20))  # deconnexion | inactivite | compte_desactive
