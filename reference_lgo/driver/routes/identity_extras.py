"""Issue-8 identity actions, acting as the session's account: ID-document copies (encrypted, purged
after the retention), the identity sheet and its partner traces, bulk verification through INSi,
integration of an identity from another identification domain. The purge itself is bench-level."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from reference_lgo.driver import deps
from reference_lgo.driver.extras_schemas import (
    BulkVerifyIn,
    BulkVerifyOut,
    IdDocumentOut,
    IdDocumentStorageOut,
    IdentitySheetIn,
    IdentitySheetSettings,
    IdentitySheetSettingsOut,
    ImportIn,
    ImportOut,
    PartnerOut,
    PurgeOut,
    RetentionIn,
    RetentionOut,
)
from reference_lgo.services import (
    bulk_verification,
    domain_import,
    id_documents,
    identity_sheets,
    maintenance,
    partners,
)
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import InvalidInput
from reference_lgo.web.downloads import content_disposition

router = APIRouter(tags=["identites"])
UserActor = Annotated[Actor, Depends(deps.user_actor)]
BenchActor = Annotated[Actor, Depends(deps.bench_actor)]
Db = Annotated[Session, Depends(deps.db_session)]

UPLOAD_CHUNK = 1024 * 1024


# --- ID-document copies ---------------------------------------------------------------------------


async def _read_upload(file: UploadFile) -> bytes:
    """At most MAX_BYTES + 1 bytes: a bigger file is refused without being held whole in memory."""
    data = bytearray()
    while len(data) <= id_documents.MAX_BYTES:
        chunk = await file.read(UPLOAD_CHUNK)
        if not chunk:
            break
        data += chunk
    return bytes(data)


@router.post(
    "/patients/{patient_id}/id-documents",
    status_code=201,
    response_model=IdDocumentOut,
    summary="Conserver une copie de pièce d'identité (chiffrée)",
)
async def upload_id_document(
    request: Request,
    patient_id: int,
    actor: UserActor,
    file: Annotated[UploadFile, File(description="PDF, JPEG ou PNG, 10 Mio au plus")],
    type: Annotated[str, Form(max_length=32, description="Code d'un type de justificatif")],
) -> dict[str, Any]:
    data = await _read_upload(file)
    runtime = deps.runtime(request)

    def store() -> dict[str, Any]:
        with runtime.db.session() as session:
            return id_documents.store(
                session,
                actor,
                runtime.clock.now(),
                id_documents.keyring(runtime),
                runtime.settings(session),
                patient_id,
                type_code=type,
                filename=file.filename,
                data=data,
            )

    return await run_in_threadpool(store)


@router.get(
    "/patients/{patient_id}/id-documents",
    response_model=list[IdDocumentOut],
    summary="Copies de pièces d'identité conservées",
)
def list_id_documents(
    request: Request, patient_id: int, actor: UserActor, session: Db
) -> list[dict[str, Any]]:
    return id_documents.listing(session, actor, patient_id, deps.runtime(request).settings(session))


@router.get(
    "/patients/{patient_id}/id-documents/{document_id}",
    summary="Lire une copie de pièce d'identité (déchiffrée, tracée)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}},
)
def read_id_document(request: Request, patient_id: int, document_id: int, actor: UserActor) -> Response:
    opened = id_documents.read(deps.runtime(request), actor, patient_id, document_id)
    return Response(
        opened.data,
        media_type=opened.media_type,
        headers={
            "Content-Disposition": content_disposition("attachment", opened.filename),
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/patients/{patient_id}/id-documents/{document_id}/storage",
    response_model=IdDocumentStorageOut,
    summary="Comment la copie est stockée (preuve du chiffrement)",
)
def id_document_storage(patient_id: int, document_id: int, actor: UserActor, session: Db) -> dict[str, Any]:
    return id_documents.storage(session, actor, patient_id, document_id)


def _retention(settings: pharmacy_settings.PharmacySettings) -> RetentionOut:
    return RetentionOut(years=settings.id_document_retention_years, enabled=settings.id_document_copies)


@router.get("/settings/id-document-retention", response_model=RetentionOut, summary="Conservation des copies")
def get_retention(request: Request, actor: UserActor, session: Db) -> RetentionOut:
    actor.require("parametres.lire")
    return _retention(deps.runtime(request).settings(session))


@router.put("/settings/id-document-retention", response_model=RetentionOut, summary="Régler la conservation")
def put_retention(request: Request, body: RetentionIn, actor: UserActor, session: Db) -> RetentionOut:
    runtime = deps.runtime(request)
    changes: dict[str, Any] = {}
    if body.years is not None:
        changes["id_document_retention_years"] = body.years
    if body.enabled is not None:
        changes["id_document_copies"] = body.enabled
    actor.require("parametres.modifier")
    if not changes:
        return _retention(runtime.settings(session))
    return _retention(pharmacy_settings.update(session, actor, runtime.clock.now(), runtime.config, changes))


@router.post(
    "/maintenance/purge-id-documents",
    response_model=PurgeOut,
    tags=["banc"],
    summary="Purger les copies dont la conservation est échue (horloge du LGO)",
)
def purge_id_documents(request: Request, actor: BenchActor) -> PurgeOut:
    runtime = deps.runtime(request)
    purged = maintenance.purge_now(runtime, "pilotage", actor)
    return PurgeOut(purged=purged, at=runtime.clock.now().isoformat())


# --- identity sheet and partners ------------------------------------------------------------------


def _sheet_settings(settings: pharmacy_settings.PharmacySettings) -> IdentitySheetSettingsOut:
    return IdentitySheetSettingsOut(
        extra_traits=list(settings.identity_sheet_extra_traits), available=identity_sheets.SITE_TRAIT_LABELS
    )


@router.get("/settings/identity-sheet", response_model=IdentitySheetSettingsOut, summary="Fiche d'identité")
def get_sheet_settings(request: Request, actor: UserActor, session: Db) -> IdentitySheetSettingsOut:
    actor.require("parametres.lire")
    return _sheet_settings(deps.runtime(request).settings(session))


@router.put(
    "/settings/identity-sheet",
    response_model=IdentitySheetSettingsOut,
    summary="Traits complémentaires imprimés (choix du site)",
)
def put_sheet_settings(
    request: Request, body: IdentitySheetSettings, actor: UserActor, session: Db
) -> IdentitySheetSettingsOut:
    runtime = deps.runtime(request)
    updated = pharmacy_settings.update(
        session,
        actor,
        runtime.clock.now(),
        runtime.config,
        {"identity_sheet_extra_traits": body.extra_traits},
    )
    return _sheet_settings(updated)


@router.post(
    "/patients/{patient_id}/identity-sheet",
    summary="Imprimer la fiche d'identité (PDF, DataMatrix INS si qualifiée) et tracer le destinataire",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def identity_sheet(
    request: Request, patient_id: int, actor: UserActor, session: Db, body: IdentitySheetIn | None = None
) -> Response:
    runtime = deps.runtime(request)
    printed = identity_sheets.print_sheet(
        session,
        actor,
        runtime.clock.now(),
        runtime.settings(session),
        patient_id,
        recipient=body.recipient if body else None,
        extra_traits=body.extra_traits if body else None,
    )
    return Response(
        printed.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition("inline", printed.filename),
            "X-Partner-Trace": str(printed.trace["id"]),
            "X-Ins-Transmitted": "true" if printed.trace["ins_transmitted"] else "false",
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/patients/{patient_id}/partners",
    response_model=list[PartnerOut],
    summary="Partenaires ayant reçu des données de l'identité",
)
def patient_partners(patient_id: int, actor: UserActor, session: Db) -> list[dict[str, Any]]:
    return partners.traces(session, actor, patient_id)


# --- bulk verification, another identification domain -----------------------------------------------


@router.post(
    "/insi/bulk-verify",
    response_model=BulkVerifyOut,
    summary="Vérifier en masse les INS détenus (INSI-AUTO)",
)
def bulk_verify(request: Request, actor: UserActor, body: BulkVerifyIn | None = None) -> dict[str, Any]:
    ids = body.patient_ids if body else None
    return bulk_verification.run(deps.runtime(request), actor, ids)


@router.post(
    "/patients/import-ins",
    response_model=ImportOut,
    summary="Intégrer une identité d'un autre domaine (revérifiée par INSi)",
)
def import_ins(request: Request, body: ImportIn, actor: UserActor) -> dict[str, Any]:
    if body.source == "datamatrix":
        if not body.payload:
            raise InvalidInput("« payload » : texte du DataMatrix INS attendu.", code="datamatrix_absent")
        incoming = domain_import.from_datamatrix(body.payload)
    else:
        if body.ins is None or body.traits is None:
            raise InvalidInput(
                "Source « document » : « ins » (matricule, oid) et « traits » sont attendus.",
                code="donnees_absentes",
            )
        incoming = domain_import.from_document(body.ins.matricule, body.ins.oid, body.traits)
    return domain_import.integrate(deps.runtime(request), actor, incoming)
