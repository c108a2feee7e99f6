"""Certificate summaries for the reports: subject, issuer, serial and validity instead of base64."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----\s+([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----")
_B64_CHARS = re.compile(r"[A-Za-z0-9+/=\s]+")


@dataclass(frozen=True)
class CertSummary:
    subject: str
    issuer: str
    serial: str  # hexadecimal, as openssl prints it
    not_before: datetime
    not_after: datetime

    @property
    def label(self) -> str:
        """One line, French dates (the report reader is French)."""
        return (
            f"sujet {self.subject} ; émetteur {self.issuer} ; série {self.serial} ; "
            f"valide du {self.not_before:%d/%m/%Y %H:%M} au {self.not_after:%d/%m/%Y %H:%M} (UTC)"
        )


def summarise(cert: x509.Certificate) -> CertSummary:
    return CertSummary(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def from_der(data: bytes) -> CertSummary | None:
    try:
        return summarise(x509.load_der_x509_certificate(data))
    except ValueError:
        return None


def from_base64(text: str) -> CertSummary | None:
    """A base64 DER certificate (ds:X509Certificate, wsse:BinarySecurityToken, JOSE x5c)."""
    if len(text) < 200 or not _B64_CHARS.fullmatch(text):
        return None
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return from_der(der)


def from_pem_blocks(data: bytes) -> list[CertSummary]:
    out = []
    for match in _PEM.finditer(data):
        summary = from_base64(match.group(1).decode("ascii"))
        if summary is not None:
            out.append(summary)
    return out
