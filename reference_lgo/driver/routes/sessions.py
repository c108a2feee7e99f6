"""POST /sessions (act as an account, by password or CPS card), GET and DELETE /sessions/current."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from reference_lgo.driver import deps
from reference_lgo.driver.convert import account_out
from reference_lgo.driver.schemas import CurrentSessionOut, SessionOut, SessionRequest
from reference_lgo.services import authentication
from reference_lgo.services.sessions import OpenedSession

router = APIRouter(tags=["sessions"])


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionOut,
    summary="Ouvrir une session (mot de passe ou carte CPS)",
)
def open_session(request: Request, body: SessionRequest) -> SessionOut:
    runtime = deps.runtime(request)
    origin = deps.origin(request)
    if body.cps is not None:
        opened = authentication.login_cps(runtime, origin, body.cps.reader, body.cps.pin)
    else:
        assert body.login is not None and body.password is not None
        opened = authentication.login_password(runtime, origin, body.login, body.password)
    with runtime.db.session() as session:
        inactivity = runtime.inactivity(session)
        account = session.merge(opened.account, load=True)
        out = account_out(session, account)
    return SessionOut(
        token=opened.token,
        account=out,
        auth_method=opened.row.auth_method,  # type: ignore[arg-type]
        id_nat_ps=opened.row.id_nat_ps,
        expires_at=opened.expires_at(inactivity),
    )


@router.get("/sessions/current", response_model=CurrentSessionOut, summary="Session du jeton présenté")
def current_session(
    request: Request, opened: Annotated[OpenedSession, Depends(deps.user_session)]
) -> CurrentSessionOut:
    assert opened.inactivity is not None
    with deps.runtime(request).db.session() as session:
        out = account_out(session, session.merge(opened.account, load=True))
    return CurrentSessionOut(
        account=out,
        auth_method=opened.row.auth_method,  # type: ignore[arg-type]
        id_nat_ps=opened.row.id_nat_ps,
        created_at=opened.row.created_at,
        expires_at=opened.expires_at(opened.inactivity),
    )


@router.delete("/sessions/current", status_code=204, summary="Fermer la session (déconnexion)")
def close_session(request: Request, opened: Annotated[OpenedSession, Depends(deps.user_session)]) -> Response:
    authentication.logout(deps.runtime(request), opened, deps.origin(request))
    return Response(status_code=204)
