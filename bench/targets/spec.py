"""`--target reference | driver:URL | manual` (CONVENTIONS "Runs and results")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from bench.targets.errors import TargetSpecError

TargetKind = Literal["reference", "driver", "manual"]
DRIVER_SUFFIX = "/driver/v1"


@dataclass(frozen=True)
class TargetSpec:
    kind: TargetKind
    url: str | None = None  # driver base URL including /driver/v1 (driver targets only)

    def __str__(self) -> str:
        return f"driver:{self.url}" if self.kind == "driver" else self.kind


def parse_target(text: str) -> TargetSpec:
    value = text.strip()
    if value in ("reference", "manual"):
        return TargetSpec(value)  # type: ignore[arg-type]
    if not value.startswith("driver:"):
        raise TargetSpecError(
            f"cible inconnue « {text} » : attendu reference, manual ou driver:URL "
            "(ex. driver:http://127.0.0.1:8000/driver/v1)"
        )
    return TargetSpec("driver", normalise_driver_url(value.removeprefix("driver:")))


def normalise_driver_url(url: str) -> str:
    """http(s)://host[:port]/…/driver/v1, without a trailing slash, query or fragment."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise TargetSpecError(f"URL de pilotage invalide « {url} »") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetSpecError(
            f"URL de pilotage invalide « {url} » : http:// ou https:// et un hôte sont requis"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise TargetSpecError(
            f"URL de pilotage invalide « {url} » : ni paramètres, ni fragment, ni identifiants dans l'URL "
            "(le jeton passe par SEGUR_BENCH_DRIVER_TOKEN)"
        )
    path = parts.path.rstrip("/")
    if not path.endswith(DRIVER_SUFFIX):
        raise TargetSpecError(
            f"URL de pilotage « {url} » : elle doit se terminer par {DRIVER_SUFFIX} "
            "(URL de base de l'API de pilotage, version 1)"
        )
    return f"{parts.scheme}://{parts.netloc}{path}"
