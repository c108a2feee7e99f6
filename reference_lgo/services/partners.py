"""Traces of the partners who received data referenced by a patient's identity (W1-INS-23): one
append-only row per sending, with the recipient, the channel, the identity's status at that time
and whether the INS went with it. Printouts now; DMP and MSSanté sendings will add their channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_lgo.models import PartnerTrace
from reference_lgo.services import identities
from reference_lgo.services.context import Actor

CHANNELS: dict[str, str] = {
    "impression": "Impression (fiche d'identité)",
    "dmp": "DMP",
    "mssante": "Messagerie sécurisée de santé",
}
RecipientKind = Literal["patient", "professionnel", "etablissement"]
RECIPIENT_KINDS: dict[str, str] = {
    "patient": "Le patient",
    "professionnel": "Professionnel de santé",
    "etablissement": "Établissement ou structure",
}


class Recipient(BaseModel):
    """Who receives the data (the patient, a professional, an establishment)."""

    model_config = ConfigDict(extra="forbid")

    kind: RecipientKind
    name: str = Field(min_length=1, max_length=200)
    identifier: str | None = Field(default=None, max_length=64, description="RPPS, FINESS…")

    @field_validator("name", "identifier")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if any(ord(c) < 32 for c in value):
            raise ValueError("caractères de contrôle interdits")
        return value or None


@dataclass(frozen=True)
class Sent:
    channel: str
    status: str
    ins_transmitted: bool
    document_sha256: str | None = None


def record(
    session: Session,
    actor: Actor,
    at: datetime,
    patient_id: int,
    recipient: Recipient,
    sent: Sent,
    details: dict[str, Any] | None = None,
) -> PartnerTrace:
    if sent.channel not in CHANNELS:
        raise ValueError(f"canal de transmission inconnu : {sent.channel}")
    trace = PartnerTrace(
        patient_id=patient_id,
        at=at,
        account_id=actor.account_id,
        account_login=actor.login,
        actor_name=actor.display_name[:200],
        channel=sent.channel,
        recipient_kind=recipient.kind,
        recipient_name=recipient.name[:200],
        recipient_identifier=recipient.identifier,
        status=sent.status,
        ins_transmitted=sent.ins_transmitted,
        document_sha256=sent.document_sha256,
        details=details or {},
    )
    session.add(trace)
    session.flush()
    return trace


def view(trace: PartnerTrace) -> dict[str, Any]:
    return {
        "id": trace.id,
        "at": trace.at.isoformat(),
        "account": trace.account_login,
        "actor_name": trace.actor_name,
        "channel": trace.channel,
        "channel_label": CHANNELS.get(trace.channel, trace.channel),
        "recipient": {
            "kind": trace.recipient_kind,
            "kind_label": RECIPIENT_KINDS.get(trace.recipient_kind, trace.recipient_kind),
            "name": trace.recipient_name,
            "identifier": trace.recipient_identifier,
        },
        "status": trace.status,
        "ins_transmitted": trace.ins_transmitted,
        "document_sha256": trace.document_sha256,
    }


def traces(session: Session, actor: Actor, patient_id: int) -> list[dict[str, Any]]:
    """Every partner who received this patient's data, most recent first."""
    actor.require("patients.lire")
    identities.load(session, patient_id)
    rows = session.scalars(
        select(PartnerTrace)
        .where(PartnerTrace.patient_id == patient_id)
        .order_by(PartnerTrace.at.desc(), PartnerTrace.id.desc())
    )
    return [view(row) for row in rows]
