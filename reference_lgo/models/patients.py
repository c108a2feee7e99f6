"""Patient identities (RNIV): the five strict traits, the INS obtained through INSi, the flags, the
identity documents checked, the status history, and the INSi answers waiting to be integrated.

The status is derived by `domain.identity` from the other columns; it is stored for queries and
always rewritten with them, never set on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reference_lgo.models.base import Base, UtcDateTime


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_birth_date", "birth_date"),
        Index("ix_patients_matricule", "matricule"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Strict traits in INS form. The birth date stays text: lunar dates (00 day or month) exist.
    birth_name: Mapped[str] = mapped_column(String(100))
    first_names: Mapped[list[str]] = mapped_column(JSON)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[str] = mapped_column(String(10))
    # None only for records loaded from an older system (a creation requires it).
    birth_place: Mapped[str | None] = mapped_column(String(5))
    used_name: Mapped[str | None] = mapped_column(String(100))
    used_first_name: Mapped[str | None] = mapped_column(String(100))
    matricule: Mapped[str | None] = mapped_column(String(15))
    oid: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(5))
    douteuse: Mapped[bool] = mapped_column(Boolean, default=False)
    fictive: Mapped[bool] = mapped_column(Boolean, default=False)
    homonyme: Mapped[bool] = mapped_column(Boolean, default=False)
    # " KEY1 KEY2 ... ": search forms of every name and first name, so that a prefix search is one
    # LIKE '% KEY%' (the domain predicates then decide).
    search_keys: Mapped[str] = mapped_column(Text)
    # The record's id in the system it was loaded from (a bench world's `lp-…`): seeding twice
    # does not duplicate a patient.
    source_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Optional contact data (phone, email, address): never required (W1-INS-03).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Optimistic locking: a change computed from a stale read is refused, not merged.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook


class PatientStatusChange(Base):
    """One change of an identity's status (W1-INS-15): append-only."""

    __tablename__ = "patient_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    old: Mapped[str | None] = mapped_column(String(5))
    new: Mapped[str] = mapped_column(String(5))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    author_login: Mapped[str | None] = mapped_column(String(32))
    author_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))


class PatientEvidence(Base):
    """An identity document recorded for a patient (W1-INS-13). Withdrawn, never deleted."""

    __tablename__ = "patient_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    type_code: Mapped[str] = mapped_column(String(32))
    type_label: Mapped[str] = mapped_column(String(100))
    # Trust level of the type when the document was recorded (the configurable list may change).
    high_trust: Mapped[bool] = mapped_column(Boolean)
    # The user checked the document (manual validation).
    checked: Mapped[bool] = mapped_column(Boolean)
    # Counts for the status: checked, or validated automatically (setting that can be switched off).
    validating: Mapped[bool] = mapped_column(Boolean)
    reference: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by_login: Mapped[str | None] = mapped_column(String(32))
    recorded_by_name: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawn_by_login: Mapped[str | None] = mapped_column(String(32))
    withdraw_reason: Mapped[str | None] = mapped_column(String(300))


class InsiCandidate(Base):
    """An identity INSi returned (CR 00), kept until a user integrates it or it expires."""

    __tablename__ = "insi_candidates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    # The patient's version the answer was compared with: integrating it into a record changed
    # since then is refused.
    patient_version: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))  # traits | vitale
    matricule: Mapped[str] = mapped_column(String(15))
    oid: Mapped[str] = mapped_column(String(64))
    traits: Mapped[dict[str, Any]] = mapped_column(JSON)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    call_id: Mapped[int | None] = mapped_column(Integer)  # insi_call_journal.id of the final answer
    account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
