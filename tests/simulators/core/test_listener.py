"""Through real sockets: TLS listeners (mTLS, refusals journaled), keep-alive, every fault action."""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

import httpx
import pytest
from core_testkit import client_context

from protocols.pki import TestPKI
from simulators.core.testing import RunningStack


def handshake_records(stack: RunningStack, service: str = "echo") -> list[dict[str, Any]]:
    answer = httpx.get(f"{stack.control_url}/{service}/exchanges", params={"operation": "tls-handshake"})
    return list(answer.json()["exchanges"])


def wait_for_new_handshake_record(stack: RunningStack, known: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = handshake_records(stack)
        if len(found) > known:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError("aucun enregistrement de négociation TLS")


def test_mtls_exchange_is_journaled_with_the_peer(stack: RunningStack, pki: TestPKI) -> None:
    with httpx.Client(verify=client_context(pki)) as client:
        answer = client.post(stack.url("echo") + "/ping", content=b"<a/>", headers={"x-ins": "42"})
    assert answer.status_code == 200 and answer.headers["x-peer-cn"] == "INSI-AUTO"
    record = httpx.get(f"{stack.control_url}/exchanges/{answer.headers['x-request-id']}").json()
    assert record["peer"]["subject"] == pki.client("insi-auto").cert.subject.rfc4514_string()
    assert record["correlation"] == {"ins": "42"}
    assert (
        httpx.get(stack.control_url.removesuffix("/_bench") + record["request"]["body_url"]).content
        == b"<a/>"
    )


def test_keep_alive_serves_several_requests_on_one_connection(stack: RunningStack, pki: TestPKI) -> None:
    port = stack.host("echo").port
    assert port is not None
    ctx = client_context(pki)
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        for n in range(3):
            body = f"<n>{n}</n>".encode()
            tls.sendall(
                b"POST /echo/ping HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body)
            )
            data = b""
            while not data.endswith(body):
                chunk = tls.recv(65536)
                assert chunk, "connexion fermée par le serveur"
                data += chunk
            assert data.startswith(b"HTTP/1.1 200")


def test_plain_tls_service_needs_no_client_certificate(stack: RunningStack, pki: TestPKI) -> None:
    with httpx.Client(verify=client_context(pki, None)) as client:
        answer = client.post(stack.url("plain") + "/ping", content=b"x")
    assert answer.status_code == 200 and answer.headers["x-peer-cn"] == "-"


@pytest.mark.parametrize(
    ("client", "reason"),
    [
        (None, "aucun certificat client présenté"),
        ("insi-auto-wrong-ca", "non reconnue"),
        ("insi-auto-expired", "certificat client expiré"),
        ("insi-auto-revoked", "certificat client révoqué"),
    ],
)
def test_mtls_refusals_are_journaled_as_connection_records(
    stack: RunningStack, pki: TestPKI, client: str | None, reason: str
) -> None:
    known = len(handshake_records(stack))
    with pytest.raises(httpx.TransportError), httpx.Client(verify=client_context(pki, client)) as http:
        http.post(stack.url("echo") + "/ping", content=b"<a/>")
    record = wait_for_new_handshake_record(stack, known)
    assert record["operation"] == "tls-handshake" and record["direction"] == "inbound"
    assert reason in record["findings"][0]["message"]
    assert record["findings"][0]["rule"] == "TLS-NEGOCIATION"
    if client is None:
        assert record["peer"] is None
    else:
        assert record["peer"]["subject"] == pki.client(client).cert.subject.rfc4514_string()
        assert record["peer"]["serial"] == format(pki.client(client).cert.serial_number, "X")


def test_plain_http_on_a_tls_port_is_journaled(stack: RunningStack) -> None:
    known = len(handshake_records(stack))
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{stack.host('echo').port}/echo/ping")
    assert "en clair" in wait_for_new_handshake_record(stack, known)["findings"][0]["message"]


def post_rule(stack: RunningStack, service: str, rule: dict[str, Any]) -> None:
    answer = httpx.post(f"{stack.control_url}/{service}/faults", json=rule)
    assert answer.status_code == 201, answer.text


def test_tls_failure_fault_aborts_the_handshake(stack: RunningStack, pki: TestPKI) -> None:
    post_rule(stack, "echo", {"action": {"kind": "tls_failure"}, "count": 1})
    known = len(handshake_records(stack))
    with pytest.raises(httpx.ConnectError), httpx.Client(verify=client_context(pki)) as http:
        http.post(stack.url("echo") + "/ping", content=b"<a/>")
    record = wait_for_new_handshake_record(stack, known)
    assert (
        record["findings"][0]["rule"] == "BANC-PANNE"
        and "handshake_failure" in record["findings"][0]["message"]
    )
    with httpx.Client(verify=client_context(pki)) as http:  # count 1: the next handshake succeeds
        assert http.post(stack.url("echo") + "/ping", content=b"<a/>").status_code == 200


def test_arming_tls_failure_drops_kept_alive_connections(stack: RunningStack, pki: TestPKI) -> None:
    """A pooled client must meet the handshake fault: idle connections are closed when it is armed."""
    with httpx.Client(verify=client_context(pki)) as http:
        assert http.post(stack.url("echo") + "/ping", content=b"<a/>").status_code == 200
        post_rule(stack, "echo", {"action": {"kind": "tls_failure"}, "count": 1})
        with pytest.raises(httpx.TransportError):
            http.post(stack.url("echo") + "/ping", content=b"<a/>")
        assert http.post(stack.url("echo") + "/ping", content=b"<a/>").status_code == 200


def test_reset_closes_kept_alive_connections(stack: RunningStack, pki: TestPKI) -> None:
    port = stack.host("echo").port
    assert port is not None
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        client_context(pki).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(b"POST /echo/ping HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n\r\nx")
        answer = b""
        while not answer.endswith(b"\r\n\r\nx"):  # headers and the echoed body may come apart
            answer += tls.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        assert httpx.post(f"{stack.control_url}/echo/reset", json={}).status_code == 200
        tls.settimeout(5)
        assert tls.recv(65536) == b""  # the server closed the idle connection


def test_reset_fault_cuts_the_connection(stack: RunningStack, pki: TestPKI) -> None:
    post_rule(stack, "echo", {"operation": "ping", "action": {"kind": "reset"}, "count": 1})
    with pytest.raises(httpx.TransportError), httpx.Client(verify=client_context(pki)) as http:
        http.post(stack.url("echo") + "/ping", content=b"<a/>")
    records = httpx.get(
        f"{stack.control_url}/echo/exchanges", params={"operation": "ping", "limit": 1}
    ).json()
    assert records["exchanges"][-1]["response"]["status"] is None
    assert records["exchanges"][-1]["findings"][0]["rule"] == "BANC-PANNE"


@pytest.mark.parametrize(
    ("action", "status", "body"),
    [
        ({"kind": "http_status", "status": 503}, 503, b"Erreur HTTP 503\n"),
        (
            {"kind": "service_fault", "code": "BANC_X", "message": "Service momentanément indisponible"},
            500,
            '{"fault": "BANC_X", "message": "Service momentanément indisponible"}'.encode(),
        ),
        ({"kind": "delay", "ms": 50}, 200, b"<payload>abcdef</payload>"),
        ({"kind": "malformed", "variant": "truncated"}, 200, b"<payload>abc"),
        ({"kind": "expired_token"}, 401, None),
    ],
)
def test_fault_actions_over_tls(
    stack: RunningStack, pki: TestPKI, action: dict[str, Any], status: int, body: bytes | None
) -> None:
    post_rule(stack, "echo", {"operation": "ping", "action": action})
    with httpx.Client(verify=client_context(pki)) as http:
        answer = http.post(stack.url("echo") + "/ping", content=b"<payload>abcdef</payload>")
        assert answer.status_code == status
        if body is not None:
            assert answer.content == body
        else:
            assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        # The same connection still serves the next request normally once the rule is gone.
        httpx.delete(f"{stack.control_url}/echo/faults")
        assert http.post(stack.url("echo") + "/other", content=b"ok").content == b"ok"


def test_unhandled_exception_becomes_the_service_fault(stack: RunningStack, pki: TestPKI) -> None:
    with httpx.Client(verify=client_context(pki)) as http:
        answer = http.post(stack.url("echo") + "/boom", content=b"x")
    assert answer.status_code == 500 and answer.json()["fault"] == "erreur_interne"
    assert "Traceback" not in answer.text


def test_handshake_peer_capture_with_tls12(stack: RunningStack, pki: TestPKI) -> None:
    ctx = client_context(pki, "insi-auto-expired")
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    known = len(handshake_records(stack))
    with pytest.raises(httpx.TransportError), httpx.Client(verify=ctx) as http:
        http.post(stack.url("echo") + "/ping", content=b"<a/>")
    record = wait_for_new_handshake_record(stack, known)
    assert record["peer"]["subject"].startswith("CN=INSI-AUTO")
    assert "expiré" in record["findings"][0]["message"]


def test_server_sends_its_full_chain(stack: RunningStack, pki: TestPKI) -> None:
    """A client trusting only the test root verifies the server: the intermediate came on the wire."""
    ctx = ssl.create_default_context(cafile=str(pki.root.cert_pem))
    port = stack.host("plain").port
    assert port is not None
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        subject = dict(rdn[0] for rdn in tls.getpeercert()["subject"])
        assert subject["commonName"] == "plain.bench.test"
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_a_port_probe_leaves_no_record(stack: RunningStack, pki: TestPKI) -> None:
    known = len(handshake_records(stack))
    port = stack.host("echo").port
    assert port is not None
    socket.create_connection(("127.0.0.1", port)).close()  # connect and leave: not an exchange
    with pytest.raises(httpx.TransportError), httpx.Client(verify=client_context(pki, None)) as http:
        http.post(stack.url("echo") + "/ping", content=b"<a/>")
    record = wait_for_new_handshake_record(stack, known)
    assert "aucun certificat client" in record["findings"][0]["message"]
    assert len(handshake_records(stack)) == known + 1
