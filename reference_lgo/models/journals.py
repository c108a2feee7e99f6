"""The two INS journals (W1-INS-06/19/20): accesses to a patient's INS, and INSi calls with all the
data returned. Append-only like the audit trail (database triggers refuse UPDATE and DELETE).

Who acted is copied, not joined, so that an entry keeps its author whatever happens to the account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime

Id = BigInteger().with_variant(Integer, "sqlite")


class InsAccessEntry(Base):
    __tablename__ = "ins_access_journal"
    __table_args__ = (Index("ix_ins_access_journal_patient", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int | None] = mapped_column(Integer)
    account_login: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    patient_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    matricule: Mapped[str] = mapped_column(String(15))
    oid: Mapped[str] = mapped_column(String(64))
    # False when the INS was present but hidden from the account (no ins.voir_matricule).
    shown: Mapped[bool] = mapped_column(Boolean)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class InsiCallEntry(Base):
    """One exchange with INSi (a traits search of several calls gives several entries)."""

    __tablename__ = "insi_call_journal"
    __table_args__ = (Index("ix_insi_call_journal_patient", "patient_id", "started_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    exchange_id: Mapped[str] = mapped_column(String(36), unique=True)
    # Several exchanges of one search or verification share it.
    call_group: Mapped[str] = mapped_column(String(36))
    patient_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    account_login: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(16))  # recuperation | verification
    mode: Mapped[str] = mapped_column(String(10))  # traits | vitale
    operation: Mapped[str] = mapped_column(String(64))
    credential: Mapped[str] = mapped_column(String(16))  # INSI-MANU | INSI-AUTO | CPx
    credential_detail: Mapped[str | None] = mapped_column(String(64))  # CPx: the idNatPS
    endpoint: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    http_status: Mapped[int | None] = mapped_column(Integer)
    code_cr: Mapped[str | None] = mapped_column(String(2))
    libelle_cr: Mapped[str | None] = mapped_column(String(200))
    # Everything the answer returned (W1-INS-19): active INS, former ones, traits.
    matricule_returned: Mapped[str | None] = mapped_column(String(15))
    oid: Mapped[str | None] = mapped_column(String(64))
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    traits: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fault_code: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(String(1000))
    # Verification: OK / KO and the verdict's reason, on every exchange of that verification.
    result: Mapped[str | None] = mapped_column(String(2))
    verdict: Mapped[str | None] = mapped_column(String(40))
    request: Mapped[bytes] = mapped_column(LargeBinary)
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    request_sha256: Mapped[str] = mapped_column(String(64))
    response_sha256: Mapped[str | None] = mapped_column(String(64))
