"""Request and answer bodies of the INS identity actions (patients, INSi, cards, journals)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reference_lgo.services.identities import PatientExtra
from reference_lgo.services.settings import EvidenceTypeSetting

AuthMode = Literal["manu", "auto", "cpx"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ----------------------------------------------------------------------------------


class PatientCreate(_In):
    """Only the five strict traits are required; a missing one is reported by name."""

    birth_name: str | None = Field(default=None, max_length=200, examples=["Garnier"])
    first_names: list[str] | str | None = Field(default=None, examples=[["Julien", "Marc"]])
    sex: str | None = Field(default=None, max_length=10, examples=["M"])
    birth_date: str | None = Field(default=None, max_length=10, description="AAAA-MM-JJ (00 permis)")
    birth_place: str | None = Field(default=None, max_length=10, description="Code COG (5 caractères)")
    used_name: str | None = Field(default=None, max_length=200)
    used_first_name: str | None = Field(default=None, max_length=200)
    extra: PatientExtra | None = None


class PatientPatch(_In):
    changes: dict[str, str | list[str] | None] = Field(
        description="Trait -> nouvelle valeur (traits stricts, used_name, used_first_name, phone, email, address)"
    )
    reason: str | None = Field(
        default=None, max_length=300, description="Obligatoire pour un trait verrouillé"
    )


class FlagsIn(_In):
    douteuse: bool | None = None
    fictive: bool | None = None
    homonyme: bool | None = None
    reason: str | None = Field(default=None, max_length=300)


class EvidenceIn(_In):
    type: str = Field(
        max_length=32, description="Code d'un type de justificatif (GET /settings/evidence-types)"
    )
    checked: bool = Field(default=True, description="Pièce contrôlée par l'utilisateur (validation manuelle)")
    reference: str | None = Field(default=None, max_length=100)


class VitaleChoice(_In):
    reader: str | None = Field(default=None, max_length=200)
    beneficiary_index: int | None = Field(default=None, ge=1, le=20)


class InsiSearchIn(_In):
    mode: Literal["traits", "vitale"] = "traits"
    auth: AuthMode | None = Field(default=None, description="Défaut : manu (INSI-MANU)")
    vitale: VitaleChoice | None = None


class InsiAcceptIn(_In):
    candidate_id: str = Field(min_length=1, max_length=36)


class InsiVerifyIn(_In):
    auth: AuthMode | None = Field(default=None, description="Défaut : auto (INSI-AUTO)")


class DisplayedTraitsIn(_In):
    traits: list[str]


class EvidenceTypesIn(_In):
    types: list[EvidenceTypeSetting] | None = None
    auto_validation: bool | None = None


# --- answers -----------------------------------------------------------------------------------


class TraitsOut(BaseModel):
    birth_name: str
    first_names: list[str]
    first_name: str | None
    sex: str
    birth_date: str
    birth_place: str | None


class InsOut(BaseModel):
    matricule: str
    oid: str
    oid_label: str


class FlagsOut(BaseModel):
    douteuse: bool
    fictive: bool
    homonyme: bool


class EvidenceOut(BaseModel):
    id: int
    type: str
    label: str
    trust: Literal["haute", "faible"]
    checked: bool
    validating: bool
    reference: str | None
    at: str
    author: str


class PatientOut(BaseModel):
    id: int
    status: Literal["PROV", "RECUP", "VALI", "QUAL"]
    status_label: str
    traits: TraitsOut
    used_name: str | None
    used_first_name: str | None
    locked_traits: list[str]
    ins: InsOut | None = Field(description="Absent sans INS, ou sans le droit ins.voir_matricule")
    ins_masked: bool
    ins_transmissible: bool
    flags: FlagsOut
    insi_allowed: bool
    evidence: list[EvidenceOut]
    displayed: dict[str, Any]
    extra: dict[str, str | None]
    created_at: str
    updated_at: str


class PatientSummaryOut(BaseModel):
    id: int
    status: str
    status_label: str
    birth_name: str
    first_names: list[str]
    used_name: str | None
    used_first_name: str | None
    sex: str
    birth_date: str
    birth_place: str | None


class PatientPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[PatientSummaryOut]


class StatusChangeOut(BaseModel):
    old: str | None
    new: str
    old_label: str | None
    new_label: str
    at: str
    author: str
    author_name: str
    reason: str


class TransmissionOut(BaseModel):
    patient_id: int
    status: str
    traits: dict[str, Any]
    ins: InsOut | None
    ins_masked: bool
    reason: str


class RefusalOut(BaseModel):
    code: str
    message: str


class CoherenceOut(BaseModel):
    ok: bool
    refusals: list[RefusalOut]


class CandidateOut(BaseModel):
    ins: InsOut | None
    history: list[dict[str, Any]]
    traits: TraitsOut


class ExchangeOut(BaseModel):
    id: int
    exchange_id: str
    message_id: str
    operation: str
    credential: str
    code_cr: str | None
    fault_code: str | None


class InsiSearchOut(BaseModel):
    patient_id: int
    mode: str
    code_cr: str
    label: str
    local: TraitsOut
    candidate: CandidateOut | None
    candidate_id: str | None
    ins_masked: bool
    coherence: CoherenceOut
    exchanges: list[ExchangeOut]


class InsiVerifyOut(BaseModel):
    result: Literal["OK", "KO"]
    message: str
    reason: str
    downgraded: bool
    status: str
    exchanges: list[ExchangeOut]


class BeneficiaryOut(BaseModel):
    index: int
    nir: str
    birth_name: str
    usage_name: str
    first_name: str
    birth_date: str
    rang: int
    qualite: str | None


class VitaleCardOut(BaseModel):
    reader: str
    serial: str | None
    insured_nir: str | None
    beneficiaries: list[BeneficiaryOut]


class JournalPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


class DisplayedTraitsOut(BaseModel):
    core: list[str]
    traits: list[str]
    available: list[str]


class EvidenceTypesOut(BaseModel):
    types: list[EvidenceTypeSetting]
    auto_validation: bool
