"""Steps: the LGO and INSi — searches by traits and by carte Vitale, reprise of the returned identity,
verification, and the INSi simulator's journal. Thin: the logic is in bench.steps_lib.ins_insi."""

from __future__ import annotations

from typing import Any

import parse
from behave import given, register_type, step

from bench.steps_lib import ins, ins_insi

register_type(**ins.STEP_TYPES)


@parse.with_pattern("|".join(ins_insi.KINDS))
def _kind(text: str) -> str:
    return text


register_type(Kind=_kind)


# --- actions -----------------------------------------------------------------------------------------


@step("le compte « {login:Q} » recherche l'INS du patient « {ref:Q} » auprès d'INSi par ses traits")
def search_traits(context: Any, login: str, ref: str) -> None:
    ins_insi.search_traits(context.bench, login, ref)


@given("la carte Vitale « {card:Q} » dans le lecteur Vitale")
def vitale_inserted(context: Any, card: str) -> None:
    ins_insi.insert_vitale(context.bench, card)


@step(
    "le compte « {login:Q} » recherche l'INS du patient « {ref:Q} » avec la carte Vitale, "
    "bénéficiaire « {person:Q} »"
)
def search_vitale(context: Any, login: str, ref: str, person: str) -> None:
    ins_insi.search_vitale(context.bench, login, ref, person)


@step("le compte « {login:Q} » intègre l'identité renvoyée par INSi au dossier du patient « {ref:Q} »")
def accept(context: Any, login: str, ref: str) -> None:
    ins_insi.accept(context.bench, login, ref)


@step("le compte « {login:Q} » vérifie l'INS du patient « {ref:Q} » auprès d'INSi")
def verify(context: Any, login: str, ref: str) -> None:
    ins_insi.verify(context.bench, login, ref)


@step("le compte « {login:Q} » vérifie l'INS du patient « {ref:Q} » auprès d'INSi en mode automatique")
def verify_auto(context: Any, login: str, ref: str) -> None:
    ins_insi.verify(context.bench, login, ref, "auto")


# --- the LGO's answers -------------------------------------------------------------------------------


@step("la recherche INSi aboutit au code retour « {code:Q} »")
def code(context: Any, code: str) -> None:
    ins_insi.check_code(context.bench, code)


@step("INSi renvoie l'INS et les traits de la personne « {person:Q} »")
def candidate(context: Any, person: str) -> None:
    ins_insi.check_candidate_person(context.bench, person)


@step("INSi renvoie aussi l'ancien matricule « {matricule:Q} »")
def candidate_history(context: Any, matricule: str) -> None:
    ins_insi.check_candidate_history(context.bench, matricule)


@step("le LGO propose d'intégrer l'identité renvoyée")
def coherent(context: Any) -> None:
    ins_insi.check_coherence(context.bench, None)


@step("le LGO signale que l'identité renvoyée ne peut pas être reprise (« {refusal:Q} »)")
def incoherent(context: Any, refusal: str) -> None:
    ins_insi.check_coherence(context.bench, refusal)


@step("le LGO refuse l'intégration (« {refusal:Q} »)")
def reprise_refused(context: Any, refusal: str) -> None:
    ins_insi.check_reprise_refused(context.bench, refusal)


@step("le LGO signale l'erreur INSi « {code:Q} » par un message clair")
def insi_refused(context: Any, code: str) -> None:
    ins_insi.check_insi_refused(context.bench, code)


@step("la vérification INSi est « {result:Q} » sans changer le statut")
def verification_kept(context: Any, result: str) -> None:
    ins_insi.check_verification(context.bench, result, downgraded=False)


@step("la vérification INSi est « {result:Q} » et le statut est abaissé")
def verification_downgraded(context: Any, result: str) -> None:
    ins_insi.check_verification(context.bench, result, downgraded=True)


# --- the INSi simulator ------------------------------------------------------------------------------


@step(
    "le journal INSi du banc montre une recherche {kind:Kind} avec le certificat « {credential:Q} » "
    "et le code retour « {code:Q} »"
)
def bench_search(context: Any, kind: str, credential: str, code: str) -> None:
    ins_insi.check_bench_exchange(context.bench, kind, credential=credential, code=code)


@step("le journal INSi du banc montre la vérification de l'INS « {matricule:Q} »")
def bench_verification(context: Any, matricule: str) -> None:
    ins_insi.check_bench_exchange(context.bench, "de vérification", ins_value=matricule)


@step(
    "le journal INSi du banc montre la vérification de l'INS « {matricule:Q} » avec le certificat « {credential:Q} »"
)
def bench_verification_credential(context: Any, matricule: str, credential: str) -> None:
    ins_insi.check_bench_exchange(
        context.bench, "de vérification", credential=credential, ins_value=matricule
    )


@step("le journal INSi du banc montre une requête avec le lieu de naissance « {cog:Q} »")
def bench_birth_place(context: Any, cog: str) -> None:
    ins_insi.check_request_birth_place(context.bench, cog)


@step("INSi n'a reçu aucun appel")
def bench_nothing(context: Any) -> None:
    ins_insi.check_no_bench_exchange(context.bench)


@given("INSi ne connaît plus la personne « {person:Q} »")
def insi_forgets(context: Any, person: str) -> None:
    ins_insi.forget_person(context.bench, person)


@step("la panne INSi est levée")
def lift(context: Any) -> None:
    ins_insi.lift_faults(context.bench)
