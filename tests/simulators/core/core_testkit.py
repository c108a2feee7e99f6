"""Test kit of the core's tests: a small test-only service and TLS client contexts."""

from __future__ import annotations

import json
import ssl
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response

from protocols.pki import TestPKI
from simulators.core import exchange as core_exchange
from simulators.core.findings import Finding
from simulators.core.peer import PeerIdentity
from simulators.core.raw import RawRequest, RawResponse
from simulators.core.service import ASGIApp, ServiceContext, ServiceDescriptor


class EchoService:
    """Test-only service: POST /echo/<operation> answers the request body; /echo/boom raises."""

    def __init__(self, descriptor: ServiceDescriptor, context: ServiceContext) -> None:
        self.descriptor = descriptor
        self.context = context
        self.resets = 0
        self.seeded: list[dict[str, Any]] = []
        self.started = False

    def app(self) -> ASGIApp:
        api = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @api.post("/echo/boom")
        async def boom() -> Response:
            raise RuntimeError("panne volontaire du service de test")

        @api.post("/echo/{operation}")
        async def echo(operation: str, request: Request) -> Response:
            body = await request.body()
            current = core_exchange.current(request)
            current.correlation["message_id"] = request.headers.get("x-message-id", "")
            if b"bad" in body:
                current.add_finding(
                    Finding("ECHO-01", "error", ["W1-TEST-01"], "Corps refusé par la règle de test.")
                )
            cn = current.peer.common_name if current.peer else None
            return Response(body, media_type="application/xml", headers={"x-peer-cn": cn or "-"})

        return api

    def reset(self) -> None:
        self.resets += 1

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        if "bad" in payload:
            raise ValueError("donnée « bad » refusée")
        self.seeded.append(payload)
        return {"seeded": len(self.seeded)}

    def classify(self, request: RawRequest) -> str | None:
        parts = request.path.rstrip("/").split("/")
        return parts[-1] if len(parts) >= 3 and parts[1] == "echo" else None

    def correlation(self, request: RawRequest) -> dict[str, str]:
        ins = request.headers.get("x-ins")
        return {"ins": ins} if ins else {}

    def render_fault(self, code: str, message: str) -> RawResponse:
        body = json.dumps({"fault": code, "message": message}, ensure_ascii=False).encode()
        return RawResponse(500, body, "application/json")

    def accept_peer(self, peer: PeerIdentity | None) -> RawResponse | None:
        if peer is not None and peer.common_name == "INSI-MANU":
            return self.render_fault("CN_REFUSE", "CN refusé par le service de test")
        return None

    async def start(self) -> None:
        self.started = True

    def control_router(self) -> APIRouter:
        router = APIRouter()

        @router.get("/extra")
        async def extra() -> dict[str, Any]:
            return {"service": self.descriptor.name, "resets": self.resets, "started": self.started}

        return router


def descriptor(name: str, mtls: bool) -> ServiceDescriptor:
    holder: dict[str, ServiceDescriptor] = {}
    desc = ServiceDescriptor(
        name=name,
        default_port=0,
        mtls=mtls,
        base_path="/echo",
        operations={"ping": "bench-contract"},
        factory=lambda ctx: EchoService(holder["d"], ctx),
    )
    holder["d"] = desc
    return desc


def client_context(pki: TestPKI, client: str | None = "insi-auto") -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.chain_pem))
    if client is not None:
        credential = pki.client(client)
        ctx.load_cert_chain(str(credential.chain_pem), str(credential.key_pem))
    return ctx
