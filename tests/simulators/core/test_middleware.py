"""Each middleware of the pipeline, called directly as ASGI (no socket)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from core_testkit import EchoService, descriptor

from protocols.pki import TestPKI
from scenarios import FaultRule
from simulators.core.app import build_app
from simulators.core.clock import BenchClock
from simulators.core.exchange import SCOPE_KEY
from simulators.core.faults import FaultEngine
from simulators.core.host import ServiceHost
from simulators.core.journal import ExchangeFilter, Journal
from simulators.core.middleware.capture import JournalCaptureMiddleware
from simulators.core.middleware.faults import garble
from simulators.core.middleware.peer import PEER_KEY
from simulators.core.middleware.request_id import RequestIdMiddleware
from simulators.core.peer import PeerIdentity
from simulators.core.service import ServiceContext


@pytest.fixture
def host() -> Iterator[ServiceHost]:
    journal = Journal("sqlite://", autostart=False)
    clock = BenchClock()
    desc = descriptor("echo", True)
    context = ServiceContext(None, None, clock, journal, {}, name="echo")
    h = ServiceHost(desc, context, FaultEngine("echo", clock, random.Random(1)))
    h.service = EchoService(desc, context)
    yield h
    journal.close()


class FakeTransport:
    def __init__(self) -> None:
        self.aborted = False

    def get_extra_info(self, name: str) -> Any:
        return None

    def abort(self) -> None:
        self.aborted = True


def call(
    app: Any,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> tuple[int | None, dict[str, str], bytes, dict[str, Any]]:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
        "http_version": "1.1",
        "scheme": "https",
        "server": ("127.0.0.1", 1),
        "client": ("127.0.0.1", 2),
        "root_path": "",
        "extensions": extensions or {},
    }
    sent: list[dict[str, Any]] = []
    chunks = [
        {"type": "http.request", "body": body[:3], "more_body": True},
        {"type": "http.request", "body": body[3:], "more_body": False},
    ]

    async def receive() -> dict[str, Any]:
        if chunks:
            return chunks.pop(0)
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    status = start["status"] if start else None
    hdrs = {k.decode(): v.decode() for k, v in start["headers"]} if start else {}
    data = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, hdrs, data, scope


def records(host: ServiceHost) -> list[Any]:
    return host.context.journal.query(ExchangeFilter())


def add_rule(host: ServiceHost, **data: Any) -> None:
    data.setdefault("id", "r")
    data.setdefault("service", "echo")
    host.faults.add(FaultRule.model_validate(data))


def test_request_id_opens_the_exchange_and_is_sent_back(host: ServiceHost) -> None:
    seen: dict[str, Any] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen["exchange"] = scope[SCOPE_KEY]
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    status, headers, _, _ = call(RequestIdMiddleware(inner, host), "/x")
    assert status == 204
    assert headers["x-request-id"] == seen["exchange"].id


def test_full_pipeline_journals_request_response_correlation_and_findings(host: ServiceHost) -> None:
    app = build_app(host, host.service.app())
    status, headers, body, _ = call(
        app,
        "/echo/ping",
        b"<bad/>",
        {"x-ins": "123", "x-message-id": "m-1", "content-type": "application/xml"},
    )
    assert (status, body) == (200, b"<bad/>")
    [rec] = records(host)
    assert rec.id == headers["x-request-id"]
    assert (rec.service, rec.operation, rec.direction) == ("echo", "ping", "inbound")
    assert rec.correlation == {"ins": "123", "message_id": "m-1"}
    assert [f.rule for f in rec.findings] == ["ECHO-01"]
    assert rec.request.method == "POST" and rec.request.path == "/echo/ping"
    assert host.context.journal.body(rec.request.body_sha256).data == b"<bad/>"
    assert rec.response.status == 200 and rec.response.body_sha256 == rec.request.body_sha256


def test_capture_refuses_oversized_bodies_in_the_service_shape(host: ServiceHost) -> None:
    host.max_body_bytes = 10
    app = build_app(host, host.service.app())
    status, _, body, _ = call(app, "/echo/ping", b"x" * 50)
    assert status == 500
    assert json.loads(body)["fault"] == "requete_trop_volumineuse"
    [rec] = records(host)
    assert host.context.journal.body(rec.request.body_sha256).data == b"x" * 10


def test_capture_replays_a_body_received_in_chunks(host: ServiceHost) -> None:
    got: dict[str, bytes] = {}

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        got["body"] = (await receive())["body"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = RequestIdMiddleware(JournalCaptureMiddleware(inner, host), host)
    _, _, _, scope = call(app, "/echo/ping", b"abcdefgh")
    assert got["body"] == b"abcdefgh"
    assert scope[SCOPE_KEY].request.body == b"abcdefgh"
    assert scope[SCOPE_KEY].response.body == b"ok"


def test_peer_identity_reaches_the_handler_and_accept_peer_can_refuse(
    host: ServiceHost, pki: TestPKI
) -> None:
    app = build_app(host, host.service.app())
    auto = PeerIdentity.from_chain(pki.client("insi-auto").chain)
    status, headers, _, _ = call(app, "/echo/ping", b"<a/>", extensions={"tls": {PEER_KEY: auto}})
    assert status == 200 and headers["x-peer-cn"] == "INSI-AUTO"
    manu = PeerIdentity.from_chain(pki.client("insi-manu").chain)
    status, _, body, _ = call(app, "/echo/ping", b"<a/>", extensions={"tls": {PEER_KEY: manu}})
    assert status == 500 and json.loads(body)["fault"] == "CN_REFUSE"
    refused = records(host)[-1]
    assert refused.peer.subject.startswith("CN=INSI-MANU") and refused.peer.serial == manu.serial
    assert refused.response.status == 500


def test_peer_from_standard_asgi_tls_extension(host: ServiceHost, pki: TestPKI) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = pki.client("insi-auto").cert.public_bytes(Encoding.PEM).decode()
    app = build_app(host, host.service.app())
    _, headers, _, _ = call(app, "/echo/ping", b"", extensions={"tls": {"client_cert_chain": [pem]}})
    assert headers["x-peer-cn"] == "INSI-AUTO"
    assert records(host)[-1].peer.issuer.startswith("CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS")


def test_guard_turns_an_exception_into_the_service_fault(host: ServiceHost) -> None:
    app = build_app(host, host.service.app())
    status, headers, body, _ = call(app, "/echo/boom", b"x")
    assert status == 500 and headers["content-type"] == "application/json"
    fault = json.loads(body)
    assert fault["fault"] == "erreur_interne" and "incident" in fault["message"]
    assert b"Traceback" not in body and b"RuntimeError" not in body
    [rec] = records(host)
    assert rec.findings[0].rule == "BANC-ERREUR-INTERNE"


@pytest.mark.parametrize(
    ("action", "status", "check"),
    [
        ({"kind": "http_status", "status": 503}, 503, lambda h, b: b == b"Erreur HTTP 503\n"),
        ({"kind": "http_status", "status": 502, "body": "passerelle"}, 502, lambda h, b: b == b"passerelle"),
        (
            {"kind": "service_fault", "code": "X_1", "message": "indispo"},
            500,
            lambda h, b: json.loads(b) == {"fault": "X_1", "message": "indispo"},
        ),
        ({"kind": "expired_token"}, 401, lambda h, b: 'error="invalid_token"' in h["www-authenticate"]),
        ({"kind": "delay", "ms": 1}, 200, lambda h, b: b == b"<ok>payload</ok>"),
        ({"kind": "malformed"}, 200, lambda h, b: b == b"<ok>payl" and h["content-length"] == "8"),
        (
            {"kind": "malformed", "variant": "empty"},
            200,
            lambda h, b: b == b"" and h["content-type"] == "application/xml",
        ),
    ],
)
def test_fault_actions(host: ServiceHost, action: dict[str, Any], status: int, check: Any) -> None:
    add_rule(host, operation="ping", action=action)
    app = build_app(host, host.service.app())
    got_status, headers, body, _ = call(app, "/echo/ping", b"<ok>payload</ok>")
    assert got_status == status
    assert check(headers, body)
    [rec] = records(host)
    assert rec.findings[0].rule == "BANC-PANNE" and rec.response.status == status


def test_fault_reset_aborts_the_transport_without_answer(host: ServiceHost) -> None:
    add_rule(host, action={"kind": "reset"})
    transport = FakeTransport()
    app = build_app(host, host.service.app())
    status, _, _, scope = call(app, "/echo/ping", b"<a/>", extensions={"segur_bench.transport": transport})
    assert status is None and transport.aborted
    assert scope[SCOPE_KEY].aborted
    assert records(host)[0].response.status is None


def test_fault_matching_uses_operation_and_correlation(host: ServiceHost) -> None:
    add_rule(host, operation="pong", action={"kind": "http_status", "status": 503})
    add_rule(host, id="r2", match={"ins": "999"}, action={"kind": "http_status", "status": 504})
    app = build_app(host, host.service.app())
    assert call(app, "/echo/ping", b"", {"x-ins": "1"})[0] == 200
    assert call(app, "/echo/pong", b"")[0] == 503
    assert call(app, "/echo/ping", b"", {"x-ins": "999"})[0] == 504


def test_garble_variants() -> None:
    assert garble(b"abcdef", None) == b"abc"
    assert garble(b"abcdef", "garbled").startswith(b"ab") and b"\x00" in garble(b"abcdef", "garbled")
    assert garble(b"", "truncated") == b"<"
