"""FastAPI factory of the reference LGO: the French web UI, the driver API at /driver/v1, /health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_lgo.driver.app import create_driver_app
from reference_lgo.runtime import Runtime
from reference_lgo.services import maintenance
from reference_lgo.settings import DRIVER_API_VERSION, LGO_NAME, LGO_VERSION, LgoConfig
from reference_lgo.web import errors
from reference_lgo.web.routes import (
    accounts,
    audit,
    auth,
    home,
    identity_extras,
    ins_journals,
    patients,
    settings,
)

STATIC = Path(__file__).resolve().parent / "web" / "static"

SECURITY_HEADERS = [
    # Everything is served locally (vendored htmx): nothing else may load.
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, add)


def create_app(config: LgoConfig | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The LGO application; migrates the database on creation."""
    runtime = runtime or Runtime.start(config or LgoConfig.from_env())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Purge of the ID-document copies at start-up, then daily on the LGO clock.
        ticker = maintenance.start(runtime)
        yield
        ticker.stop()
        runtime.close()

    app = FastAPI(
        title=LGO_NAME,
        version=LGO_VERSION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        with runtime.db.session() as session:
            session.connection()
        return {"status": "ok", "name": LGO_NAME, "version": LGO_VERSION, "driver_api": DRIVER_API_VERSION}

    for module in (auth, home, accounts, settings, audit, identity_extras, patients, ins_journals):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/driver/v1", create_driver_app(runtime), name="driver")
    app.add_middleware(SecurityHeaders)
    return app
