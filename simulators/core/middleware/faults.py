"""Fault injection: the first matching rule of the service's fault engine shapes the answer.

Action kinds (CONVENTIONS): delay, http_status, service_fault, reset, malformed, expired_token.
`tls_failure` is applied earlier, by the handshake wrapper (`simulators.core.tls`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from simulators.core.exchange import Exchange, current
from simulators.core.faults import MatchContext, action_kind
from simulators.core.findings import Finding
from simulators.core.host import ServiceHost
from simulators.core.middleware import _asgi
from simulators.core.raw import RawResponse
from simulators.core.service import ASGIApp, Message, Receive, Scope, Send

FAULT_RULE = "BANC-PANNE"
TRANSPORT_KEY = "segur_bench.transport"  # set by the TLS protocol: lets `reset` cut the connection


def fault_finding(rule: Any) -> Finding:
    kind = action_kind(rule)
    return Finding(
        FAULT_RULE,
        "info",
        [],
        f"Panne injectée par le banc : règle {rule.id} ({kind}).",
        evidence=rule.model_dump(mode="json"),
    )


def garble(body: bytes, variant: str | None) -> bytes:
    """A malformed body: `truncated` (default) keeps the first half, `garbled` breaks the middle, `empty`."""
    if variant == "empty":
        return b""
    if variant == "garbled":
        third = max(len(body) // 3, 1)
        return body[:third] + b"\x00\xff<<&&;#" + body[2 * third :]
    return body[: len(body) // 2] if len(body) > 1 else b"<"


class FaultInjectionMiddleware:
    def __init__(self, app: ASGIApp, host: ServiceHost) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = current(scope)
        request = exchange.request
        if exchange.operation is None:
            exchange.operation = _asgi.classify(self.host, request)
        ctx = MatchContext(
            method=scope["method"],
            path=scope["path"],
            headers=request.headers if request else {},
            correlation=_asgi.correlation(self.host, request),
            peer=exchange.peer,
        )
        rule = self.host.faults.pick(exchange.operation, ctx)
        if rule is None:
            await self.app(scope, receive, send)
            return
        exchange.fault_rule_id = rule.id
        exchange.add_finding(fault_finding(rule))
        action = rule.action
        kind = action_kind(rule)
        if kind == "delay":
            await asyncio.sleep(max(float(getattr(action, "ms", 0) or 0), 0.0) / 1000)
            await self.app(scope, receive, send)
        elif kind == "http_status":
            status = int(getattr(action, "status", 503) or 503)
            body = getattr(action, "body", None)
            text = body if body is not None else f"Erreur HTTP {status}\n"
            await _asgi.send_raw(send, RawResponse(status, text.encode("utf-8"), "text/plain; charset=utf-8"))
        elif kind == "service_fault":
            await _asgi.send_raw(send, self._service_fault(action))
        elif kind == "expired_token":
            await _asgi.send_raw(send, _expired_token())
        elif kind == "reset":
            await _reset(scope, receive, exchange)
        elif kind == "malformed":
            await self._malformed(scope, receive, send, getattr(action, "variant", None))
        else:
            await self.app(scope, receive, send)

    def _service_fault(self, action: Any) -> RawResponse:
        """The service's fault; `render_fault_action(action)` (optional member) sees every field of the
        action (soap_code, detail_code...), else `render_fault(code, message)`."""
        custom = getattr(self.host.service, "render_fault_action", None)
        if callable(custom):
            try:
                response = custom(action)
                if isinstance(response, RawResponse):
                    return response
            except Exception:
                _asgi.log.exception("%s : render_fault_action a échoué", self.host.name)
        code = str(getattr(action, "code", "") or "indisponible")
        message = str(getattr(action, "message", "") or "Service momentanément indisponible.")
        return _asgi.render_fault(self.host, code, message)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send, variant: str | None) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, hold)
        if start is None:
            return
        body = garble(b"".join(chunks), variant)
        headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _expired_token() -> RawResponse:
    body = (
        '{"type":"about:blank","title":"Jeton expiré","status":401,"detail":"Le jeton d\'accès a expiré."}'
    ).encode()
    return RawResponse(
        401,
        body,
        "application/problem+json",
        {"www-authenticate": 'Bearer error="invalid_token", error_description="jeton expire"'},
    )


async def _reset(scope: Scope, receive: Receive, exchange: Exchange) -> None:
    """Cuts the TCP connection with a RST and no answer, then waits until the server has noticed."""
    exchange.aborted = True
    transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
    if transport is None:
        return  # not served by the core's listener: nothing to cut
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # linger 0: close() sends a RST, as a crashed server's kernel does
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    try:
        async with asyncio.timeout(2):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass
