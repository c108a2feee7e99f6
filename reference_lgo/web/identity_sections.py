"""What the identity page shows of the issue-8 features: ID-document copies with their purge date,
the partners who received the identity, and whether copies may be kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reference_lgo.services import id_documents, partners
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor


def page_context(
    session: Session, actor: Actor, patient_id: int, settings: pharmacy_settings.PharmacySettings
) -> dict[str, Any]:
    return {
        "id_documents": id_documents.listing(session, actor, patient_id, settings),
        "id_copies_enabled": settings.id_document_copies,
        "retention_years": settings.id_document_retention_years,
        "partners": partners.traces(session, actor, patient_id),
    }
