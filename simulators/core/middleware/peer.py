"""TLS peer identity: reads the ASGI TLS extension, then lets the service accept or refuse the peer."""

from __future__ import annotations

from typing import Any

from cryptography import x509

from simulators.core.exchange import current
from simulators.core.host import INTERNAL_ERROR_CODE, ServiceHost
from simulators.core.middleware import _asgi
from simulators.core.peer import PeerIdentity
from simulators.core.service import ASGIApp, Receive, Scope, Send

PEER_KEY = "segur_bench.peer"  # parsed PeerIdentity, computed once per connection by the TLS protocol


def peer_from_scope(scope: Scope) -> PeerIdentity | None:
    tls: dict[str, Any] | None = scope.get("extensions", {}).get("tls")
    if not tls:
        return None
    cached = tls.get(PEER_KEY)
    if isinstance(cached, PeerIdentity):
        return cached
    chain = [
        x509.load_pem_x509_certificate(pem.encode("ascii")) for pem in tls.get("client_cert_chain") or ()
    ]
    version = tls.get("tls_version")
    return PeerIdentity.from_chain(chain, hex(version) if isinstance(version, int) else version)


class PeerIdentityMiddleware:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = current(scope)
        exchange.peer = peer_from_scope(scope)
        if exchange.request is not None:
            exchange.request.peer = exchange.peer
        if self.host.service is not None:
            try:
                refusal = self.host.service.accept_peer(exchange.peer)
            except Exception:
                _asgi.log.exception("%s : accept_peer a échoué", self.host.name)
                refusal = _asgi.render_fault(self.host, INTERNAL_ERROR_CODE, "Erreur interne du simulateur.")
            if refusal is not None:
                await _asgi.send_raw(send, refusal)
                return
        await self.app(scope, receive, send)
