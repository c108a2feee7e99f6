"""Server-side sessions shared by the web UI (cookie) and the driver API (bearer token).

A session ends on logout, on deactivation of its account, or after the pharmacy's inactivity delay
measured on the LGO clock; the token itself is never stored, only its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference_lgo.domain.permissions import ROLES
from reference_lgo.models import Account, UserSession
from reference_lgo.services import accounts, audit
from reference_lgo.services.context import Actor, Origin
from reference_lgo.services.errors import Unauthenticated

END_REASONS = {
    "deconnexion": "déconnexion",
    "inactivite": "inactivité",
    "compte_desactive": "compte désactivé",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    token: str
    row: UserSession
    account: Account
    actor: Actor
    inactivity: timedelta | None = None  # set by resolve(): the pharmacy's delay when it was checked

    def expires_at(self, inactivity: timedelta) -> datetime:
        return self.row.last_seen_at + inactivity


def actor_for(session: Session, account: Account, row: UserSession, origin: Origin) -> Actor:
    return Actor(
        display_name=account.display_name,
        origin=origin,
        account_id=account.id,
        login=account.login,
        role=account.role,
        permissions=accounts.permissions_of(session, account),
        auth_method=row.auth_method,
        id_nat_ps=row.id_nat_ps,
        session_id=row.id,
    )


def open_session(
    session: Session,
    account: Account,
    now: datetime,
    origin: Origin,
    auth_method: str,
    id_nat_ps: str | None = None,
    card_reader: str | None = None,
) -> OpenedSession:
    """Creates the session and audits the login (`card_reader`: where the CPS was read)."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=token_hash(token),
        account_id=account.id,
        channel=origin.channel,
        auth_method=auth_method,
        id_nat_ps=id_nat_ps,
        card_reader=(card_reader or "")[:200] or None,
        csrf_token=secrets.token_urlsafe(32),
        ip=origin.ip,
        user_agent=(origin.user_agent or "")[:300] or None,
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    actor = actor_for(session, account, row, origin)
    how = "carte CPS" if auth_method == "cps" else "mot de passe"
    audit.record(
        session,
        actor,
        now,
        "connexion",
        f"Connexion de « {account.login} » ({ROLES[account.role].lower()}) par {how}",
        object_type="session",
        object_id=str(row.id),
        details={"methode": auth_method},
    )
    return OpenedSession(token, row, account, actor)


def resolve(
    session: Session, token: str | None, now: datetime, inactivity: timedelta, origin: Origin
) -> OpenedSession:
    """The open session of `token`, touched; raises Unauthenticated (code says why) otherwise.

    An expired session is ended (and the logout audited) before raising: run this in its own unit
    of work so that the ending is committed even though the request fails.
    """
    if not token:
        raise Unauthenticated("Veuillez vous connecter.", code="authentification_requise")
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if row is None or row.ended_at is not None:
        raise Unauthenticated(
            "Votre session est terminée. Veuillez vous reconnecter.",
            code="session_inactive"
            if row is not None and row.end_reason == "inactivite"
            else "session_terminee",
        )
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        row.ended_at, row.end_reason = now, "compte_desactive"
        raise Unauthenticated("Ce compte est désactivé.", code="compte_desactive")
    if now - row.last_seen_at > inactivity:
        close(session, row, account, now, "inactivite", origin, at=row.last_seen_at + inactivity)
        minutes = int(inactivity.total_seconds() // 60)
        raise Unauthenticated(
            f"Session fermée après {minutes} minute(s) d'inactivité. Veuillez vous reconnecter.",
            code="session_inactive",
        )
    row.last_seen_at = max(row.last_seen_at, now)
    return OpenedSession(token, row, account, actor_for(session, account, row, origin), inactivity)


def close(
    session: Session,
    row: UserSession,
    account: Account,
    now: datetime,
    reason: str,
    origin: Origin,
    *,
    at: datetime | None = None,
) -> None:
    """Ends the session and audits the logout (`at`: when it really ended, for inactivity)."""
    if row.ended_at is not None:
        return
    row.ended_at, row.end_reason = at or now, reason
    actor = actor_for(session, account, row, origin)
    audit.record(
        session,
        actor,
        now,
        "deconnexion",
        f"Déconnexion de « {account.login} » ({END_REASONS[reason]})",
        object_type="session",
        object_id=str(row.id),
        details={"motif": reason},
    )
