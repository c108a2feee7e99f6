"""Patient identity screens (RNIV): search, creation, the identity page (traits with their locks,
status and history, flags, documents, INS when allowed), changes, INSi searches (traits or carte
Vitale) with the returned identity beside the local one, reprise, verification, identity settings.

Every INSi fault or outage is shown as a French message on the identity page and changes nothing.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from reference_lgo.domain.identity import IdentityStatus
from reference_lgo.services import identities, identity_changes, insi_calls, vitale
from reference_lgo.services import settings as pharmacy_settings
from reference_lgo.services.errors import Forbidden, InvalidInput, LgoError, NotFound
from reference_lgo.web import identity_sections
from reference_lgo.web.deps import UiUser, csrf_user, runtime_of, ui_user
from reference_lgo.web.templating import render

router = APIRouter()

TRAIT_LABELS = {
    "birth_name": "Nom de naissance",
    "first_names": "Prénom(s) de naissance",
    "first_name": "Premier prénom de naissance",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_place": "Lieu de naissance (code COG)",
    "used_name": "Nom utilisé",
    "used_first_name": "Prénom utilisé",
    "phone": "Téléphone",
    "email": "Courriel",
    "address": "Adresse",
}
SEXES = {"M": "Masculin", "F": "Féminin"}
STATUS_LABELS = {status.value: status.label_fr for status in IdentityStatus}
SEARCH_KEYS = ("birth_date", "name_prefix", "first_name_prefix", "matricule", "q")
MESSAGES = {
    "cree": "Identité créée au statut provisoire.",
    "modifie": "Identité enregistrée.",
    "attributs": "Attributs enregistrés.",
    "justificatif": "Justificatif enregistré.",
    "retrait": "Justificatif retiré.",
    "integre": "Identité INSi intégrée au dossier.",
    "piece": "Copie de la pièce d'identité enregistrée, chiffrée.",
}
_FRENCH_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_fr(value: str | None) -> str:
    """AAAA-MM-JJ as JJ/MM/AAAA (lunar 00 parts kept)."""
    if value and _ISO_DATE.fullmatch(value):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value or ""


def typed_date(value: str) -> str:
    """A date typed as JJ/MM/AAAA (or AAAA-MM-JJ) for the services; the rest is refused in French."""
    text = value.strip()
    found = _FRENCH_DATE.fullmatch(text)
    if found:
        return f"{found[3]}-{found[2]}-{found[1]}"
    if not text or _ISO_DATE.fullmatch(text):
        return text
    raise InvalidInput(
        f"Date de naissance « {value} » : format JJ/MM/AAAA attendu (00 pour un jour ou un mois inconnu).",
        problems={"birth_date": "Format JJ/MM/AAAA attendu."},
    )


def _common() -> dict[str, Any]:
    return {"TRAITS": TRAIT_LABELS, "SEXES": SEXES, "STATUS_LABELS": STATUS_LABELS, "date_fr": date_fr}


def _field_errors(error: LgoError) -> dict[str, str]:
    problems = dict(error.extra.get("problems") or {})
    for name in error.extra.get("missing") or []:
        problems.setdefault(name, f"Le champ « {TRAIT_LABELS.get(name, name)} » est obligatoire.")
    if error.extra.get("field"):
        problems.setdefault(str(error.extra["field"]), error.message)
    return problems


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# --- search ----------------------------------------------------------------------------------------


@router.get("/patients")
def search_page(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("patients.lire")
    query = {
        key: request.query_params[key].strip()[:200] for key in SEARCH_KEYS if request.query_params.get(key)
    }
    context: dict[str, Any] = {**_common(), "query": query, "results": None, "total": 0}
    status_code = 200
    if query:
        runtime = runtime_of(request)
        criteria = identities.SearchCriteria(**query)
        try:
            with runtime.db.session() as session:
                rows, total = identities.search(session, user.actor, runtime.clock.now(), criteria, limit=200)
                context["results"] = [identities.summary_view(row) for row in rows]
                context["total"] = total
                context["displayed"] = runtime.settings(session).displayed_traits
        except Forbidden:
            raise
        except LgoError as error:
            context["error"] = error.message
            status_code = error.status
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "resultats"
    template = "patients/_results.html" if partial else "patients/search.html"
    return render(request, template, context, status_code=status_code)


# --- creation --------------------------------------------------------------------------------------


@router.get("/patients/nouveau")
def new_patient_form(request: Request, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("patients.modifier")
    return render(request, "patients/new.html", {**_common(), "form": {}, "errors": {}, "locked": []})


@router.post("/patients/nouveau")
async def create_patient(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    user.actor.require("patients.modifier")
    form = await request.form()
    fields = {name: _text(form, name) for name in TRAIT_LABELS if name != "first_name"}
    runtime = runtime_of(request)

    def create() -> Response:
        try:
            data = identities.NewPatient(
                birth_name=fields["birth_name"],
                first_names=fields["first_names"],
                sex=fields["sex"],
                birth_date=typed_date(fields["birth_date"]),
                birth_place=fields["birth_place"],
                used_name=fields["used_name"] or None,
                used_first_name=fields["used_first_name"] or None,
                extra=identities.PatientExtra(
                    phone=fields["phone"][:30] or None,
                    email=fields["email"][:254] or None,
                    address=fields["address"][:300] or None,
                ),
            )
            with runtime.db.session() as session:
                patient = identities.create(session, user.actor, runtime.clock.now(), data)
                patient_id = patient.id
        except Forbidden:
            raise
        except LgoError as error:
            context = {
                **_common(),
                "form": fields,
                "error": error.message,
                "errors": _field_errors(error),
                "locked": [],
            }
            return render(request, "patients/new.html", context, status_code=error.status)
        return RedirectResponse(f"/patients/{patient_id}?message=cree", status_code=303)

    return await run_in_threadpool(create)


# --- the identity page -----------------------------------------------------------------------------


def _patient_page(
    request: Request, user: UiUser, patient_id: int, status_code: int = 200, **extra: Any
) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        settings = runtime.settings(session)
        view = identities.read(session, user.actor, runtime.clock.now(), patient_id, settings)
        history = identities.history_view(session, identities.load(session, patient_id))
        sections = identity_sections.page_context(session, user.actor, patient_id, settings)
    context = {
        **_common(),
        **sections,
        "patient": view,
        "history": history,
        "evidence_types": [t for t in settings.evidence_types if t.active],
        "auto_validation": settings.evidence_auto_validation,
        **extra,
    }
    return render(request, "patients/patient.html", context, status_code=status_code)


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request, patient_id: int, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    return _patient_page(request, user, patient_id, message=MESSAGES.get(message or ""))


def _attempt(request: Request, user: UiUser, patient_id: int, change: Any, done: str) -> Response:
    """Runs `change(session)` in its own unit of work; a refusal re-renders the identity page with
    the French message (nothing was saved)."""
    runtime = runtime_of(request)
    try:
        with runtime.db.session() as session:
            change(session)
    except (Forbidden, NotFound):
        raise
    except LgoError as error:
        return _patient_page(
            request, user, patient_id, error.status, error=error.message, refusals=_refusals(error)
        )
    return RedirectResponse(f"/patients/{patient_id}?message={done}", status_code=303)


def _refusals(error: LgoError) -> list[dict[str, str]]:
    found = error.extra.get("refusals")
    return list(found) if isinstance(found, list) else []


@router.post("/patients/{patient_id}/attributs")
async def save_flags(
    request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    form = await request.form()
    flags = {name: form.get(name) == "1" for name in ("douteuse", "fictive", "homonyme")}
    reason = _text(form, "reason")[:300] or None
    now = runtime_of(request).clock.now()
    return await run_in_threadpool(
        _attempt,
        request,
        user,
        patient_id,
        lambda s: identity_changes.set_flags(s, user.actor, now, patient_id, flags, reason),
        "attributs",
    )


@router.post("/patients/{patient_id}/justificatifs")
def add_evidence(
    request: Request,
    patient_id: int,
    user: Annotated[UiUser, Depends(csrf_user)],
    type_code: Annotated[str, Form(max_length=32)],
    reference: Annotated[str, Form(max_length=100)] = "",
    checked: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    runtime = runtime_of(request)
    now = runtime.clock.now()

    def change(session: Any) -> None:
        settings = runtime.settings(session)
        identity_changes.add_evidence(
            session,
            user.actor,
            now,
            patient_id,
            settings,
            type_code=type_code,
            checked=checked == "1",
            reference=reference or None,
        )

    return _attempt(request, user, patient_id, change, "justificatif")


@router.post("/patients/{patient_id}/justificatifs/{evidence_id}/retrait")
def withdraw_evidence(
    request: Request,
    patient_id: int,
    evidence_id: int,
    user: Annotated[UiUser, Depends(csrf_user)],
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    now = runtime_of(request).clock.now()
    return _attempt(
        request,
        user,
        patient_id,
        lambda s: identity_changes.withdraw_evidence(
            s, user.actor, now, patient_id, evidence_id, reason or None
        ),
        "retrait",
    )


# --- changes of traits -----------------------------------------------------------------------------


def _edit_form(view: dict[str, Any]) -> dict[str, str]:
    traits = view["traits"]
    extra = view["extra"]
    return {
        "birth_name": traits["birth_name"],
        "first_names": " ".join(traits["first_names"]),
        "sex": traits["sex"],
        "birth_date": date_fr(traits["birth_date"]),
        "birth_place": traits["birth_place"] or "",
        "used_name": view["used_name"] or "",
        "used_first_name": view["used_first_name"] or "",
        **{name: extra.get(name) or "" for name in identities.EXTRA_FIELDS},
    }


def _edit_page(
    request: Request,
    user: UiUser,
    patient_id: int,
    form: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        view = identities.read(
            session, user.actor, runtime.clock.now(), patient_id, runtime.settings(session)
        )
    context = {
        **_common(),
        "patient": view,
        "form": form or _edit_form(view),
        "errors": {},
        "locked": view["locked_traits"],
        **extra,
    }
    return render(request, "patients/edit.html", context, status_code=status_code)


@router.get("/patients/{patient_id}/modifier")
def edit_form(request: Request, patient_id: int, user: Annotated[UiUser, Depends(ui_user)]) -> Response:
    user.actor.require("patients.modifier")
    return _edit_page(request, user, patient_id)


@router.post("/patients/{patient_id}/modifier")
async def save_changes(
    request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]
) -> Response:
    user.actor.require("patients.modifier")
    form = await request.form()
    submitted = {name: _text(form, name) for name in TRAIT_LABELS if name != "first_name"}
    reason = _text(form, "reason")[:300] or None
    runtime = runtime_of(request)

    def save() -> Response:
        try:
            with runtime.db.session() as session:
                view = identities.read(
                    session, user.actor, runtime.clock.now(), patient_id, runtime.settings(session)
                )
            current = _edit_form(view)
            changes: dict[str, identity_changes.ChangeValue] = {}
            for name, value in submitted.items():
                if value == current.get(name, ""):
                    continue
                if name == "birth_date":
                    changes[name] = typed_date(value)
                elif name == "first_names":
                    changes[name] = value.split()
                else:
                    changes[name] = value or None
            if not changes:
                return RedirectResponse(f"/patients/{patient_id}", status_code=303)
            with runtime.db.session() as session:
                identity_changes.modify(session, user.actor, runtime.clock.now(), patient_id, changes, reason)
        except (Forbidden, NotFound):
            raise
        except LgoError as error:
            return _edit_page(
                request,
                user,
                patient_id,
                submitted,
                error.status,
                error=error.message,
                errors=_field_errors(error),
            )
        return RedirectResponse(f"/patients/{patient_id}?message=modifie", status_code=303)

    return await run_in_threadpool(save)


# --- INSi ------------------------------------------------------------------------------------------


def _insi_result(request: Request, user: UiUser, patient_id: int, result: dict[str, Any]) -> Response:
    return render(
        request, "patients/insi_result.html", {**_common(), "result": result, "patient_id": patient_id}
    )


def _insi_failed(request: Request, user: UiUser, patient_id: int, error: LgoError) -> Response:
    """An INSi refusal, fault or outage: the identity page, unchanged, with the French message."""
    return _patient_page(
        request, user, patient_id, error.status, error=error.message, refusals=_refusals(error)
    )


@router.post("/patients/{patient_id}/insi/recherche")
def insi_search(request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    try:
        result = insi_calls.search(runtime_of(request), user.actor, patient_id, mode="traits")
    except (Forbidden, NotFound):
        raise
    except LgoError as error:
        return _insi_failed(request, user, patient_id, error)
    return _insi_result(request, user, patient_id, result)


@router.post("/patients/{patient_id}/insi/carte-vitale")
def insi_vitale(
    request: Request,
    patient_id: int,
    user: Annotated[UiUser, Depends(csrf_user)],
    beneficiaire: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Reads the card; with several beneficiaries the user picks one, then INSi is asked."""
    runtime = runtime_of(request)
    try:
        if not beneficiaire.isdigit():
            with runtime.db.session() as session:
                read = vitale.read_for(session, user.actor, runtime.clock.now(), runtime.settings(session))
            if len(read.card.beneficiaries) > 1:
                context = {
                    **_common(),
                    "patient_id": patient_id,
                    "reader": read.reader,
                    "beneficiaries": vitale.beneficiaries_view(read.card),
                }
                return render(request, "patients/vitale_choice.html", context)
        index = int(beneficiaire) if beneficiaire.isdigit() else None
        result = insi_calls.search(runtime, user.actor, patient_id, mode="vitale", beneficiary_index=index)
    except (Forbidden, NotFound):
        raise
    except LgoError as error:
        return _insi_failed(request, user, patient_id, error)
    return _insi_result(request, user, patient_id, result)


@router.post("/patients/{patient_id}/insi/integrer")
def insi_accept(
    request: Request,
    patient_id: int,
    user: Annotated[UiUser, Depends(csrf_user)],
    candidate_id: Annotated[str, Form(max_length=36)],
) -> Response:
    now = runtime_of(request).clock.now()
    return _attempt(
        request,
        user,
        patient_id,
        lambda s: insi_calls.accept(s, user.actor, now, patient_id, candidate_id),
        "integre",
    )


@router.post("/patients/{patient_id}/insi/verification")
def insi_verify(request: Request, patient_id: int, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    """A user clicked: INSI-MANU (verification jobs run unattended with INSI-AUTO)."""
    try:
        outcome = insi_calls.verify(runtime_of(request), user.actor, patient_id, auth="manu")
    except (Forbidden, NotFound):
        raise
    except LgoError as error:
        return _insi_failed(request, user, patient_id, error)
    if outcome["result"] == "OK":
        return _patient_page(request, user, patient_id, verification=outcome)
    return _patient_page(request, user, patient_id, verification_error=outcome)


# --- identity settings -----------------------------------------------------------------------------


def _settings_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    runtime = runtime_of(request)
    with runtime.db.session() as session:
        current = runtime.settings(session)
    context = {
        **_common(),
        "settings": current,
        "optional": pharmacy_settings.OPTIONAL_DISPLAYED_TRAITS,
        "core": identities.CORE_DISPLAYED,
        **extra,
    }
    return render(request, "patients/settings.html", context, status_code=status_code)


@router.get("/parametres/identites")
def identity_settings(
    request: Request, user: Annotated[UiUser, Depends(ui_user)], message: str | None = None
) -> Response:
    user.actor.require("parametres.lire")
    return _settings_page(
        request, message="Paramètres d'identitovigilance enregistrés." if message == "ok" else None
    )


@router.post("/parametres/identites")
async def save_identity_settings(request: Request, user: Annotated[UiUser, Depends(csrf_user)]) -> Response:
    user.actor.require("parametres.modifier")
    form = await request.form()
    types = []
    count = _text(form, "type_count")
    for index in range(min(int(count), 100) + 1 if count.isdigit() else 0):
        code, label = _text(form, f"type_{index}_code"), _text(form, f"type_{index}_label")
        if not code and not label:
            continue  # an empty line (the one for a new type)
        if form.get(f"type_{index}_remove") == "1":
            continue
        types.append(
            {
                "code": code,
                "label": label,
                "trust": _text(form, f"type_{index}_trust"),
                # A form without the column (older page, script) keeps the type active.
                "active": form.get(f"type_{index}_active") == "1"
                if form.get(f"type_{index}_active_field")
                else True,
            }
        )
    changes = {
        "displayed_traits": [str(value) for value in form.getlist("displayed_traits")],
        "evidence_types": types,
        "evidence_auto_validation": form.get("evidence_auto_validation") == "1",
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
        return RedirectResponse("/parametres/identites?message=ok", status_code=303)

    return await run_in_threadpool(save)
