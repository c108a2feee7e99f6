"""TLS listeners: plain TCP accept, our own handshake (`loop.start_tls`), then uvicorn's HTTP protocol.

Why not uvicorn's own TLS: a refused handshake never reaches a protocol's `connection_made`, so it
could be neither journaled nor faulted, and stock uvicorn does not put the client certificate into
the ASGI scope (STACK-NOTES "Servers and TLS"). Here:

1. `_Acceptor` receives the TCP connection and pauses it;
2. `TLSListener._handshake` applies a `tls_failure` fault if one fires, else runs `start_tls`;
   a failure becomes a connection-level journal record (operation "tls-handshake") naming the
   reason in French and the certificate the client presented, if any;
3. on success, a `BenchH11Protocol` (uvicorn's H11 protocol + the ASGI TLS extension) takes the TLS
   transport over; keep-alive, pipelining and flow control stay uvicorn's.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from simulators.core.findings import Finding
from simulators.core.host import ServiceHost
from simulators.core.middleware.faults import TRANSPORT_KEY, fault_finding
from simulators.core.middleware.peer import PEER_KEY
from simulators.core.peer import PeerIdentity
from simulators.core.recording import handshake_record
from simulators.core.service import ASGIApp, Receive, Scope, Send, new_record_id

log = logging.getLogger("simulators.core.tls")

HANDSHAKE_RULE = "TLS-NEGOCIATION"
HANDSHAKE_TIMEOUT_S = 10.0
TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}
# A fatal handshake_failure alert record (RFC 8446 §6): type 21, TLS 1.2 record version, length 2, level 2, code 40.
ALERT_HANDSHAKE_FAILURE = bytes([21, 3, 3, 0, 2, 2, 40])
_TLS_HANDSHAKE, _TLS_CLIENT_HELLO, _TLS_CERTIFICATE = 22, 1, 11
_ASSOCIATE: contextvars.ContextVar[HandshakeState] = contextvars.ContextVar("segur_bench_handshake")


# --- capture of the presented certificate chain ----------------------------------------------------


@dataclass
class HandshakeState:
    ssl_object: ssl.SSLObject | None = None

    @property
    def presented(self) -> list[bytes]:
        return list(getattr(self.ssl_object, "bench_presented", []) or [])

    @property
    def client_hello_seen(self) -> bool:
        return bool(getattr(self.ssl_object, "bench_hello", False))


def parse_certificate_message(data: bytes, tls13: bool) -> list[bytes]:
    """DER certificates of a TLS Certificate handshake message (RFC 5246 §7.4.2, RFC 8446 §4.4.2).

    Hand-written: no library exposes the chain a client presented when verification then failed.
    """
    if len(data) < 4 or data[0] != _TLS_CERTIFICATE:
        return []
    body = data[4 : 4 + int.from_bytes(data[1:4], "big")]
    pos = 0
    if tls13:
        if not body:
            return []
        pos = 1 + body[0]  # certificate_request_context
    if pos + 3 > len(body):
        return []
    end = min(pos + 3 + int.from_bytes(body[pos : pos + 3], "big"), len(body))
    pos += 3
    certs: list[bytes] = []
    while pos + 3 <= end:
        size = int.from_bytes(body[pos : pos + 3], "big")
        pos += 3
        if size == 0 or pos + size > end:
            break
        certs.append(body[pos : pos + size])
        pos += size
        if tls13:  # per-certificate extensions
            if pos + 2 > end:
                break
            pos += 2 + int.from_bytes(body[pos : pos + 2], "big")
    return certs


def _on_tls_message(
    conn: Any, direction: str, version: Any, content_type: Any, msg_type: Any, data: bytes
) -> None:
    # ssl's private `_msg_callback` hook sees decrypted handshake messages (TLS 1.3 included).
    if direction != "read" or content_type != _TLS_HANDSHAKE:
        return
    if msg_type == _TLS_CLIENT_HELLO:
        conn.bench_hello = True
    elif msg_type == _TLS_CERTIFICATE:
        try:
            conn.bench_presented = parse_certificate_message(data, tls13=int(version) == 0x0304)
        except Exception:  # never raise inside OpenSSL's callback
            conn.bench_presented = []


class BenchSSLContext(ssl.SSLContext):
    """Server context that ties each new TLS session to the handshake state of its connection."""

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        sslobj = super().wrap_bio(*args, **kwargs)
        state = _ASSOCIATE.get(None)  # set by the handshake task; SSLProtocol wraps the BIO inside start_tls
        if state is not None:
            state.ssl_object = sslobj
        return sslobj


def server_context(
    chain_pem: Path,
    key_pem: Path,
    *,
    mtls: bool,
    trust_pem: Path | None = None,
    crl_pems: list[Path] | None = None,
) -> BenchSSLContext:
    """TLS 1.2+ server context sending the full chain; with `mtls`, client certificates are required,
    verified against `trust_pem` (root + intermediates) and the CRLs (revoked leaves refused)."""
    ctx = BenchSSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(chain_pem), str(key_pem))
    if mtls:
        if trust_pem is None:
            raise ValueError("TLS mutuel : chaîne de confiance manquante")
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cafile=str(trust_pem))
        for crl in crl_pems or []:
            ctx.load_verify_locations(cafile=str(crl))
        if crl_pems:
            ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    ctx._msg_callback = _on_tls_message  # type: ignore[attr-defined]
    return ctx


# --- why a handshake failed, in French ----------------------------------------------------------------

_VERIFY_REASONS = {
    10: "certificat client expiré",
    9: "certificat client pas encore valide",
    23: "certificat client révoqué (présent dans la CRL)",
    2: "certificat client émis par une autorité de certification non reconnue",
    18: "certificat client auto-signé",
    19: "chaîne du certificat client rattachée à une racine non reconnue",
    20: "certificat client émis par une autorité de certification non reconnue",
    21: "certificat client émis par une autorité de certification non reconnue",
    3: "CRL de l'autorité émettrice indisponible",
    12: "CRL de l'autorité émettrice expirée",
    7: "signature du certificat client invalide",
    26: "usage du certificat client incompatible avec l'authentification TLS",
}
_SSL_REASONS = {
    "PEER_DID_NOT_RETURN_A_CERTIFICATE": "aucun certificat client présenté (TLS mutuel exigé)",
    "HTTP_REQUEST": "requête HTTP en clair reçue sur un port TLS",
    "WRONG_VERSION_NUMBER": "message non TLS reçu (requête en clair ?)",
    "UNSUPPORTED_PROTOCOL": "version de TLS non prise en charge (TLS 1.2 minimum)",
    "NO_SHARED_CIPHER": "aucune suite cryptographique commune",
    "NO_PROTOCOLS_AVAILABLE": "version de TLS non prise en charge (TLS 1.2 minimum)",
    "TLSV1_ALERT_UNKNOWN_CA": "le client a refusé le certificat du serveur (autorité inconnue)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "le client a refusé le certificat du serveur",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "le client a refusé le certificat du serveur",
}


def describe_handshake_error(exc: BaseException) -> tuple[str, str]:
    """(technical reason, French explanation) of a failed server-side handshake."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        reason = _VERIFY_REASONS.get(code, f"certificat client refusé : {exc.verify_message}")
        return f"verify_code={code} {exc.verify_message}", reason
    if isinstance(exc, ssl.SSLError):
        name = str(exc.reason or "")
        return name or str(exc), _SSL_REASONS.get(name, f"négociation TLS refusée : {name or exc}")
    if isinstance(exc, TimeoutError) or (isinstance(exc, ConnectionAbortedError) and "longer" in str(exc)):
        return "timeout", "délai de négociation TLS dépassé"
    if isinstance(exc, ConnectionError | EOFError):
        return type(exc).__name__, "connexion fermée par le client pendant la négociation TLS"
    return type(exc).__name__, f"négociation TLS interrompue : {exc}"


# --- uvicorn protocol with the ASGI TLS extension ----------------------------------------------------


def tls_extension(transport: asyncio.BaseTransport) -> dict[str, Any]:
    """The ASGI TLS extension (asgiref "TLS" spec) plus the parsed peer, built once per connection."""
    sslobj = transport.get_extra_info("ssl_object")
    ders: list[bytes] = list(getattr(sslobj, "bench_presented", []) or [])
    if not ders and sslobj is not None:
        leaf = sslobj.getpeercert(binary_form=True)
        ders = [leaf] if leaf else []
    version_name = sslobj.version() if sslobj is not None else None
    peer = PeerIdentity.from_der_chain(ders, version_name)
    chain = peer.chain if peer else ()
    return {
        "server_cert": None,
        "client_cert_chain": [cert.public_bytes(Encoding.PEM).decode("ascii") for cert in chain],
        "client_cert_name": peer.subject if peer else None,
        "client_cert_error": None,
        "tls_version": TLS_VERSIONS.get(version_name or ""),
        "cipher_suite": None,
        PEER_KEY: peer,
    }


class BenchH11Protocol(H11Protocol):
    """uvicorn's H11 protocol, with the TLS extension and the transport in every request's scope."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        extension = tls_extension(transport)
        inner = self.app

        async def app_with_tls(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                extensions = scope.setdefault("extensions", {})
                extensions["tls"] = extension
                extensions[TRANSPORT_KEY] = transport
            await inner(scope, receive, send)

        self.app = app_with_tls


def uvicorn_config(app: ASGIApp, protocol: type[H11Protocol] = BenchH11Protocol) -> Config:
    config = Config(
        app,
        http=protocol,
        interface="asgi3",
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        log_config=None,
        access_log=False,
        timeout_keep_alive=30,
    )
    config.load()
    return config


# --- the listener --------------------------------------------------------------------------------------


class _Acceptor(asyncio.Protocol):
    """The plain TCP side of one connection, until TLS takes over."""

    def __init__(self, listener: TLSListener) -> None:
        self.listener = listener
        self.first_data: asyncio.Future[bytes] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()  # the ClientHello waits for start_tls
        self.listener.spawn(self, transport)

    def data_received(self, data: bytes) -> None:
        if self.first_data is not None and not self.first_data.done():
            self.first_data.set_result(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.first_data is not None and not self.first_data.done():
            self.first_data.set_exception(exc or ConnectionResetError("connexion fermée"))


class _Handoff(asyncio.Protocol):
    """Holds what arrives between the end of the handshake and the HTTP protocol's connection_made
    (SSLProtocol delivers data read with the client's Finished message before start_tls returns)."""

    def __init__(self) -> None:
        self.buffer: list[bytes] = []
        self.eof = False
        self.lost = False

    def data_received(self, data: bytes) -> None:
        self.buffer.append(data)

    def eof_received(self) -> bool | None:
        self.eof = True
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


class TLSListener:
    def __init__(
        self,
        host: ServiceHost,
        context: BenchSSLContext,
        app: ASGIApp,
        *,
        handshake_timeout_s: float = HANDSHAKE_TIMEOUT_S,
    ) -> None:
        self.host = host
        self.context = context
        self.config = uvicorn_config(app)
        self.server_state = ServerState()
        self.handshake_timeout_s = handshake_timeout_s
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, bind: str, port: int) -> int:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Acceptor(self), bind, port, reuse_address=True, backlog=512
        )
        return int(self._server.sockets[0].getsockname()[1])

    def spawn(self, acceptor: _Acceptor, transport: asyncio.Transport) -> None:
        task = asyncio.get_running_loop().create_task(self._handshake(acceptor, transport))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _http_protocol(self) -> H11Protocol:
        protocol_class: Callable[..., H11Protocol] = self.config.http_protocol_class  # type: ignore[assignment]
        return protocol_class(config=self.config, server_state=self.server_state, app_state={})

    async def _handshake(self, acceptor: _Acceptor, raw: asyncio.Transport) -> None:
        started = self.host.context.clock.now()
        rule = self.host.faults.pick_handshake()
        if rule is not None:
            await self._inject_failure(acceptor, raw, rule, started)
            return
        state = HandshakeState()
        token = _ASSOCIATE.set(state)
        handoff = _Handoff()
        try:
            tls = await asyncio.get_running_loop().start_tls(
                raw, handoff, self.context, server_side=True, ssl_handshake_timeout=self.handshake_timeout_s
            )
        except (ssl.SSLError, OSError, TimeoutError, ConnectionError, EOFError) as exc:
            self._journal_refusal(state, exc, started, raw)
            raw.close()
            return
        finally:
            _ASSOCIATE.reset(token)
        if tls is None or handoff.lost:
            return
        protocol = self._http_protocol()
        protocol.connection_made(tls)
        tls.set_protocol(protocol)
        for chunk in handoff.buffer:
            protocol.data_received(chunk)
        if handoff.eof:
            protocol.eof_received()

    async def _inject_failure(
        self, acceptor: _Acceptor, raw: asyncio.Transport, rule: Any, started: datetime
    ) -> None:
        """Reads the ClientHello, answers a fatal handshake_failure alert and closes."""
        acceptor.first_data = asyncio.get_running_loop().create_future()
        raw.resume_reading()
        try:
            async with asyncio.timeout(self.handshake_timeout_s):
                await acceptor.first_data
            raw.write(ALERT_HANDSHAKE_FAILURE)
        except (TimeoutError, ConnectionError):
            pass
        finally:
            raw.close()
        finding = fault_finding(rule)
        finding.message = f"{finding.message} Négociation TLS interrompue (alerte handshake_failure)."
        self.host.context.journal.add(handshake_record(self.host, new_record_id(), started, None, finding))

    def _journal_refusal(
        self, state: HandshakeState, exc: BaseException, started: datetime, raw: asyncio.Transport
    ) -> None:
        if not isinstance(exc, ssl.SSLError) and not state.client_hello_seen:
            return  # nothing TLS arrived (a port probe, a client giving up at once): no exchange to record
        technical, reason = describe_handshake_error(exc)
        peer = PeerIdentity.from_der_chain(state.presented)
        client = raw.get_extra_info("peername")
        finding = Finding(
            HANDSHAKE_RULE,
            "error",
            [],
            f"Connexion TLS refusée : {reason}.",
            evidence={"raison": technical, "client": f"{client[0]}:{client[1]}" if client else None},
        )
        self.host.context.journal.add(handshake_record(self.host, new_record_id(), started, peer, finding))
        log.info("%s : négociation TLS refusée (%s)", self.host.name, technical)

    def drop_connections(self) -> None:
        """uvicorn's shutdown(): closes an idle connection now, a busy one after its response."""
        for connection in list(self.server_state.connections):
            connection.shutdown()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        for task in list(self._tasks):
            task.cancel()
        pending = [t for t in self.server_state.tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
        if self._server is not None:
            await self._server.wait_closed()
