"""Local patient search rules (RNIV "recherche d'antériorité"), as pure predicates over identities.

REM W1-INS-01 (birth date narrowed by the first letters of names), W1-INS-08 (full matricule with
its key, wrong key reported), W1-INS-09 (insensitive to case, accents, hyphens, apostrophes and
spaces), W1-INS-10 (birth first names, first birth first name and used first name searched alike).
The shell may translate these into SQL over stored search keys (`search_key`); the predicates
define what a match is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from protocols.identifiers import IdentifierError, validate_ins_matricule
from reference_lgo.domain.identity import IdentityRuleError
from reference_lgo.domain.identity_traits import (
    StrictTraits,
    TraitsError,
    check_birth_date,
    search_key,
    split_first_names,
)

__all__ = [
    "IdentityQuery",
    "SearchableIdentity",
    "first_name_matches",
    "matches",
    "name_matches",
    "parse_matricule_query",
    "parse_search_date",
    "search",
    "search_by_birth_date",
    "search_by_matricule",
    "search_key",
]


class SearchableIdentity(Protocol):
    @property
    def traits(self) -> StrictTraits: ...
    @property
    def used_name(self) -> str | None: ...
    @property
    def used_first_name(self) -> str | None: ...
    @property
    def matricule(self) -> str | None: ...


_I = TypeVar("_I", bound=SearchableIdentity)
_FRENCH_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


def _key_matches(query: str, candidates: Iterable[str | None], prefix: bool) -> bool:
    wanted = search_key(query)
    if not wanted:
        return True
    for candidate in candidates:
        if not candidate:
            continue
        key = search_key(candidate)
        if key.startswith(wanted) if prefix else key == wanted:
            return True
    return False


def name_matches(identity: SearchableIdentity, query: str, *, prefix: bool = True) -> bool:
    """Birth name or used name."""
    return _key_matches(query, (identity.traits.birth_name, identity.used_name), prefix)


def first_name_matches(identity: SearchableIdentity, query: str, *, prefix: bool = True) -> bool:
    """Any birth first name (the first one included), the whole list, or the used first name."""
    names = split_first_names(identity.traits.first_names)
    return _key_matches(query, (*names, " ".join(names), identity.used_first_name), prefix)


def parse_search_date(text: str) -> str:
    """A typed birth date (`JJ/MM/AAAA` or `AAAA-MM-JJ`, lunar allowed) as `AAAA-MM-JJ`."""
    value = text.strip()
    m = _FRENCH_DATE.fullmatch(value)
    if m:
        value = f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    try:
        return check_birth_date(value)
    except TraitsError as exc:
        raise IdentityRuleError("date_recherche_invalide", str(exc), exc.problems) from None


def parse_matricule_query(text: str) -> str:
    """The 15-character matricule INS typed by a user (spaces allowed), its key checked."""
    value = re.sub(r"[\s.]", "", text).upper()
    if len(value) == 13:
        raise IdentityRuleError(
            "cle_manquante",
            "Saisissez le matricule INS complet : 13 caractères suivis de la clé de 2 chiffres.",
        )
    try:
        return validate_ins_matricule(value)
    except IdentifierError as exc:
        raise IdentityRuleError("matricule_invalide", f"Recherche impossible : {exc}.") from None


@dataclass(frozen=True)
class IdentityQuery:
    """Criteria typed at the counter; every given criterion must match (names by prefix)."""

    name: str | None = None
    first_name: str | None = None
    birth_date: str | None = None  # AAAA-MM-JJ or JJ/MM/AAAA
    sex: str | None = None
    matricule: str | None = None  # 15 characters, key checked


def matches(identity: SearchableIdentity, query: IdentityQuery) -> bool:
    if query.matricule and identity.matricule != parse_matricule_query(query.matricule):
        return False
    if query.birth_date and identity.traits.birth_date != parse_search_date(query.birth_date):
        return False
    if query.sex and identity.traits.sex.upper() != query.sex.strip().upper():
        return False
    if query.name and not name_matches(identity, query.name):
        return False
    return not (query.first_name and not first_name_matches(identity, query.first_name))


def search(identities: Iterable[_I], query: IdentityQuery) -> list[_I]:
    """Identities matching every criterion. Invalid criteria raise IdentityRuleError before any
    comparison (a wrong matricule key is reported, never silently ignored)."""
    if query.matricule:
        parse_matricule_query(query.matricule)
    if query.birth_date:
        parse_search_date(query.birth_date)
    return [i for i in identities if matches(i, query)]


def search_by_birth_date(
    identities: Iterable[_I],
    birth_date: str,
    *,
    name_prefix: str | None = None,
    first_name_prefix: str | None = None,
) -> list[_I]:
    """W1-INS-01: every identity born that day, optionally narrowed by the first letters of the
    (birth or used) name and of any first name."""
    return search(
        identities, IdentityQuery(name=name_prefix, first_name=first_name_prefix, birth_date=birth_date)
    )


def search_by_matricule(identities: Iterable[_I], text: str) -> list[_I]:
    """W1-INS-08: full matricule with its key; a wrong key raises IdentityRuleError (French)."""
    return search(identities, IdentityQuery(matricule=text))
