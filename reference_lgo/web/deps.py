"""Request plumbing of the UI: origin, the logged-in user (cookie session), CSRF checks."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from reference_lgo.runtime import Runtime
from reference_lgo.services import authentication
from reference_lgo.services.context import Actor, Channel, Origin
from reference_lgo.services.errors import Forbidden
from reference_lgo.services.sessions import OpenedSession

SESSION_COOKIE = "lgo_session"
# Double-submit token for the forms shown before login (login CSRF).
LOGIN_CSRF_COOKIE = "lgo_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def origin_of(request: Request, channel: Channel = "ui") -> Origin:
    return Origin(
        channel=channel,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def db_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, rolled back on error."""
    with runtime_of(request).db.session() as session:
        yield session


@dataclass(frozen=True)
class UiUser:
    opened: OpenedSession
    inactivity_seconds: int

    @property
    def actor(self) -> Actor:
        return self.opened.actor

    @property
    def csrf(self) -> str:
        return self.opened.row.csrf_token


def ui_user(request: Request) -> UiUser:
    runtime = runtime_of(request)
    opened = authentication.current(runtime, request.cookies.get(SESSION_COOKIE), origin_of(request))
    assert opened.inactivity is not None
    user = UiUser(opened, int(opened.inactivity.total_seconds()))
    request.state.ui = user
    request.state.actor = opened.actor
    return user


class CsrfRejected(Forbidden):
    code = "csrf"

    def __init__(self) -> None:
        super().__init__(
            "Formulaire expiré ou envoyé depuis une autre page (jeton anti-falsification invalide). "
            "Rechargez la page puis recommencez.",
            code="csrf",
        )


async def _submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def csrf_user(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> UiUser:
    """The logged-in user, after checking the session's CSRF token (form field or htmx header)."""
    if not hmac.compare_digest(await _submitted_token(request), user.csrf):
        raise CsrfRejected()
    return user


async def login_csrf(request: Request) -> None:
    """Forms before login: the hidden field must repeat the `lgo_csrf` cookie."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(await _submitted_token(request), cookie):
        raise CsrfRejected()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)
