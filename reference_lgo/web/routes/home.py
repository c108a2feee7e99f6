"""Dashboard and the user's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from reference_lgo.models import Account
from reference_lgo.services import accounts, passwords
from reference_lgo.services.errors import InvalidInput, LgoError
from reference_lgo.web.deps import UiUser, csrf_user, db_session, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()


@router.get("/", name="home")
def home(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    settings = runtime_of(request).settings(session)
    return render(request, "home.html", {"settings": settings})


@router.get("/mon-compte")
def my_account(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
) -> Response:
    account = session.get(Account, user.actor.account_id)
    return render(request, "my_account.html", {"account": account})


@router.post("/mon-compte/mot-de-passe")
def change_my_password(
    request: Request,
    user: Annotated[UiUser, Depends(csrf_user)],
    password: Annotated[str, Form(max_length=256)],
    current: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    runtime = runtime_of(request)
    error: LgoError | None = None
    try:
        with runtime.db.session() as session:
            account = session.get(Account, user.actor.account_id)
            assert account is not None
            if account.password_hash and not passwords.verify(account.password_hash, current):
                raise InvalidInput("Mot de passe actuel incorrect.")
            accounts.set_password(session, user.actor, runtime.clock.now(), account, password)
    except LgoError as failure:
        error = failure
    with runtime.db.session() as session:
        context: dict[str, object] = {"account": session.get(Account, user.actor.account_id)}
    if error is not None:
        context["error"] = error.message
        return render(request, "my_account.html", context, status_code=error.status)
    context["message"] = "Mot de passe changé."
    return render(request, "my_account.html", context)
