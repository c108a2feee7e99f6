"""Loading a bench world's `local_patients` (POST /driver/v1/seed): records as typed at the
counter, with their status, INS and flags; a VALI or QUAL record comes with the document it was
validated on, so that its status holds. Seeding twice adds nothing (world id kept)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from protocols import identifiers
from reference_lgo.domain import identity as rules
from reference_lgo.domain.identity_traits import StrictTraits, TraitsError
from reference_lgo.models import Patient, PatientEvidence
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput
from reference_lgo.services.identities import evidence_types, store


class SeedPatient(BaseModel):
    """scenarios.models.LocalPatient, read without importing it (the LGO imports protocols only)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64)
    birth_name: str
    used_name: str | None = None
    first_names: list[str]
    sex: str
    birth_date: str
    birth_place: str | None = None
    status: Literal["PROV", "RECUP", "VALI", "QUAL"] = "PROV"
    attributes: list[Literal["douteuse", "fictive", "homonyme"]] = []
    matricule: str | None = None
    oid: str | None = None


def _seed_identity(
    item: SeedPatient, settings: pharmacy_settings.PharmacySettings, at: datetime
) -> rules.Identity:
    traits = StrictTraits(
        item.birth_name, tuple(item.first_names), item.sex, item.birth_date, item.birth_place
    )
    try:
        traits = traits.in_ins_form()
        used = rules.change_complementary_trait(rules.Identity(traits), "used_name", item.used_name).used_name
    except (TraitsError, rules.IdentityRuleError) as error:
        raise InvalidInput(f"Patient local « {item.id} » : {error}") from None
    ins = None
    if item.matricule or item.oid:
        try:
            ins = identifiers.parse_ins(item.matricule or "", item.oid or "")
        except identifiers.IdentifierError as error:
            raise InvalidInput(f"Patient local « {item.id} » : {error}") from None
    # A VALI or QUAL record comes with the document it was validated on.
    high = next((t for t in evidence_types(settings) if t.high_trust), None)
    evidence = None
    if item.status in ("VALI", "QUAL") and high is not None:
        evidence = rules.IdentityEvidence(high.code, True, at, "banc", "chargement du banc")
    try:
        identity = rules.Identity(
            traits,
            used_name=used,
            ins=ins,
            evidence=evidence,
            douteuse="douteuse" in item.attributes,
            fictive="fictive" in item.attributes,
            homonyme="homonyme" in item.attributes,
        )
    except rules.IdentityRuleError as error:
        raise InvalidInput(f"Patient local « {item.id} » : {error}") from None
    if identity.status.value != item.status:
        raise InvalidInput(
            f"Patient local « {item.id} » : statut {item.status} incohérent avec ses données "
            f"(le LGO en déduit {identity.status.value})."
        )
    created = rules.StatusChange(None, identity.status, at, "banc", "Chargement des données du banc")
    return replace(identity, history=(created,))


def seed_patients(
    session: Session,
    actor: Actor,
    at: datetime,
    items: Sequence[dict[str, Any]],
    settings: pharmacy_settings.PharmacySettings,
) -> dict[str, list[str]]:
    """Loads a world's `local_patients` (by world id: seeding twice adds nothing)."""
    created: list[str] = []
    existing: list[str] = []
    for raw in items:
        try:
            item = SeedPatient.model_validate(raw)
        except ValidationError as error:
            ref = raw.get("id") if isinstance(raw, dict) else None
            fields = ", ".join(sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]}))
            raise InvalidInput(f"Patient local « {ref} » invalide ({fields}).") from None
        if session.scalar(select(Patient.id).where(Patient.source_ref == item.id)) is not None:
            existing.append(item.id)
            continue
        identity = _seed_identity(item, settings, at)
        patient = Patient(created_at=at, extra={}, source_ref=item.id)
        store(session, patient, identity, actor, at)
        if identity.evidence is not None:
            label = next(t.label for t in settings.evidence_types if t.code == identity.evidence.type_code)
            session.add(
                PatientEvidence(
                    patient_id=patient.id,
                    type_code=identity.evidence.type_code,
                    type_label=label,
                    high_trust=True,
                    checked=True,
                    validating=True,
                    reference=identity.evidence.reference,
                    recorded_at=at,
                    recorded_by_login=actor.login,
                    recorded_by_name=actor.display_name[:200],
                )
            )
        created.append(item.id)
    session.flush()
    return {"created": created, "existing": existing}
