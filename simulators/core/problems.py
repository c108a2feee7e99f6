"""problem+json (RFC 9457) errors for the control plane, with French `detail`."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

MEDIA_TYPE = "application/problem+json"
_TITLES = {
    400: "Requête invalide",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    422: "Requête invalide",
    500: "Erreur interne du banc",
    503: "Indisponible",
}
_PYDANTIC_FR = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ non autorisé",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "list_type": "liste attendue",
    "string_type": "texte attendu",
    "int_parsing": "entier attendu",
    "float_parsing": "nombre attendu",
    "bool_parsing": "booléen attendu",
    "datetime_from_date_parsing": "date-heure ISO 8601 attendue",
    "datetime_parsing": "date-heure ISO 8601 attendue",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "literal_error": "valeur non permise",
    "union_tag_invalid": "valeur de discriminant inconnue",
}


class Problem(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def problem_response(status: int, detail: str, **extra: Any) -> JSONResponse:
    title = _TITLES.get(status) or HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def validation_detail(errors: list[Any]) -> str:
    """pydantic errors -> one French sentence naming each field."""
    parts = []
    for error in errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
        message = str(error.get("msg", ""))
        if error.get("type") == "value_error":
            text = message.removeprefix("Value error, ")
        else:
            text = _PYDANTIC_FR.get(str(error.get("type")), message)
        parts.append(f"{location or 'corps'} : {text}")
    return "Requête invalide : " + " ; ".join(parts) + "."


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, validation_detail(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Aucune ressource à l'adresse {request.url.path}."
        elif exc.status_code == 405:
            detail = f"Méthode {request.method} non autorisée sur {request.url.path}."
        return problem_response(exc.status_code, detail)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, f"Erreur interne du plan de contrôle ({type(exc).__name__}).")
