"""The printable identity sheet of a patient (W1-INS-23): the minimal traits, the INS DataMatrix for
a qualified identity only (documents.identity_sheet), the extra traits the site chose, and a partner
trace for every printout (the recipient, and whether the INS was printed).

Printing a qualified identity shows its INS: it needs ins.voir_matricule like any display of it,
and is journaled in the INS access journal (`transmission`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from protocols.ins_datamatrix import InsDataMatrixError
from reference_lgo.documents.identity_sheet import (
    EXTRA_TRAITS,
    IdentitySheetData,
    IdentitySheetError,
    PharmacyHeader,
    build_identity_sheet,
)
from reference_lgo.domain.identity import IdentityStatus
from reference_lgo.models import Patient, PatientEvidence
from reference_lgo.services import audit, identities, journals, partners
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput
from reference_lgo.services.partners import Recipient

# The extra traits this LGO can fill (documents.identity_sheet knows a few more).
SiteTrait = pharmacy_settings.SheetTrait
SITE_TRAITS = pharmacy_settings.SHEET_TRAITS
SITE_TRAIT_LABELS: dict[str, str] = {name: EXTRA_TRAITS[name] for name in SITE_TRAITS}


@dataclass(frozen=True)
class PrintedSheet:
    pdf: bytes
    filename: str
    trace: dict[str, Any]


def _evidence_text(rows: Sequence[PatientEvidence]) -> str | None:
    row = next((r for r in reversed(rows) if r.validating), None)
    if row is None:
        return None
    return f"{row.type_label} n° {row.reference}" if row.reference else row.type_label


def _extra_values(patient: Patient, rows: Sequence[PatientEvidence]) -> dict[str, str]:
    values = {name: str(value) for name, value in (patient.extra or {}).items() if value}
    values["local_id"] = f"{patient.id}"
    evidence = _evidence_text(rows)
    if evidence:
        values["id_document"] = evidence
    return values


def _checked_traits(
    extra_traits: Sequence[str] | None, settings: pharmacy_settings.PharmacySettings
) -> list[str]:
    chosen = list(settings.identity_sheet_extra_traits if extra_traits is None else extra_traits)
    unknown = [name for name in chosen if name not in SITE_TRAITS]
    if unknown:
        raise InvalidInput(
            f"Trait(s) complémentaire(s) inconnu(s) : {', '.join(unknown)} (possibles : {', '.join(SITE_TRAITS)}).",
            code="trait_complementaire_inconnu",
        )
    return [name for name in SITE_TRAITS if name in chosen]  # stable order, no repetition


def default_recipient(patient: Patient) -> Recipient:
    first = patient.used_first_name or (patient.first_names[0] if patient.first_names else "")
    return Recipient(kind="patient", name=f"{first} {patient.used_name or patient.birth_name}".strip())


def print_sheet(
    session: Session,
    actor: Actor,
    at: datetime,
    settings: pharmacy_settings.PharmacySettings,
    patient_id: int,
    *,
    recipient: Recipient | None = None,
    extra_traits: Sequence[str] | None = None,
) -> PrintedSheet:
    actor.require("patients.lire")
    patient = identities.load(session, patient_id)
    rows = identities.evidence_rows(session, patient)
    identity = identities.identity_of(patient, rows)
    qualified = identity.status == IdentityStatus.QUAL and identity.ins is not None
    if qualified:
        actor.require("ins.voir_matricule")  # the sheet prints the matricule and its DataMatrix
    chosen = _checked_traits(extra_traits, settings)
    recipient = recipient or default_recipient(patient)
    attributes = tuple(name for name in ("douteuse", "fictive", "homonyme") if getattr(patient, name))
    data = IdentitySheetData(
        status=identity.status.value,
        birth_name=identity.traits.birth_name,
        first_names=identity.traits.first_names,
        sex=identity.traits.sex,
        birth_date=identity.traits.birth_date,
        birth_place=identity.traits.birth_place,
        used_name=patient.used_name,
        used_first_name=patient.used_first_name,
        matricule=identity.ins.matricule if qualified and identity.ins else None,
        oid=identity.ins.oid if qualified and identity.ins else None,
        attributes=attributes,
        extra=_extra_values(patient, rows),
    )
    pharmacy = PharmacyHeader(name=settings.pharmacy_name or "Officine", finess=settings.finess or None)
    try:
        pdf = build_identity_sheet(
            data, pharmacy=pharmacy, extra_traits=chosen, printed_by=actor.display_name, printed_at=at
        )
    except (IdentitySheetError, InsDataMatrixError) as error:
        raise InvalidInput(
            f"Fiche d'identité impossible à éditer : {error}", code="fiche_impossible"
        ) from None
    digest = hashlib.sha256(pdf).hexdigest()
    trace = partners.record(
        session,
        actor,
        at,
        patient.id,
        recipient,
        partners.Sent("impression", identity.status.value, qualified, digest),
        {"traits_complementaires": chosen},
    )
    if qualified and identity.ins is not None:
        journals.record_access(
            session,
            actor,
            at,
            patient_id=patient.id,
            action="transmission",
            matricule=identity.ins.matricule,
            oid=identity.ins.oid,
            shown=True,
            details={"canal": "impression", "destinataire": recipient.name},
        )
    audit.record(
        session,
        actor,
        at,
        "patient.fiche_identite",
        f"Fiche d'identité n° {patient.id} imprimée pour {recipient.name} "
        f"({partners.RECIPIENT_KINDS[recipient.kind].lower()}) : "
        + ("INS et DataMatrix imprimés" if qualified else "sans INS (identité non qualifiée)"),
        object_type="patient",
        object_id=str(patient.id),
        details={
            "destinataire": recipient.model_dump(),
            "statut": identity.status.value,
            "ins_imprime": qualified,
            "traits_complementaires": chosen,
            "trace": trace.id,
        },
    )
    return PrintedSheet(pdf, f"fiche-identite-{patient.id}.pdf", partners.view(trace))
