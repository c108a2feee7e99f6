"""The shape every simulator plugs into (docs/dev-interfaces.md, `simulators.core`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from simulators.core.clock import BenchClock
from simulators.core.findings import Finding
from simulators.core.journal import ExchangeRecord, Journal
from simulators.core.journal.records import BodyRef, Direction, RequestRecord, ResponseRecord, body_url
from simulators.core.peer import PeerIdentity
from simulators.core.raw import RawRequest, RawResponse

if TYPE_CHECKING:
    from protocols.pki import TestPKI
    from scenarios import World

Fidelity = Literal["public-spec", "bench-contract"]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class ServiceDescriptor:
    name: str
    default_port: int | None  # None: a component without a national listener (cards)
    mtls: bool
    base_path: str  # published url = https://localhost:<port><base_path>
    operations: dict[str, Fidelity]
    factory: Callable[[ServiceContext], SimulatedService]


@runtime_checkable
class SimulatedService(Protocol):
    descriptor: ServiceDescriptor

    def app(self) -> ASGIApp | None: ...  # national routes only (no /_bench); None without a listener
    def reset(self) -> None: ...
    def seed(self, payload: dict[str, Any]) -> dict[str, Any]: ...
    def classify(self, request: RawRequest) -> str | None: ...
    def correlation(self, request: RawRequest) -> dict[str, str]: ...
    def render_fault(self, code: str, message: str) -> RawResponse: ...
    def accept_peer(self, peer: PeerIdentity | None) -> RawResponse | None: ...


def new_record_id() -> str:
    return uuid.uuid4().hex


def _body_of(part: dict[str, Any]) -> tuple[BodyRef | None, str]:
    body = part.get("body")
    content_type = str(part.get("content_type") or "application/octet-stream")
    if body is None:
        return None, content_type
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return BodyRef.of(data, content_type), content_type


@dataclass
class ServiceContext:
    """What a service receives from the core. `scenario_id` is stamped on every record (set by reset)."""

    pki: TestPKI | None
    world: World | None
    clock: BenchClock
    journal: Journal
    config: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    scenario_id: str | None = None

    def record(
        self,
        service: str,
        operation: str | None,
        direction: Direction,
        request: dict[str, Any],
        response: dict[str, Any],
        correlation: dict[str, str] | None = None,
        findings: list[Finding] | None = None,
    ) -> ExchangeRecord:
        """Journals an exchange that did not come through an HTTP listener (APDUs, SMTP...).

        `request` / `response`: optional keys `headers` (dict), `body` (bytes or str), `content_type`,
        and `status` (response). Bodies are stored once, by sha256.
        """
        now = self.clock.now()
        started = request.get("started_at", now)
        req_ref, _ = _body_of(request)
        res_ref, _ = _body_of(response)
        record = ExchangeRecord(
            id=new_record_id(),
            service=service,
            operation=operation,
            direction=direction,
            started_at=started,
            ended_at=now,
            request=RequestRecord(
                headers=dict(request.get("headers") or {}),
                body_sha256=req_ref.sha256 if req_ref else None,
                body_url=body_url(req_ref.sha256) if req_ref else None,
            ),
            response=ResponseRecord(
                status=response.get("status"),
                headers=dict(response.get("headers") or {}),
                body_sha256=res_ref.sha256 if res_ref else None,
                body_url=body_url(res_ref.sha256) if res_ref else None,
            ),
            correlation={k: str(v) for k, v in (correlation or {}).items() if v is not None},
            findings=list(findings or []),
            scenario_id=self.scenario_id,
        )
        self.journal.add(record, [ref for ref in (req_ref, res_ref) if ref is not None])
        return record
