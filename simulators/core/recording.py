"""Turns a finished exchange (or a refused connection) into a journal record."""

from __future__ import annotations

from datetime import datetime

from simulators.core.exchange import Exchange
from simulators.core.findings import Finding
from simulators.core.host import ServiceHost
from simulators.core.journal import (
    BodyRef,
    ExchangeRecord,
    PeerRecord,
    RequestRecord,
    ResponseRecord,
    body_url,
)
from simulators.core.peer import PeerIdentity

HANDSHAKE_OPERATION = "tls-handshake"


def _peer(peer: PeerIdentity | None) -> PeerRecord | None:
    return PeerRecord(**peer.as_record()) if peer else None


def exchange_record(
    host: ServiceHost, ex: Exchange, correlation: dict[str, str]
) -> tuple[ExchangeRecord, list[BodyRef]]:
    bodies: list[BodyRef] = []
    req = ex.request
    request = RequestRecord()
    if req is not None:
        request = RequestRecord(headers=req.headers, method=req.method, path=req.path)
        if req.body:
            ref = BodyRef.of(req.body, req.content_type or "application/octet-stream")
            bodies.append(ref)
            request.body_sha256, request.body_url = ref.sha256, body_url(ref.sha256)
    res = ex.response
    response = ResponseRecord(status=res.status, headers=res.headers)
    if res.status is not None and res.body:
        ref = BodyRef.of(bytes(res.body), res.headers.get("content-type", "application/octet-stream"))
        bodies.append(ref)
        response.body_sha256, response.body_url = ref.sha256, body_url(ref.sha256)
    record = ExchangeRecord(
        id=ex.id,
        service=host.name,
        operation=ex.operation,
        direction="inbound",
        started_at=ex.started_at,
        ended_at=host.context.clock.now(),
        peer=_peer(ex.peer),
        request=request,
        response=response,
        correlation=correlation,
        findings=list(ex.findings),
        scenario_id=host.context.scenario_id,
    )
    return record, bodies


def handshake_record(
    host: ServiceHost, record_id: str, started_at: datetime, peer: PeerIdentity | None, finding: Finding
) -> ExchangeRecord:
    """A connection-level record: the TLS handshake was refused or aborted, no HTTP exchange exists."""
    return ExchangeRecord(
        id=record_id,
        service=host.name,
        operation=HANDSHAKE_OPERATION,
        direction="inbound",
        started_at=started_at,
        ended_at=host.context.clock.now(),
        peer=_peer(peer),
        findings=[finding],
        scenario_id=host.context.scenario_id,
    )
