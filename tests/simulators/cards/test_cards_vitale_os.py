"""The Vitale 2 card OS at the APDU level: public AIDs and tags, bench-contract files, blocking."""

from __future__ import annotations

import pytest

from simulators.cards.iso7816 import iter_tlv
from simulators.cards.samples import sample_vitale
from simulators.cards.vitale import (
    AID_VITALE,
    ATR_VITALE2,
    VitaleBeneficiary,
    VitaleCard,
    VitaleData,
    build_file_system,
)


def sw(response: bytes) -> str:
    return response[-2:].hex().upper()


def select(card: VitaleCard, apdu: str) -> str:
    return sw(card.execute(bytes.fromhex(apdu)))


def read_all(card: VitaleCard) -> bytes:
    data = card.execute(bytes.fromhex("00B0000000"))
    assert sw(data) in ("9000", "6282")
    return data[:-2]


@pytest.fixture
def card() -> VitaleCard:
    c = VitaleCard(sample_vitale())
    c.power_on()
    return c


def test_atr_is_the_public_vitale2_atr(card: VitaleCard) -> None:
    assert card.atr.hex().upper() == "3B751300004409EA9000" == ATR_VITALE2.hex().upper()


def test_select_vitale_application_returns_fci_through_get_response(card: VitaleCard) -> None:
    response = card.execute(bytes([0x00, 0xA4, 0x04, 0x00, len(AID_VITALE)]) + AID_VITALE)
    assert response[0] == 0x61
    fci = card.execute(bytes([0x00, 0xC0, 0x00, 0x00, response[1]]))
    assert sw(fci) == "9000"
    assert AID_VITALE in fci and fci[0] == 0x6F


def test_pointer_file_names_the_data_files(card: VitaleCard) -> None:
    assert select(card, "00A4040C0BD250000002564954414C45") == "9000"
    assert select(card, "00A4020C022001") == "9000"
    ((tag, root),) = list(iter_tlv(read_all(card)))
    assert tag == 0xE0
    items = list(iter_tlv(root))
    assert items[0][0] == 0xA0
    apps = list(iter_tlv(items[0][1]))
    assert apps[0][1][4:] == AID_VITALE and apps[0][1][:2] == b"\x00\x01"
    files = {v[:8].decode().strip(): v[10:12].hex().upper() for t, v in items[1:] if t == 0x80}
    assert files == {"CARTE": "2002", "BENEF": "2003", "AMO": "2004", "DROITS": "2005"}


def test_beneficiaries_carry_public_and_bench_tags(card: VitaleCard) -> None:
    assert select(card, "00A4040C0BD250000002564954414C45") == "9000"
    assert select(card, "00A4020C022003") == "9000"
    beneficiaries = [dict(iter_tlv(v)) for t, v in iter_tlv(read_all(card)) if t == 0x65]
    assert [b[0x93].decode() for b in beneficiaries] == [b.nir for b in sample_vitale().beneficiaries]
    twin = beneficiaries[3]
    assert twin[0x80] == b"MARTIN" and twin[0x81] == b"INES"  # accents removed
    assert twin[0x82] == b"20151100"  # lunar date kept as is
    assert (twin[0xC0], twin[0xC1]) == (b"2", b"06")
    assert beneficiaries[1][0xC2] == b"DUPRE"


def test_mf_vitale_holds_dir_and_pan(card: VitaleCard) -> None:
    assert select(card, "00A4040C0ED2500000024D465F564954414C45") == "9000"
    assert select(card, "00A4020C022F02") == "9000"
    assert read_all(card) == bytes.fromhex("5A05") + bytes.fromhex("1299000001")
    assert select(card, "00A4000C022F00") == "9000"
    labels = [dict(iter_tlv(v))[0x50] for t, v in iter_tlv(read_all(card)) if t == 0x61]
    assert labels == [b"VITALE", b"MF_VITALE"]


def test_blocked_card_deactivates_the_application(card: VitaleCard) -> None:
    card.blocked = True
    assert select(card, "00A4040C0BD250000002564954414C45") == "6283"
    assert select(card, "00A4020C022003") == "6283"
    assert sw(card.execute(bytes.fromhex("00B0000000"))) == "6985"
    assert select(card, "00A4000C022F02") == "9000"  # the MF files stay readable
    card.blocked = False
    assert select(card, "00A4080C0420002003") == "9000"
    assert sw(card.execute(bytes.fromhex("00B0000010"))) == "9000"


def test_vitale_has_no_pin(card: VitaleCard) -> None:
    assert sw(card.execute(bytes.fromhex("0020000104") + b"1234")) == "6D00"


def test_invalid_card_data_is_refused_when_building() -> None:
    good = sample_vitale()
    with pytest.raises(ValueError, match="aucun bénéficiaire"):
        build_file_system(VitaleData("x", "1", good.insured_nir, "01", "691", "6911", ()))
    bad_nir = VitaleBeneficiary("12345", "A", "B", "20000101", 1, "00")
    with pytest.raises(ValueError, match="NIR"):
        build_file_system(VitaleData("x", "1", good.insured_nir, "01", "691", "6911", (bad_nir,)))
