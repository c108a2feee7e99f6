"""Opens the exchange: an id (also sent back as `x-request-id`) and a start time on the bench clock."""

from __future__ import annotations

from simulators.core.exchange import SCOPE_KEY, Exchange
from simulators.core.host import ServiceHost
from simulators.core.service import ASGIApp, Message, Receive, Scope, Send, new_record_id


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(
            id=new_record_id(), service=self.host.name, started_at=self.host.context.clock.now()
        )
        scope[SCOPE_KEY] = exchange
        request_id = exchange.id.encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)
