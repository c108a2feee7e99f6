"""Closes the exchange: one journal record with operation, correlation, findings and response."""

from __future__ import annotations

from simulators.core.exchange import current
from simulators.core.host import ServiceHost
from simulators.core.middleware import _asgi
from simulators.core.recording import exchange_record
from simulators.core.service import ASGIApp, Receive, Scope, Send


class JournalFinaliseMiddleware:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            exchange = current(scope)
            if exchange.operation is None:
                exchange.operation = _asgi.classify(self.host, exchange.request)
            correlation = _asgi.correlation(self.host, exchange.request)
            correlation.update({k: str(v) for k, v in exchange.correlation.items() if v not in (None, "")})
            record, bodies = exchange_record(self.host, exchange, correlation)
            self.host.context.journal.add(record, bodies)
