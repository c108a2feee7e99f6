"""INS DataMatrix payload: the unsigned 2D code printed next to the INS of a qualified identity.

**Bench contract** (`docs/contracts/ins-datamatrix.md`, fidelity `bench-contract`). The ANS
referential (« INS — Format datamatrix », [INS5]) is not in our spec digests; the layout follows what
public implementations describe (Mediboard's `CPatientINSNIR.php`, `lsoulier42/healthcare-domain`
citing the ANS document v2.2 §3/§5, a message used as a ZXing test case) and was not checked against
the official text:

- header (26): marker ``IS``, version ``01``, 22 reserved ``0``;
- fields ``S1`` matricule (15, fixed), ``S2`` OID (≤ 20), ``S3`` birth first names, space-separated
  (≤ 100), ``S4`` birth name (≤ 100), ``S5`` sex (1), ``S6`` birth date ``JJ-MM-AAAA`` (10, lunar 00
  allowed), ``S7`` birth place COG (5, optional);
- ``<GS>`` (0x1D) ends a variable field shorter than its maximum unless it is the last field; fixed
  fields never carry one. Fields are emitted S1..S7 and read in any order (2D-Doc principle).

The field grammar is written by hand (no library knows this format); the symbol itself is made and
read by zxing-cpp (square ECC 200, plain ``]d1`` mode, never GS1).
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

import zxingcpp
from PIL import Image, UnidentifiedImageError

from protocols.identifiers import IdentifierError, Ins, ins_oid_kind, parse_ins, validate_ins_matricule

MARKER = "IS"
VERSION = "01"
HEADER = MARKER + VERSION + "0" * 22
GS = "\x1d"
MAX_MESSAGE_LENGTH = 400  # bench choice: the longest valid message is 291 characters
MAX_PNG_BYTES = 10_000_000
MAX_PNG_PIXELS = 25_000_000

Sex = Literal["M", "F"]

# INS character set (the traits INSi returns): upper-case words joined by a space (birth name only),
# a hyphen, a double hyphen (double names) or an apostrophe. A first name holds no space: the space
# separates first names in S3.
_BIRTH_NAME = re.compile(r"[A-Z]+(?:(?:--|[-' ])[A-Z]+)*")
_FIRST_NAME = re.compile(r"[A-Z]+(?:(?:--|[-'])[A-Z]+)*")
_WIRE_DATE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_COG = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")
_FIELD_ID = re.compile(r"S[1-7]")


class InsDataMatrixError(ValueError):
    """A payload that breaks the contract. `str()` is the French message; `code` is stable (see the
    contract's « Refus »), `field` names the field in cause (``S1``..``S7``) when there is one."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        self.code = code
        self.field = field
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class InsDataMatrix:
    """The content of an INS DataMatrix, in the bench's usual representations."""

    matricule: str  # 15 characters, key included
    oid: str  # one of the four INS OIDs
    birth_name: str  # S4
    first_names: tuple[str, ...]  # S3, birth first names in civil-status order (may be empty)
    sex: Sex
    birth_date: str  # "YYYY-MM-DD"; lunar dates keep their "00" day and/or month
    birth_place: str | None = None  # COG, None when unknown (S7 omitted)

    @property
    def first_name(self) -> str | None:
        """First birth first name (the strict trait), None when the person has none."""
        return self.first_names[0] if self.first_names else None

    @property
    def ins(self) -> Ins:
        return parse_ins(self.matricule, self.oid)


@dataclass(frozen=True)
class _FieldSpec:
    label: str
    minimum: int
    maximum: int

    @property
    def fixed(self) -> bool:
        return self.minimum == self.maximum


FIELDS: dict[str, _FieldSpec] = {
    "S1": _FieldSpec("matricule INS", 15, 15),
    "S2": _FieldSpec("OID de l'autorité d'affectation", 1, 20),
    "S3": _FieldSpec("liste des prénoms de naissance", 0, 100),
    "S4": _FieldSpec("nom de naissance", 1, 100),
    "S5": _FieldSpec("sexe", 1, 1),
    "S6": _FieldSpec("date de naissance", 10, 10),
    "S7": _FieldSpec("lieu de naissance (code COG)", 5, 5),
}
REQUIRED_FIELDS = ("S1", "S2", "S3", "S4", "S5", "S6")


def _show(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "…"
    shown = shown.replace(GS, "<GS>")
    if not shown.isprintable():
        shown = shown.encode("unicode_escape").decode("ascii")
    return f"« {shown} »"


def _fail(code: str, field: str, detail: str) -> InsDataMatrixError:
    return InsDataMatrixError(
        code, f"DataMatrix INS, champ {field} ({FIELDS[field].label}) : {detail}", field
    )


# --- field values: checks shared by encode and decode ----------------------------------------


def _check_matricule(value: str) -> str:
    try:
        checked = validate_ins_matricule(value)
    except IdentifierError as error:
        raise _fail("matricule", "S1", str(error)) from error
    if checked != value:
        raise _fail("matricule", "S1", f"{_show(value)} : la Corse s'écrit 2A ou 2B en majuscules")
    return value


def _check_oid(value: str) -> str:
    try:
        ins_oid_kind(value)
    except IdentifierError as error:
        raise _fail("oid", "S2", str(error)) from error
    return value


def _check_birth_name(value: str) -> str:
    if not _BIRTH_NAME.fullmatch(value):
        raise _fail(
            "nom",
            "S4",
            f"{_show(value)} : lettres A-Z majuscules sans accent, espace, apostrophe ou trait d'union "
            "entre deux lettres",
        )
    return value


def _check_first_names(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if not _FIRST_NAME.fullmatch(name):
            raise _fail(
                "prenoms",
                "S3",
                f"prénom {_show(name)} : lettres A-Z majuscules sans accent, apostrophe ou trait d'union "
                "entre deux lettres ; les prénoms sont séparés par une seule espace",
            )
    return names


def _check_sex(value: str) -> Sex:
    if value in ("M", "F"):
        return cast(Sex, value)
    raise _fail("sexe", "S5", f"{_show(value)} : M ou F attendu")


def _check_calendar(field: str, year: str, month: str, day: str, shown: str) -> None:
    """Lunar dates (day and/or month 00) are allowed; any other date must exist."""
    if year == "0000" or int(month) > 12 or int(day) > 31:
        raise _fail("date", field, f"{_show(shown)} : date impossible")
    if month != "00" and day != "00" and int(day) > calendar.monthrange(int(year), int(month))[1]:
        raise _fail("date", field, f"{_show(shown)} : date impossible")


def _check_iso_date(value: str) -> str:
    match = _ISO_DATE.fullmatch(value)
    if not match:
        raise _fail("date", "S6", f"{_show(value)} : AAAA-MM-JJ attendu dans le modèle")
    year, month, day = match.groups()
    _check_calendar("S6", year, month, day, value)
    return value


def _check_birth_place(value: str) -> str:
    if not _COG.fullmatch(value):
        raise _fail(
            "lieu", "S7", f"{_show(value)} : code COG de 5 caractères attendu (commune, 2A/2B, ou 99xxx)"
        )
    return value


def _require_str(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise _fail("type", field, f"chaîne de caractères attendue, pas {type(value).__name__}")
    return value


# --- encode ----------------------------------------------------------------------------------


def encode(payload: InsDataMatrix) -> str:
    """The message text (header + fields S1..S7), after checking every field."""
    first_names = payload.first_names
    if not isinstance(first_names, tuple | list):
        raise _fail("type", "S3", f"liste de prénoms attendue, pas {type(first_names).__name__}")
    values = {
        "S1": _check_matricule(_require_str(payload.matricule, "S1")),
        "S2": _check_oid(_require_str(payload.oid, "S2")),
        "S3": " ".join(_check_first_names(tuple(_require_str(n, "S3") for n in first_names))),
        "S4": _check_birth_name(_require_str(payload.birth_name, "S4")),
        "S5": _check_sex(_require_str(payload.sex, "S5")),
        "S6": _iso_to_wire(_check_iso_date(_require_str(payload.birth_date, "S6"))),
    }
    if payload.birth_place is not None:
        values["S7"] = _check_birth_place(_require_str(payload.birth_place, "S7"))
    parts = [HEADER]
    last = list(values)[-1]
    for field, value in values.items():
        spec = FIELDS[field]
        if not spec.minimum <= len(value) <= spec.maximum:
            raise _fail("longueur", field, _length_detail(spec, len(value)))
        parts.append(field + value)
        if not spec.fixed and len(value) < spec.maximum and field != last:
            parts.append(GS)
    return "".join(parts)


def _iso_to_wire(value: str) -> str:
    year, month, day = value.split("-")
    return f"{day}-{month}-{year}"


def _wire_to_iso(value: str) -> str:
    match = _WIRE_DATE.fullmatch(value)
    if not match:
        raise _fail("date", "S6", f"{_show(value)} : JJ-MM-AAAA attendu")
    day, month, year = match.groups()
    _check_calendar("S6", year, month, day, value)
    return f"{year}-{month}-{day}"


def _length_detail(spec: _FieldSpec, length: int) -> str:
    wanted = str(spec.maximum) if spec.fixed else f"{spec.minimum} à {spec.maximum}"
    return f"{wanted} caractères attendus, {length} reçu{'s' if length > 1 else ''}"


# --- decode ----------------------------------------------------------------------------------


def decode(text: str) -> InsDataMatrix:
    """Parse and check a message; raises `InsDataMatrixError` (French) at the first defect."""
    if not isinstance(text, str):
        raise InsDataMatrixError("type", f"DataMatrix INS : texte attendu, pas {type(text).__name__}")
    if not text:
        raise InsDataMatrixError("vide", "DataMatrix INS vide")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InsDataMatrixError(
            "longueur", f"DataMatrix INS trop long : {len(text)} caractères (au plus {MAX_MESSAGE_LENGTH})"
        )
    for index, char in enumerate(text):
        if char != GS and not " " <= char <= "~":
            raise InsDataMatrixError(
                "caractere",
                f"DataMatrix INS : caractère {_show(char)} non autorisé en position {index + 1} "
                "(ASCII imprimable et <GS> seulement)",
            )
    _check_header(text)
    raw = _split_fields(text)
    missing = [field for field in REQUIRED_FIELDS if field not in raw]
    if missing:
        names = ", ".join(f"{field} ({FIELDS[field].label})" for field in missing)
        raise InsDataMatrixError(
            "champ-manquant", f"DataMatrix INS : champ obligatoire absent : {names}", missing[0]
        )
    s3 = raw["S3"]
    return InsDataMatrix(
        matricule=raw["S1"],
        oid=raw["S2"],
        birth_name=raw["S4"],
        first_names=tuple(s3.split(" ")) if s3 else (),
        sex=_check_sex(raw["S5"]),
        birth_date=_wire_to_iso(raw["S6"]),
        birth_place=raw.get("S7"),
    )


def _check_header(text: str) -> None:
    header = text[: len(HEADER)]
    hint = (
        " (retirer l'identifiant de symbologie « ]d1 » envoyé par le lecteur)"
        if text.startswith("]d")
        else ""
    )
    if not header.startswith(MARKER):
        raise InsDataMatrixError(
            "en-tete", f"DataMatrix INS : marqueur {_show(header[:2])} au lieu de « IS »{hint}"
        )
    if len(header) < len(HEADER):
        raise InsDataMatrixError(
            "en-tete", f"DataMatrix INS : en-tête incomplet ({len(header)} caractères sur 26)"
        )
    if header[2:4] != VERSION:
        raise InsDataMatrixError(
            "version",
            f"DataMatrix INS : version {_show(header[2:4])} non prise en charge (version 01 attendue)",
        )
    if header[4:] != HEADER[4:]:
        raise InsDataMatrixError(
            "en-tete", f"DataMatrix INS : zone réservée de l'en-tête {_show(header[4:])} (22 zéros attendus)"
        )


_VALUE_CHECKS: dict[str, Callable[[str], object]] = {
    "S1": _check_matricule,
    "S2": _check_oid,
    "S3": lambda value: _check_first_names(tuple(value.split(" ")) if value else ()),
    "S4": _check_birth_name,
    "S5": _check_sex,
    "S6": _wire_to_iso,
    "S7": _check_birth_place,
}


def _split_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = len(HEADER)
    previous: str | None = None
    while position < len(text):
        field = text[position : position + 2]
        if field not in FIELDS:
            raise _unknown_field(field, position, previous, fields)
        if field in fields:
            raise InsDataMatrixError(
                "champ-repete", f"DataMatrix INS : champ {field} présent deux fois", field
            )
        spec = FIELDS[field]
        value, position = _read_value(text, position + 2, field, spec)
        if len(value) < spec.minimum:
            raise _fail("longueur", field, _length_detail(spec, len(value)))
        try:
            _VALUE_CHECKS[field](value)
        except InsDataMatrixError as error:
            if not spec.fixed and _FIELD_ID.search(value):
                error.message += " (séparateur <GS> manquant à la fin du champ ?)"
                error.args = (error.message,)
            raise
        fields[field] = value
        previous = field
    return fields


def _read_value(text: str, start: int, field: str, spec: _FieldSpec) -> tuple[str, int]:
    """(value, next position) of the field whose value starts at `start`, with the <GS> rule."""
    if spec.fixed:
        value = text[start : start + spec.maximum]
        if len(value) < spec.maximum or GS in value:
            shown = value.split(GS)[0]
            raise _fail("longueur", field, _length_detail(spec, len(shown)))
        end = start + spec.maximum
        if text.startswith(GS, end):
            raise _fail("separateur", field, "<GS> superflu après un champ de longueur fixe")
        return value, end
    separator = text.find(GS, start, start + spec.maximum + 1)
    if separator != -1:
        value = text[start:separator]
        if len(value) == spec.maximum:
            raise _fail(
                "separateur", field, f"<GS> superflu : le champ atteint sa longueur maximale ({spec.maximum})"
            )
        if separator + 1 == len(text):
            raise _fail("separateur", field, "<GS> superflu : le dernier champ du message n'en porte pas")
        return value, separator + 1
    if len(text) - start <= spec.maximum:
        return text[start:], len(text)  # last field, no separator
    # No separator within reach: the field is at its maximum length (or too long, caught next).
    return text[start : start + spec.maximum], start + spec.maximum


def _unknown_field(
    field: str, position: int, previous: str | None, fields: dict[str, str]
) -> InsDataMatrixError:
    detail = f"DataMatrix INS : identifiant de champ {_show(field)} inconnu en position {position + 1}"
    if (
        previous is not None
        and not FIELDS[previous].fixed
        and len(fields[previous]) == FIELDS[previous].maximum
    ):
        detail += f" (le champ {previous} dépasse-t-il {FIELDS[previous].maximum} caractères ?)"
    return InsDataMatrixError("champ-inconnu", detail, field)


# --- symbol: PNG in, PNG out (zxing-cpp) ------------------------------------------------------


def symbol(payload: InsDataMatrix) -> zxingcpp.Barcode:
    """The square ECC 200 DataMatrix of a payload (plain mode, not GS1)."""
    text = encode(payload)
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    height, width = barcode.to_image(scale=1, add_quiet_zones=False).shape
    # zxing-cpp silently ignores a misspelled option: check the shape it produced.
    if height != width:
        raise RuntimeError(f"zxing-cpp a produit un DataMatrix rectangulaire ({width}×{height})")
    return barcode


def render_png(payload: InsDataMatrix, scale: int = 4) -> bytes:
    """PNG (8-bit grey) of the symbol, `scale` pixels per module, with zxing-cpp's quiet zone."""
    if not isinstance(scale, int) or not 1 <= scale <= 40:
        raise ValueError(f"échelle {scale!r} invalide : entier de 1 à 40 pixels par module attendu")
    image = symbol(payload).to_image(scale=scale, add_quiet_zones=True)
    height, width = image.shape
    output = io.BytesIO()
    pixels = bytes(memoryview(cast(Any, image)))  # zxing-cpp's Image has the buffer protocol, not its stub
    Image.frombytes("L", (width, height), pixels).save(output, format="PNG", optimize=True)
    return output.getvalue()


def read_png(data: bytes) -> InsDataMatrix:
    """Find the one INS DataMatrix in a PNG image and decode it."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise InsDataMatrixError("image", "Image du DataMatrix INS absente ou vide")
    if len(data) > MAX_PNG_BYTES:
        raise InsDataMatrixError(
            "image", f"Image trop volumineuse ({len(data)} octets, au plus {MAX_PNG_BYTES})"
        )
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG"])
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InsDataMatrixError("image", "Image PNG illisible") from error
    with image:
        if image.width * image.height > MAX_PNG_PIXELS:
            raise InsDataMatrixError(
                "image", f"Image trop grande ({image.width}×{image.height} pixels, au plus {MAX_PNG_PIXELS})"
            )
        try:
            grey = image.convert("L")
        except (OSError, ValueError) as error:
            raise InsDataMatrixError("image", "Image PNG illisible") from error
    found = [
        barcode
        for barcode in zxingcpp.read_barcodes(
            grey,
            formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix),
            text_mode=zxingcpp.TextMode.Plain,
        )
        if barcode.valid
    ]
    if not found:
        raise InsDataMatrixError("image", "Aucun DataMatrix lisible dans l'image")
    if len({barcode.bytes for barcode in found}) > 1:
        raise InsDataMatrixError(
            "image", f"{len(found)} DataMatrix différents dans l'image : un seul attendu"
        )
    barcode = found[0]
    if barcode.symbology_identifier == "]d2" or barcode.content_type == zxingcpp.ContentType.GS1:
        raise InsDataMatrixError(
            "image", "DataMatrix en mode GS1 : le DataMatrix INS n'est pas un symbole GS1"
        )
    try:
        text = barcode.bytes.decode("ascii")
    except UnicodeDecodeError as error:
        raise InsDataMatrixError("caractere", "DataMatrix INS : contenu non ASCII") from error
    return decode(text)
