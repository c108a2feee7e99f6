"""Virtual Vitale 2 card (APDU level).

Public facts (spec digest §8.2, Cardpeek `vitale_2.lua`, pcsc-tools `smartcard_list.txt`): the ATR,
the "VITALE" and "MF_VITALE" AIDs, the pointer file 2001 (tag E0 > A0 > 82 entries, then 80
entries naming 8-character files), EF.DIR 2F00 and PAN 2F02, and the clear tags 65 (bénéficiaire:
93 NIR, 80 nom, 81 prénom, 82 date de naissance ASCII YYYYMMDD) and 66 (carte: 80 début de
validité). Everything else (file identifiers of the data files, rang, qualité, nom de naissance,
régime/caisse/centre, rights periods) is the bench contract of docs/contracts/vitale.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from simulators.cards.errors import SW_CONDITIONS_NOT_SATISFIED, SW_FILE_DEACTIVATED, SW_OK, CardError
from simulators.cards.iso7816 import DF, EF, MF_FID, CardOS, tlv

ATR_VITALE2 = bytes.fromhex("3B7513000044 09EA9000".replace(" ", ""))  # "Carte Vitale 2 (avec photo)"
AID_VITALE = bytes.fromhex("D250000002") + b"VITALE"
AID_MF_VITALE = bytes.fromhex("D250000002") + b"MF_VITALE"

# Bench contract: file identifiers and entry numbers (docs/contracts/vitale.md).
FID_VITALE_DF = 0x2000
FID_POINTERS = 0x2001
FID_CARTE = 0x2002
FID_BENEFICIAIRES = 0x2003
FID_AMO = 0x2004
FID_DROITS = 0x2005
FID_DIR = 0x2F00
FID_PAN = 0x2F02
ENTRY_VITALE = 1
ENTRY_MF = 2

# Tags: 65/66 and their 80-93 children are public; C0.. and E1/E2 are bench contract.
TAG_BENEFICIAIRE, TAG_CARTE = 0x65, 0x66
TAG_NIR, TAG_NOM, TAG_PRENOM, TAG_NAISSANCE = 0x93, 0x80, 0x81, 0x82
TAG_RANG, TAG_QUALITE, TAG_NOM_NAISSANCE = 0xC0, 0xC1, 0xC2
TAG_CARTE_DEBUT, TAG_CARTE_SERIE = 0x80, 0xC0
TAG_AMO, TAG_DROITS = 0xE1, 0xE2


@dataclass(frozen=True)
class VitaleBeneficiary:
    nir: str  # 15 characters (13 + key): the beneficiary's own NIR, else the insured's
    usage_name: str
    first_name: str
    birth_date: str  # YYYYMMDD; lunar dates (00 day or month) are kept as they are
    rang: int  # rang de naissance (twins: 1, 2...)
    qualite: str  # 2 digits: 00 assuré, 02 conjoint, 06 enfant, 09 autre ayant droit
    birth_name: str = ""
    rights_start: str = "20240101"  # YYYYMMDD
    rights_end: str = "20991231"


@dataclass(frozen=True)
class VitaleData:
    card_id: str
    serial: str  # card serial number, decimal digits
    insured_nir: str  # NIR (15) of the ouvrant droit
    regime: str  # 2 digits ("01" régime général)
    caisse: str  # 3 digits
    centre: str  # 4 digits
    beneficiaries: tuple[VitaleBeneficiary, ...] = field(default_factory=tuple)
    validity_start: str = "20240101"


def card_text(value: str) -> bytes:
    """Names as the card stores them: ASCII capitals, accents removed."""
    stripped = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in stripped if not unicodedata.combining(c))
    return ascii_only.upper().encode("ascii", "replace")


def _digits(value: str, width: int, what: str) -> bytes:
    if len(value) != width or not value.isdigit():
        raise ValueError(f"{what}: {width} chiffres attendus, reçu {value!r}")
    return value.encode("ascii")


def _nir(value: str) -> bytes:
    # Corsican NIRs carry 2A / 2B in the département.
    if len(value) != 15 or not value.replace("A", "0").replace("B", "0").isdigit():
        raise ValueError(f"NIR : 15 caractères attendus, reçu {value!r}")
    return value.encode("ascii")


def beneficiary_tlv(b: VitaleBeneficiary) -> bytes:
    return tlv(
        TAG_BENEFICIAIRE,
        tlv(TAG_NIR, _nir(b.nir))
        + tlv(TAG_NOM, card_text(b.usage_name))
        + tlv(TAG_PRENOM, card_text(b.first_name))
        + tlv(TAG_NAISSANCE, _digits(b.birth_date, 8, "date de naissance"))
        + tlv(TAG_RANG, str(b.rang).encode("ascii"))
        + tlv(TAG_QUALITE, _digits(b.qualite, 2, "qualité"))
        + tlv(TAG_NOM_NAISSANCE, card_text(b.birth_name or b.usage_name)),
    )


def _pointers() -> bytes:
    apps = tlv(0x82, ENTRY_VITALE.to_bytes(2, "big") + b"\x00\x00" + AID_VITALE) + tlv(
        0x82, ENTRY_MF.to_bytes(2, "big") + b"\x00\x00" + AID_MF_VITALE
    )
    files = b"".join(
        tlv(0x80, name.ljust(8).encode("ascii") + ENTRY_VITALE.to_bytes(2, "big") + fid.to_bytes(2, "big"))
        for name, fid in (
            ("CARTE", FID_CARTE),
            ("BENEF", FID_BENEFICIAIRES),
            ("AMO", FID_AMO),
            ("DROITS", FID_DROITS),
        )
    )
    return tlv(0xE0, tlv(0xA0, apps) + files)


def _pan(serial: str) -> bytes:
    digits = serial if len(serial) % 2 == 0 else serial + "F"
    return tlv(0x5A, bytes.fromhex(digits))


def build_file_system(data: VitaleData) -> DF:
    if not data.beneficiaries:
        raise ValueError(f"carte Vitale {data.card_id} : aucun bénéficiaire")
    if not data.serial.isdigit():
        raise ValueError(f"carte Vitale {data.card_id} : numéro de série non numérique")
    mf = DF(MF_FID, AID_MF_VITALE, "MF_VITALE")
    directory = b"".join(
        tlv(0x61, tlv(0x4F, aid) + tlv(0x50, label))
        for aid, label in ((AID_VITALE, b"VITALE"), (AID_MF_VITALE, b"MF_VITALE"))
    )
    mf.add(EF(FID_DIR, directory, name="DIR"))
    mf.add(EF(FID_PAN, _pan(data.serial), name="PAN"))
    app = DF(FID_VITALE_DF, AID_VITALE, "VITALE")
    mf.add(app)
    app.add(EF(FID_POINTERS, _pointers(), name="POINTEURS"))
    carte = tlv(
        TAG_CARTE,
        tlv(TAG_CARTE_DEBUT, _digits(data.validity_start, 8, "début de validité"))
        + tlv(TAG_CARTE_SERIE, data.serial.encode("ascii")),
    )
    app.add(EF(FID_CARTE, carte, name="CARTE"))
    app.add(EF(FID_BENEFICIAIRES, b"".join(beneficiary_tlv(b) for b in data.beneficiaries), name="BENEF"))
    amo = tlv(
        TAG_AMO,
        tlv(0xC0, _nir(data.insured_nir))
        + tlv(0xC1, _digits(data.regime, 2, "régime"))
        + tlv(0xC2, _digits(data.caisse, 3, "caisse"))
        + tlv(0xC3, _digits(data.centre, 4, "centre")),
    )
    app.add(EF(FID_AMO, amo, name="AMO"))
    rights = b"".join(
        tlv(
            TAG_DROITS,
            tlv(0xC0, bytes([index]))
            + tlv(0xC1, _digits(b.rights_start, 8, "début de droits"))
            + tlv(0xC2, _digits(b.rights_end, 8, "fin de droits")),
        )
        for index, b in enumerate(data.beneficiaries, start=1)
    )
    app.add(EF(FID_DROITS, rights, name="DROITS"))
    return mf


class VitaleCard(CardOS):
    """A Vitale 2 card: SELECT, READ BINARY, GET RESPONSE. No PIN is emulated (the LGO never asks
    the holder for one); `blocked` deactivates the VITALE application (SELECT -> 62 83, reads -> 69 85)."""

    atr = ATR_VITALE2
    kind = "Vitale"

    def __init__(self, data: VitaleData) -> None:
        super().__init__(build_file_system(data))
        self.data = data
        self.blocked = False

    def _in_vitale_app(self, node: EF | DF) -> bool:
        current: EF | DF | None = node
        while current is not None:
            if isinstance(current, DF) and current.aid == AID_VITALE:
                return True
            current = current.parent
        return False

    def on_select(self, node: EF | DF) -> int:
        if self.blocked and self._in_vitale_app(node):
            return SW_FILE_DEACTIVATED
        return SW_OK

    def check_read(self, ef: EF) -> None:
        if self.blocked and self._in_vitale_app(ef):
            raise CardError(SW_CONDITIONS_NOT_SATISFIED)
