"""Who is on the other end of a TLS connection: the client certificate chain, as the app sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509


def serial_hex(cert: x509.Certificate) -> str:
    """Serial as `openssl x509 -serial` prints it (upper-case hex)."""
    return format(cert.serial_number, "X")


@dataclass(frozen=True)
class PeerIdentity:
    subject: str  # RFC 4514 string of the leaf subject
    issuer: str
    serial: str
    chain: tuple[x509.Certificate, ...] = field(default=(), compare=False, repr=False)
    tls_version: str | None = None

    @property
    def certificate(self) -> x509.Certificate | None:
        return self.chain[0] if self.chain else None

    @property
    def common_name(self) -> str | None:
        cert = self.certificate
        if cert is None:
            return None
        names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else None

    @property
    def issuer_common_name(self) -> str | None:
        cert = self.certificate
        if cert is None:
            return None
        names = cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else None

    def as_record(self) -> dict[str, str]:
        """The journal record's `peer` shape."""
        return {"subject": self.subject, "issuer": self.issuer, "serial": self.serial}

    @classmethod
    def from_chain(cls, chain: list[x509.Certificate], tls_version: str | None = None) -> PeerIdentity | None:
        if not chain:
            return None
        leaf = chain[0]
        return cls(
            subject=leaf.subject.rfc4514_string(),
            issuer=leaf.issuer.rfc4514_string(),
            serial=serial_hex(leaf),
            chain=tuple(chain),
            tls_version=tls_version,
        )

    @classmethod
    def from_der_chain(cls, ders: list[bytes], tls_version: str | None = None) -> PeerIdentity | None:
        certs: list[x509.Certificate] = []
        for der in ders:
            try:
                certs.append(x509.load_der_x509_certificate(der))
            except ValueError:
                break  # a garbled certificate ends what we can say about the chain
        return cls.from_chain(certs, tls_version)
