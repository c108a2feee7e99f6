"""Issue-8 identity screens: ID-document copies on the identity page (upload, view, retention shown),
"Imprimer la fiche d'identité" with its recipient and the partners list, the bulk verification page
with its report, "Intégrer une identité d'un autre domaine" (DataMatrix pasted or scanned), and the
settings of the sheet and of the copies (with a manual purge).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from reference_lgo.services import (
    bulk_verification,
    domain_import,
    id_documents,
    identities,
    identity_sheets,
    maintenance,
    partners,
)
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.errors import Forbidden, InvalidInput, LgoError, NotFound
from reference_lgo.web.deps import UiUser, csrf_user, runtime_of, ui_user
from reference_lgo.web.downloads import content_disposition
from reference_lgo.web.routes.patients import _patient_page as patient_page
from reference_lgo.web.templating import render

router = APIRouter()

MESSAGES = {"ok": "Paramètres enregistrés."}


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _back(patient_id: int, message: str) -> RedirectResponse:
    return RedirectResponse(f"/patients/{patient_id}?message={message}#pieces-identite", status_code=303)


# --- ID-document copies ---------------------------------------------------------------------------


@router.post("/patients/{patient_id}/pieces-identite")
async def upload_copy(
    request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    form = await request.form()
    upload = form.get("file")
    type_code = _text(form, "type_code", 32)
    data = b""
    filename = None
    if isinstance(upload, UploadFile):
        data = await upload.read(id_documents.MAX_BYTES + 1)
        filename = upload.filename
    runtime = runtime_of(request)

    def store() -> Response:
        try:
            with runtime.db.session() as session:
                id_documents.store(
                    session,
                    user.actor,
                    runtime.clock.now(),
                    id_documents.keyring(runtime),
                    runtime.settings(session),
                    patient_id,
                    type_code=type_code,
                    filename=filename,
                    data=data,
                )
        except (Forbidden, NotFound):
            raise
        except LgoError as error:
            return patient_page(request, user, patient_id, error.status, error=error.message)
        return _back(patient_id, "piece")

    return await run_in_threadpool(store)


@router.get("/patients/{patient_id}/pieces-identite/{document_id}")
def view_copy(
    request: Request, patient_id: int, document_id: int, user: Annotated[UiUser, Depends(ui_user)]
) -> Response:
    opened = id_documents.read(runtime_of(request), user.actor, patient_id, document_id)
    return Response(
        opened.data,
        media_type=opened.media_type,
        headers={
            "Content-Disposition": content_disposition("inline", opened.filename),
            "Cache-Control": "no-store",
        },
    )


# --- identity sheet -----------------------------------------------------------------------------


def _sheet_form(
    request: Request, user: UiUser, patient_id: int, status_code: int = 200, **extra: Any
) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        settings = runtime.settings(session)
        patient = identities.load(session, patient_id)
        user.actor.require("patients.lire")
        context = {
            "patient": identities.summary_view(patient),
            "site_traits": identity_sheets.SITE_TRAIT_LABELS,
            "chosen": list(settings.identity_sheet_extra_traits),
            "kinds": partners.RECIPIENT_KINDS,
            "form": {
                "kind": "patient",
                "name": identity_sheets.default_recipient(patient).name,
                "identifier": "",
            },
            **extra,
        }
    return render(request, "patients_extras/sheet_form.html", context, status_code=status_code)


@router.get("/patients/{patient_id}/fiche-identite")
def sheet_form(request: Request, patient_id: int, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    return _sheet_form(request, user, patient_id)


@router.post("/patients/{patient_id}/fiche-identite")
async def print_sheet(
    request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    form = await request.form()
    fields = {
        "kind": _text(form, "kind", 16),
        "name": _text(form, "name"),
        "identifier": _text(form, "identifier", 64),
    }
    traits = [str(value) for value in form.getlist("extra_traits")]
    runtime = runtime_of(request)

    def run() -> Response:
        try:
            try:
                recipient = partners.Recipient(
                    kind=fields["kind"],  # type: ignore[arg-type]  # validated by the model
                    name=fields["name"],
                    identifier=fields["identifier"] or None,
                )
            except ValueError:
                raise InvalidInput(
                    "Destinataire invalide : choisissez son type et indiquez son nom.",
                    code="destinataire_invalide",
                ) from None
            with runtime.db.session() as session:
                printed = identity_sheets.print_sheet(
                    session,
                    user.actor,
                    runtime.clock.now(),
                    runtime.settings(session),
                    patient_id,
                    recipient=recipient,
                    extra_traits=traits,
                )
        except (Forbidden, NotFound):
            raise
        except LgoError as error:
            return _sheet_form(request, user, patient_id, error.status, error=error.message, form=fields)
        return Response(
            printed.pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": content_disposition("inline", printed.filename),
                "Cache-Control": "no-store",
            },
        )

    return await run_in_threadpool(run)


# --- bulk verification ----------------------------------------------------------------------------


def _bulk_page(request: Request, user: UiUser, status_code: int = 200, **extra: Any) -> Response:
    runtime = runtime_of(request)
    context = {
        "reports": bulk_verification.reports(runtime, user.actor),
        "pending": len(bulk_verification.candidates(runtime)),
        **extra,
    }
    return render(request, "patients_extras/bulk.html", context, status_code=status_code)


@router.get("/identites/verification-masse")
def bulk_page(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("insi.appeler")
    return _bulk_page(request, user)


@router.post("/identites/verification-masse")
def bulk_run(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    try:
        report = bulk_verification.run(runtime_of(request), user.actor)
    except Forbidden:
        raise
    except LgoError as error:
        return _bulk_page(request, user, error.status, error=error.message)
    return _bulk_page(request, user, report=report)


# --- another identification domain -----------------------------------------------------------------


@router.get("/identites/autre-domaine")
def import_page(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("patients.modifier")
    return render(request, "patients_extras/import.html", {"payload": ""})


@router.post("/identites/autre-domaine")
async def import_run(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    form = await request.form()
    payload = _text(form, "payload", 1000)
    runtime = runtime_of(request)

    def run() -> Response:
        try:
            result = domain_import.integrate(runtime, user.actor, domain_import.from_datamatrix(payload))
        except Forbidden:
            raise
        except LgoError as error:
            context = {"payload": payload, "error": error.message}
            return render(request, "patients_extras/import.html", context, status_code=error.status)
        status = 200 if result["result"] == "integre" else 409
        return render(
            request, "patients_extras/import.html", {"payload": "", "result": result}, status_code=status
        )

    return await run_in_threadpool(run)


# --- settings of the sheet and of the copies ---------------------------------------------------------


def _settings_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        settings = runtime.settings(session)
        last = id_documents.last_purge(session)
        context = {
            "settings": settings,
            "site_traits": identity_sheets.SITE_TRAIT_LABELS,
            "last_purge": last,
            "triggers": id_documents.TRIGGERS,
            **extra,
        }
    return render(request, "patients_extras/settings.html", context, status_code=status_code)


@router.get("/parametres/fiche-et-copies")
def extras_settings(
    request: Request, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    user.actor.require("parametres.lire")
    return _settings_page(request, message=MESSAGES.get(message or ""))


@router.post("/parametres/fiche-et-copies")
async def save_extras_settings(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    user.actor.require("parametres.modifier")
    form = await request.form()
    years = _text(form, "retention_years", 3)
    changes: dict[str, Any] = {
        "identity_sheet_extra_traits": [str(value) for value in form.getlist("extra_traits")],
        "id_document_copies": form.get("id_document_copies") == "1",
        "id_document_retention_years": int(years) if years.isdigit() else years,
    }
    runtime = runtime_of(request)

    def save() -> Response:
        try:
            with runtime.db.session() as session:
                pharmacy_settings.update(session, user.actor, runtime.clock.now(), runtime.config, changes)
        except Forbidden:
            raise
        except LgoError as error:
            return _settings_page(request, error.status, error=error.message)
        return RedirectResponse("/parametres/fiche-et-copies?message=ok", status_code=303)

    return await run_in_threadpool(save)


@router.post("/parametres/fiche-et-copies/purge")
def purge_copies(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    user.actor.require("parametres.modifier")
    purged = maintenance.purge_now(runtime_of(request), "interface", user.actor)
    return _settings_page(request, message=f"Purge effectuée : {purged} copie(s) supprimée(s).")
