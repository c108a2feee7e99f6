"""Reading a Vitale 2 card: the beneficiaries (public tags 65 > 93/80/81/82) and, from the bench
contract of docs/contracts/vitale.md, rang, qualité, nom de naissance, régime/caisse/centre and
rights periods. Files are located through the pointer file 2001, as Cardpeek does."""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocols.apdu import tlv
from protocols.apdu.transport import SW_END_OF_FILE, CardConnection, CardIOError

AID_VITALE = bytes.fromhex("D250000002") + b"VITALE"
FID_POINTERS = 0x2001
MAX_FILE = 32 * 1024


@dataclass(frozen=True)
class Beneficiary:
    nir: str  # tag 93: 13 characters + key
    usage_name: str
    first_name: str
    birth_date: str  # YYYYMMDD as on the card (lunar dates possible)
    rang: int | None = None
    qualite: str | None = None
    birth_name: str | None = None
    rights_start: str | None = None
    rights_end: str | None = None

    @property
    def birth_date_iso(self) -> str:
        """YYYY-MM-DD (INSi's DateNaissance form; lunar parts stay 00)."""
        d = self.birth_date
        return f"{d[:4]}-{d[4:6]}-{d[6:8]}"


@dataclass(frozen=True)
class VitaleCardData:
    serial: str | None
    validity_start: str | None
    insured_nir: str | None
    regime: str | None
    caisse: str | None
    centre: str | None
    beneficiaries: list[Beneficiary]


def select(conn: CardConnection, p1: int, data: bytes, what: str) -> None:
    conn.transmit(bytes([0x00, 0xA4, p1, 0x0C, len(data)]) + data).check(f"sélection {what}")


def read_binary(conn: CardConnection, what: str) -> bytes:
    """Reads the whole current transparent file (READ BINARY by chunks of up to 256 bytes)."""
    content = b""
    while len(content) < MAX_FILE:
        offset = len(content)
        response = conn.transmit(bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, 0x00]))
        if response.sw == 0x6B00 and offset:
            break  # offset just past the end of a file of a multiple of 256 bytes
        chunk = response.check(f"lecture {what}", accept=(SW_END_OF_FILE,))
        content += chunk
        if response.sw == SW_END_OF_FILE or len(chunk) < 256:
            break
    return content


def _text(objects: list[tlv.Tlv], tag: int) -> str | None:
    found = tlv.first(objects, tag)
    return found.value.decode("ascii", "replace") if found else None


def _file_map(pointers: bytes) -> dict[str, int]:
    """Name -> FID of the VITALE application's files, from the pointer file."""
    root = tlv.first(tlv.decode(pointers), 0xE0)
    if root is None:
        raise CardIOError("carte Vitale : fichier de pointeurs 2001 sans gabarit E0")
    files: dict[str, int] = {}
    for entry in root.children():
        if entry.tag == 0x80 and len(entry.value) >= 12:
            files[entry.value[:8].decode("ascii", "replace").strip()] = int.from_bytes(
                entry.value[10:12], "big"
            )
    return files


def _beneficiary(obj: tlv.Tlv) -> Beneficiary:
    fields = obj.children()
    nir, name, first, birth = (_text(fields, t) for t in (0x93, 0x80, 0x81, 0x82))
    if not (nir and name is not None and first is not None and birth):
        raise CardIOError("carte Vitale : bénéficiaire incomplet (tags 93, 80, 81, 82)")
    rang = _text(fields, 0xC0)
    return Beneficiary(
        nir,
        name,
        first,
        birth,
        int(rang) if rang and rang.isdigit() else None,
        _text(fields, 0xC1),
        _text(fields, 0xC2),
    )


def read_vitale(conn: CardConnection) -> VitaleCardData:
    """Every beneficiary of the card in `conn`, with the bench-contract data when present."""
    select(conn, 0x04, AID_VITALE, "de l'application VITALE")
    select(conn, 0x02, FID_POINTERS.to_bytes(2, "big"), "du fichier de pointeurs")
    files = _file_map(read_binary(conn, "du fichier de pointeurs"))
    if "BENEF" not in files:
        raise CardIOError("carte Vitale : fichier des bénéficiaires absent des pointeurs")

    def content(name: str) -> list[tlv.Tlv]:
        if name not in files:
            return []
        select(conn, 0x02, files[name].to_bytes(2, "big"), f"du fichier {name}")
        return tlv.decode(read_binary(conn, f"du fichier {name}"))

    try:
        beneficiaries = [_beneficiary(o) for o in content("BENEF") if o.tag == 0x65]
        carte = tlv.first(content("CARTE"), 0x66)
        amo = tlv.first(content("AMO"), 0xE1)
        rights = {}
        for item in content("DROITS"):
            if item.tag == 0xE2:
                parts = item.children()
                index = tlv.first(parts, 0xC0)
                if index is not None and len(index.value) == 1:
                    rights[index.value[0]] = (_text(parts, 0xC1), _text(parts, 0xC2))
    except tlv.TlvError as err:
        raise CardIOError(f"carte Vitale : données illisibles ({err})") from None
    beneficiaries = [
        replace(b, rights_start=rights.get(i, (None, None))[0], rights_end=rights.get(i, (None, None))[1])
        for i, b in enumerate(beneficiaries, start=1)
    ]
    carte_fields = carte.children() if carte else []
    amo_fields = amo.children() if amo else []
    return VitaleCardData(
        serial=_text(carte_fields, 0xC0),
        validity_start=_text(carte_fields, 0x80),
        insured_nir=_text(amo_fields, 0xC0),
        regime=_text(amo_fields, 0xC1),
        caisse=_text(amo_fields, 0xC2),
        centre=_text(amo_fields, 0xC3),
        beneficiaries=beneficiaries,
    )
