"""Small helpers shared by the middlewares."""

from __future__ import annotations

import logging

from simulators.core.host import ServiceHost
from simulators.core.raw import RawRequest, RawResponse
from simulators.core.service import Send

log = logging.getLogger("simulators.core")


async def send_raw(send: Send, response: RawResponse) -> None:
    await send({"type": "http.response.start", "status": response.status, "headers": response.header_pairs()})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


def render_fault(host: ServiceHost, code: str, message: str) -> RawResponse:
    """The service's own fault shape; a plain 500 if the service cannot even render it."""
    if host.service is not None:
        try:
            return host.service.render_fault(code, message)
        except Exception:
            log.exception("%s : render_fault(%s) a échoué", host.name, code)
    return RawResponse(500, f"{message}\n".encode(), "text/plain; charset=utf-8")


def classify(host: ServiceHost, request: RawRequest | None) -> str | None:
    if host.service is None or request is None:
        return None
    try:
        return host.service.classify(request)
    except Exception:
        log.exception("%s : classify a échoué", host.name)
        return None


def correlation(host: ServiceHost, request: RawRequest | None) -> dict[str, str]:
    method = getattr(host.service, "correlation", None)
    if method is None or request is None:
        return {}
    try:
        found = method(request) or {}
    except Exception:
        log.exception("%s : correlation a échoué", host.name)
        return {}
    return {str(k): str(v) for k, v in found.items() if v not in (None, "")}
