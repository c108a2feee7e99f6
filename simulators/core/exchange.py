"""The exchange in progress: what a wire handler may read and add to while it answers a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulators.core.findings import Finding
from simulators.core.peer import PeerIdentity
from simulators.core.raw import RawRequest

SCOPE_KEY = "segur_bench.exchange"


@dataclass
class CapturedResponse:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    truncated: bool = False


@dataclass
class Exchange:
    id: str
    service: str
    started_at: datetime
    operation: str | None = None
    correlation: dict[str, str] = field(
        default_factory=dict
    )  # set by handlers; wins over service.correlation
    findings: list[Finding] = field(default_factory=list)
    peer: PeerIdentity | None = None
    request: RawRequest | None = None
    response: CapturedResponse = field(default_factory=CapturedResponse)
    fault_rule_id: str | None = None
    aborted: bool = False  # the connection was cut without an answer (fault `reset`)

    def add_finding(self, finding: Finding) -> None:
        self.findings.append(finding)


def current(request: Any) -> Exchange:
    """The exchange of a Starlette/FastAPI request (or of a raw ASGI scope)."""
    scope: Mapping[str, Any] = request if isinstance(request, Mapping) else request.scope
    exchange = scope.get(SCOPE_KEY)
    if exchange is None:
        raise LookupError("aucun échange en cours : l'application n'est pas servie par simulators.core")
    return exchange
