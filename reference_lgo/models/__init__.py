"""SQLAlchemy models of the reference LGO (importing this package registers every table)."""

from reference_lgo.models.accounts import Account, AccountPermission, RolePermission
from reference_lgo.models.audit import AuditEvent
from reference_lgo.models.base import Base, UtcDateTime
from reference_lgo.models.identity_extras import BulkVerification, IdDocument, IdDocumentPurge, PartnerTrace
from reference_lgo.models.journals import InsAccessEntry, InsiCallEntry
from reference_lgo.models.patients import InsiCandidate, Patient, PatientEvidence, PatientStatusChange
from reference_lgo.models.sessions import UserSession
from reference_lgo.models.settings import Setting

__all__ = [
    "Account",
    "AccountPermission",
    "AuditEvent",
    "Base",
    "BulkVerification",
    "IdDocument",
    "IdDocumentPurge",
    "InsAccessEntry",
    "InsiCallEntry",
    "InsiCandidate",
    "PartnerTrace",
    "Patient",
    "PatientEvidence",
    "PatientStatusChange",
    "RolePermission",
    "Setting",
    "UserSession",
    "UtcDateTime",
]
