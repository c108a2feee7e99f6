"""Authentication of driver calls: the optional bench token for admin calls, per-user tokens
(from POST /sessions) for actions, which then run as that account (permissions, audit author)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from reference_lgo.runtime import Runtime
from reference_lgo.services import authentication
from reference_lgo.services.context import Actor, Origin
from reference_lgo.services.errors import Unauthenticated
from reference_lgo.services.sessions import OpenedSession
from reference_lgo.web.deps import origin_of

_bearer = HTTPBearer(auto_error=False, description="Jeton de session (POST /sessions) ou jeton du banc")


def runtime(request: Request) -> Runtime:
    value: Runtime = request.app.state.runtime
    return value


def origin(request: Request) -> Origin:
    return origin_of(request, "driver")


def db_session(request: Request) -> Iterator[Session]:
    with runtime(request).db.session() as session:
        yield session


def bench_actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    """Admin-level calls (reset, clock, seed, evidence): the bench token when one is configured."""
    expected = runtime(request).config.driver_token
    if expected:
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthenticated(
                "Jeton du banc absent ou incorrect (Authorization: Bearer $SEGUR_BENCH_DRIVER_TOKEN).",
                code="jeton_banc_invalide",
            )
    actor = Actor.bench(origin(request))
    request.state.actor = actor
    return actor


def user_session(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> OpenedSession:
    """Actions: the per-user token of a driver session (never a browser cookie's)."""
    token = credentials.credentials if credentials else None
    if not token:
        raise Unauthenticated(
            "Jeton de session absent : ouvrez une session avec POST /driver/v1/sessions.",
            code="authentification_requise",
        )
    opened = authentication.current(runtime(request), token, origin(request))
    if opened.row.channel != "driver":
        raise Unauthenticated("Ce jeton n'est pas un jeton de l'API de pilotage.", code="session_terminee")
    request.state.actor = opened.actor
    return opened


def user_actor(opened: Annotated[OpenedSession, Depends(user_session)]) -> Actor:
    return opened.actor
