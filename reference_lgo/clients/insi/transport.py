"""HTTPS transport to INSi: mutual TLS with httpx and an ssl context built from PEM files, one
pooled connection set per client credential (INSI-MANU, INSI-AUTO, or a professional's auth key in
CPx mode). Network failures become `InsiUnavailable` with a French message."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from protocols import soap
from reference_lgo.clients.insi.errors import InsiUnavailable
from reference_lgo.clients.insi.results import MAX_ANSWER_BYTES


@dataclass(frozen=True)
class TlsCredential:
    """A client certificate for the TLS handshake. `cert_pem` should hold the leaf then its
    intermediate CA (the `<name>.chain.pem` of `segur-bench pki export`)."""

    label: str  # what the journal shows: "INSI-MANU", "INSI-AUTO", "CPx 899700001011"...
    cert_pem: Path
    key_pem: Path
    key_password: str | None = None


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes


class InsiTransport(Protocol):
    """Sends one SOAP request; raises InsiUnavailable when no HTTP answer could be obtained."""

    endpoint: str

    def post(self, credential: TlsCredential, body: bytes, action: str) -> HttpAnswer: ...

    def close(self) -> None: ...


def _ssl_cause(exc: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        text = str(current)
        if "SSL" in text or "TLS" in text or "certificate" in text.lower():
            return current
        current = current.__cause__ or current.__context__
    return None


def classify(exc: httpx.HTTPError, timeout_s: float) -> InsiUnavailable:
    """An httpx failure as InsiUnavailable (French message, `kind`, technical detail)."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return InsiUnavailable(
            "timeout",
            f"Le téléservice INSi ne répond pas (délai de {timeout_s:g} s dépassé). Réessayez plus tard.",
            detail=detail,
        )
    tls = _ssl_cause(exc)
    if tls is not None and isinstance(exc, httpx.ConnectError | httpx.ReadError | httpx.WriteError):
        return InsiUnavailable(
            "tls",
            "La connexion sécurisée au téléservice INSi a été refusée (échec de la négociation TLS). "
            "Vérifiez le certificat d'authentification du logiciel et l'autorité de confiance.",
            detail=f"{detail} ({tls})" if tls is not exc else detail,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        # With TLS 1.3 a server that refuses the client certificate may just close the connection
        # after the handshake: the client cannot tell it from a network cut, so the message says both.
        return InsiUnavailable(
            "coupure",
            "La connexion au téléservice INSi a été interrompue avant la réponse (coupure réseau, ou "
            "certificat d'authentification refusé par le service). Réessayez plus tard ; si l'erreur "
            "persiste, vérifiez le certificat du logiciel.",
            detail=detail,
        )
    return InsiUnavailable(
        "connexion",
        "Connexion au téléservice INSi impossible. Vérifiez le réseau et l'adresse du service.",
        detail=detail,
    )


class HttpxTransport:
    """The production transport. Thread-safe; keep one per process and `close()` it at shutdown."""

    def __init__(
        self,
        endpoint: str,
        ca_chain_pem: Path,
        *,
        timeout_s: float = 15.0,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.endpoint = endpoint
        self.ca_chain_pem = ca_chain_pem
        self.timeout_s = timeout_s
        self._timeout = httpx.Timeout(timeout_s, connect=min(connect_timeout_s, timeout_s))
        self._clients: dict[TlsCredential, httpx.Client] = {}
        self._lock = threading.Lock()

    def _ssl_context(self, credential: TlsCredential) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(cafile=str(self.ca_chain_pem))
            context.load_cert_chain(
                str(credential.cert_pem), str(credential.key_pem), credential.key_password
            )
        except (OSError, ssl.SSLError) as exc:
            raise InsiUnavailable(
                "configuration",
                f"Certificat {credential.label} ou autorité de confiance INSi introuvable ou illisible : "
                "vérifiez les paramètres du logiciel.",
                detail=f"{type(exc).__name__}: {exc}",
            ) from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def _client(self, credential: TlsCredential) -> httpx.Client:
        with self._lock:
            client = self._clients.get(credential)
            if client is None:
                client = httpx.Client(
                    verify=self._ssl_context(credential), timeout=self._timeout, http2=False
                )
                self._clients[credential] = client
            return client

    def post(self, credential: TlsCredential, body: bytes, action: str) -> HttpAnswer:
        client = self._client(credential)
        headers = {
            "Content-Type": f'{soap.CONTENT_TYPE}; action="{action}"',
            "Accept": "application/soap+xml",
        }
        try:
            with client.stream("POST", self.endpoint, content=body, headers=headers) as response:
                data = bytearray()
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER_BYTES:
                        raise InsiUnavailable(
                            "reponse_invalide",
                            "La réponse du téléservice INSi est anormalement volumineuse ; elle est ignorée.",
                            http_status=response.status_code,
                        )
                return HttpAnswer(response.status_code, response.headers.get("content-type", ""), bytes(data))
        except httpx.HTTPError as exc:
            raise classify(exc, self.timeout_s) from None

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
