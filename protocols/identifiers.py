"""National identifiers: INS (NIR/NIA matricule and OIDs), RPPS / IdNatPS, FINESS / IdNatStruct,
CIP13 / GTIN-14.

Every `validate_*` / `parse_*` raises `IdentifierError` (a ValueError with a French message and a
machine-readable `Defect`); every `is_valid_*` is its boolean form. Inputs are never normalised
silently (no stripping, no case folding beyond what the source format allows): a value that needs
cleaning is reported, which is what a conformance bench wants.

Facts come from the spec digests (`insi-dmp-cda-dp.md` §1.6/§1.9/§3.1,
`mss-annuaire-psc-eprescription-apcv-cards-scanners.md` §1/§9); check-digit arithmetic comes from
python-stdnum (NIR key, Luhn, GS1 mod 10) wherever it covers the need.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from stdnum import ean, luhn
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

InsKind = Literal["NIR", "NIA"]


class Defect(StrEnum):
    """What is wrong with an identifier; scenarios and generators name defects with these codes."""

    WRONG_LENGTH = "wrong_length"
    BAD_CHARACTERS = "bad_characters"
    BAD_CORSICA = "bad_corsica"
    WRONG_KEY = "wrong_key"
    BAD_PREFIX = "bad_prefix"
    LEGACY_OID = "legacy_oid"
    UNKNOWN_OID = "unknown_oid"

    @property
    def label_fr(self) -> str:
        return _DEFECT_LABELS[self]


_DEFECT_LABELS = {
    Defect.WRONG_LENGTH: "longueur incorrecte",
    Defect.BAD_CHARACTERS: "caractère non autorisé",
    Defect.BAD_CORSICA: "lettre hors département corse 2A/2B",
    Defect.WRONG_KEY: "clé de contrôle incorrecte",
    Defect.BAD_PREFIX: "préfixe incorrect",
    Defect.LEGACY_OID: "OID d'un ancien identifiant (INS-C / INS-A)",
    Defect.UNKNOWN_OID: "OID inconnu",
}


class IdentifierError(ValueError):
    """An invalid identifier. `str(error)` is a French message meant for users."""

    def __init__(self, identifier: str, defect: Defect, detail: str, value: object = None) -> None:
        self.identifier = identifier
        self.defect = defect
        self.detail = detail
        self.value = value
        super().__init__(f"{identifier} invalide ({defect.label_fr}) : {detail}")


def _show(value: str) -> str:
    """A bounded, printable rendering of user input for messages."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    if not shown.isprintable():
        shown = shown.encode("unicode_escape").decode("ascii")
    return f"« {shown} »"


def _require_str(identifier: str, value: object) -> str:
    if not isinstance(value, str):
        raise IdentifierError(
            identifier,
            Defect.BAD_CHARACTERS,
            f"une chaîne de caractères est attendue, pas {type(value).__name__}",
        )
    return value


def _check_length(identifier: str, value: str, expected: int | tuple[int, ...]) -> None:
    allowed = (expected,) if isinstance(expected, int) else expected
    if len(value) not in allowed:
        wanted = " ou ".join(str(n) for n in allowed)
        raise IdentifierError(
            identifier, Defect.WRONG_LENGTH, f"{wanted} caractères attendus, {_received(len(value))}", value
        )


def _received(count: int) -> str:
    return f"{count} reçu" if count <= 1 else f"{count} reçus"


def _first_non_digit(value: str, skip: frozenset[int] = frozenset()) -> int | None:
    # ASCII digits only: str.isdigit() and the re module's \d also accept other Unicode digits.
    for index, char in enumerate(value):
        if index not in skip and char not in "0123456789":
            return index
    return None


def _check_digits(identifier: str, value: str, skip: frozenset[int] = frozenset()) -> None:
    index = _first_non_digit(value, skip)
    if index is not None:
        raise IdentifierError(
            identifier,
            Defect.BAD_CHARACTERS,
            f"{_show(value[index])} en position {index + 1} de {_show(value)} (chiffres attendus)",
            value,
        )


# --- INS: NumIdentifiant (13), matricule (15), OIDs -------------------------------------------

# INSi XSD type NIR (digest §1.6): `\d{6}[A-Za-z0-9]{1}(\d{6})`; the 7th character holds the second
# character of the Corsican département (2A / 2B). The XSD also admits lower case, so do we.
NUM_IDENTIFIANT_PATTERN = r"[0-9]{6}[A-Za-z0-9][0-9]{6}"
_NUM13 = "NumIdentifiant (NIR/NIA)"
_MATRICULE = "matricule INS"


def validate_num_identifiant(num13: str) -> str:
    """Check a 13-character NIR/NIA (INSi `NumIdentifiant`); returns it with 2a/2b upper-cased."""
    _require_str(_NUM13, num13)
    _check_length(_NUM13, num13, 13)
    _check_digits(_NUM13, num13, skip=frozenset({6}))
    seventh = num13[6]
    if seventh.isascii() and seventh.isalpha():
        if num13[5] != "2" or seventh.upper() not in "AB":
            raise IdentifierError(
                _NUM13,
                Defect.BAD_CORSICA,
                f"département {_show(num13[5:7])} dans {_show(num13)} : seuls 2A et 2B comportent une lettre",
                num13,
            )
        return num13[:6] + seventh.upper() + num13[7:]
    _check_digits(_NUM13, num13)
    return num13


def is_valid_num_identifiant(num13: str) -> bool:
    return _is_valid(validate_num_identifiant, num13)


def nir_key(num13: str) -> str:
    """INS key of a NIR/NIA: 97 - (N mod 97) on two digits, with 2A -> 19 and 2B -> 18."""
    return str(stdnum_nir.calc_check_digits(validate_num_identifiant(num13)))


def split_matricule(m15: str) -> tuple[str, str]:
    """(num13, key) of a 15-character matricule; checks the shape, not the key."""
    _require_str(_MATRICULE, m15)
    _check_length(_MATRICULE, m15, 15)
    num13 = validate_num_identifiant(m15[:13])
    key = m15[13:]
    if _first_non_digit(key) is not None:
        raise IdentifierError(
            _MATRICULE, Defect.BAD_CHARACTERS, f"clé {_show(key)} (2 chiffres attendus)", m15
        )
    return num13, key


def join_matricule(num13: str, key: str | None = None) -> str:
    """num13 + key; the key is computed when not given (a given key is only shape-checked)."""
    if key is None:
        return validate_num_identifiant(num13) + nir_key(num13)
    return "".join(split_matricule(num13 + key))


def validate_ins_matricule(m15: str) -> str:
    """Check a 15-character INS matricule (NIR or NIA + key); returns it with 2a/2b upper-cased."""
    num13, key = split_matricule(m15)
    expected = nir_key(num13)
    if key != expected:
        raise IdentifierError(
            _MATRICULE, Defect.WRONG_KEY, f"clé {key} pour {num13}, clé calculée {expected}", m15
        )
    return num13 + key


def is_valid_ins_matricule(m15: str) -> bool:
    return _is_valid(validate_ins_matricule, m15)


OID_INS_NIR = "1.2.250.1.213.1.4.8"
OID_INS_NIA = "1.2.250.1.213.1.4.9"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"
# FR Core lists .11 among the four INS systems; its code system names it INS-NIR-DEMO and MagicDMP
# "NIR démo" (digest §1.9). The bench contract (docs/dev-interfaces.md) treats it as the test NIA.
OID_INS_NIA_TEST = "1.2.250.1.213.1.4.11"
OID_INS_C = "1.2.250.1.213.1.4.2"
OID_INS_A = "1.2.250.1.213.1.4.1"

INS_OIDS: dict[str, str] = {
    OID_INS_NIR: "INS-NIR",
    OID_INS_NIA: "INS-NIA",
    OID_INS_NIR_TEST: "INS-NIR-TEST",
    OID_INS_NIA_TEST: "INS-NIA-TEST",
}
LEGACY_INS_OIDS: dict[str, str] = {OID_INS_C: "INS-C", OID_INS_A: "INS-A"}
_INS_OID_KINDS: dict[str, InsKind] = {
    OID_INS_NIR: "NIR",
    OID_INS_NIA: "NIA",
    OID_INS_NIR_TEST: "NIR",
    OID_INS_NIA_TEST: "NIA",
}


def is_ins_oid(oid: str) -> bool:
    """One of the four INS OIDs (.8 .9 .10 .11); legacy INS-C / INS-A are not valid INS."""
    return oid in INS_OIDS


def is_legacy_ins_oid(oid: str) -> bool:
    return oid in LEGACY_INS_OIDS


def is_test_ins_oid(oid: str) -> bool:
    return oid in (OID_INS_NIR_TEST, OID_INS_NIA_TEST)


def ins_oid_kind(oid: str) -> InsKind:
    """NIR or NIA, read from the OID (the matricule itself does not tell them apart)."""
    kind = _INS_OID_KINDS.get(oid) if isinstance(oid, str) else None
    if kind is not None:
        return kind
    if isinstance(oid, str) and oid in LEGACY_INS_OIDS:
        raise IdentifierError(
            "OID INS",
            Defect.LEGACY_OID,
            f"{oid} ({LEGACY_INS_OIDS[oid]}) n'identifie pas une INS ; OID attendus : {', '.join(INS_OIDS)}",
            oid,
        )
    shown = _show(oid) if isinstance(oid, str) else type(oid).__name__
    raise IdentifierError(
        "OID INS", Defect.UNKNOWN_OID, f"{shown} ; OID attendus : {', '.join(INS_OIDS)}", oid
    )


def ins_oid(kind: InsKind, *, test: bool = False) -> str:
    """The OID of a NIR or NIA matricule, production (.8/.9) or test (.10/.11)."""
    table = {
        ("NIR", False): OID_INS_NIR,
        ("NIA", False): OID_INS_NIA,
        ("NIR", True): OID_INS_NIR_TEST,
        ("NIA", True): OID_INS_NIA_TEST,
    }
    return table[(kind, test)]


@dataclass(frozen=True)
class Ins:
    """A complete INS: matricule + OID (what CDA `id`, XDS `patientId` and FHIR `identifier` carry)."""

    num13: str
    key: str
    oid: str
    kind: InsKind
    test: bool

    @property
    def matricule(self) -> str:
        return self.num13 + self.key


def parse_ins(matricule: str, oid: str, *, strict_key: bool = True) -> Ins:
    """Check an INS matricule and its OID together; `strict_key=False` accepts a wrong key (some
    CNDA-style fixtures carry one, digest §1.9) but still checks the shape."""
    kind = ins_oid_kind(oid)
    if strict_key:
        checked = validate_ins_matricule(matricule)
        num13, key = checked[:13], checked[13:]
    else:
        num13, key = split_matricule(matricule)
    return Ins(num13=num13, key=key, oid=oid, kind=kind, test=is_test_ins_oid(oid))


# --- Professionals: RPPS, IdNatPS -------------------------------------------------------------

_RPPS = "RPPS"
_ID_NAT_PS = "IdNatPS"


def validate_rpps(rpps: str, strict: bool = True) -> str:
    """11 digits whose last one is a Luhn key (digest mss §1). `strict=False` accepts a wrong key:
    the ANS sample RPPS 10102727017 fails Luhn, and sample data must still load."""
    _require_str(_RPPS, rpps)
    _check_length(_RPPS, rpps, 11)
    _check_digits(_RPPS, rpps)
    if strict and not luhn.is_valid(rpps):
        expected = luhn.calc_check_digit(rpps[:10])
        raise IdentifierError(
            _RPPS, Defect.WRONG_KEY, f"clé {rpps[10]} pour {rpps[:10]}, clé calculée {expected}", rpps
        )
    return rpps


def rpps_is_valid(rpps: str, strict: bool = True) -> bool:
    return _is_valid(validate_rpps, rpps, strict)


def rpps_with_key(first10: str) -> str:
    """The 11-digit RPPS made of 10 digits and their Luhn key."""
    _require_str(_RPPS, first10)
    _check_length(_RPPS, first10, 10)
    _check_digits(_RPPS, first10)
    return first10 + luhn.calc_check_digit(first10)


def id_nat_ps_from_rpps(rpps: str, *, strict: bool = True) -> str:
    """IdNatPS of an RPPS professional: "8" + RPPS (12 characters)."""
    return "8" + validate_rpps(rpps, strict)


# ADELI: 9 characters, département first (2A/2B for Corsica). Its key rule is not in our digests, so
# only the shape is checked.
_ADELI = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{7}", re.ASCII)


@dataclass(frozen=True)
class IdNatPs:
    kind: Literal["RPPS", "ADELI"]
    number: str

    @property
    def value(self) -> str:
        return ("8" if self.kind == "RPPS" else "0") + self.number


def parse_id_nat_ps(value: str, *, strict: bool = True) -> IdNatPs:
    """IdNatPS = "8" + RPPS (12 characters) or "0" + ADELI (10 characters), digest mss §1."""
    _require_str(_ID_NAT_PS, value)
    if not value:
        raise IdentifierError(_ID_NAT_PS, Defect.WRONG_LENGTH, "valeur vide", value)
    if value[0] == "8":
        _check_length(_ID_NAT_PS, value, 12)
        try:
            return IdNatPs("RPPS", validate_rpps(value[1:], strict))
        except IdentifierError as error:
            raise IdentifierError(
                _ID_NAT_PS, error.defect, f"{error.identifier} {error.detail}", value
            ) from error
    if value[0] == "0":
        _check_length(_ID_NAT_PS, value, 10)
        if not _ADELI.fullmatch(value[1:]):
            raise IdentifierError(
                _ID_NAT_PS, Defect.BAD_CHARACTERS, f"ADELI {_show(value[1:])} (9 caractères attendus)", value
            )
        return IdNatPs("ADELI", value[1:])
    raise IdentifierError(
        _ID_NAT_PS, Defect.BAD_PREFIX, f"{_show(value)} doit commencer par 8 (RPPS) ou 0 (ADELI)", value
    )


def is_valid_id_nat_ps(value: str, *, strict: bool = True) -> bool:
    try:
        parse_id_nat_ps(value, strict=strict)
    except IdentifierError:
        return False
    return True


# --- Structures: FINESS, IdNatStruct ----------------------------------------------------------

_FINESS = "FINESS"


def _finess_digits(body: str) -> str:
    # Hand-written (no library covers FINESS): the key is a Luhn digit computed with the letter of a
    # Corsican département counted as its rank in the alphabet (A=1, B=2). Sources: the FINESS validator
    # of gip-inclusion/pilotage (pilotage/itoutils/validators.py: 2A->21, 2B->22, then Luhn), corroborated
    # by the DMP kit's test structure `10B0167011` (digest §2.4), whose FINESS 0B0167011 passes Luhn only
    # with B=2. Real FINESS checked: 010780195, 590064036, 750803447, 970211207. Inferred: no ANS text
    # states the rule.
    return body[:1] + {"A": "1", "B": "2"}.get(body[1], body[1]) + body[2:]


def finess_key(first8: str) -> str:
    """The check digit of an 8-character FINESS body."""
    _require_str(_FINESS, first8)
    _check_length(_FINESS, first8, 8)
    _check_finess_shape(first8)
    return luhn.calc_check_digit(_finess_digits(first8))


def _check_finess_shape(value: str) -> None:
    _check_digits(_FINESS, value, skip=frozenset({1}))
    second = value[1]
    if second not in "0123456789AB":
        raise IdentifierError(
            _FINESS,
            Defect.BAD_CORSICA if second.isascii() and second.isalpha() else Defect.BAD_CHARACTERS,
            f"{_show(second)} en position 2 de {_show(value)} : seules les lettres A et B (2A, 2B) sont admises",
            value,
        )


def validate_finess(finess: str) -> str:
    """9 characters (2-character département, 2A/2B for Corsica, then digits) with a Luhn key."""
    _require_str(_FINESS, finess)
    _check_length(_FINESS, finess, 9)
    _check_finess_shape(finess)
    expected = luhn.calc_check_digit(_finess_digits(finess[:8]))
    if finess[8] != expected:
        raise IdentifierError(
            _FINESS, Defect.WRONG_KEY, f"clé {finess[8]} pour {finess[:8]}, clé calculée {expected}", finess
        )
    return finess


def finess_is_valid(finess: str) -> bool:
    return _is_valid(validate_finess, finess)


class StructKind(StrEnum):
    """IdNatStruct type prefix (digest insi-dmp §3.1; type 4 shape from ansforge/IG-fhir-annuaire:
    "RPPS rang (11 chiffres RPPS + 2 ou 3 chiffres RANG)", example 410005531586003)."""

    FINESS = "1"
    SIREN = "2"
    SIRET = "3"
    RPPS_RANG = "4"


@dataclass(frozen=True)
class IdNatStruct:
    kind: StructKind
    number: str

    @property
    def value(self) -> str:
        return self.kind.value + self.number


_ID_NAT_STRUCT = "IdNatStruct"


def _validate_siren_siret(identifier: str, value: str, length: int, strict: bool) -> str:
    _check_length(identifier, value, length)
    _check_digits(identifier, value)
    module = stdnum_siren if length == 9 else stdnum_siret
    if strict and not module.is_valid(value):
        raise IdentifierError(identifier, Defect.WRONG_KEY, f"clé de {_show(value)} incorrecte (Luhn)", value)
    return value


def _validate_rpps_rang(value: str, strict: bool) -> str:
    _check_length("RPPS rang", value, (13, 14))
    _check_digits("RPPS rang", value)
    validate_rpps(value[:11], strict)
    return value


def parse_id_nat_struct(value: str, *, strict: bool = True) -> IdNatStruct:
    """Type prefix + id: 1 + FINESS, 2 + SIREN, 3 + SIRET, 4 + RPPS rang. `strict=False` skips
    the keys of the inner id (ANS samples sometimes fail them) but checks its shape."""
    _require_str(_ID_NAT_STRUCT, value)
    if not value:
        raise IdentifierError(_ID_NAT_STRUCT, Defect.WRONG_LENGTH, "valeur vide", value)
    try:
        kind = StructKind(value[0])
    except ValueError:
        raise IdentifierError(
            _ID_NAT_STRUCT,
            Defect.BAD_PREFIX,
            f"{_show(value)} doit commencer par 1 (FINESS), 2 (SIREN), 3 (SIRET) ou 4 (RPPS rang)",
            value,
        ) from None
    number = value[1:]
    try:
        if kind is StructKind.FINESS:
            if strict:
                validate_finess(number)
            else:
                _check_length(_FINESS, number, 9)
                _check_finess_shape(number)
        elif kind is StructKind.SIREN:
            _validate_siren_siret("SIREN", number, 9, strict)
        elif kind is StructKind.SIRET:
            _validate_siren_siret("SIRET", number, 14, strict)
        else:
            _validate_rpps_rang(number, strict)
    except IdentifierError as error:
        raise IdentifierError(
            _ID_NAT_STRUCT, error.defect, f"{error.identifier} {error.detail}", value
        ) from error
    return IdNatStruct(kind, number)


def is_valid_id_nat_struct(value: str, *, strict: bool = True) -> bool:
    try:
        parse_id_nat_struct(value, strict=strict)
    except IdentifierError:
        return False
    return True


def id_nat_struct_from_finess(finess: str) -> str:
    """IdNatStruct of a FINESS structure: "1" + FINESS (10 characters)."""
    return StructKind.FINESS.value + validate_finess(finess)


# --- Products: CIP13, GTIN-14 -----------------------------------------------------------------

_CIP13 = "CIP13"
_GTIN14 = "GTIN-14"


def gs1_check_digit(body: str) -> str:
    """GS1 mod-10 check digit (weights 3,1,3... from the right) of a GTIN/SSCC body (1 to 17 digits)."""
    _require_str("numéro GS1", body)
    if not 1 <= len(body) <= 17:
        raise IdentifierError(
            "numéro GS1", Defect.WRONG_LENGTH, f"1 à 17 chiffres attendus, {_received(len(body))}", body
        )
    _check_digits("numéro GS1", body)
    return str(ean.calc_check_digit(body))


def _check_gs1_key(identifier: str, value: str) -> None:
    expected = gs1_check_digit(value[:-1])
    if value[-1] != expected:
        raise IdentifierError(
            identifier, Defect.WRONG_KEY, f"clé {value[-1]} pour {value[:-1]}, clé calculée {expected}", value
        )


def validate_cip13(cip13: str) -> str:
    """13 digits, prefix 3400, GS1 check digit (digest mss §9.1)."""
    _require_str(_CIP13, cip13)
    _check_length(_CIP13, cip13, 13)
    _check_digits(_CIP13, cip13)
    _check_gs1_key(_CIP13, cip13)
    if not cip13.startswith("3400"):
        raise IdentifierError(_CIP13, Defect.BAD_PREFIX, f"{_show(cip13)} doit commencer par 3400", cip13)
    return cip13


def is_valid_cip13(cip13: str) -> bool:
    return _is_valid(validate_cip13, cip13)


def cip13_to_gtin14(cip13: str) -> str:
    """GTIN-14 of a pack ("0" + CIP13: the leading zero leaves the GS1 check digit unchanged)."""
    return "0" + validate_cip13(cip13)


def validate_gtin14(gtin14: str) -> str:
    """14 digits with a GS1 check digit (any GS1 prefix)."""
    _require_str(_GTIN14, gtin14)
    _check_length(_GTIN14, gtin14, 14)
    _check_digits(_GTIN14, gtin14)
    _check_gs1_key(_GTIN14, gtin14)
    return gtin14


def is_valid_gtin14(gtin14: str) -> bool:
    return _is_valid(validate_gtin14, gtin14)


def cip13_from_gtin14(gtin14: str) -> str:
    """The CIP13 inside a French medicine GTIN-14 (`03400…`, AI 01 of the pack DataMatrix)."""
    validate_gtin14(gtin14)
    if not gtin14.startswith("03400"):
        raise IdentifierError(
            _GTIN14,
            Defect.BAD_PREFIX,
            f"{_show(gtin14)} ne contient pas de CIP13 (préfixe 03400 attendu)",
            gtin14,
        )
    return gtin14[1:]


def _is_valid(validator: Callable[..., object], *args: object) -> bool:
    try:
        validator(*args)
    except IdentifierError:
        return False
    return True
