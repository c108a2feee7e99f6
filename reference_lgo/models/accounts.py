"""User accounts of the pharmacy and their permission adjustments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # None: the account can only log in with its CPS/CPE card.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # National PS identifier carried by the card certificate ("8" + RPPS); one account per professional.
    id_nat_ps: Mapped[str | None] = mapped_column(String(40), unique=True)
    professional_ref: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RolePermission(Base):
    """A titulaire's adjustment of a role's default permission set (granted=False removes it)."""

    __tablename__ = "role_permissions"

    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)


class AccountPermission(Base):
    """A titulaire's adjustment for one account, applied after the role's set."""

    __tablename__ = "account_permissions"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(64), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
