"""Identity extras (issue 8): encrypted copies of ID documents with their purge runs, the traces of
the partners who received INS-referenced data, and the reports of bulk INSi verifications.

Who acted is copied, not joined, as in the journals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime

Id = BigInteger().with_variant(Integer, "sqlite")


class IdDocument(Base):
    """A copy of an identity document, encrypted at rest (W1-INS-24). Deleted when purged."""

    __tablename__ = "id_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Random reference bound into the ciphertext (associated data): a blob moved to another row fails.
    ref: Mapped[str] = mapped_column(String(36), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(String(32))
    type_label: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the plain file
    algorithm: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str] = mapped_column(String(40))  # the key itself lives in a file, never here
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    uploaded_by_login: Mapped[str | None] = mapped_column(String(32))
    uploaded_by_name: Mapped[str] = mapped_column(String(200))


class IdDocumentPurge(Base):
    """One run of the purge of ID-document copies (start-up, daily, driver, UI): append-only."""

    __tablename__ = "id_document_purges"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # demarrage | quotidien | pilotage | interface
    purged: Mapped[int] = mapped_column(Integer)
    account_login: Mapped[str | None] = mapped_column(String(32))


class PartnerTrace(Base):
    """A partner received data referenced by a patient's identity (W1-INS-23): append-only.

    Channels: `impression` now; `dmp` and `mssante` when those exchanges exist."""

    __tablename__ = "partner_traces"
    __table_args__ = (Index("ix_partner_traces_patient", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_id: Mapped[int | None] = mapped_column(Integer)
    account_login: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    recipient_kind: Mapped[str] = mapped_column(String(16))  # patient | professionnel | etablissement
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_identifier: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(5))  # identity status when sent
    ins_transmitted: Mapped[bool] = mapped_column(Boolean)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BulkVerification(Base):
    """The report of one bulk verification of stored INS through INSi (W1-INS-25)."""

    __tablename__ = "bulk_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    account_login: Mapped[str | None] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
