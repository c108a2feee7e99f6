"""INSi actions and the carte Vitale, acting as the session's account (INSI-MANU by default for a
search, INSI-AUTO for a verification)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from reference_lgo.driver import deps
from reference_lgo.driver.ins_schemas import (
    InsiAcceptIn,
    InsiSearchIn,
    InsiSearchOut,
    InsiVerifyIn,
    InsiVerifyOut,
    PatientOut,
    VitaleCardOut,
)
from reference_lgo.services import identities, insi_calls, vitale
from reference_lgo.services.context import Actor

router = APIRouter(tags=["insi"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]

FAILURES: dict[int | str, dict[str, Any]] = {
    502: {"description": "INSi a répondu par une faute (insi_erreur) ou n'a pas répondu (insi_indisponible)"}
}


@router.post(
    "/patients/{patient_id}/insi/search",
    response_model=InsiSearchOut,
    summary="Rechercher l'INS auprès d'INSi (traits ou carte Vitale)",
    responses=FAILURES,
)
def search(request: Request, patient_id: int, body: InsiSearchIn, actor: UserActor) -> dict[str, Any]:
    choice = body.vitale
    return insi_calls.search(
        deps.runtime(request),
        actor,
        patient_id,
        mode=body.mode,
        auth=body.auth,
        reader=choice.reader if choice else None,
        beneficiary_index=choice.beneficiary_index if choice else None,
    )


@router.post(
    "/patients/{patient_id}/insi/accept",
    response_model=PatientOut,
    summary="Intégrer l'identité renvoyée par INSi (reprise)",
)
def accept(
    request: Request, patient_id: int, body: InsiAcceptIn, actor: UserActor, session: Db
) -> dict[str, Any]:
    runtime = deps.runtime(request)
    now = runtime.clock.now()
    patient = insi_calls.accept(session, actor, now, patient_id, body.candidate_id)
    return identities.patient_view(
        session, actor, now, patient, runtime.settings(session), journal_action="modification"
    )


@router.post(
    "/patients/{patient_id}/insi/verify",
    response_model=InsiVerifyOut,
    summary="Vérifier l'INS détenu auprès d'INSi",
    responses=FAILURES,
)
def verify(
    request: Request, patient_id: int, actor: UserActor, body: InsiVerifyIn | None = None
) -> dict[str, Any]:
    return insi_calls.verify(deps.runtime(request), actor, patient_id, auth=body.auth if body else None)


@router.get("/cards/vitale", response_model=VitaleCardOut, summary="Lire la carte Vitale du lecteur")
def read_vitale(
    request: Request,
    actor: UserActor,
    session: Db,
    reader: Annotated[
        str | None, Query(max_length=200, description="Défaut : lecteur Vitale des paramètres")
    ] = None,
) -> dict[str, Any]:
    runtime = deps.runtime(request)
    read = vitale.read_for(session, actor, runtime.clock.now(), runtime.settings(session), reader)
    return {
        "reader": read.reader,
        "serial": read.card.serial,
        "insured_nir": read.card.insured_nir,
        "beneficiaries": vitale.beneficiaries_view(read.card),
    }
