"""The driver API application, mounted by the LGO at /driver/v1 (its own OpenAPI document)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_lgo.driver import problems
from reference_lgo.driver.routes import (
    accounts,
    admin,
    audit,
    identity_extras,
    insi,
    journals,
    patients,
    sessions,
    settings,
)
from reference_lgo.driver.schemas import InfoOut
from reference_lgo.runtime import Runtime
from reference_lgo.settings import DRIVER_API_VERSION, LGO_NAME, LGO_VERSION

VERSION_HEADER = "X-Driver-Api-Version"

DESCRIPTION = """API de pilotage d'un LGO par le banc de conformité Ségur (version 1).

Les appels de niveau banc (`reset`, `clock`, `seed`, `evidence`) demandent
`Authorization: Bearer $SEGUR_BENCH_DRIVER_TOKEN` quand ce jeton est configuré. Les actions
demandent le jeton d'une session ouverte par `POST /sessions` : elles s'exécutent au nom de ce
compte (droits, auteur dans la piste d'audit, canal `driver`). Erreurs : `application/problem+json`
avec un `detail` en français et un `code` stable. Voir docs/driver-api.md."""

ACTIONS = [
    "sessions",
    "reset",
    "clock",
    "seed",
    "evidence",
    "accounts",
    "roles",
    "permissions",
    "settings",
    "audit",
    "patients",
    "insi",
    "cards",
    "journals",
    "id-documents",
    "identity-sheet",
    "partners",
    "bulk-verify",
    "import-ins",
    "maintenance",
]


class VersionHeader:
    """Adds the API version to every answer (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (VERSION_HEADER.lower().encode(), DRIVER_API_VERSION.encode()),
                ]
            await send(message)

        await self.app(scope, receive, with_header)


def create_driver_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="API de pilotage du LGO (segur-bench)",
        version=DRIVER_API_VERSION,
        description=DESCRIPTION,
        docs_url=None,  # Swagger UI would load assets from a CDN: the OpenAPI JSON is enough
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    problems.install(app)

    @app.get("/", response_model=InfoOut, tags=["banc"], summary="Version de l'API et actions offertes")
    def info() -> InfoOut:
        return InfoOut(
            api_version=DRIVER_API_VERSION, lgo={"name": LGO_NAME, "version": LGO_VERSION}, actions=ACTIONS
        )

    for module in (sessions, admin, accounts, settings, audit, identity_extras, patients, insi, journals):
        app.include_router(module.router)
    app.add_middleware(VersionHeader)
    return app
