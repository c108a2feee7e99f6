"""Errors of the use cases, with a French message for the user and a stable code for scripts.

The web layer renders them as French error pages, the driver API as problem+json with `code`.
"""

from __future__ import annotations

from typing import Any


class LgoError(Exception):
    status = 400
    code = "requete_invalide"
    title = "Requête refusée"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra


class InvalidInput(LgoError):
    status = 422
    code = "donnees_invalides"
    title = "Données invalides"


class NotFound(LgoError):
    status = 404
    code = "introuvable"
    title = "Introuvable"


class Conflict(LgoError):
    status = 409
    code = "conflit"
    title = "Conflit"


class Unauthenticated(LgoError):
    """No valid session: missing, ended or expired (the UI sends the user to the login page)."""

    status = 401
    code = "authentification_requise"
    title = "Authentification requise"


class LoginFailed(Unauthenticated):
    code = "identifiants_invalides"
    title = "Connexion refusée"


class Forbidden(LgoError):
    status = 403
    code = "acces_refuse"
    title = "Accès refusé"

    def __init__(self, message: str, *, permission: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code, permission=permission)
        self.permission = permission


class CardLoginError(LgoError):
    """A CPS login failed because of the card, its certificate or the reader (code says which)."""

    status = 401
    code = "carte_refusee"
    title = "Connexion par carte CPS refusée"


class ReaderUnavailable(CardLoginError):
    status = 503
    code = "lecteur_indisponible"
    title = "Lecteur de cartes indisponible"
