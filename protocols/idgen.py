"""Seeded generators of valid and invalid national identifiers, for worlds, load tests and negative
scenarios. Every generator takes a `random.Random`, so a seed gives the same identifiers on every run.

An invalid generator injects exactly one defect and says which one (`InvalidIdentifier.defect`, a
`protocols.identifiers.Defect`): the matching validator of `protocols.identifiers` rejects the value
with that same defect, so a scenario can name the reason it expects.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from protocols import identifiers as ids
from protocols.identifiers import Defect, InsKind

Sex = Literal["M", "F"]

# NIR département codes: metropolitan (20 = Corsica before 1976), Corsica since 1976, overseas on
# three digits (the commune then has two), 99 = born abroad (followed by the INSEE country code).
METROPOLITAN_DEPARTMENTS: tuple[str, ...] = tuple(f"{n:02d}" for n in range(1, 96) if n != 20)
CORSICA_DEPARTMENTS: tuple[str, ...] = ("2A", "2B")
OVERSEAS_DEPARTMENTS: tuple[str, ...] = ("971", "972", "973", "974", "975", "976")
ABROAD = "99"
_NIR_DEPARTMENTS = frozenset(
    (*METROPOLITAN_DEPARTMENTS, "20", *CORSICA_DEPARTMENTS, *OVERSEAS_DEPARTMENTS, ABROAD)
)

# Characters that are never valid where they are put: separators, control, non-ASCII letters and
# non-ASCII digits (which str.isdigit() and regex \d would wrongly accept).
_NON_LETTER_BAD_CHARS = (" ", "-", ".", "/", "*", "\t", "\x00", "é", "\u0663", "\u00b2")
_LETTERS = ("X", "O", "l", "Z")


@dataclass(frozen=True)
class InvalidIdentifier:
    identifier: str
    value: str
    defect: Defect


# --- INS ---------------------------------------------------------------------------------------


def num_identifiant(
    rng: random.Random,
    *,
    sex: Sex | None = None,
    birth_year: int | None = None,
    birth_month: int | None = None,
    department: str | None = None,
) -> str:
    """A 13-character NIR: sex, year, month, birth place (département + commune, or 99 + country),
    order number. Corsica (2A/2B) is only drawn for births from 1976 on, as for real NIRs. A month
    above 12 is kept as given (NIRs use such codes when the birth month is unknown)."""
    sex = sex if sex is not None else rng.choice(("M", "F"))
    year = birth_year if birth_year is not None else rng.randint(1925, 2024)
    month = birth_month if birth_month is not None else rng.randint(1, 12)
    if sex not in ("M", "F"):
        raise ValueError(f"sexe « {sex} » : M ou F attendu")
    if not 1 <= month <= 99:
        raise ValueError(f"mois de naissance {month} : 1 à 99 attendu")
    if department is None:
        department = _random_department(rng, year)
    elif department not in _NIR_DEPARTMENTS:
        raise ValueError(f"département « {department} » inconnu pour un NIR")
    order = rng.randint(1, 999)
    return (
        f"{'1' if sex == 'M' else '2'}{year % 100:02d}{month:02d}{_birth_place(rng, department)}{order:03d}"
    )


def nia_num_identifiant(
    rng: random.Random,
    *,
    sex: Sex | None = None,
    birth_year: int | None = None,
    birth_month: int | None = None,
    department: str | None = ABROAD,
) -> str:
    """A 13-character NIA: same format as a NIR, born abroad unless told otherwise. NIR and NIA are
    told apart by the OID only."""
    return num_identifiant(
        rng, sex=sex, birth_year=birth_year, birth_month=birth_month, department=department
    )


def ins_matricule(
    rng: random.Random,
    *,
    nia: bool = False,
    sex: Sex | None = None,
    birth_year: int | None = None,
    birth_month: int | None = None,
    department: str | None = None,
) -> str:
    """A valid 15-character INS matricule (NIR, or NIA when `nia`, + key)."""
    if nia and department is None:
        department = ABROAD
    num13 = num_identifiant(
        rng, sex=sex, birth_year=birth_year, birth_month=birth_month, department=department
    )
    return ids.join_matricule(num13)


def ins(
    rng: random.Random,
    *,
    nia: bool = False,
    test: bool = False,
    sex: Sex | None = None,
    birth_year: int | None = None,
    birth_month: int | None = None,
    department: str | None = None,
) -> tuple[str, str]:
    """(matricule, OID) of a valid INS; production OIDs .8/.9 by default, test OIDs .10/.11 on request."""
    kind: InsKind = "NIA" if nia else "NIR"
    matricule = ins_matricule(
        rng, nia=nia, sex=sex, birth_year=birth_year, birth_month=birth_month, department=department
    )
    return matricule, ids.ins_oid(kind, test=test)


NUM_IDENTIFIANT_DEFECTS = (Defect.WRONG_LENGTH, Defect.BAD_CHARACTERS, Defect.BAD_CORSICA)
MATRICULE_DEFECTS = (Defect.WRONG_KEY, *NUM_IDENTIFIANT_DEFECTS)


def invalid_num_identifiant(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A 13-character NumIdentifiant with one defect (rejected by `validate_num_identifiant`)."""
    chosen = _pick(rng, defect, NUM_IDENTIFIANT_DEFECTS, "num_identifiant")
    num13 = num_identifiant(rng)
    if chosen is Defect.WRONG_LENGTH:
        value = _wrong_length(rng, num13)
    elif chosen is Defect.BAD_CHARACTERS:
        value = _bad_character(rng, num13, letter_positions=frozenset({6}))
    else:
        value = _bad_corsica_nir(rng, num13)
    return InvalidIdentifier("num_identifiant", value, chosen)


def invalid_ins_matricule(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A 15-character INS matricule with one defect (rejected by `validate_ins_matricule`)."""
    chosen = _pick(rng, defect, MATRICULE_DEFECTS, "ins_matricule")
    matricule = ins_matricule(rng)
    if chosen is Defect.WRONG_KEY:
        good = int(matricule[13:])
        wrong = rng.choice([k for k in range(100) if k != good])
        value = f"{matricule[:13]}{wrong:02d}"
    elif chosen is Defect.WRONG_LENGTH:
        value = _wrong_length(rng, matricule)
    elif chosen is Defect.BAD_CHARACTERS:
        value = _bad_character(rng, matricule, letter_positions=frozenset({6}))
    else:
        value = _bad_corsica_nir(rng, matricule[:13]) + f"{rng.randrange(100):02d}"
    return InvalidIdentifier("ins_matricule", value, chosen)


def _random_department(rng: random.Random, birth_year: int) -> str:
    draw = rng.random()
    if draw < 0.75:
        return rng.choice(METROPOLITAN_DEPARTMENTS)
    if draw < 0.85:
        return rng.choice(CORSICA_DEPARTMENTS) if birth_year >= 1976 else "20"
    if draw < 0.93:
        return rng.choice(OVERSEAS_DEPARTMENTS)
    return ABROAD


def _birth_place(rng: random.Random, department: str) -> str:
    if department == ABROAD:
        return f"{ABROAD}{rng.randint(100, 499)}"  # INSEE country codes run from 99100 to 99517
    if len(department) == 3:
        return f"{department}{rng.randint(1, 99):02d}"
    return f"{department}{rng.randint(1, 999):03d}"


def _bad_corsica_nir(rng: random.Random, num13: str) -> str:
    # Either a letter other than A/B after "2", or A/B after another digit than "2".
    if rng.random() < 0.5:
        return num13[:5] + "2" + rng.choice("CDEFGHIJKLMNOPQRSTUVWXYZcz") + num13[7:]
    return num13[:5] + rng.choice("013456789") + rng.choice("ABab") + num13[7:]


# --- Professionals -------------------------------------------------------------------------------


def rpps(rng: random.Random) -> str:
    """A valid 11-digit RPPS (prefix 10 as the real ones, Luhn key)."""
    return ids.rpps_with_key("10" + _digits(rng, 8))


def id_nat_ps(rng: random.Random) -> str:
    """A valid IdNatPS of an RPPS professional ("8" + RPPS)."""
    return ids.id_nat_ps_from_rpps(rpps(rng))


RPPS_DEFECTS = (Defect.WRONG_KEY, Defect.WRONG_LENGTH, Defect.BAD_CHARACTERS)
ID_NAT_PS_DEFECTS = (Defect.BAD_PREFIX, *RPPS_DEFECTS)


def invalid_rpps(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """An RPPS with one defect (rejected by `validate_rpps` in strict mode)."""
    chosen = _pick(rng, defect, RPPS_DEFECTS, "rpps")
    return InvalidIdentifier("rpps", _mutate_digits(rng, rpps(rng), chosen), chosen)


def invalid_id_nat_ps(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """An IdNatPS with one defect (rejected by `parse_id_nat_ps` in strict mode)."""
    chosen = _pick(rng, defect, ID_NAT_PS_DEFECTS, "id_nat_ps")
    if chosen is Defect.BAD_PREFIX:
        value = rng.choice("123456799AX") + rpps(rng)
    else:
        value = "8" + invalid_rpps(rng, chosen).value
    return InvalidIdentifier("id_nat_ps", value, chosen)


# --- Structures ----------------------------------------------------------------------------------

# FINESS département codes drawn here: metropolitan, Corsica, and 97 for the overseas ones (whose
# third and fourth characters are 0 and the overseas digit, e.g. 9702… for Martinique).
FINESS_DEPARTMENTS: tuple[str, ...] = (*METROPOLITAN_DEPARTMENTS, *CORSICA_DEPARTMENTS, "97")


def finess(rng: random.Random, *, department: str | None = None) -> str:
    """A valid FINESS: 2-character département, 6 digits, key (2A/2B for Corsica)."""
    department = department if department is not None else rng.choice(FINESS_DEPARTMENTS)
    if department not in FINESS_DEPARTMENTS:
        raise ValueError(f"département « {department} » inconnu pour un FINESS")
    middle = "0" + str(rng.randint(1, 4)) + _digits(rng, 4) if department == "97" else "0" + _digits(rng, 5)
    body = department + middle
    return body + ids.finess_key(body)


def id_nat_struct(rng: random.Random, *, department: str | None = None) -> str:
    """A valid FINESS-based IdNatStruct ("1" + FINESS), the officine case."""
    return ids.id_nat_struct_from_finess(finess(rng, department=department))


FINESS_DEFECTS = (Defect.WRONG_KEY, Defect.WRONG_LENGTH, Defect.BAD_CHARACTERS, Defect.BAD_CORSICA)
ID_NAT_STRUCT_DEFECTS = (Defect.BAD_PREFIX, *FINESS_DEFECTS)


def invalid_finess(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A FINESS with one defect (rejected by `validate_finess`)."""
    chosen = _pick(rng, defect, FINESS_DEFECTS, "finess")
    value = finess(rng)
    if chosen is Defect.BAD_CORSICA:
        value = value[0] + rng.choice("CDEFGHIJKLMNOPQRSTUVWXYZab") + value[2:]
    elif chosen is Defect.BAD_CHARACTERS:
        value = _bad_character(rng, value, letter_positions=frozenset({1}))
    else:
        value = _mutate_digits(rng, value, chosen)
    return InvalidIdentifier("finess", value, chosen)


def invalid_id_nat_struct(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A FINESS-based IdNatStruct with one defect (rejected by `parse_id_nat_struct`)."""
    chosen = _pick(rng, defect, ID_NAT_STRUCT_DEFECTS, "id_nat_struct")
    if chosen is Defect.BAD_PREFIX:
        value = rng.choice("056789AX") + finess(rng)
    else:
        value = "1" + invalid_finess(rng, chosen).value
    return InvalidIdentifier("id_nat_struct", value, chosen)


# --- Products ------------------------------------------------------------------------------------


def cip13(rng: random.Random) -> str:
    """A valid CIP13 of a medicine (34009 + 7 digits + GS1 key)."""
    body = "34009" + _digits(rng, 7)
    return body + ids.gs1_check_digit(body)


def gtin14(rng: random.Random) -> str:
    """A valid GTIN-14 of a French medicine pack ("0" + CIP13)."""
    return ids.cip13_to_gtin14(cip13(rng))


PRODUCT_DEFECTS = (Defect.WRONG_KEY, Defect.WRONG_LENGTH, Defect.BAD_CHARACTERS, Defect.BAD_PREFIX)
_FOREIGN_GS1_PREFIXES = ("3401", "3012", "4006", "5000", "7612", "8410")


def invalid_cip13(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A CIP13 with one defect (rejected by `validate_cip13`); BAD_PREFIX is a valid EAN-13 that is
    not a CIP13."""
    chosen = _pick(rng, defect, PRODUCT_DEFECTS, "cip13")
    if chosen is Defect.BAD_PREFIX:
        body = rng.choice(_FOREIGN_GS1_PREFIXES) + _digits(rng, 8)
        value = body + ids.gs1_check_digit(body)
    else:
        value = _mutate_digits(rng, cip13(rng), chosen)
    return InvalidIdentifier("cip13", value, chosen)


def invalid_gtin14(rng: random.Random, defect: Defect | str | None = None) -> InvalidIdentifier:
    """A medicine GTIN-14 with one defect (rejected by `cip13_from_gtin14`); BAD_PREFIX is a valid
    GTIN-14 that holds no CIP13."""
    chosen = _pick(rng, defect, PRODUCT_DEFECTS, "gtin14")
    if chosen is Defect.BAD_PREFIX:
        body = "0" + rng.choice(_FOREIGN_GS1_PREFIXES) + _digits(rng, 8)
        value = body + ids.gs1_check_digit(body)
    else:
        value = _mutate_digits(rng, gtin14(rng), chosen)
    return InvalidIdentifier("gtin14", value, chosen)


# --- Mutations -----------------------------------------------------------------------------------


def _pick(
    rng: random.Random, defect: Defect | str | None, allowed: tuple[Defect, ...], identifier: str
) -> Defect:
    if defect is None:
        return rng.choice(allowed)
    if isinstance(defect, Defect) and defect in allowed:
        return defect
    for candidate in allowed:
        if candidate.value == defect:
            return candidate
    choices = ", ".join(d.value for d in allowed)
    raise ValueError(f"défaut « {defect} » non disponible pour {identifier} ; au choix : {choices}")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _mutate_digits(rng: random.Random, value: str, defect: Defect) -> str:
    """WRONG_KEY (last digit changed: Luhn and GS1 mod 10 catch every single-digit change),
    WRONG_LENGTH or BAD_CHARACTERS on an all-digit identifier."""
    if defect is Defect.WRONG_KEY:
        return value[:-1] + rng.choice([d for d in "0123456789" if d != value[-1]])
    if defect is Defect.WRONG_LENGTH:
        return _wrong_length(rng, value)
    return _bad_character(rng, value, letter_positions=frozenset())


def _wrong_length(rng: random.Random, value: str) -> str:
    length = rng.choice([n for n in range(len(value) + 6) if n != len(value)])
    return value[:length] if length < len(value) else value + _digits(rng, length - len(value))


def _bad_character(rng: random.Random, value: str, *, letter_positions: frozenset[int]) -> str:
    """Replace one character by one never valid there. At `letter_positions` an ASCII letter means a
    Corsica defect, so only non-letters are used there."""
    position = rng.randrange(len(value))
    pool = _NON_LETTER_BAD_CHARS if position in letter_positions else _NON_LETTER_BAD_CHARS + _LETTERS
    return value[:position] + rng.choice(pool) + value[position + 1 :]
