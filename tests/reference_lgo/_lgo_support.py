"""Helpers shared by the reference LGO tests: accounts to seed, logins (UI and driver), and the
virtual CPS cards of the tests (keys and certificates from the bench's test PKI)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from protocols import identifiers
from protocols.pki import TestPKI
from protocols.pki import profiles as pki_profiles
from simulators.cards.cps import CpsCard, CpsData, CpsSituation
from simulators.cards.models import CardEntry

PASSWORD = "motdepasse-banc"
STRUCTURE = "1750291411"  # IdNatStruct of FINESS 750291411 (valid key)


def rpps(n: int) -> str:
    return identifiers.rpps_with_key(f"{1000000000 + n:010d}")


@dataclass(frozen=True)
class Pro:
    key: str
    id_nat_ps: str
    first_name: str
    last_name: str
    card_type: str  # CPS | CPE
    pin: str = "1234"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


PROS = {
    "titulaire": Pro("titulaire", "8" + rpps(11), "Claire", "Titulaire", "CPS"),
    "preparateur": Pro("preparateur", "8" + rpps(12), "Paul", "Préparateur", "CPE", pin="4321"),
    "inconnu": Pro("inconnu", "8" + rpps(13), "Ivan", "Inconnu", "CPS"),
    "revoque": Pro("revoque", "8" + rpps(14), "Rémi", "Révoqué", "CPS"),
    "expire": Pro("expire", "8" + rpps(15), "Emma", "Expirée", "CPS"),
}


def seed_payload(**settings: Any) -> dict[str, Any]:
    """Accounts of every role (the titulaire and the préparateur also have a card) and settings."""
    return {
        "accounts": [
            {"login": "titulaire", "password": PASSWORD, "role": "titulaire", "display_name": "Claire Titulaire",
             "professional_id": "pro-titulaire"},
            {"login": "adjoint", "password": PASSWORD, "role": "adjoint", "display_name": "Alain Adjoint"},
            {"login": "preparateur", "password": PASSWORD, "role": "preparateur",
             "display_name": "Paul Préparateur", "id_nat_ps": PROS["preparateur"].id_nat_ps},
            {"login": "admin", "password": PASSWORD, "role": "administrateur", "display_name": "Ada Admin"},
            {"login": "revoque", "password": PASSWORD, "role": "adjoint", "display_name": "Rémi Révoqué",
             "id_nat_ps": PROS["revoque"].id_nat_ps},
            {"login": "expire", "password": PASSWORD, "role": "adjoint", "display_name": "Emma Expirée",
             "id_nat_ps": PROS["expire"].id_nat_ps},
        ],
        "local_patients": [],
        "settings": {
            "pharmacy_id": "pharmacie-banc",
            "software": {"idam": "IDAM-BANC-01", "name": "LGO-REF", "version": "0.1.0", "instance": "inst-1"},
            **settings,
        },
        "professionals": [{"id": "pro-titulaire", "rpps": PROS["titulaire"].id_nat_ps[1:], "first_name": "Claire",
                           "last_name": "Titulaire", "profession": "21", "card_type": "CPS"}],
        "pharmacies": [{"id": "pharmacie-banc", "finess": "750291411", "name": "Pharmacie du Banc"}],
    }  # fmt: skip


def driver_login(client: httpx.Client, login: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post("/driver/v1/sessions", json={"login": login, "password": password})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "jeton CSRF absent de la page"
    return found.group(1)


def ui_login(client: httpx.Client, login: str, password: str = PASSWORD) -> str:
    """Logs in through the login form; returns the session's CSRF token (from the home page)."""
    page = client.get("/connexion")
    answer = client.post(
        "/connexion",
        data={"login": login, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = client.get("/")
    assert home.status_code == 200
    return csrf_of(home.text)


# --- cards -----------------------------------------------------------------------------------


def _rogue_certificate(
    pki: TestPKI, pro: Pro, *, expired: bool = False
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """An auth certificate issued by the PERSONNES CA outside the PKI's own bookkeeping (negative cases)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    start, end = (
        (now - timedelta(days=400), now - timedelta(days=10))
        if expired
        else (now - timedelta(days=1), now + timedelta(days=300))
    )
    issuer = pki.personnes
    cert = (
        x509.CertificateBuilder()
        .subject_name(pki_profiles.professional_name(pro.id_nat_ps, "auth", pro.display_name))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(issuer.key, hashes.SHA256())
    )  # fmt: skip
    return key, cert


def revocation_list(pki: TestPKI, serials: list[int]) -> bytes:
    """A PERSONNES CRL listing `serials` (PEM), signed with the CA's key."""
    issuer = pki.personnes
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=7))
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - timedelta(minutes=5))
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@dataclass
class CardSet:
    catalog: dict[str, CardEntry]
    revoked_serial: int


def cps_catalog(pki: TestPKI) -> CardSet:
    """One card per test professional; `revoque` holds a certificate to list in a CRL."""
    catalog: dict[str, CardEntry] = {}
    revoked_serial = 0
    for index, pro in enumerate(PROS.values()):
        sign = pki.professional(pro.id_nat_ps, "sign", pro.display_name)
        if pro.key == "revoque":
            auth_key, auth_cert = _rogue_certificate(pki, pro)
            revoked_serial = auth_cert.serial_number
        elif pro.key == "expire":
            auth_key, auth_cert = _rogue_certificate(pki, pro, expired=True)
        else:
            auth = pki.professional(pro.id_nat_ps, "auth", pro.display_name)
            auth_key, auth_cert = auth.key, auth.cert
        pharmacist = pro.card_type == "CPS"
        data = CpsData(
            card_id=f"cps-{pro.key}",
            card_type=pro.card_type,  # type: ignore[arg-type]
            serial=f"{index + 1:010d}",
            id_nat_ps=pro.id_nat_ps,
            last_name=pro.last_name,
            first_name=pro.first_name,
            auth_key=auth_key,
            auth_cert=auth_cert,
            sign_key=sign.key,
            sign_cert=sign.cert,
            situations=(
                CpsSituation(
                    structure_id=STRUCTURE,
                    structure_name="PHARMACIE DU BANC",
                    profession="21" if pharmacist else None,
                    section="A" if pharmacist else None,
                    role=None if pharmacist else "Préparateur en pharmacie",
                ),
            ),
            pin=pro.pin,
        )
        catalog[data.card_id] = CardEntry(data.card_id, "cps", pro.display_name, lambda d=data: CpsCard(d))
    return CardSet(catalog, revoked_serial)


def trust_dirs(export: Path, target: Path, pki: TestPKI, revoked: list[int]) -> dict[str, str]:
    """A copy of the exported trust files whose PERSONNES CRL lists `revoked`; settings pointing at it."""
    (target / "crl").mkdir(parents=True, exist_ok=True)
    (target / "chain.pem").write_bytes((export / "ca" / "chain.pem").read_bytes())
    for crl in (export / "crl").iterdir():
        (target / "crl" / crl.name).write_bytes(crl.read_bytes())
    (target / "crl" / "personnes.crl.pem").write_bytes(revocation_list(pki, revoked))
    return {"trust_chain": str(target / "chain.pem"), "trust_crl_dir": str(target / "crl")}


# --- the LGO in its own process -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def lgo_process(home: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`python -m reference_lgo` on a free port; yields its base URL once /health answers."""
    port = free_port()
    environment = {**os.environ, "SEGUR_BENCH_HOME": str(home), **(env or {})}
    environment.pop("SEGUR_BENCH_LGO_DATABASE_URL", None)
    log = (home / "lgo.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reference_lgo",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    "le LGO s'est arrêté : " + (home / "lgo.log").read_text(errors="replace")[-2000:]
                )
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("le LGO n'a pas répondu sur /health en 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
