"""Captures the raw request (headers, whole body, size-capped) and tees the response as it is sent."""

from __future__ import annotations

from simulators.core.exchange import current
from simulators.core.host import BODY_TOO_LARGE_CODE, ServiceHost
from simulators.core.middleware import _asgi
from simulators.core.raw import RawRequest, headers_to_dict
from simulators.core.service import ASGIApp, Message, Receive, Scope, Send


class JournalCaptureMiddleware:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = current(scope)
        cap = self.host.max_body_bytes
        captured = exchange.response

        async def tee(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = int(message["status"])
                captured.headers = headers_to_dict(list(message.get("headers", ())))
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                room = cap - len(captured.body)
                captured.body += chunk[: max(room, 0)]
                captured.truncated = captured.truncated or len(chunk) > room
            await send(message)

        headers = headers_to_dict(list(scope.get("headers", ())))
        exchange.request = RawRequest(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=b"",
        )
        too_large = _declared_length(headers) > cap
        body = bytearray()
        more = not too_large
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                exchange.aborted = True
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            too_large = len(body) > cap
            if too_large:
                break
        if too_large:
            exchange.request.body = bytes(body[:cap])
            message_fr = f"Requête trop volumineuse : {cap} octets au plus."
            await _asgi.send_raw(tee, _asgi.render_fault(self.host, BODY_TOO_LARGE_CODE, message_fr))
            return
        exchange.request.body = bytes(body)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {
                    "type": "http.request",
                    "body": exchange.request.body if exchange.request else b"",
                    "more_body": False,
                }
            return await receive()

        await self.app(scope, replay, tee)


def _declared_length(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0
