"""Pharmacy settings, acting as the session's account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.orm import Session

from reference_lgo.driver import deps
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor

router = APIRouter(tags=["parametres"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]


@router.get(
    "/settings", response_model=pharmacy_settings.PharmacySettings, summary="Paramètres de l'officine"
)
def get_settings(request: Request, actor: UserActor, session: Db) -> pharmacy_settings.PharmacySettings:
    actor.require("parametres.lire")
    return deps.runtime(request).settings(session)


@router.put(
    "/settings",
    response_model=pharmacy_settings.PharmacySettings,
    summary="Modifier des paramètres (les champs absents restent inchangés)",
)
def put_settings(
    request: Request,
    actor: UserActor,
    session: Db,
    changes: Annotated[dict[str, Any], Body(examples=[{"finess": "750000001", "inactivity_minutes": 10}])],
) -> pharmacy_settings.PharmacySettings:
    runtime = deps.runtime(request)
    return pharmacy_settings.update(session, actor, runtime.clock.now(), runtime.config, changes)
