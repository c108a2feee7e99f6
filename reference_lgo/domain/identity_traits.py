"""INS traits: the five strict traits, their INS form (référentiel INS character set) and the checks a
trait must pass before it is stored or sent to INSi. Pure functions, no I/O.

Facts: spec digest `insi-dmp-cda-dp.md` §1.5 (character set, one first name per call, strict calendar
date except lunar dates), §1.6 (COG, DateLunaire), REM W1-INS-02/09/11. The folding below is written
by hand: no maintained library implements the référentiel INS transliteration.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

_T = TypeVar("_T")
Sex = Literal["M", "F"]
StrictTraitName = Literal["birth_name", "first_names", "sex", "birth_date", "birth_place"]
STRICT_TRAITS: tuple[StrictTraitName, ...] = ("birth_name", "first_names", "sex", "birth_date", "birth_place")
TRAIT_LABELS: dict[str, str] = {
    "birth_name": "nom de naissance",
    "first_names": "prénom(s) de naissance",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "birth_place": "lieu de naissance (code COG)",
    "used_name": "nom utilisé",
    "used_first_name": "prénom utilisé",
}

# Typographic variants users and word processors produce for the INS punctuation.
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`´′", "'"))
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—−", "-"))
# Letters NFKD does not decompose into a base letter.
_SPECIAL_LETTERS = {
    "Œ": "OE",
    "œ": "OE",
    "Æ": "AE",
    "æ": "AE",
    "ß": "SS",
    "Ø": "O",
    "ø": "O",
    "Đ": "D",
    "đ": "D",
}

# INS form: uppercase words separated by a space, a hyphen, a double hyphen (compound birth names)
# or an apostrophe. A single first name has no space: the list of first names is space-separated.
_BIRTH_NAME = re.compile(r"[A-Z]+(?:(?:--|[-' ])[A-Z]+)*")
_FIRST_NAME = re.compile(r"[A-Z]+(?:(?:--|[-'])[A-Z]+)*")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CARD_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
# COG: INSEE commune (Corsica 2A/2B) or foreign country 99xxx.
_COG = re.compile(r"(?:[0-9]{5}|2[AB][0-9]{3})")
MAX_NAME_LENGTH = 100


class TraitsError(ValueError):
    """One or more traits are invalid; `problems` maps each field to its French message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(" ; ".join(problems.values()))


def fold(value: str) -> str:
    """Uppercase without diacritics, ligatures expanded, typographic apostrophes and dashes folded to
    ASCII, whitespace collapsed and removed around ' and -. Other characters are kept (then refused
    by the validators) so that a wrong input is reported, not silently changed."""
    for letter, replacement in _SPECIAL_LETTERS.items():
        value = value.replace(letter, replacement)
    value = value.translate(_APOSTROPHES).translate(_DASHES)
    value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    value = " ".join(value.upper().split())
    return re.sub(r"\s*([-'])\s*", r"\1", value)


def search_key(value: str) -> str:
    """Search form: case, accents, hyphens, apostrophes and spaces ignored (W1-INS-09), so that
    « Delaferrière », « DE LA FERRIERE » and « de La-Ferrière » meet."""
    return re.sub(r"[^A-Z0-9]", "", fold(value))


def ins_birth_name(value: str, label: str = "nom de naissance") -> str:
    """The INS form of a birth name, or TraitsError."""
    folded = fold(value)
    if not folded:
        raise TraitsError({"birth_name": f"Le {label} est obligatoire."})
    if len(folded) > MAX_NAME_LENGTH:
        raise TraitsError({"birth_name": f"Le {label} dépasse {MAX_NAME_LENGTH} caractères."})
    if not _BIRTH_NAME.fullmatch(folded):
        raise TraitsError(
            {
                "birth_name": f"Le {label} « {value} » contient des caractères non autorisés "
                "(lettres, espace, tiret et apostrophe seulement)."
            }
        )
    return folded


def ins_first_name(value: str) -> str:
    """The INS form of ONE first name (no space inside), or TraitsError."""
    folded = fold(value)
    if not folded:
        raise TraitsError({"first_names": "Un prénom vide n'est pas autorisé."})
    if not _FIRST_NAME.fullmatch(folded):
        raise TraitsError(
            {
                "first_names": f"Le prénom « {value} » contient des caractères non autorisés "
                "(lettres, tiret et apostrophe seulement ; les prénoms sont séparés par des espaces)."
            }
        )
    return folded


def split_first_names(values: str | Sequence[str]) -> tuple[str, ...]:
    """First names as a tuple: a space-separated list (ListePrenom) or a sequence, each item split."""
    items = [values] if isinstance(values, str) else list(values)
    return tuple(part for item in items for part in item.split())


def ins_first_names(values: str | Sequence[str]) -> tuple[str, ...]:
    names = split_first_names([fold(v) for v in ([values] if isinstance(values, str) else values)])
    if not names:
        raise TraitsError({"first_names": "Au moins un prénom de naissance est obligatoire."})
    return tuple(ins_first_name(n) for n in names)


def ins_sex(value: str) -> Sex:
    folded = value.strip().upper()
    if folded == "M":
        return "M"
    if folded == "F":
        return "F"
    if not folded:
        raise TraitsError({"sex": "Le sexe est obligatoire."})
    raise TraitsError({"sex": f"Sexe « {value} » invalide : M ou F attendu."})


def is_lunar(value: str) -> bool:
    """A birth date with a 00 day or month (incomplete civil-status date)."""
    m = _DATE.fullmatch(value)
    return m is not None and (m.group(2) == "00" or m.group(3) == "00")


def check_birth_date(value: str, *, today: date | None = None) -> str:
    """`YYYY-MM-DD`, a real calendar date, or a lunar date (00 day, or 00 month and day); not in the
    future when `today` is given. Returns the value, or raises TraitsError."""
    m = _DATE.fullmatch(value.strip())
    if m is None:
        if not value.strip():
            raise TraitsError({"birth_date": "La date de naissance est obligatoire."})
        raise TraitsError(
            {"birth_date": f"Date de naissance « {value} » invalide : format AAAA-MM-JJ attendu."}
        )
    year, month, day = (int(g) for g in m.groups())
    problem = None
    if year == 0 or month > 12:
        problem = "date inexistante"
    elif month == 0 and day != 0:
        problem = "un mois inconnu (00) impose un jour inconnu (00)"
    elif month and day and day > calendar.monthrange(year, month)[1]:
        problem = "date inexistante dans le calendrier"
    elif day > 31:
        problem = "date inexistante"
    elif today is not None and (year, month or 1, day or 1) > (today.year, today.month, today.day):
        problem = "date dans le futur"
    if problem:
        raise TraitsError({"birth_date": f"Date de naissance « {value} » invalide : {problem}."})
    return m.group(0)


def card_birth_date(value: str) -> str:
    """A birth date read from a carte Vitale (`YYYYMMDD`, tag 82) or already `YYYY-MM-DD`, as
    `YYYY-MM-DD` (lunar dates kept)."""
    text = value.strip()
    m = _CARD_DATE.fullmatch(text)
    if m:
        text = "-".join(m.groups())
    return check_birth_date(text)


def check_cog(value: str) -> str:
    folded = value.strip().upper()
    if not folded:
        raise TraitsError({"birth_place": "Le lieu de naissance (code COG) est obligatoire."})
    if not _COG.fullmatch(folded):
        raise TraitsError(
            {
                "birth_place": f"Code COG « {value} » invalide : 5 caractères attendus "
                "(commune INSEE, 2A/2B pour la Corse, 99xxx pour un pays étranger)."
            }
        )
    return folded


@dataclass(frozen=True)
class StrictTraits:
    """The five strict INS traits. Held as given: call `in_ins_form()` to check and normalise them."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None = None

    @property
    def first_birth_first_name(self) -> str | None:
        return self.first_names[0] if self.first_names else None

    @property
    def first_names_list(self) -> str:
        """ListePrenom: the birth first names separated by spaces."""
        return " ".join(self.first_names)

    def in_ins_form(self, *, require_birth_place: bool = False, today: date | None = None) -> StrictTraits:
        """Checked copy in INS form; TraitsError lists every invalid trait at once."""
        problems: dict[str, str] = {}
        birth_name = _collect(problems, lambda: ins_birth_name(self.birth_name))
        first_names = _collect(problems, lambda: ins_first_names(self.first_names))
        sex = _collect(problems, lambda: ins_sex(self.sex))
        birth_date = _collect(problems, lambda: check_birth_date(self.birth_date, today=today))
        birth_place: str | None = None
        if self.birth_place is not None and self.birth_place.strip():
            birth_place = _collect(problems, lambda: check_cog(self.birth_place or ""))
        elif require_birth_place:
            problems["birth_place"] = "Le lieu de naissance (code COG) est obligatoire."
        if problems or birth_name is None or first_names is None or sex is None or birth_date is None:
            raise TraitsError({k: problems[k] for k in STRICT_TRAITS if k in problems})
        return StrictTraits(birth_name, first_names, sex, birth_date, birth_place)


def _collect(problems: dict[str, str], check: Callable[[], _T]) -> _T | None:
    try:
        return check()
    except TraitsError as exc:
        problems.update(exc.problems)
        return None
