"""Jinja2 environment of the UI (autoescaped) and its French filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from reference_lgo.domain.permissions import PERMISSIONS, ROLES
from reference_lgo.services.audit import ACTIONS, CHANNELS, OBJECT_TYPES, OUTCOMES
from reference_lgo.services.identities import LABELS as IDENTITY_LABELS
from reference_lgo.services.settings import LABELS as SETTING_LABELS
from reference_lgo.settings import LGO_NAME, LGO_VERSION

PARIS = ZoneInfo("Europe/Paris")
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def paris(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M:%S") -> str:
    return value.astimezone(PARIS).strftime(pattern) if value else ""


# Field names found in the audit trail's before/after details.
FIELD_LABELS = {
    **SETTING_LABELS,
    "login": "Identifiant",
    "display_name": "Nom affiché",
    "role": "Rôle",
    "id_nat_ps": "idNatPS",
    "professional_ref": "Référence du professionnel",
    "active": "Actif",
    "password": "Mot de passe",
    **{key: label[:1].upper() + label[1:] for key, label in IDENTITY_LABELS.items()},
}


def paris_iso(value: str | None, pattern: str = "%d/%m/%Y %H:%M:%S") -> str:
    """An ISO 8601 timestamp (as the driver answers carry them) in Paris time."""
    return paris(datetime.fromisoformat(value), pattern) if value else ""


templates.env.filters["paris"] = paris
templates.env.filters["paris_iso"] = paris_iso
templates.env.globals.update(
    ROLES=ROLES,
    PERMISSIONS=PERMISSIONS,
    ACTIONS=ACTIONS,
    CHANNELS=CHANNELS,
    OUTCOMES=OUTCOMES,
    OBJECT_TYPES=OBJECT_TYPES,
    FIELD_LABELS=FIELD_LABELS,
    LGO_NAME=LGO_NAME,
    LGO_VERSION=LGO_VERSION,
)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    context = dict(context or {})
    ui = getattr(request.state, "ui", None)
    context.setdefault("ui", ui)
    return templates.TemplateResponse(request, name, context, status_code=status_code)
