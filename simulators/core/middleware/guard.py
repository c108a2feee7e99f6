"""Last line before the service: an unhandled exception becomes the service's own fault, never a trace."""

from __future__ import annotations

from simulators.core.exchange import current
from simulators.core.findings import Finding
from simulators.core.host import INTERNAL_ERROR_CODE, ServiceHost
from simulators.core.middleware import _asgi
from simulators.core.service import ASGIApp, Message, Receive, Scope, Send

INTERNAL_ERROR_RULE = "BANC-ERREUR-INTERNE"


class ServiceErrorGuard:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The response is held until the service returns: frameworks (Starlette's ServerErrorMiddleware)
        # send their own 500 page before re-raising, and that page must not reach the wire.
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        try:
            await self.app(scope, receive, hold)
        except Exception as exc:
            exchange = current(scope)
            _asgi.log.exception("%s : exception non gérée (échange %s)", self.host.name, exchange.id)
            exchange.add_finding(
                Finding(
                    INTERNAL_ERROR_RULE,
                    "error",
                    [],
                    f"Erreur interne du simulateur {self.host.name} ({type(exc).__name__}) : le banc est en cause, "
                    "pas le logiciel testé.",
                    evidence=str(exc)[:500],
                )
            )
            message = (
                f"Erreur interne du simulateur ; incident {exchange.id} consigné dans le journal du banc."
            )
            await _asgi.send_raw(send, _asgi.render_fault(self.host, INTERNAL_ERROR_CODE, message))
            return
        for held_message in held:
            await send(held_message)
