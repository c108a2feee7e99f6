"""Accounts and permissions: creation, changes, passwords, role and account adjustments.

Every change is audited (before/after, never a password or a hash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from protocols import identifiers
from reference_lgo.domain import permissions as rules
from reference_lgo.models import Account, AccountPermission, RolePermission, UserSession
from reference_lgo.services import audit, passwords
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Conflict, Forbidden, InvalidInput, NotFound

LOGIN_RE = re.compile(r"[a-z0-9._-]{3,32}")


def _rule_error(error: rules.PermissionRuleError) -> InvalidInput:
    return InvalidInput(str(error)[:1].upper() + str(error)[1:] + ".")


def check_login(login: str) -> str:
    if not LOGIN_RE.fullmatch(login):
        raise InvalidInput(
            f"Identifiant « {login} » invalide : 3 à 32 caractères parmi a-z, 0-9, point, tiret, souligné.",
            field="login",
        )
    return login


def check_id_nat_ps(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        identifiers.parse_id_nat_ps(value)
    except identifiers.IdentifierError as error:
        raise InvalidInput(str(error), field="id_nat_ps") from None
    return value


def check_display_name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 200 or any(ord(c) < 32 for c in value):
        raise InvalidInput("Nom affiché obligatoire (200 caractères au plus).", field="display_name")
    return value


def check_role(role: str) -> str:
    try:
        return rules.check_role(role)
    except rules.PermissionRuleError as error:
        raise _rule_error(error) from None


def snapshot(account: Account) -> dict[str, Any]:
    """What the audit trail keeps of an account (no password material)."""
    return {
        "login": account.login,
        "display_name": account.display_name,
        "role": account.role,
        "id_nat_ps": account.id_nat_ps,
        "professional_ref": account.professional_ref,
        "active": account.active,
        "password": "défini" if account.password_hash else "aucun (carte seule)",
    }


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.login)))


def get(session: Session, login: str) -> Account:
    account = session.scalar(select(Account).where(Account.login == login))
    if account is None:
        raise NotFound(f"Aucun compte « {login} ».")
    return account


def consult(session: Session, actor: Actor, now: datetime, login: str) -> Account:
    """One account read by someone: a read of personal data, audited."""
    account = get(session, login)
    audit.record(
        session,
        actor,
        now,
        "compte.consulter",
        f"Consultation du compte « {login} »",
        object_type="compte",
        object_id=login,
    )
    return account


def by_id_nat_ps(session: Session, id_nat_ps: str) -> Account | None:
    return session.scalar(select(Account).where(Account.id_nat_ps == id_nat_ps))


def _require_role_change(actor: Actor, role: str) -> None:
    if actor.role is not None and not rules.can_assign_role(actor.role, role):
        raise Forbidden("Seul un pharmacien titulaire peut créer ou modifier un compte de titulaire.")


def _check_unique(session: Session, account: Account | None, login: str, id_nat_ps: str | None) -> None:
    other = session.scalar(select(Account).where(Account.login == login))
    if other is not None and other is not account:
        raise Conflict(f"L'identifiant « {login} » est déjà utilisé.", field="login")
    if id_nat_ps:
        other = by_id_nat_ps(session, id_nat_ps)
        if other is not None and other is not account:
            raise Conflict(
                f"Le professionnel {id_nat_ps} a déjà un compte (« {other.login} »).", field="id_nat_ps"
            )


@dataclass(frozen=True)
class AccountInput:
    login: str
    display_name: str
    role: str
    password: str | None = None
    id_nat_ps: str | None = None
    professional_ref: str | None = None
    active: bool = True


def create(session: Session, actor: Actor, now: datetime, data: AccountInput) -> Account:
    actor.require("comptes.gerer")
    login = check_login(data.login)
    role = check_role(data.role)
    _require_role_change(actor, role)
    id_nat_ps = check_id_nat_ps(data.id_nat_ps)
    if not data.password and not id_nat_ps:
        raise InvalidInput("Un compte sans mot de passe doit être relié à une carte CPS (idNatPS).")
    _check_unique(session, None, login, id_nat_ps)
    account = Account(
        login=login,
        display_name=check_display_name(data.display_name),
        role=role,
        password_hash=passwords.hash_password(data.password) if data.password else None,
        id_nat_ps=id_nat_ps,
        professional_ref=data.professional_ref,
        active=data.active,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor,
        now,
        "compte.creer",
        f"Compte « {login} » créé ({rules.ROLES[role]})",
        object_type="compte",
        object_id=login,
        details={"apres": snapshot(account)},
    )
    return account


def modify(
    session: Session, actor: Actor, now: datetime, account: Account, changes: dict[str, Any]
) -> Account:
    """Changes display_name, role, id_nat_ps, professional_ref and/or active."""
    actor.require("comptes.gerer")
    allowed = {"display_name", "role", "id_nat_ps", "professional_ref", "active"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InvalidInput(f"Champ non modifiable : {', '.join(unknown)}.")
    _require_role_change(actor, account.role)
    before = snapshot(account)
    if "display_name" in changes:
        account.display_name = check_display_name(changes["display_name"])
    if "role" in changes:
        account.role = check_role(changes["role"])
        _require_role_change(actor, account.role)
    if "id_nat_ps" in changes:
        account.id_nat_ps = check_id_nat_ps(changes["id_nat_ps"])
        if account.id_nat_ps is None and account.password_hash is None:
            raise InvalidInput("Un compte sans mot de passe doit rester relié à une carte CPS (idNatPS).")
    if "professional_ref" in changes:
        account.professional_ref = changes["professional_ref"] or None
    if "active" in changes:
        if not changes["active"] and account.id == actor.account_id:
            raise InvalidInput("Vous ne pouvez pas désactiver votre propre compte.")
        account.active = bool(changes["active"])
    _check_unique(session, account, account.login, account.id_nat_ps)
    diff = audit.changes(before, snapshot(account))
    if not diff["apres"]:
        return account
    account.updated_at = now
    if not account.active:
        end_sessions(session, account, now, "compte_desactive")
    audit.record(
        session,
        actor,
        now,
        "compte.modifier",
        f"Compte « {account.login} » modifié : {', '.join(diff['apres'])}",
        object_type="compte",
        object_id=account.login,
        details=diff,
    )
    return account


def set_password(session: Session, actor: Actor, now: datetime, account: Account, password: str) -> None:
    """A user changes their own password; changing someone else's needs comptes.gerer."""
    if account.id != actor.account_id:
        actor.require("comptes.gerer")
        _require_role_change(actor, account.role)
    account.password_hash = passwords.hash_password(password)
    account.updated_at = now
    audit.record(
        session,
        actor,
        now,
        "compte.mot_de_passe",
        f"Mot de passe du compte « {account.login} » changé",
        object_type="compte",
        object_id=account.login,
    )


def end_sessions(session: Session, account: Account, now: datetime, reason: str) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.account_id == account.id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


# --- permissions -------------------------------------------------------------------------------


def role_adjustments(session: Session, role: str) -> rules.Adjustments:
    rows = session.scalars(select(RolePermission).where(RolePermission.role == role))
    return rules.Adjustments.from_map({row.permission: row.granted for row in rows})


def account_adjustments(session: Session, account: Account) -> rules.Adjustments:
    rows = session.scalars(select(AccountPermission).where(AccountPermission.account_id == account.id))
    return rules.Adjustments.from_map({row.permission: row.granted for row in rows})


def role_permissions(session: Session, role: str) -> frozenset[str]:
    return rules.role_permissions(role, role_adjustments(session, role))


def permissions_of(session: Session, account: Account) -> frozenset[str]:
    return rules.effective_permissions(
        account.role, role_adjustments(session, account.role), account_adjustments(session, account)
    )


def _checked(codes: list[str]) -> set[str]:
    try:
        return set(rules.check_permissions(codes))
    except rules.PermissionRuleError as error:
        raise _rule_error(error) from None


def set_role_permissions(
    session: Session, actor: Actor, now: datetime, role: str, codes: list[str]
) -> frozenset[str]:
    """Makes `codes` the role's permission set (stored as adjustments of the defaults)."""
    actor.require("droits.gerer")
    check_role(role)
    wanted = _checked(codes)
    before = role_permissions(session, role)
    try:
        rules.check_not_locked(role, before - wanted)
    except rules.PermissionRuleError as error:
        raise _rule_error(error) from None
    session.execute(delete(RolePermission).where(RolePermission.role == role))
    defaults = rules.DEFAULT_ROLE_PERMISSIONS[role]
    for code in sorted(wanted ^ defaults):
        session.add(RolePermission(role=role, permission=code, granted=code in wanted))
    after = role_permissions(session, role)
    if after != before:
        audit.record(
            session,
            actor,
            now,
            "droits.role",
            f"Droits du rôle {rules.ROLES[role].lower()} modifiés",
            object_type="role",
            object_id=role,
            details={"avant": sorted(before), "apres": sorted(after)},
        )
    return after


def set_account_permissions(
    session: Session, actor: Actor, now: datetime, account: Account, codes: list[str]
) -> frozenset[str]:
    """Makes `codes` the account's effective set (stored as adjustments of its role's set)."""
    actor.require("droits.gerer")
    wanted = _checked(codes)
    before = permissions_of(session, account)
    try:
        rules.check_not_locked(account.role, before - wanted)
    except rules.PermissionRuleError as error:
        raise _rule_error(error) from None
    session.execute(delete(AccountPermission).where(AccountPermission.account_id == account.id))
    base = role_permissions(session, account.role)
    for code in sorted(wanted ^ base):
        session.add(AccountPermission(account_id=account.id, permission=code, granted=code in wanted))
    session.flush()
    after = permissions_of(session, account)
    if after != before:
        audit.record(
            session,
            actor,
            now,
            "droits.compte",
            f"Droits du compte « {account.login} » modifiés",
            object_type="compte",
            object_id=account.login,
            details={"avant": sorted(before), "apres": sorted(after)},
        )
    return after
