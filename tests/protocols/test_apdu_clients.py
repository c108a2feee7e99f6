"""The LGO-side readers (Vitale beneficiaries, CPS PIN / certificates / signature) against the
virtual cards, in memory (the transports have their own tests)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from protocols.apdu.cps import CpsCard as CpsClient
from protocols.apdu.cps import digest_info
from protocols.apdu.transport import ApduError, CardConnection
from protocols.apdu.vitale import read_vitale
from simulators.cards.cps import CpsCard
from simulators.cards.iso7816 import CardOS
from simulators.cards.samples import sample_cps, sample_vitale
from simulators.cards.vitale import VitaleCard


class Direct(CardConnection):
    def __init__(self, card: CardOS) -> None:
        card.power_on()
        self.card, self.reader, self.atr = card, "direct", card.atr
        self.count = 0

    def transmit_raw(self, apdu: bytes) -> bytes:
        self.count += 1
        return self.card.execute(apdu)

    def close(self) -> None:
        self.card.power_off()


def test_read_vitale_returns_every_beneficiary_with_bench_data() -> None:
    expected = sample_vitale()
    data = read_vitale(Direct(VitaleCard(expected)))
    assert [b.nir for b in data.beneficiaries] == [b.nir for b in expected.beneficiaries]
    assert [(b.rang, b.qualite) for b in data.beneficiaries] == [(1, "00"), (1, "02"), (1, "06"), (2, "06")]
    assert data.beneficiaries[3].birth_date_iso == "2015-11-00"
    assert data.beneficiaries[1].birth_name == "DUPRE"
    assert (data.beneficiaries[2].rights_start, data.beneficiaries[2].rights_end) == ("20240101", "20331130")
    assert (data.serial, data.validity_start) == ("1299000001", "20200301")
    assert (data.insured_nir, data.regime, data.caisse, data.centre) == (
        expected.insured_nir,
        "01",
        "691",
        "6911",
    )


def test_read_vitale_on_a_cps_is_a_clear_refusal() -> None:
    with pytest.raises(ApduError, match="application VITALE : fichier ou application introuvable"):
        read_vitale(Direct(CpsCard(sample_cps())))


def test_read_vitale_on_a_blocked_card() -> None:
    card = VitaleCard(sample_vitale())
    card.blocked = True
    with pytest.raises(ApduError) as err:
        read_vitale(Direct(card))
    assert err.value.sw == 0x6283


@pytest.fixture
def cps() -> CpsClient:
    return CpsClient(Direct(CpsCard(sample_cps())))


def test_cps_identity_files(cps: CpsClient) -> None:
    assert cps.serial() == "0000199999"
    holder = cps.holder()
    assert (holder.card_type, holder.category, holder.id_nat_ps, holder.first_name) == (
        "CPS",
        0x80,
        "810100000009",
        "Hélène",
    )
    (situation,) = cps.situations()
    assert (situation.profession, situation.section, situation.structure_id) == ("21", "A", "1690000018")
    assert cps.actua() == ("20260101000000", "20301231235959")


def test_cps_pin_flow(cps: CpsClient) -> None:
    assert cps.pin_status().tries_left == 3
    wrong = cps.verify_pin("0000")
    assert (wrong.verified, wrong.tries_left, wrong.blocked) == (False, 2, False)
    assert cps.pin_counters() == (2, 3)
    assert cps.verify_pin("1234").verified
    cps.verify_pin("0000")
    cps.verify_pin("0000")
    last = cps.verify_pin("0000")
    assert (last.tries_left, last.blocked) == (0, True)
    assert cps.verify_pin("1234").blocked
    assert cps.unblock("00000000").tries_left == 9
    assert cps.unblock("12345678", "9876").sw == 0x9000
    assert cps.verify_pin("9876").verified
    with pytest.raises(ValueError, match="4 chiffres"):
        cps.verify_pin("12345")


def test_cps_signature_checks_with_the_certificate_read_from_the_card(cps: CpsClient) -> None:
    certificates = cps.certificates()
    with pytest.raises(ApduError) as err:
        cps.sign(b"document")
    assert err.value.sw == 0x6982
    cps.verify_pin("1234")
    signature = cps.sign(b"document")
    key = certificates.sign.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"document", padding.PKCS1v15(), hashes.SHA256())
    challenge = cps.internal_authenticate(b"\x42" * 32)
    auth_key = certificates.auth.public_key()
    assert isinstance(auth_key, rsa.RSAPublicKey)
    assert (
        pow(int.from_bytes(challenge, "big"), 65537, auth_key.public_numbers().n)
        .to_bytes(256, "big")
        .endswith(b"\x42" * 32)
    )


def test_digest_info_refuses_a_wrong_length() -> None:
    assert digest_info(bytes(32)).hex().startswith("3031300d0609")
    with pytest.raises(ValueError):
        digest_info(bytes(20), "sha256")
