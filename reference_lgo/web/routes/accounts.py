"""Accounts administration and permission adjustments (roles and single accounts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from reference_lgo.domain.permissions import LOCKED, ROLES
from reference_lgo.services import accounts
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Forbidden, LgoError
from reference_lgo.web.deps import UiUser, csrf_user, db_session, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()


def _require_any(actor: Actor, *codes: str) -> None:
    if not any(actor.can(code) for code in codes):
        actor.require(codes[0])


@router.get("/comptes")
def accounts_list(
    request: Request,
    user: Annotated[UiUser, Depends(ui_user)],
    session: Annotated[Session, Depends(db_session)],
    message: str | None = None,
) -> Response:
    _require_any(user.actor, "comptes.gerer", "droits.gerer")
    notes = {"cree": "Compte créé."}
    return render(
        request,
        "accounts_list.html",
        {"accounts": accounts.list_accounts(session), "message": notes.get(message or "")},
    )


@router.get("/comptes/nouveau")
def new_account_form(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("comptes.gerer")
    return render(request, "account_new.html", {"form": {"role": "preparateur"}})


@router.post("/comptes/nouveau")
def create_account(
    request: Request,
    user: Annotated[UiUser, Depends(csrf_user)],
    login: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=300)],
    role: Annotated[str, Form(max_length=20)],
    id_nat_ps: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    runtime = runtime_of(request)
    data = accounts.AccountInput(
        login=login.strip(),
        display_name=display_name,
        role=role,
        password=password or None,
        id_nat_ps=id_nat_ps.strip() or None,
    )
    try:
        with runtime.db.session() as session:
            accounts.create(session, user.actor, runtime.clock.now(), data)
    except Forbidden:
        raise
    except LgoError as error:
        form = {"login": login, "display_name": display_name, "role": role, "id_nat_ps": id_nat_ps}
        return render(
            request, "account_new.html", {"form": form, "error": error.message}, status_code=error.status
        )
    return RedirectResponse("/comptes?message=cree", status_code=303)


def _edit_context(session: Session, login: str) -> dict[str, Any]:
    account = accounts.get(session, login)
    return {
        "account": account,
        "form": {
            "display_name": account.display_name,
            "role": account.role,
            "id_nat_ps": account.id_nat_ps,
            "active": account.active,
        },
        "permissions": accounts.permissions_of(session, account),
        "role_permissions": accounts.role_permissions(session, account.role),
    }


def _edit_page(request: Request, login: str, status_code: int = 200, **extra: Any) -> Response:
    with runtime_of(request).db.session() as session:
        context = _edit_context(session, login)
    context.update(extra)
    return render(request, "account_edit.html", context, status_code=status_code)


@router.get("/comptes/{login}")
def account_page(
    request: Request, login: str, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    _require_any(user.actor, "comptes.gerer", "droits.gerer")
    notes = {
        "modifie": "Compte enregistré.",
        "mot_de_passe": "Mot de passe changé.",
        "droits": "Droits enregistrés.",
    }
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        accounts.consult(session, user.actor, runtime.clock.now(), login)
    return _edit_page(request, login, message=notes.get(message or ""))


def _apply(request: Request, login: str, change: Any, done: str) -> Response:
    """Runs `change(session, account)` in its own unit of work; form errors re-render the page."""
    runtime = runtime_of(request)
    try:
        with runtime.db.session() as session:
            change(session, accounts.get(session, login))
    except Forbidden:
        raise
    except LgoError as error:
        if error.status == 404:
            raise
        return _edit_page(request, login, error.status, error=error.message)
    return RedirectResponse(f"/comptes/{login}?message={done}", status_code=303)


@router.post("/comptes/{login}")
def update_account(
    request: Request,
    login: str,
    user: Annotated[UiUser, Depends(csrf_user)],
    display_name: Annotated[str, Form(max_length=300)],
    role: Annotated[str, Form(max_length=20)],
    id_nat_ps: Annotated[str, Form(max_length=40)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    now = runtime_of(request).clock.now()
    changes = {
        "display_name": display_name,
        "role": role,
        "id_nat_ps": id_nat_ps.strip() or None,
        "active": active == "1",
    }
    return _apply(
        request, login, lambda s, account: accounts.modify(s, user.actor, now, account, changes), "modifie"
    )


@router.post("/comptes/{login}/mot-de-passe")
def reset_password(
    request: Request,
    login: str,
    user: Annotated[UiUser, Depends(csrf_user)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    now = runtime_of(request).clock.now()
    return _apply(
        request,
        login,
        lambda s, account: accounts.set_password(s, user.actor, now, account, password),
        "mot_de_passe",
    )


@router.post("/comptes/{login}/droits")
async def account_permissions(
    request: Request, login: str, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    codes = [str(value) for value in (await request.form()).getlist("permissions")]
    now = runtime_of(request).clock.now()

    def change(session: Session, account: Any) -> None:
        accounts.set_account_permissions(session, user.actor, now, account, codes)

    return await run_in_threadpool(_apply, request, login, change, "droits")


def _roles_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    with runtime_of(request).db.session() as session:
        matrix = {role: accounts.role_permissions(session, role) for role in ROLES}
    return render(
        request, "roles.html", {"matrix": matrix, "locked": LOCKED, **extra}, status_code=status_code
    )


@router.get("/droits")
def roles_page(
    request: Request, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    user.actor.require("droits.gerer")
    return _roles_page(request, message="Droits du rôle enregistrés." if message == "ok" else None)


@router.post("/droits/{role}")
async def role_permissions(
    request: Request, role: str, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    codes = [str(value) for value in (await request.form()).getlist("permissions")]
    runtime = runtime_of(request)

    def change() -> Response:
        try:
            with runtime.db.session() as session:
                accounts.set_role_permissions(session, user.actor, runtime.clock.now(), role, codes)
        except Forbidden:
            raise
        except LgoError as error:
            return _roles_page(request, error.status, error=error.message)
        return RedirectResponse("/droits?message=ok", status_code=303)

    return await run_in_threadpool(change)
