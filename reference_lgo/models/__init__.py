"""SQLAlchemy models of the reference LGO (importing this package registers every table)."""

from reference_lgo.models.accounts import Account, AccountPermission, RolePermission
from reference_lgo.models.audit import AuditEvent
from reference_lgo.models.base import Base, UtcDateTime
from reference_lgo.models.sessions import UserSession
from reference_lgo.models.settings import Setting

__all__ = [
    "Account",
    "AccountPermission",
    "AuditEvent",
    "Base",
    "RolePermission",
    "Setting",
    "UserSession",
    "UtcDateTime",
]
