"""The APDU client's transport layer: T=0 conveniences, status words, reader lookup, TLV decoding."""

from __future__ import annotations

import pytest

from protocols.apdu import tlv
from protocols.apdu.transport import (
    ApduError,
    CardConnection,
    CardIOError,
    CardTransport,
    ReaderState,
    Response,
    describe_sw,
)


class Scripted(CardConnection):
    """Answers from a script and records what was sent."""

    def __init__(self, answers: list[str]) -> None:
        self.reader, self.atr = "script", b""
        self.answers = [bytes.fromhex(a) for a in answers]
        self.sent: list[str] = []

    def transmit_raw(self, apdu: bytes) -> bytes:
        self.sent.append(apdu.hex().upper())
        return self.answers.pop(0)

    def close(self) -> None:
        pass


def test_61xx_is_followed_by_get_response_until_the_end() -> None:
    conn = Scripted(["6103", "0102 6102", "0304 9000"])
    response = conn.transmit(bytes.fromhex("00A404000401020304"))
    assert response == Response(bytes([1, 2, 3, 4]), 0x9000)
    assert conn.sent[1:] == ["00C0000003", "00C0000002"]


@pytest.mark.parametrize(
    ("apdu", "resent"),
    [
        ("00B0000000", "00B0000005"),
        ("00B00000", "00B0000005"),
        ("00CA000102AABB", "00CA000102AABB05"),
        ("00CA000102AABB00", "00CA000102AABB05"),
    ],
)
def test_6cxx_resends_the_command_with_the_right_le(apdu: str, resent: str) -> None:
    conn = Scripted(["6C05", "0102030405 9000"])
    assert conn.transmit(bytes.fromhex(apdu)).data == bytes([1, 2, 3, 4, 5])
    assert conn.sent[1] == resent


def test_short_answers_are_transport_errors() -> None:
    with pytest.raises(CardIOError, match="trop courte"):
        Scripted(["90"]).transmit(bytes.fromhex("00A40000"))


def test_check_names_the_operation_and_the_status_word_in_french() -> None:
    with pytest.raises(ApduError) as err:
        Response(b"", 0x6982).check("signature par la CPS")
    assert err.value.sw == 0x6982
    assert (
        str(err.value)
        == "signature par la CPS : code porteur non vérifié (statut de sécurité non satisfait) (69 82)"
    )
    assert Response(b"ab", 0x6282).check("lecture", accept=(0x6282,)) == b"ab"
    assert describe_sw(0x63C1) == "code faux, 1 essai(s) restant(s)"
    assert describe_sw(0x6100) == "256 octets disponibles"
    assert describe_sw(0x1234) == "statut inconnu"


class Fixed(CardTransport):
    def readers(self) -> list[ReaderState]:
        return [ReaderState("Banc Segur 00 00", True), ReaderState("Banc Segur 00 01", False)]

    def connect(self, reader: str, timeout: float = 3.0) -> CardConnection:
        raise NotImplementedError

    def wait_for_card(self, reader: str, present: bool = True, timeout: float = 10.0) -> bool:
        return False


def test_find_reader_by_slot_suffix_or_name() -> None:
    transport = Fixed()
    assert transport.find_reader(1) == "Banc Segur 00 01"
    assert transport.find_reader("00 00") == "Banc Segur 00 00"
    assert transport.find_reader("Banc Segur 00 01") == "Banc Segur 00 01"
    with pytest.raises(CardIOError, match="introuvable"):
        transport.find_reader(2)
    with pytest.raises(CardIOError, match="introuvable"):
        transport.find_reader("Autre lecteur")


def test_tlv_decoding_nested_long_and_padded() -> None:
    inner = tlv.encode(0x93, b"179046912345628") + tlv.encode(0x80, b"MARTIN")
    data = b"\x00" + tlv.encode(0x65, inner) + tlv.encode(0x80, bytes(300)) + b"\xff"
    objects = tlv.decode(data)
    assert [o.tag for o in objects] == [0x65, 0x80]
    assert objects[0].constructed and not objects[1].constructed
    assert len(objects[1].value) == 300
    person = objects[0].children()
    assert tlv.first(person, 0x80) == tlv.Tlv(0x80, b"MARTIN")
    assert tlv.first(person, 0x81) is None


@pytest.mark.parametrize("raw", ["65", "6505 9301", "5F", "5F81", "80 84 00000001 00", "80 82 01"])
def test_tlv_decoding_rejects_malformed_data(raw: str) -> None:
    with pytest.raises(tlv.TlvError):
        tlv.decode(bytes.fromhex(raw))
