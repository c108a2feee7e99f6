"""French error pages for the UI (no stack trace ever reaches the user) and the audit of refusals."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from reference_lgo.runtime import Runtime
from reference_lgo.services import audit
from reference_lgo.services.context import Actor
from reference_lgo.services.errors import Forbidden, LgoError, Unauthenticated
from reference_lgo.web.deps import SESSION_COOKIE
from reference_lgo.web.templating import render

log = logging.getLogger(__name__)

HTTP_TITLES = {
    400: ("Requête incorrecte", "La requête envoyée n'a pas pu être comprise."),
    404: ("Page introuvable", "La page demandée n'existe pas ou a été déplacée."),
    405: ("Méthode non permise", "Cette adresse n'accepte pas ce type de requête."),
    413: ("Requête trop volumineuse", "Les données envoyées dépassent la taille permise."),
}


def record_denial(runtime: Runtime, actor: Actor | None, error: Forbidden, where: str) -> None:
    """A refused access is audited in its own transaction (the request's one is rolled back)."""
    if actor is None:
        return
    try:
        with runtime.db.session() as session:
            audit.record(
                session,
                actor,
                runtime.clock.now(),
                "acces.refuse",
                f"Accès refusé : {where}"[:500],
                outcome="refus",
                object_type="page" if actor.origin.channel == "ui" else "api",
                object_id=where[:100],
                details={"permission": error.permission, "code": error.code},
            )
    except Exception:  # never hide the refusal because its audit failed
        log.exception("audit d'un refus impossible")


def error_page(request: Request, status: int, title: str, message: str, code: str | None = None) -> Response:
    return render(
        request,
        "error.html",
        {"title": title, "message": message, "status": status, "code": code},
        status_code=status,
    )


def install(app: FastAPI) -> None:
    async def unauthenticated(request: Request, error: Exception) -> Response:
        assert isinstance(error, Unauthenticated)
        target = f"/connexion?motif={error.code}"
        if request.headers.get("HX-Request") == "true":
            response: Response = Response(status_code=200, headers={"HX-Redirect": target})
        else:
            response = RedirectResponse(target, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def forbidden(request: Request, error: Exception) -> Response:
        assert isinstance(error, Forbidden)
        record_denial(
            request.app.state.runtime, getattr(request.state, "actor", None), error, request.url.path
        )
        return error_page(request, 403, "Accès refusé", error.message, error.code)

    async def lgo_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, LgoError)
        return error_page(request, error.status, error.title, error.message, error.code)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        title, message = HTTP_TITLES.get(error.status_code, ("Erreur", "La requête n'a pas abouti."))
        return error_page(request, error.status_code, title, message)

    async def invalid_request(request: Request, error: Exception) -> Response:
        return error_page(
            request, 422, "Formulaire incomplet", "Un champ obligatoire manque ou une valeur est trop longue."
        )

    async def internal(request: Request, error: Exception) -> Response:
        if not request.url.path.startswith("/driver/"):  # the driver app logged it already
            log.exception("erreur interne sur %s", request.url.path, exc_info=error)
        return error_page(
            request,
            500,
            "Erreur interne",
            "Une erreur inattendue s'est produite. L'opération n'a pas été enregistrée ; réessayez "
            "ou contactez l'assistance.",
        )

    app.add_exception_handler(Unauthenticated, unauthenticated)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(LgoError, lgo_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, internal)
