"""Errors of the driver API as problem+json (RFC 9457) with a French `detail` and a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from reference_lgo.services.errors import Forbidden, LgoError
from reference_lgo.web.errors import record_denial

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"

# Pydantic error types -> French wording (the rest keeps pydantic's message).
_PYDANTIC_FR = {
    "missing": "obligatoire",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "bool_type": "booléen attendu",
    "bool_parsing": "booléen attendu",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "extra_forbidden": "champ inconnu",
    "literal_error": "valeur non permise",
    "enum": "valeur non permise",
    "datetime_parsing": "date et heure ISO 8601 attendues",
    "datetime_from_date_parsing": "date et heure ISO 8601 attendues",
    "greater_than_equal": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "json_invalid": "JSON invalide",
}

TITLES = {
    400: "Requête incorrecte",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non permise",
    409: "Conflit",
    422: "Données invalides",
    500: "Erreur interne",
    503: "Service indisponible",
}


def problem(status: int, detail: str, code: str, title: str | None = None, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:segur-bench:probleme:{code}",
        "title": title or TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
        "code": code,
        **{key: value for key, value in extra.items() if value is not None},
    }
    headers = {"WWW-Authenticate": 'Bearer realm="driver"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def french_validation(errors: list[Any]) -> str:
    parts = []
    for item in errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path")]
        where = ".".join(location) or "corps"
        message = _PYDANTIC_FR.get(
            item.get("type", ""), str(item.get("msg", "")).removeprefix("Value error, ")
        )
        if item.get("type") == "value_error":
            message = str(item.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"« {where} » : {message}")
    return "Données invalides : " + " ; ".join(parts)


def install(app: FastAPI) -> None:
    async def lgo_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, LgoError)
        if isinstance(error, Forbidden):
            record_denial(
                request.app.state.runtime, getattr(request.state, "actor", None), error, request.url.path
            )
        return problem(error.status, error.message, error.code, error.title, **error.extra)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        detail = {404: "Action inconnue de l'API de pilotage.", 405: "Méthode non permise pour cette action."}
        return problem(
            error.status_code, detail.get(error.status_code, str(error.detail)), f"http_{error.status_code}"
        )

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        return problem(422, french_validation(list(error.errors())), "donnees_invalides")

    async def internal(request: Request, error: Exception) -> Response:
        log.exception("erreur interne de l'API de pilotage sur %s", request.url.path, exc_info=error)
        return problem(500, "Erreur interne du LGO ; l'action n'a pas été effectuée.", "erreur_interne")

    app.add_exception_handler(LgoError, lgo_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, internal)
