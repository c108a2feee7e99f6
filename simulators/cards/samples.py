"""Sample cards with throwaway keys: for `segur-bench cards bench` (no world, no PKI needed) and
for tests. Not a world: the world's cards come from `from_world`."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from simulators.cards.cps import CardType, CpsCard, CpsData, CpsSituation
from simulators.cards.models import CardEntry
from simulators.cards.vitale import VitaleBeneficiary, VitaleCard, VitaleData

SAMPLE_NIRS = ("179046912345628", "281076912345625", "215116912345724", "215116912345823")


@functools.lru_cache(maxsize=8)
def throwaway_credential(common_name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """An RSA-2048 key and a self-signed certificate (cached per name for the process)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def sample_vitale(card_id: str = "vitale-exemple") -> VitaleData:
    """Four beneficiaries: the insured, a spouse, twins (rang 1 and 2, one born on a lunar date)."""
    insured, spouse, twin1, twin2 = SAMPLE_NIRS
    return VitaleData(
        card_id=card_id,
        serial="1299000001",
        insured_nir=insured,
        regime="01",
        caisse="691",
        centre="6911",
        validity_start="20200301",
        beneficiaries=(
            VitaleBeneficiary(insured, "MARTIN", "PAUL", "19790415", 1, "00"),
            VitaleBeneficiary(spouse, "MARTIN", "CLAIRE", "19810722", 1, "02", birth_name="DUPRÉ"),
            VitaleBeneficiary(twin1, "MARTIN", "LÉA", "20151100", 1, "06", rights_end="20331130"),
            VitaleBeneficiary(twin2, "MARTIN", "INÈS", "20151100", 2, "06", rights_end="20331130"),
        ),
    )


def sample_cps(card_id: str = "cps-exemple", card_type: CardType = "CPS", pin: str = "1234") -> CpsData:
    auth_key, auth_cert = throwaway_credential(f"{card_id} authentification")
    sign_key, sign_cert = throwaway_credential(f"{card_id} signature")
    pharmacist = card_type in ("CPS", "CPF")
    situation = CpsSituation(
        structure_id="1690000018",
        structure_name="PHARMACIE D'EXEMPLE",
        profession="21" if pharmacist else None,
        section="A" if card_type == "CPS" else None,
        practice_mode="L" if card_type == "CPS" else "S",
        role=None if pharmacist else "Préparateur en pharmacie",
    )
    return CpsData(
        card_id=card_id,
        card_type=card_type,
        serial="0000199999",
        id_nat_ps="810100000009",
        last_name="DAUMAS",
        first_name="Hélène",
        civility="MME",
        auth_key=auth_key,
        auth_cert=auth_cert,
        sign_key=sign_key,
        sign_cert=sign_cert,
        situations=(situation,),
        pin=pin,
        puk="12345678",
    )


def sample_catalog() -> tuple[dict[str, CardEntry], dict[int, str]]:
    """A Vitale card, a CPS and a CPE, with the Vitale in slot 0 and the CPS in slot 1."""
    vitale, cps, cpe = sample_vitale(), sample_cps(), sample_cps("cpe-exemple", "CPE", pin="4321")
    other = VitaleData(
        card_id="vitale-seule",
        serial="1299000002",
        insured_nir="160012A01234576",
        regime="01",
        caisse="201",
        centre="2011",
        beneficiaries=(VitaleBeneficiary("160012A01234576", "SANTONI", "PAUL", "19600100", 1, "00"),),
    )
    catalog = {
        vitale.card_id: CardEntry(
            vitale.card_id,
            "vitale",
            "Vitale MARTIN",
            lambda: VitaleCard(vitale),
            {"nirs": [b.nir for b in vitale.beneficiaries]},
        ),
        other.card_id: CardEntry(
            other.card_id,
            "vitale",
            "Vitale SANTONI",
            lambda: VitaleCard(other),
            {"nirs": [other.insured_nir]},
        ),
        cps.card_id: CardEntry(cps.card_id, "cps", "CPS DAUMAS", lambda: CpsCard(cps), {"card_type": "CPS"}),
        cpe.card_id: CardEntry(cpe.card_id, "cps", "CPE DAUMAS", lambda: CpsCard(cpe), {"card_type": "CPE"}),
    }
    return catalog, {0: vitale.card_id, 1: cps.card_id}
