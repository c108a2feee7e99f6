"""BER-TLV decoding for the data read from cards (ISO/IEC 7816-4 §5.2).

Written by hand: smart-card TLV (multi-byte tags, 00/FF padding) is not DER, so `cryptography`'s
ASN.1 support does not apply, and no maintained permissive library covers it. Kept separate from
the simulators' encoder on purpose: the client must not share code with the cards it reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class TlvError(ValueError):
    """Malformed TLV data read from a card."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes(max(1, (self.tag.bit_length() + 7) // 8), "big")[0]
        return bool(first & 0x20)

    def children(self) -> list[Tlv]:
        return decode(self.value)

    def text(self) -> str:
        return self.value.decode("utf-8", "replace")


def _objects(data: bytes) -> Iterator[Tlv]:
    i, n = 0, len(data)
    while i < n:
        if data[i] in (0x00, 0xFF):
            i += 1
            continue
        start = i
        i += 1
        if data[start] & 0x1F == 0x1F:
            while i < n and data[i] & 0x80:
                i += 1
            i += 1
        if i >= n or i - start > 4:
            raise TlvError("étiquette TLV tronquée")
        tag = int.from_bytes(data[start:i], "big")
        first = data[i]
        i += 1
        if first & 0x80:
            width = first & 0x7F
            if not 1 <= width <= 3 or i + width > n:
                raise TlvError("longueur TLV invalide")
            length = int.from_bytes(data[i : i + width], "big")
            i += width
        else:
            length = first
        if i + length > n:
            raise TlvError("valeur TLV tronquée")
        yield Tlv(tag, data[i : i + length])
        i += length


def decode(data: bytes) -> list[Tlv]:
    return list(_objects(bytes(data)))


def first(objects: list[Tlv], tag: int) -> Tlv | None:
    return next((o for o in objects if o.tag == tag), None)


def encode(tag: int, value: bytes) -> bytes:
    """One TLV object (used to build command data such as MSE SET)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    n = len(value)
    if n < 0x80:
        return tag_bytes + bytes([n]) + value
    if n <= 0xFF:
        return tag_bytes + bytes([0x81, n]) + value
    return tag_bytes + bytes([0x82]) + n.to_bytes(2, "big") + value
