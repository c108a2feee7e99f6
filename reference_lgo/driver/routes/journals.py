"""The INS journals: accesses to an INS, INSi calls with all they returned and their raw messages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from reference_lgo.driver import deps
from reference_lgo.driver.ins_schemas import JournalPage
from reference_lgo.services import journals
from reference_lgo.services.context import Actor

router = APIRouter(tags=["journaux"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]
PatientFilter = Annotated[int | None, Query(description="Un seul patient")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


@router.get("/journals/ins-access", response_model=JournalPage, summary="Journal des accès à l'INS")
def ins_access(
    request: Request,
    actor: UserActor,
    session: Db,
    patient_id: PatientFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    now = deps.runtime(request).clock.now()
    return journals.access_page(session, actor, now, patient_id=patient_id, limit=limit, offset=offset)


@router.get("/journals/insi-calls", response_model=JournalPage, summary="Journal des appels INSi")
def insi_calls(
    request: Request,
    actor: UserActor,
    session: Db,
    patient_id: PatientFilter = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    now = deps.runtime(request).clock.now()
    return journals.calls_page(session, actor, now, patient_id=patient_id, limit=limit, offset=offset)


@router.get("/journals/insi-calls/{entry_id}", summary="Un appel INSi et tout ce qu'il a renvoyé")
def insi_call(request: Request, entry_id: int, actor: UserActor, session: Db) -> dict[str, Any]:
    return journals.call(session, actor, deps.runtime(request).clock.now(), entry_id)


@router.get(
    "/journals/insi-calls/{entry_id}/{part}",
    summary="Requête ou réponse SOAP brute d'un appel INSi",
    response_class=Response,
    responses={200: {"content": {"application/soap+xml": {}}}},
)
def insi_call_message(
    request: Request, entry_id: int, part: Literal["request", "response"], actor: UserActor, session: Db
) -> Response:
    body = journals.raw_message(session, actor, deps.runtime(request).clock.now(), entry_id, part)
    return Response(body, media_type="application/soap+xml; charset=utf-8")
