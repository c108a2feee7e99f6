"""Login (password or CPS card), logout, keeping the session alive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from reference_lgo.hardware import cards
from reference_lgo.services import authentication
from reference_lgo.services.errors import LgoError
from reference_lgo.services.sessions import OpenedSession
from reference_lgo.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    UiUser,
    csrf_user,
    login_csrf,
    new_login_csrf,
    origin_of,
    runtime_of,
)
from reference_lgo.web.templating import render

router = APIRouter()

NOTICES = {
    "inactivite": "Vous avez été déconnecté après une période d'inactivité. Veuillez vous reconnecter.",
    "session_inactive": "Vous avez été déconnecté après une période d'inactivité. Veuillez vous reconnecter.",
    "deconnexion": "Vous êtes déconnecté.",
    "session_terminee": "Votre session est terminée. Veuillez vous reconnecter.",
    "compte_desactive": "Votre compte a été désactivé.",
    "authentification_requise": "Veuillez vous connecter pour accéder à cette page.",
}


def _readers(request: Request) -> tuple[list[dict[str, Any]], str, str]:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        settings = runtime.settings(session)
    found = cards.list_readers(cards.ReaderConfig(settings.card_reader_mode, settings.bench_reader_address))
    readers = [{"name": r.name, "present": r.present} for r in found]
    if not any(r["name"] == settings.cps_reader for r in readers):
        readers.insert(0, {"name": settings.cps_reader, "present": False})
    return readers, settings.cps_reader, settings.card_reader_mode


def login_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf()
    readers, default_reader, mode = _readers(request)
    context.setdefault("selected_reader", default_reader)
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "readers": readers, "reader_mode": mode, **context},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=runtime_of(request).config.secure_cookies,
        path="/connexion",
    )
    return response


@router.get("/connexion", name="login")
def login_form(request: Request, motif: str | None = None) -> Response:
    return login_page(request, notice=NOTICES.get(motif or ""))


def _logged_in(request: Request, opened: OpenedSession) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        httponly=True,
        samesite="lax",
        secure=runtime_of(request).config.secure_cookies,
        path="/",
    )
    return response


@router.post("/connexion", dependencies=[Depends(login_csrf)])
def login_password(
    request: Request,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        opened = authentication.login_password(runtime_of(request), origin_of(request), login, password)
    except LgoError as error:
        return login_page(request, error.status, error=error.message, method="password", login=login)
    return _logged_in(request, opened)


@router.post("/connexion/cps", dependencies=[Depends(login_csrf)])
def login_cps(
    request: Request,
    pin: Annotated[str, Form(max_length=16)],
    reader: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        opened = authentication.login_cps(runtime_of(request), origin_of(request), reader or None, pin)
    except LgoError as error:
        return login_page(request, error.status, error=error.message, method="cps", selected_reader=reader)
    return _logged_in(request, opened)


@router.post("/deconnexion")
def logout(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    authentication.logout(runtime_of(request), user.opened, origin_of(request))
    response = RedirectResponse("/connexion?motif=deconnexion", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/session/prolonger", status_code=204)
def keep_alive(user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    """Called by the inactivity notice's button: resolving the session already touched it."""
    return Response(status_code=204)
