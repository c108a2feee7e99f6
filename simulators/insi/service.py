"""The INSi simulator as the core sees it (the `SimulatedService` protocol of simulators.core)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from simulators.insi import errors
from simulators.insi.models import InsiBackend
from simulators.insi.wire import InsiHandler, Outcome, Trust, as_raw, build_app, fault_outcome

if TYPE_CHECKING:
    from simulators.core.peer import PeerIdentity
    from simulators.core.raw import RawRequest, RawResponse
    from simulators.core.service import ASGIApp, ServiceContext, ServiceDescriptor


SOFTWARE_ENV = "SEGUR_BENCH_INSI_SOFTWARE"


def with_env_software(config: dict[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The service configuration plus the editor's software from the environment:
    SEGUR_BENCH_INSI_SOFTWARE="IDAM[:nom[:version]],..." (homologated IDAMs added to the registry)."""
    raw = (os.environ if environ is None else environ).get(SOFTWARE_ENV, "")
    extra = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        idam, _, rest = item.partition(":")
        name, _, version = rest.partition(":")
        extra.append({"idam": idam.strip(), "name": name.strip(), "version": version.strip()})
    if not extra:
        return config
    return {**config, "software": [*(config.get("software") or []), *extra]}


class InsiService:
    def __init__(self, descriptor: ServiceDescriptor, context: ServiceContext) -> None:
        self.descriptor = descriptor
        self.context = context
        self.backend = InsiBackend(context.world, with_env_software(context.config))
        trust: Trust | None = None
        if context.pki is not None:
            pki = context.pki
            trust = Trust(
                roots=[*pki.trust_roots(), pki.personnes.cert],
                organisations=pki.organisations.cert.subject,
                personnes=pki.personnes.cert.subject,
            )
        self.handler = InsiHandler(self.backend, trust)
        self._app: ASGIApp | None = None

    def app(self) -> ASGIApp:
        if self._app is None:
            self._app = build_app(self)
        return self._app

    def handle(self, body: bytes, content_type: str, peer: PeerIdentity | None) -> Outcome:
        return self.handler.process(body, content_type, peer, self.context.clock.now())

    def reset(self) -> None:
        self.backend.reset()

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Raises SeedError (a ValueError) with a French message on a bad payload."""
        return self.backend.seed(payload)

    def classify(self, request: RawRequest) -> str | None:
        if request.method != "POST":
            return None
        return self.handler.classify(request.body)

    def correlation(self, request: RawRequest) -> dict[str, str]:
        if request.method != "POST":
            return {}
        return self.handler.peek(request.body)[1]

    def render_fault(self, code: str, message: str) -> RawResponse:
        return as_raw(fault_outcome(code or errors.UNAVAILABLE, message or None))

    def accept_peer(self, peer: PeerIdentity | None) -> RawResponse | None:
        # The CN rule depends on the request (an assertion means CPx mode, where it is skipped):
        # the handler applies it per request and answers DESIR_560 there.
        return None
