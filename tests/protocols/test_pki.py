"""The test PKI: hierarchy, profiles, CRLs, persistence, concurrency, export checked with OpenSSL."""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from protocols.pki import CA_COMMON_NAMES, CLIENTS, CRL_URL, TestPKI, id_nat_ps_of

ID_NAT_PS = "810000000001"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pki(bench_home: Path) -> TestPKI:
    return TestPKI.ensure(bench_home / "pki")


@pytest.fixture(scope="module")
def exported(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("export")
    pki.export(directory, [(ID_NAT_PS, "Jeanne DUPONT")])
    return directory


def _cn(cert: x509.Certificate) -> str:
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


def _openssl_verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", "verify", *args], capture_output=True, text=True, check=False)


def test_hierarchy_names_and_ca_extensions(pki: TestPKI) -> None:
    assert _cn(pki.root.cert) == "TEST AC RACINE IGC-SANTE ELEMENTAIRE"
    assert _cn(pki.organisations.cert) == "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"
    assert _cn(pki.personnes.cert) == "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"
    for ca in (pki.organisations, pki.personnes):
        assert ca.cert.issuer == pki.root.cert.subject
        ca.cert.verify_directly_issued_by(pki.root.cert)
    for ca in (pki.root, pki.organisations, pki.personnes):
        constraints = ca.cert.extensions.get_extension_for_class(x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert ca.cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
        assert ca.cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "FR"
    assert pki.trust_roots() == [pki.root.cert]
    assert [c.subject for c in x509.load_pem_x509_certificates(pki.chain_pem.read_bytes())] == [
        pki.root.cert.subject,
        pki.organisations.cert.subject,
        pki.personnes.cert.subject,
    ]


def test_insi_clients_have_the_cn_and_issuer_insi_checks(pki: TestPKI) -> None:
    for name, cn in (("insi-auto", "INSI-AUTO"), ("insi-manu", "INSI-MANU")):
        credential = pki.client(name)
        assert _cn(credential.cert) == cn
        issuer_cn = credential.cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        assert issuer_cn == "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"
        eku = credential.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
        assert [c.subject for c in credential.chain] == [
            credential.cert.subject,
            pki.organisations.cert.subject,
        ]


def test_client_chains_validate_with_cryptography(pki: TestPKI) -> None:
    # PS and organisation certificates carry no SAN: the Web PKI leaf defaults would refuse them.
    ee_policy = verification.ExtensionPolicy.permit_all()
    builder = (
        verification.PolicyBuilder()
        .store(verification.Store(pki.trust_roots()))
        .extension_policies(ee_policy=ee_policy, ca_policy=verification.ExtensionPolicy.webpki_defaults_ca())
    )
    for credential in (
        pki.client("insi-auto"),
        pki.client("org-sign"),
        pki.professional(ID_NAT_PS, "auth", "Jeanne DUPONT"),
    ):
        verified = builder.build_client_verifier().verify(credential.cert, credential.chain[1:])
        assert verified.chain[-1] == pki.root.cert
    for bad in ("insi-auto-expired", "insi-auto-wrong-ca"):
        credential = pki.client(bad)
        with pytest.raises(verification.VerificationError):
            builder.build_client_verifier().verify(credential.cert, credential.chain[1:])


def test_server_certificate_verifies_for_every_name(pki: TestPKI) -> None:
    server = pki.server("insi")
    assert server.cert.issuer == pki.organisations.cert.subject
    names: list[x509.DNSName | x509.IPAddress] = [
        x509.DNSName("localhost"),
        x509.DNSName("insi.bench.test"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    store = verification.Store(pki.trust_roots())
    for name in names:
        chain = (
            verification.PolicyBuilder()
            .store(store)
            .build_server_verifier(name)
            .verify(server.cert, server.chain[1:])
        )
        assert chain[0] == server.cert
    with pytest.raises(verification.VerificationError):
        verification.PolicyBuilder().store(store).build_server_verifier(
            x509.DNSName("dmp.bench.test")
        ).verify(server.cert, server.chain[1:])


def test_professional_certificates(pki: TestPKI) -> None:
    auth = pki.professional(ID_NAT_PS, "auth", "Jeanne DUPONT")
    sign = pki.professional(ID_NAT_PS, "sign", "Jeanne DUPONT")
    assert auth.name == "ps-10000000001-auth" and sign.name == "ps-10000000001-sign"
    for credential in (auth, sign):
        assert id_nat_ps_of(credential.cert) == ID_NAT_PS
        assert _cn(credential.cert) == "Jeanne DUPONT"
        assert credential.cert.issuer == pki.personnes.cert.subject
    auth_usage = auth.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    sign_usage = sign.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert auth_usage.digital_signature and not auth_usage.content_commitment
    assert sign_usage.content_commitment and sign_usage.digital_signature
    assert (
        ExtendedKeyUsageOID.CLIENT_AUTH
        in auth.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    )
    # Same request again: the cached credential, not a new certificate.
    assert pki.professional(ID_NAT_PS, "auth", "Jeanne DUPONT").cert.serial_number == auth.cert.serial_number


def test_professional_reissued_when_the_name_changes(pki: TestPKI) -> None:
    first = pki.professional("810000000002", "auth", "Paul MARTIN")
    renamed = pki.professional("810000000002", "auth", "Paul MARTIN-DURAND")
    assert renamed.cert.serial_number != first.cert.serial_number
    assert _cn(renamed.cert) == "Paul MARTIN-DURAND"


def test_revocation_and_crls(pki: TestPKI) -> None:
    revoked = pki.client("insi-auto-revoked")
    assert pki.is_revoked(revoked.cert)
    assert not pki.is_revoked(pki.client("insi-auto").cert)
    assert not pki.is_revoked(pki.client("insi-auto-wrong-ca").cert)
    crl = x509.load_der_x509_crl(pki.crl_der("organisations"))
    assert crl.is_signature_valid(pki.organisations.cert.public_key())  # type: ignore[arg-type]
    assert crl.get_revoked_certificate_by_serial_number(revoked.cert.serial_number) is not None
    for ca in ("root", "personnes"):
        assert len(x509.load_pem_x509_crl(pki.crl_pem(ca).read_bytes())) == 0
    points = revoked.cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name is not None
    assert points[0].full_name[0].value == CRL_URL.format(ca="organisations")
    expired = pki.client("insi-auto-expired").cert
    assert expired.not_valid_after_utc < datetime.now(UTC)
    assert _cn(expired) == "INSI-AUTO"


def test_invalid_requests_are_refused(pki: TestPKI) -> None:
    with pytest.raises(ValueError, match="certificat client inconnu"):
        pki.client("insi-auto-typo")
    with pytest.raises(ValueError, match="nom de service invalide"):
        pki.server("../etc")
    with pytest.raises(ValueError, match="usage"):
        pki.professional(ID_NAT_PS, "chiffrement", "X")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AC inconnue"):
        pki.crl_pem("inconnue")


def test_ensure_again_loads_without_regenerating(pki: TestPKI) -> None:
    files = sorted(p for p in pki.directory.rglob("*") if p.is_file() and p.name != ".lock")
    before = {p: p.stat().st_mtime_ns for p in files}
    again = TestPKI.ensure(pki.directory)
    assert again.generated == []
    assert again.root.cert.serial_number == pki.root.cert.serial_number
    assert again.organisations.cert.serial_number == pki.organisations.cert.serial_number
    for name in CLIENTS:
        assert again.client(name).cert.serial_number == pki.client(name).cert.serial_number
    assert {p: p.stat().st_mtime_ns for p in files} == before


def test_a_lost_client_key_is_reissued_alone(tmp_path: Path) -> None:
    first = TestPKI.ensure(tmp_path)
    old_serial = first.client("org-auth").cert.serial_number
    (tmp_path / "clients" / "org-auth.key").unlink()
    second = TestPKI.ensure(tmp_path)
    assert second.generated == ["clients/org-auth"]
    assert second.client("org-auth").cert.serial_number != old_serial
    assert second.root.cert.serial_number == first.root.cert.serial_number
    (tmp_path / "manifest.json").write_text("{pas du json", encoding="utf-8")
    rebuilt = TestPKI.ensure(tmp_path)
    assert "ca/root" in rebuilt.generated
    assert rebuilt.root.cert.serial_number != first.root.cert.serial_number


_CHILD = """
import sys
from pathlib import Path
from protocols.pki import TestPKI
print("pret", flush=True)
pki = TestPKI.ensure(Path(sys.argv[1]))
print(format(pki.root.cert.serial_number, "x"), format(pki.client("insi-auto").cert.serial_number, "x"),
      ",".join(pki.generated) or "-", flush=True)
"""


def test_concurrent_ensure_from_two_processes_builds_one_pki(tmp_path: Path) -> None:
    directory = tmp_path / "pki"
    directory.mkdir()
    # Hold the PKI lock while both children start, so they really contend for it.
    lock_fd = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(directory)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "pret"
    finally:
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)
    results = []
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        results.append(out.split())
    assert results[0][:2] == results[1][:2]  # same root, same insi-auto certificate
    generated = [r[2] for r in results]
    assert sorted(g == "-" for g in generated) == [False, True]  # exactly one process generated
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cas"]["root"]["serial"] == results[0][0]


def _handshake(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext) -> str | None:
    """Runs one TLS handshake over a socket pair; returns the peer CN seen by the server, or None if refused."""
    left, right = socket.socketpair()
    seen: list[str | None] = [None]

    def serve() -> None:
        try:
            with server_ctx.wrap_socket(left, server_side=True) as tls:
                der = tls.getpeercert(binary_form=True)
                seen[0] = _cn(x509.load_der_x509_certificate(der)) if der else None
        except (ssl.SSLError, OSError):
            seen[0] = None

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client_ctx.wrap_socket(right, server_hostname="insi.bench.test") as tls:
            tls.recv(1)  # TLS 1.3: a refused client certificate surfaces on the first read
    except (ssl.SSLError, OSError):
        pass
    thread.join(timeout=30)
    left.close()
    right.close()
    return seen[0]


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("insi-auto", True),
        ("insi-auto-expired", False),
        ("insi-auto-revoked", False),
        ("insi-auto-wrong-ca", False),
    ],
)
def test_mutual_tls_with_openssl_through_python_ssl(pki: TestPKI, name: str, accepted: bool) -> None:
    server = pki.server("insi")
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(server.chain_pem, server.key_pem)
    server_ctx.load_verify_locations(cafile=str(pki.chain_pem))
    server_ctx.load_verify_locations(cafile=str(pki.crl_pem("organisations")))
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    server_ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    client = pki.client(name)
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(cafile=str(pki.chain_pem))
    client_ctx.load_cert_chain(client.chain_pem, client.key_pem)
    assert _handshake(server_ctx, client_ctx) == ("INSI-AUTO" if accepted else None)


def test_export_layout(exported: Path) -> None:
    assert sorted(p.name for p in (exported / "ca").iterdir()) == [
        "chain.pem",
        "organisations.pem",
        "personnes.pem",
        "root.pem",
    ]
    assert sorted(p.name for p in (exported / "crl").iterdir()) == [
        "organisations.crl.pem",
        "personnes.crl.pem",
        "root.crl.pem",
    ]
    names = [*CLIENTS, "ps-10000000001-auth", "ps-10000000001-sign"]
    expected = sorted(f"{n}{suffix}" for n in names for suffix in (".pem", ".key", ".p12", ".chain.pem"))
    assert sorted(p.name for p in (exported / "clients").iterdir()) == expected
    assert (exported / "clients" / "insi-auto.key").stat().st_mode & 0o077 == 0
    assert len(x509.load_pem_x509_certificates((exported / "clients" / "insi-auto.pem").read_bytes())) == 1
    assert (
        len(x509.load_pem_x509_certificates((exported / "clients" / "insi-auto.chain.pem").read_bytes())) == 2
    )
    readme = (exported / "README.txt").read_text(encoding="utf-8")
    assert "Mot de passe" in readme and "NE PAS UTILISER EN PRODUCTION" in readme
    assert CA_COMMON_NAMES["organisations"] in readme and "810000000001" in readme


def test_openssl_verifies_the_export(exported: Path) -> None:
    ca = str(exported / "ca" / "chain.pem")
    crl = str(exported / "crl" / "organisations.crl.pem")
    clients = exported / "clients"
    ok = _openssl_verify("-CAfile", ca, str(clients / "insi-auto.pem"))
    assert ok.returncode == 0 and ok.stdout.strip().endswith(": OK")
    ok_crl = _openssl_verify("-crl_check", "-CAfile", ca, "-CRLfile", crl, str(clients / "insi-auto.pem"))
    assert ok_crl.returncode == 0 and ok_crl.stdout.strip().endswith(": OK")
    revoked = _openssl_verify(
        "-crl_check", "-CAfile", ca, "-CRLfile", crl, str(clients / "insi-auto-revoked.pem")
    )
    assert revoked.returncode != 0 and "certificate revoked" in revoked.stdout + revoked.stderr
    expired = _openssl_verify("-CAfile", ca, str(clients / "insi-auto-expired.pem"))
    assert expired.returncode != 0 and "certificate has expired" in expired.stdout + expired.stderr
    wrong = _openssl_verify("-CAfile", ca, str(clients / "insi-auto-wrong-ca.pem"))
    assert wrong.returncode != 0 and "unable to get local issuer certificate" in wrong.stdout + wrong.stderr
    ps = _openssl_verify("-CAfile", ca, str(clients / "ps-10000000001-sign.pem"))
    assert ps.returncode == 0


def test_p12_opens_with_the_readme_password(exported: Path, pki: TestPKI) -> None:
    readme = (exported / "README.txt").read_text(encoding="utf-8")
    match = re.search(r"Mot de passe de tous les fichiers PKCS#12 \(\.p12\) : (\S+)", readme)
    assert match is not None
    key, cert, extra = pkcs12.load_key_and_certificates(
        (exported / "clients" / "insi-auto.p12").read_bytes(), match.group(1).encode()
    )
    assert cert is not None and key is not None
    assert key.public_key() == cert.public_key()
    assert cert.serial_number == pki.client("insi-auto").cert.serial_number
    assert [c.subject for c in extra] == [pki.organisations.cert.subject]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates((exported / "clients" / "insi-auto.p12").read_bytes(), b"mauvais")
