"""ISO 7816-4 building blocks of the virtual cards: APDU parsing, TLV, T=0 rules, robustness."""

from __future__ import annotations

import random

import pytest

from simulators.cards.errors import CardError
from simulators.cards.iso7816 import DF, EF, CardOS, Command, Reply, iter_tlv, parse_command, parse_tlv, tlv


def sw(response: bytes) -> str:
    return response[-2:].hex().upper()


def test_parse_command_cases() -> None:
    assert parse_command(bytes.fromhex("00A40000")).case == 1
    two = parse_command(bytes.fromhex("00B0000000"))
    assert (two.case, two.ne) == (2, 256)
    three = parse_command(bytes.fromhex("00A4000C023F00"))
    assert (three.case, three.data) == (3, b"\x3f\x00")
    four = parse_command(bytes.fromhex("00A40400023F0010"))
    assert (four.case, four.ne) == (4, 0x10)


@pytest.mark.parametrize("raw", ["00A4", "00A40C", "00A4000C033F00", "00A4000C013F0000FF", "00A4000000000A"])
def test_parse_command_rejects_bad_lengths(raw: str) -> None:
    with pytest.raises(CardError) as err:
        parse_command(bytes.fromhex(raw))
    assert err.value.sw == 0x6700


def test_tlv_round_trip_with_long_values_and_multibyte_tags() -> None:
    value = bytes(range(256)) * 2
    encoded = tlv(0xBF8101, tlv(0x9A, b"\x03")) + tlv(0x80, value) + b"\x00\x00" + tlv(0x5F37, b"x")
    items = list(iter_tlv(encoded))
    assert [t for t, _ in items] == [0xBF8101, 0x80, 0x5F37]
    assert items[1][1] == value
    assert parse_tlv(items[0][1]) == {0x9A: b"\x03"}


@pytest.mark.parametrize("raw", ["80", "8005AABB", "5F", "808301", "1F818181810100"])
def test_tlv_rejects_truncated_data(raw: str) -> None:
    with pytest.raises(CardError) as err:
        list(iter_tlv(bytes.fromhex(raw)))
    assert err.value.sw == 0x6A80


class _Echo(CardOS):
    """A card with one 300-byte file and an echo command (INS 0x12) that returns its data."""

    chainable = frozenset({0x12})

    def __init__(self) -> None:
        mf = DF(0x3F00)
        app = DF(0x1000, b"\xa0\x00\x00\x00\x01\x02")
        mf.add(app)
        app.add(EF(0x1001, bytes(range(256)) + bytes(44), sfi=1))
        app.add(EF(0x1002, b"secret", read="pin"))
        super().__init__(mf)
        self.handlers[0x12] = lambda cmd: Reply(cmd.data)
        self.handlers[0x13] = self._boom

    def _boom(self, cmd: Command) -> Reply:
        raise RuntimeError("bug")


def test_select_by_name_path_and_fid_then_read_with_chunks() -> None:
    card = _Echo()
    card.power_on()
    assert sw(card.execute(bytes.fromhex("00A4040C06A00000000102"))) == "9000"
    assert sw(card.execute(bytes.fromhex("00A4040005A000000001"))) == "6114"  # right-truncated name, FCI
    fci = card.execute(bytes.fromhex("00C0000014"))
    assert fci[:2] == b"\x6f\x12" and sw(fci) == "9000"
    assert sw(card.execute(bytes.fromhex("00A4080C0410001001"))) == "9000"
    first = card.execute(bytes.fromhex("00B0000000"))
    assert len(first) == 258 and sw(first) == "9000"
    rest = card.execute(bytes.fromhex("00B0010000"))
    assert len(rest) == 46 and sw(rest) == "6282"  # 44 bytes then "end of file before Ne"
    assert sw(card.execute(bytes.fromhex("00B0020000"))) == "6B00"
    assert card.execute(bytes.fromhex("00B0810004")) == bytes([0, 1, 2, 3]) + b"\x90\x00"  # SFI 1


def test_select_and_read_errors() -> None:
    card = _Echo()
    card.power_on()
    assert sw(card.execute(bytes.fromhex("00B0000010"))) == "6986"  # no current EF
    assert sw(card.execute(bytes.fromhex("00A4020C029999"))) == "6A82"
    assert sw(card.execute(bytes.fromhex("00A4000C0110"))) == "6700"
    assert sw(card.execute(bytes.fromhex("00A4070C023F00"))) == "6A86"
    assert sw(card.execute(bytes.fromhex("00A4000D023F00"))) == "6A81"  # next occurrence
    assert sw(card.execute(bytes.fromhex("00A4090C0410001002"))) == "9000"
    assert sw(card.execute(bytes.fromhex("00B0000006"))) == "6982"  # PIN-protected
    assert sw(card.execute(bytes.fromhex("00A4030C"))) == "9000"  # parent of the app: the MF
    assert sw(card.execute(bytes.fromhex("00A4030C"))) == "6A82"  # the MF has no parent


def test_class_and_instruction_errors() -> None:
    card = _Echo()
    card.power_on()
    assert sw(card.execute(bytes.fromhex("80A4000C023F00"))) == "6E00"
    assert sw(card.execute(bytes.fromhex("01A4000C023F00"))) == "6881"
    assert sw(card.execute(bytes.fromhex("0CA4000C023F00"))) == "6882"
    assert sw(card.execute(bytes.fromhex("00EE0000"))) == "6D00"
    assert sw(card.execute(bytes.fromhex("00130000"))) == "6F00"  # an internal error is not a crash


def test_t0_get_response_and_wrong_le() -> None:
    card = _Echo()
    card.power_on()
    assert card.execute(bytes.fromhex("001200000301020300")) == b"\x61\x03"
    assert card.execute(bytes.fromhex("00C0000005")) == b"\x6c\x03"
    assert card.execute(bytes.fromhex("00C0000002")) == b"\x01\x02\x61\x01"
    assert card.execute(bytes.fromhex("00C0000001")) == b"\x03\x90\x00"
    assert sw(card.execute(bytes.fromhex("00C0000001"))) == "6985"  # nothing pending any more


def test_command_chaining() -> None:
    card = _Echo()
    card.power_on()
    assert card.execute(bytes.fromhex("101200000201 02")) == b"\x90\x00"
    assert card.execute(bytes.fromhex("0012000001 03")) == b"\x61\x03"
    assert card.execute(bytes.fromhex("00C0000003")) == b"\x01\x02\x03\x90\x00"
    assert card.execute(bytes.fromhex("101200000101")) == b"\x90\x00"
    assert sw(card.execute(bytes.fromhex("00A4000C023F00"))) == "6883"  # chain broken
    assert sw(card.execute(bytes.fromhex("10A4000C023F00"))) == "6884"  # not chainable


def test_random_apdus_never_crash_and_always_end_with_a_status_word() -> None:
    rng = random.Random(7816)
    card = _Echo()
    card.power_on()
    for _ in range(3000):
        size = rng.choice([0, 1, 3, 4, 5, 6, 7, rng.randrange(0, 300)])
        raw = bytes(rng.randrange(256) for _ in range(size))
        if rng.random() < 0.5 and size >= 4:
            raw = bytes([0x00, rng.choice([0xA4, 0xB0, 0xC0, 0x12]), *raw[2:]])
        response = card.execute(raw)
        assert len(response) >= 2
        assert response[-2] in (0x61, 0x62, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x90)


@pytest.mark.parametrize("kind", ["vitale", "cps"])
def test_random_apdus_on_the_real_card_oses(kind: str) -> None:
    from simulators.cards.cps import CpsCard
    from simulators.cards.samples import sample_cps, sample_vitale
    from simulators.cards.vitale import VitaleCard

    card: CardOS = VitaleCard(sample_vitale()) if kind == "vitale" else CpsCard(sample_cps())
    card.power_on()
    rng = random.Random(kind)
    instructions = [0x20, 0x22, 0x24, 0x2A, 0x2C, 0x84, 0x88, 0xA4, 0xB0, 0xC0, 0xCB]
    for _ in range(4000):
        ins = rng.choice(instructions)
        body = bytes(
            rng.randrange(256) for _ in range(rng.choice([0, 1, 2, 4, 8, 12, rng.randrange(0, 200)]))
        )
        header = bytes([rng.choice([0x00, 0x00, 0x10, 0x80]), ins, rng.randrange(256), rng.randrange(256)])
        shape = rng.randrange(4)
        raw = (
            header
            if shape == 0
            else header + bytes([len(body)]) + body + (bytes([rng.randrange(256)]) if shape == 3 else b"")
        )
        response = card.execute(raw[: rng.choice([len(raw), len(raw), rng.randrange(len(raw) + 1)])])
        assert len(response) >= 2 and response[-2] != 0x6F, raw.hex()  # 6F 00 would mean an internal error
