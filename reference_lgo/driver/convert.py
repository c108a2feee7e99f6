"""Models -> driver answers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reference_lgo.domain.permissions import ROLES
from reference_lgo.driver.schemas import AccountOut
from reference_lgo.models import Account
from reference_lgo.services import accounts


def account_out(session: Session, account: Account) -> AccountOut:
    return AccountOut(
        login=account.login,
        display_name=account.display_name,
        role=account.role,  # type: ignore[arg-type]  # checked by domain.permissions on write
        role_label=ROLES[account.role],
        id_nat_ps=account.id_nat_ps,
        professional_ref=account.professional_ref,
        active=account.active,
        has_password=account.password_hash is not None,
        permissions=sorted(accounts.permissions_of(session, account)),
        created_at=account.created_at,
        updated_at=account.updated_at,
    )
