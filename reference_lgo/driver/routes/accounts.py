"""Accounts, roles and permissions, acting as the session's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from reference_lgo.domain import permissions as rules
from reference_lgo.driver import deps
from reference_lgo.driver.convert import account_out
from reference_lgo.driver.schemas import (
    AccountCreate,
    AccountOut,
    AccountPatch,
    PermissionsIn,
    PermissionsOut,
    RoleOut,
)
from reference_lgo.services import accounts
from reference_lgo.services.context import Actor

router = APIRouter(tags=["comptes"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
Db = Annotated[Session, Depends(deps.db_session)]


def _manage(actor: Actor) -> None:
    if not (actor.can("comptes.gerer") or actor.can("droits.gerer")):
        actor.require("comptes.gerer")


@router.get("/permissions", summary="Catalogue des permissions")
def permission_catalogue(_actor: UserActor) -> dict[str, str]:
    return rules.PERMISSIONS


@router.get("/accounts", response_model=list[AccountOut], summary="Lister les comptes")
def list_accounts(actor: UserActor, session: Db) -> list[AccountOut]:
    _manage(actor)
    return [account_out(session, account) for account in accounts.list_accounts(session)]


@router.post("/accounts", status_code=201, response_model=AccountOut, summary="Créer un compte")
def create_account(request: Request, body: AccountCreate, actor: UserActor, session: Db) -> AccountOut:
    data = accounts.AccountInput(**body.model_dump())
    account = accounts.create(session, actor, deps.runtime(request).clock.now(), data)
    return account_out(session, account)


@router.get("/accounts/{login}", response_model=AccountOut, summary="Lire un compte")
def get_account(request: Request, login: str, actor: UserActor, session: Db) -> AccountOut:
    if login != actor.login:
        _manage(actor)
    return account_out(session, accounts.consult(session, actor, deps.runtime(request).clock.now(), login))


@router.patch("/accounts/{login}", response_model=AccountOut, summary="Modifier un compte (champs donnés)")
def patch_account(
    request: Request, login: str, body: AccountPatch, actor: UserActor, session: Db
) -> AccountOut:
    now = deps.runtime(request).clock.now()
    account = accounts.get(session, login)
    changes = body.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    if changes:
        accounts.modify(session, actor, now, account, changes)
    if password is not None:
        accounts.set_password(session, actor, now, account, password)
    return account_out(session, account)


@router.get(
    "/accounts/{login}/permissions", response_model=PermissionsOut, summary="Droits effectifs d'un compte"
)
def get_account_permissions(login: str, actor: UserActor, session: Db) -> PermissionsOut:
    if login != actor.login:
        _manage(actor)
    return PermissionsOut(permissions=sorted(accounts.permissions_of(session, accounts.get(session, login))))


@router.put(
    "/accounts/{login}/permissions", response_model=PermissionsOut, summary="Fixer les droits d'un compte"
)
def put_account_permissions(
    request: Request, login: str, body: PermissionsIn, actor: UserActor, session: Db
) -> PermissionsOut:
    account = accounts.get(session, login)
    after = accounts.set_account_permissions(
        session, actor, deps.runtime(request).clock.now(), account, body.permissions
    )
    return PermissionsOut(permissions=sorted(after))


def _role_out(session: Session, role: str) -> RoleOut:
    return RoleOut(
        role=role,  # type: ignore[arg-type]
        label=rules.ROLES[role],
        default_permissions=sorted(rules.DEFAULT_ROLE_PERMISSIONS[role]),
        permissions=sorted(accounts.role_permissions(session, role)),
        locked=sorted(rules.LOCKED.get(role, frozenset())),
    )


@router.get("/roles", response_model=list[RoleOut], summary="Rôles et leurs droits")
def list_roles(actor: UserActor, session: Db) -> list[RoleOut]:
    _manage(actor)
    return [_role_out(session, role) for role in rules.ROLES]


@router.put("/roles/{role}/permissions", response_model=RoleOut, summary="Fixer les droits d'un rôle")
def put_role_permissions(
    request: Request, role: str, body: PermissionsIn, actor: UserActor, session: Db
) -> RoleOut:
    accounts.set_role_permissions(session, actor, deps.runtime(request).clock.now(), role, body.permissions)
    return _role_out(session, role)
