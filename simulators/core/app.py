"""App factory: a service's national ASGI app wrapped in the core's request pipeline."""

from __future__ import annotations

from collections.abc import Callable

from simulators.core.host import ServiceHost
from simulators.core.middleware.capture import JournalCaptureMiddleware
from simulators.core.middleware.faults import FaultInjectionMiddleware
from simulators.core.middleware.finalise import JournalFinaliseMiddleware
from simulators.core.middleware.guard import ServiceErrorGuard
from simulators.core.middleware.peer import PeerIdentityMiddleware
from simulators.core.middleware.request_id import RequestIdMiddleware
from simulators.core.service import ASGIApp

Layer = Callable[[ASGIApp, ServiceHost], ASGIApp]

# Outermost first. The journal record is written when `JournalFinaliseMiddleware` unwinds, i.e. last.
CHAIN: list[Layer] = [
    RequestIdMiddleware,
    JournalFinaliseMiddleware,
    JournalCaptureMiddleware,
    PeerIdentityMiddleware,
    FaultInjectionMiddleware,
    ServiceErrorGuard,
]


def build_app(host: ServiceHost, national_app: ASGIApp) -> ASGIApp:
    app = national_app
    for layer in reversed(CHAIN):
        app = layer(app, host)
    return app
