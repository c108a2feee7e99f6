"""Patient identities (RNIV), acting as the session's account: creation, search, reading, changes,
flags, identity documents, status history, transmission, and the identity settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from reference_lgo.driver import deps
from reference_lgo.driver.ins_schemas import (
    DisplayedTraitsIn,
    DisplayedTraitsOut,
    EvidenceIn,
    EvidenceTypesIn,
    EvidenceTypesOut,
    FlagsIn,
    PatientCreate,
    PatientOut,
    PatientPage,
    PatientPatch,
    StatusChangeOut,
    TransmissionOut,
)
from reference_lgo.models import Patient
from reference_lgo.services import identities, identity_changes
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor

router = APIRouter(tags=["patients"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]


def _view(request: Request, session: Session, actor: Actor, patient: Patient) -> dict[str, Any]:
    runtime = deps.runtime(request)
    return identities.patient_view(
        session, actor, runtime.clock.now(), patient, runtime.settings(session), journal_action="modification"
    )


@router.post("/patients", status_code=201, response_model=PatientOut, summary="Créer une identité (PROV)")
def create_patient(request: Request, body: PatientCreate, actor: UserActor, session: Db) -> dict[str, Any]:
    data = identities.NewPatient(**body.model_dump(exclude={"extra"}), extra=body.extra)
    patient = identities.create(session, actor, deps.runtime(request).clock.now(), data)
    return _view(request, session, actor, patient)


@router.get(
    "/patients", response_model=PatientPage, summary="Rechercher des patients (recherche d'antériorité)"
)
def search_patients(
    request: Request,
    actor: UserActor,
    session: Db,
    birth_date: Annotated[str | None, Query(max_length=10, description="AAAA-MM-JJ ou JJ/MM/AAAA")] = None,
    name_prefix: Annotated[str | None, Query(max_length=100)] = None,
    first_name_prefix: Annotated[str | None, Query(max_length=100)] = None,
    matricule: Annotated[str | None, Query(max_length=30, description="15 caractères, clé comprise")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Nom ou prénom, saisie libre")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    criteria = identities.SearchCriteria(birth_date, name_prefix, first_name_prefix, matricule, q)
    rows, total = identities.search(
        session, actor, deps.runtime(request).clock.now(), criteria, limit=limit, offset=offset
    )
    return {
        "total": total,
        "offset": offset,
        "limit": limit,
        "items": [identities.summary_view(row) for row in rows],
    }


@router.get("/patients/{patient_id}", response_model=PatientOut, summary="Lire une identité")
def read_patient(request: Request, patient_id: int, actor: UserActor, session: Db) -> dict[str, Any]:
    runtime = deps.runtime(request)
    return identities.read(session, actor, runtime.clock.now(), patient_id, runtime.settings(session))


@router.patch("/patients/{patient_id}", response_model=PatientOut, summary="Modifier des traits")
def patch_patient(
    request: Request, patient_id: int, body: PatientPatch, actor: UserActor, session: Db
) -> dict[str, Any]:
    now = deps.runtime(request).clock.now()
    patient = identity_changes.modify(session, actor, now, patient_id, body.changes, body.reason)
    return _view(request, session, actor, patient)


@router.get(
    "/patients/{patient_id}/status-history",
    response_model=list[StatusChangeOut],
    summary="Historique des statuts de l'identité",
)
def status_history(patient_id: int, actor: UserActor, session: Db) -> list[dict[str, Any]]:
    return identities.status_history(session, actor, patient_id)


@router.put(
    "/patients/{patient_id}/flags", response_model=PatientOut, summary="Attributs douteuse, fictive, homonyme"
)
def put_flags(
    request: Request, patient_id: int, body: FlagsIn, actor: UserActor, session: Db
) -> dict[str, Any]:
    flags = body.model_dump(exclude={"reason"}, exclude_none=True)
    patient = identity_changes.set_flags(
        session, actor, deps.runtime(request).clock.now(), patient_id, flags, body.reason
    )
    return _view(request, session, actor, patient)


@router.post(
    "/patients/{patient_id}/evidence",
    status_code=201,
    response_model=PatientOut,
    summary="Enregistrer un justificatif d'identité",
)
def add_evidence(
    request: Request, patient_id: int, body: EvidenceIn, actor: UserActor, session: Db
) -> dict[str, Any]:
    runtime = deps.runtime(request)
    patient = identity_changes.add_evidence(
        session,
        actor,
        runtime.clock.now(),
        patient_id,
        runtime.settings(session),
        type_code=body.type,
        checked=body.checked,
        reference=body.reference,
    )
    return _view(request, session, actor, patient)


@router.delete(
    "/patients/{patient_id}/evidence/{evidence_id}",
    response_model=PatientOut,
    summary="Retirer un justificatif",
)
def withdraw_evidence(
    request: Request,
    patient_id: int,
    evidence_id: int,
    actor: UserActor,
    session: Db,
    reason: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    now = deps.runtime(request).clock.now()
    patient = identity_changes.withdraw_evidence(session, actor, now, patient_id, evidence_id, reason)
    return _view(request, session, actor, patient)


@router.get(
    "/patients/{patient_id}/transmission",
    response_model=TransmissionOut,
    summary="Ce que le LGO transmettrait à un partenaire",
)
def transmission(request: Request, patient_id: int, actor: UserActor, session: Db) -> dict[str, Any]:
    return identities.transmission(session, actor, deps.runtime(request).clock.now(), patient_id)


# --- identity settings -----------------------------------------------------------------------------


def _displayed(settings: pharmacy_settings.PharmacySettings) -> DisplayedTraitsOut:
    return DisplayedTraitsOut(
        core=list(identities.CORE_DISPLAYED),
        traits=list(settings.displayed_traits),
        available=list(pharmacy_settings.OPTIONAL_DISPLAYED_TRAITS),
    )


@router.get("/settings/displayed-traits", response_model=DisplayedTraitsOut, summary="Traits affichés")
def get_displayed_traits(request: Request, actor: UserActor, session: Db) -> DisplayedTraitsOut:
    actor.require("parametres.lire")
    return _displayed(deps.runtime(request).settings(session))


@router.put(
    "/settings/displayed-traits", response_model=DisplayedTraitsOut, summary="Choisir les traits affichés"
)
def put_displayed_traits(
    request: Request, body: DisplayedTraitsIn, actor: UserActor, session: Db
) -> DisplayedTraitsOut:
    runtime = deps.runtime(request)
    # The core traits are always shown: naming them is harmless.
    chosen = [name for name in body.traits if name not in identities.CORE_DISPLAYED]
    updated = pharmacy_settings.update(
        session, actor, runtime.clock.now(), runtime.config, {"displayed_traits": chosen}
    )
    return _displayed(updated)


def _evidence_types(settings: pharmacy_settings.PharmacySettings) -> EvidenceTypesOut:
    return EvidenceTypesOut(types=settings.evidence_types, auto_validation=settings.evidence_auto_validation)


@router.get("/settings/evidence-types", response_model=EvidenceTypesOut, summary="Types de justificatifs")
def get_evidence_types(request: Request, actor: UserActor, session: Db) -> EvidenceTypesOut:
    if not actor.can("identites.qualifier"):
        actor.require("parametres.lire")
    return _evidence_types(deps.runtime(request).settings(session))


@router.put(
    "/settings/evidence-types",
    response_model=EvidenceTypesOut,
    summary="Types de justificatifs, niveaux de confiance et validation automatique",
)
def put_evidence_types(
    request: Request, body: EvidenceTypesIn, actor: UserActor, session: Db
) -> EvidenceTypesOut:
    runtime = deps.runtime(request)
    changes: dict[str, Any] = {}
    if body.types is not None:
        changes["evidence_types"] = [item.model_dump() for item in body.types]
    if body.auto_validation is not None:
        changes["evidence_auto_validation"] = body.auto_validation
    if not changes:
        actor.require("parametres.modifier")
        return _evidence_types(runtime.settings(session))
    updated = pharmacy_settings.update(session, actor, runtime.clock.now(), runtime.config, changes)
    return _evidence_types(updated)
