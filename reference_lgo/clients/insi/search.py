"""The traits-search algorithm of spec digest §1.8 and the verification verdict, written over a
"make one call" function so they can be tested without a network.

1. One call per birth first name, in order, stopping at the first answer whose CR is not 01; when
   there are several first names and all gave 01, a last call with the whole list.
2. On 02: add the other first names (the whole list), then the birth place (COG) if known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from protocols.identifiers import IdentifierError, ins_oid_kind
from reference_lgo.clients.insi.exchange import InsiExchange
from reference_lgo.clients.insi.messages import TraitsQuery, VitaleQuery
from reference_lgo.clients.insi.results import InsiIdentity, InsiResult
from reference_lgo.domain.identity_traits import StrictTraits, fold, split_first_names


@dataclass(frozen=True)
class SearchOutcome:
    """The final answer of a search and every exchange it took (journal them all)."""

    result: InsiResult
    exchanges: tuple[InsiExchange, ...]
    queries: tuple[TraitsQuery | VitaleQuery, ...]

    @property
    def code(self) -> str:
        return self.result.code

    @property
    def found(self) -> bool:
        return self.result.found

    @property
    def identity(self) -> InsiIdentity | None:
        return self.result.identity


def run_traits_search(traits: StrictTraits, call: Callable[[TraitsQuery], InsiResult]) -> InsiResult:
    """`traits` must already be in INS form (StrictTraits.in_ins_form). Returns the final answer."""
    names = split_first_names(traits.first_names)
    full = " ".join(names)

    def ask(prenom: str, cog: str | None = None) -> InsiResult:
        return call(TraitsQuery(traits.birth_name, (prenom,), traits.sex, traits.birth_date, cog))

    prenom = names[0]
    result = ask(prenom)
    for name in names[1:]:
        if result.code != "01":
            break
        prenom, result = name, ask(name)
    if result.code == "01" and len(names) > 1:
        prenom, result = full, ask(full)
    if result.code == "02" and prenom != full:
        with_all = ask(full)
        if with_all.code != "01":  # 00, or still 02 with every first name: go on from the full list
            prenom, result = full, with_all
    if result.code == "02" and traits.birth_place:
        result = ask(prenom, traits.birth_place)
    return result


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # conforme | ins_historique | ins_different | oid_different | non_trouvee | plusieurs | traits_differents
    message: str


def verification_verdict(result: InsiResult, *, matricule: str, oid: str, traits: StrictTraits) -> Verdict:
    """Compares a traits search with the INS and traits the LGO holds (W1-INS-20)."""
    if result.code == "01":
        return Verdict(
            False, "non_trouvee", "Vérification INSi en échec : aucune identité trouvée avec ces traits."
        )
    if not result.found or result.identity is None:
        return Verdict(
            False,
            "plusieurs",
            f"Vérification INSi en échec : pas d'identité unique (CR {result.code} {result.label}).",
        )
    identity = result.identity
    if identity.matricule != matricule:
        if any(h.matricule == matricule for h in identity.history):
            return Verdict(
                False,
                "ins_historique",
                f"Vérification INSi en échec : le matricule détenu ({matricule}) est un INS historique ; "
                f"l'INS actif est {identity.matricule}.",
            )
        return Verdict(
            False,
            "ins_different",
            f"Vérification INSi en échec : INSi renvoie le matricule {identity.matricule}, "
            f"différent du matricule détenu ({matricule}).",
        )
    try:
        same_kind = ins_oid_kind(identity.oid) == ins_oid_kind(oid)
    except IdentifierError:
        same_kind = False
    if not same_kind:
        return Verdict(
            False,
            "oid_different",
            f"Vérification INSi en échec : OID renvoyé {identity.oid}, OID détenu {oid}.",
        )
    differences = _trait_differences(traits, identity.traits)
    if differences:
        return Verdict(
            False,
            "traits_differents",
            "Vérification INSi en échec : traits différents (" + ", ".join(differences) + ").",
        )
    return Verdict(
        True, "conforme", "Vérification INSi conforme : l'INS et les traits détenus sont confirmés."
    )


def _trait_differences(held: StrictTraits, returned: StrictTraits) -> list[str]:
    out = []
    if fold(held.birth_name) != fold(returned.birth_name):
        out.append("nom de naissance")
    if [fold(f) for f in split_first_names(held.first_names)] != [
        fold(f) for f in split_first_names(returned.first_names)
    ]:
        out.append("prénoms de naissance")
    if held.sex.upper() != returned.sex.upper():
        out.append("sexe")
    if held.birth_date != returned.birth_date:
        out.append("date de naissance")
    if held.birth_place and held.birth_place.upper() != (returned.birth_place or "").upper():
        out.append("lieu de naissance")
    return out
