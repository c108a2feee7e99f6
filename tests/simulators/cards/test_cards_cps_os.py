"""The CPS3 card OS at the APDU level: ATR and files, PIN, security environment, signatures."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from simulators.cards.cps import AID_PKCS15, CpsCard, build_file_system
from simulators.cards.iso7816 import iter_tlv
from simulators.cards.samples import sample_cps

SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def sw(response: bytes) -> str:
    return response[-2:].hex().upper()


def run(card: CpsCard, apdu: str | bytes) -> bytes:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    response = card.execute(raw)
    if response[-2] == 0x61:
        response = card.execute(bytes([0x00, 0xC0, 0x00, 0x00, response[-1]]))
    return response


def verify(pin: str) -> bytes:
    return bytes.fromhex("0020000104") + pin.encode()


@pytest.fixture
def card() -> CpsCard:
    c = CpsCard(sample_cps())
    c.power_on()
    return c


def public_key(card: CpsCard, which: str) -> rsa.RSAPublicKey:
    key = (card.data.sign_cert if which == "sign" else card.data.auth_cert).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def test_atr_and_ef_sn_icc_follow_the_ans_driver(card: CpsCard) -> None:
    assert card.atr.hex().upper() == "3BAC00402A001225006480000310009000"
    assert sw(run(card, "00A4080C02D003")) == "9000"
    content = run(card, "00B000000C")
    assert sw(content) == "9000" and len(content) == 14
    assert content[2:7] == bytes.fromhex("8025000001")
    assert content[7:12].hex() == "0000199999"


def test_select_with_fcp_gives_the_file_size_as_the_driver_reads_it(card: CpsCard) -> None:
    fcp = run(card, "00A4090404" + "3F00D010" + "00")  # P2 04 as the ANS driver sends it
    assert fcp[0] == 0x62 and sw(fcp) == "9000"
    assert dict(iter_tlv(fcp[2:-2]))[0x80] == (20).to_bytes(2, "big")  # EF_ACTUA: EC 12 + 18 bytes
    actua = run(card, "00B0000014")
    assert actua[:2] == b"\xec\x12" and actua[2:5] == b"\x81\x07\x20"


def test_situation_and_holder_files_are_readable_over_contact(card: CpsCard) -> None:
    assert sw(run(card, "00A4080C0400017001")) == "9000"
    holder = dict(iter_tlv(dict(iter_tlv(run(card, "00B0000000")[:-2]))[0xE0]))
    assert holder[0x80] == b"CPS" and holder[0x81] == b"\x80" and holder[0x85] == "Hélène".encode()
    assert sw(run(card, "00A4080C040001D120")) == "9000"
    situation = dict(iter_tlv(dict(iter_tlv(run(card, "00B0000000")[:-2]))[0xE1]))
    assert (situation[0x81], situation[0x82], situation[0x84]) == (b"21", b"A", b"SA33")
    assert sw(run(card, "00A4080C040001D121")) == "6A82"


def test_cpe_has_no_profession_but_a_role() -> None:
    cpe = CpsCard(sample_cps("cpe-x", "CPE"))
    cpe.power_on()
    assert sw(run(cpe, "00A4080C040001D120")) == "9000"
    situation = dict(iter_tlv(dict(iter_tlv(run(cpe, "00B0000000")[:-2]))[0xE1]))
    assert 0x81 not in situation and 0x82 not in situation
    assert situation[0x87] == "Préparateur en pharmacie".encode()


def test_pin_counter_wrong_right_blocked_and_unblocked(card: CpsCard) -> None:
    assert sw(run(card, "00200001")) == "63C3"
    assert sw(run(card, verify("0000"))) == "63C2"
    assert sw(run(card, verify("1111"))) == "63C1"
    assert sw(run(card, verify("1234"))) == "9000"  # a right PIN resets the counter
    assert sw(run(card, "00200001")) == "9000"
    for expected in ("63C2", "63C1", "63C0", "6983", "6983"):
        assert sw(run(card, verify("9999"))) == expected
    assert sw(run(card, verify("1234"))) == "6983"  # blocked: the right PIN is refused
    assert sw(run(card, "00200001")) == "6983"
    assert sw(run(card, bytes.fromhex("002C010108") + b"00000000")) == "63C9"  # wrong PUK
    assert sw(run(card, bytes.fromhex("002C00010C") + b"12345678" + b"5678")) == "9000"
    assert sw(run(card, verify("1234"))) == "63C2"  # the PIN was changed
    assert sw(run(card, verify("5678"))) == "9000"


def test_pin_command_errors(card: CpsCard) -> None:
    assert sw(run(card, bytes.fromhex("00200001") + b"\x05" + b"12345")) == "6700"
    assert sw(run(card, "00200002")) == "6A88"
    assert sw(run(card, "00200101")) == "6A86"
    assert sw(run(card, "00200001")) == "63C3"  # no attempt counted by malformed commands
    assert sw(run(card, bytes.fromhex("002C010108") + b"12345678")) == "9000"


def test_get_data_pin_counters(card: CpsCard) -> None:
    run(card, verify("0000"))
    assert sw(run(card, "00A4000C023F00")) == "9000"
    data = run(card, "00CB3FFF0A4D087006BF810102A08000")
    assert sw(data) == "9000"
    assert data[:-2] == bytes.fromhex("700CBF810108A0069A01039B0102")
    assert sw(run(card, "00CB3FFF0A4D087006BF810902A08000")) == "6A88"


def test_change_reference_data(card: CpsCard) -> None:
    assert sw(run(card, bytes.fromhex("0024000108") + b"12344321")) == "9000"
    assert sw(run(card, verify("4321"))) == "9000"
    assert sw(run(card, bytes.fromhex("0024000108") + b"00001111")) == "63C2"


def _mse_dst(card: CpsCard, algo: int = 0x02, key: int = 0x82) -> str:
    return sw(run(card, bytes([0x00, 0x22, 0x41, 0xB6, 0x06, 0x80, 0x01, algo, 0x84, 0x01, key])))


def test_pso_cds_with_digest_info_verifies_with_the_signature_certificate(card: CpsCard) -> None:
    digest = hashlib.sha256(b"ordonnance").digest()
    info = SHA256_PREFIX + digest
    pso = bytes([0x00, 0x2A, 0x9E, 0x9A, len(info)]) + info + b"\x00"
    assert _mse_dst(card) == "9000"
    assert sw(run(card, pso)) == "6982"  # PIN first
    assert sw(run(card, verify("1234"))) == "9000"
    signature = run(card, pso)
    assert sw(signature) == "9000" and len(signature) == 258
    public_key(card, "sign").verify(signature[:-2], b"ordonnance", padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        public_key(card, "auth").verify(signature[:-2], b"ordonnance", padding.PKCS1v15(), hashes.SHA256())


def test_pso_cds_variants_and_refusals(card: CpsCard) -> None:
    run(card, verify("1234"))
    digest = hashlib.sha256(b"x").digest()
    assert sw(run(card, bytes([0x00, 0x2A, 0x9E, 0x9A, 0x20]) + digest)) == "6985"  # no MSE yet
    assert _mse_dst(card, 0x42) == "9000"
    bare = run(card, bytes([0x00, 0x2A, 0x9E, 0x9A, 0x20]) + digest + b"\x00")
    public_key(card, "sign").verify(bare[:-2], digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    assert sw(run(card, bytes([0x00, 0x2A, 0x9E, 0x9A, 0x10]) + digest[:16])) == "6A80"
    assert _mse_dst(card) == "9000"
    assert sw(run(card, bytes([0x00, 0x2A, 0x9E, 0x9A, 0x20]) + digest)) == "6A80"  # not a DigestInfo
    assert sw(run(card, "002A9E9A00")) == "6985"  # case 2 without PSO HASH
    assert _mse_dst(card, key=0x81) == "6A88"  # the authentication key cannot sign
    assert sw(run(card, "002241B6038101AA")) == "6A80"  # file reference refused by the CPS3
    assert sw(run(card, "002241B8038401 81")) == "6A81"  # deciphering not emulated
    assert sw(run(card, "002A8086020102")) == "6A81"


def test_pso_hash_then_case_2_signature(card: CpsCard) -> None:
    run(card, verify("1234"))
    assert _mse_dst(card, 0x42) == "9000"
    assert sw(run(card, bytes.fromhex("002A90A00C80") + bytes([10]) + b"0123456789")) == "9000"
    signature = run(card, "002A9E9A00")
    assert sw(signature) == "9000"
    public_key(card, "sign").verify(signature[:-2], b"0123456789", padding.PKCS1v15(), hashes.SHA256())
    digest = hashlib.sha256(b"y").digest()
    assert sw(run(card, bytes.fromhex("002A90A02290") + b"\x20" + digest)) == "9000"
    signature = run(card, "002A9E9A00")
    public_key(card, "sign").verify(signature[:-2], b"y", padding.PKCS1v15(), hashes.SHA256())
    assert sw(run(card, "002A90A006 9001AA 8001BB")) == "6A81"  # intermediate state: not emulated


def test_internal_authenticate_signs_raw_tls_data(card: CpsCard) -> None:
    challenge = bytes(range(36))  # TLS 1.0 MD5 + SHA-1
    apdu = bytes([0x00, 0x88, 0x00, 0x00, len(challenge)]) + challenge + b"\x00"
    assert sw(run(card, "002241A4068001028401 81")) == "9000"
    assert sw(run(card, apdu)) == "6982"
    run(card, verify("1234"))
    signature = run(card, apdu)
    assert sw(signature) == "9000"
    recovered = pow(int.from_bytes(signature[:-2], "big"), 65537, public_key(card, "auth").public_numbers().n)
    block = recovered.to_bytes(256, "big")
    assert block.startswith(b"\x00\x01\xff") and block.endswith(b"\x00" + challenge)
    assert sw(run(card, bytes([0x00, 0x88, 0x00, 0x00, 250]) + bytes(250))) == "6A80"  # too long for RSA-2048


def test_power_off_forgets_security_status_but_not_counters(card: CpsCard) -> None:
    run(card, verify("0000"))
    run(card, verify("1234"))
    run(card, verify("0000"))
    card.power_off()
    card.power_on()
    assert sw(run(card, "00200001")) == "63C2"
    run(card, verify("1234"))
    assert sw(run(card, "0020FF01")) == "9000"  # reset of the security status
    assert sw(run(card, "00200001")) == "63C3"


def test_pin_pad_and_blocking_helpers(card: CpsCard) -> None:
    outcome = card.pin_pad("0000")
    assert (outcome.sw, outcome.tries_left, outcome.verified) == (0x63C2, 2, False)
    assert card.pin_pad("1234").verified
    card.set_blocked(True)
    assert card.pin_pad("1234").sw == 0x6983
    card.set_blocked(False)
    assert card.pin_pad("1234").sw == 0x9000


def test_pkcs15_application_holds_both_certificates(card: CpsCard) -> None:
    assert sw(run(card, bytes([0x00, 0xA4, 0x04, 0x0C, len(AID_PKCS15)]) + AID_PKCS15)) == "9000"
    assert sw(run(card, "00A4020C02C001")) == "9000"
    der = b""
    while True:
        chunk = run(card, bytes([0x00, 0xB0, len(der) >> 8, len(der) & 0xFF, 0x00]))
        der += chunk[:-2]
        if sw(chunk) != "9000":
            break
    from cryptography import x509

    assert x509.load_der_x509_certificate(der) == card.data.sign_cert


def test_invalid_card_data_is_refused() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="code porteur"):
        build_file_system(replace(sample_cps(), pin="12"))
    with pytest.raises(ValueError, match="série"):
        build_file_system(replace(sample_cps(), serial="12AB"))
