"""Who acts and from where: every use case receives an `Actor`, the audit trail records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reference_lgo.domain.permissions import PERMISSIONS
from reference_lgo.services.errors import Forbidden

Channel = Literal["ui", "driver", "systeme"]


@dataclass(frozen=True)
class Origin:
    channel: Channel
    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class Actor:
    display_name: str
    origin: Origin
    account_id: int | None = None
    login: str | None = None
    role: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    auth_method: str | None = None  # password | cps
    id_nat_ps: str | None = None  # for CPS logins: read from the card certificate
    session_id: int | None = None

    @classmethod
    def bench(cls, origin: Origin) -> Actor:
        """The bench itself, through the driver API's admin calls (seed): may do everything."""
        return cls(display_name="Pilotage du banc", origin=origin, permissions=frozenset(PERMISSIONS))

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if permission not in self.permissions:
            label = PERMISSIONS.get(permission, permission)
            raise Forbidden(
                f"Votre compte n'a pas le droit « {label} » ({permission}). "
                "Demandez au pharmacien titulaire de vous l'accorder.",
                permission=permission,
            )
