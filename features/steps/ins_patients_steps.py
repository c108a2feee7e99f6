"""Steps: INS identities in the LGO — creation, local search, traits, attributes, evidence, display
and transmission. Thin: the logic is in bench.steps_lib.ins and ins_patients."""

from __future__ import annotations

from typing import Any

from behave import register_type, step

from bench.steps_lib import ins, ins_patients

register_type(**ins.STEP_TYPES)


def _table(context: Any) -> list[tuple[str, str]]:
    """A table « | champ | valeur | »: one trait per row."""
    return [(row[0], row[1]) for row in context.table.rows]


# --- creation ----------------------------------------------------------------------------------------


@step("le compte « {login:Q} » crée l'identité de la personne « {person:Q} »")
def create_person(context: Any, login: str, person: str) -> None:
    ins_patients.create_person(context.bench, login, person)


@step(
    "le compte « {login:Q} » crée l'identité de la personne « {person:Q} » avec les cinq traits stricts seulement"
)
def create_five(context: Any, login: str, person: str) -> None:
    ins_patients.create_person(context.bench, login, person, five_only=True)


@step("le compte « {login:Q} » crée l'identité « {ref:Q} » suivante :")
def create_table(context: Any, login: str, ref: str) -> None:
    ins_patients.create(context.bench, login, ref, ins_patients.table_body(_table(context)))


@step(
    "le compte « {login:Q} » tente de créer l'identité de la personne « {person:Q} » sans le trait « {trait:Q} »"
)
def create_without(context: Any, login: str, person: str, trait: str) -> None:
    ins_patients.attempt_without(context.bench, login, person, trait)


@step("le LGO refuse la création faute du trait « {trait:Q} »")
def refused_missing(context: Any, trait: str) -> None:
    ins_patients.check_missing(context.bench, trait)


@step("l'identité « {ref:Q} » est créée au statut « {status:Q} »")
def created(context: Any, ref: str, status: str) -> None:
    ins_patients.check_created(context.bench, ref, status)


# --- local search ------------------------------------------------------------------------------------


@step("le compte « {login:Q} » recherche les patients nés le « {date:Q} »")
def search_date(context: Any, login: str, date: str) -> None:
    ins_patients.search_by_date(context.bench, login, date)


@step(
    "le compte « {login:Q} » recherche les patients nés le « {date:Q} » dont le nom commence par « {name:Q} »"
)
def search_date_name(context: Any, login: str, date: str, name: str) -> None:
    ins_patients.search_by_date(context.bench, login, date, name_prefix=name)


@step(
    "le compte « {login:Q} » recherche les patients nés le « {date:Q} » dont le prénom commence par « {first:Q} »"
)
def search_date_first(context: Any, login: str, date: str, first: str) -> None:
    ins_patients.search_by_date(context.bench, login, date, first_name_prefix=first)


@step(
    "le compte « {login:Q} » recherche les patients nés le « {date:Q} » dont le nom commence par « {name:Q} » "
    "et le prénom par « {first:Q} »"
)
def search_date_both(context: Any, login: str, date: str, name: str, first: str) -> None:
    ins_patients.search_by_date(context.bench, login, date, name_prefix=name, first_name_prefix=first)


@step("le compte « {login:Q} » recherche le patient de matricule INS « {matricule:Q} »")
def search_matricule(context: Any, login: str, matricule: str) -> None:
    ins_patients.search(context.bench, login, {"matricule": matricule}, f"matricule {matricule}")


@step("le compte « {login:Q} » recherche les patients avec la saisie « {text:Q} »")
def search_text(context: Any, login: str, text: str) -> None:
    ins_patients.search(context.bench, login, {"q": text}, f"saisie « {text} »")


@step("les patients trouvés sont exactement :")
def found_exactly(context: Any) -> None:
    ins_patients.check_found_exactly(context.bench, [row[0] for row in context.table.rows])


@step("les patients trouvés comprennent « {ref:Q} »")
def found_includes(context: Any, ref: str) -> None:
    ins_patients.check_found_includes(context.bench, ref)


@step("aucun patient n'est trouvé")
def found_none(context: Any) -> None:
    ins_patients.check_found_none(context.bench)


# --- an identity as the LGO shows it -----------------------------------------------------------------


@step("le patient « {ref:Q} » est au statut « {status:Q} »")
def status_is(context: Any, ref: str, status: str) -> None:
    ins.check_status(context.bench, ref, status)


@step("le patient « {ref:Q} » porte l'INS de la personne « {person:Q} »")
def ins_is(context: Any, ref: str, person: str) -> None:
    ins.check_ins_of_person(context.bench, ref, person)


@step("le patient « {ref:Q} » n'a pas d'INS")
def no_ins(context: Any, ref: str) -> None:
    ins.check_no_ins(context.bench, ref)


@step("les traits stricts du patient « {ref:Q} » sont ceux renvoyés par INSi pour la personne « {person:Q} »")
def traits_from_insi(context: Any, ref: str, person: str) -> None:
    ins.check_traits_of_person(context.bench, ref, person)


@step("les traits stricts du patient « {ref:Q} » sont verrouillés")
def locked(context: Any, ref: str) -> None:
    ins.check_locked(context.bench, ref, True)


@step("aucun trait du patient « {ref:Q} » n'est verrouillé")
def not_locked(context: Any, ref: str) -> None:
    ins.check_locked(context.bench, ref, False)


@step("le dossier du patient « {ref:Q} » est inchangé")
def unchanged(context: Any, ref: str) -> None:
    ins.check_unchanged(context.bench, ref)


@step("le trait « {trait:Q} » du patient « {ref:Q} » vaut « {value:Q} »")
def trait_value(context: Any, trait: str, ref: str, value: str) -> None:
    ins_patients.check_trait_value(context.bench, ref, trait, value)


# --- changes, attributes, evidence -------------------------------------------------------------------


@step("le compte « {login:Q} » modifie le trait « {trait:Q} » du patient « {ref:Q} » en « {value:Q} »")
def change(context: Any, login: str, trait: str, ref: str, value: str) -> None:
    ins_patients.change_trait(context.bench, login, ref, trait, value, None)


@step(
    "le compte « {login:Q} » modifie le trait « {trait:Q} » du patient « {ref:Q} » en « {value:Q} » "
    "avec le motif « {reason:Q} »"
)
def change_with_reason(context: Any, login: str, trait: str, ref: str, value: str, reason: str) -> None:
    ins_patients.change_trait(context.bench, login, ref, trait, value, reason)


@step("le compte « {login:Q} » signale l'identité du patient « {ref:Q} » comme « {flag:Q} »")
def flag_on(context: Any, login: str, ref: str, flag: str) -> None:
    ins_patients.set_flag(context.bench, login, ref, flag, True)


@step("le compte « {login:Q} » retire l'attribut « {flag:Q} » du patient « {ref:Q} »")
def flag_off(context: Any, login: str, flag: str, ref: str) -> None:
    ins_patients.set_flag(context.bench, login, ref, flag, False)


@step("le patient « {ref:Q} » porte l'attribut « {flag:Q} »")
def has_flag(context: Any, ref: str, flag: str) -> None:
    ins_patients.check_flag(context.bench, ref, flag)


@step("le compte « {login:Q} » enregistre pour le patient « {ref:Q} » le justificatif « {kind:Q} » contrôlé")
def evidence(context: Any, login: str, ref: str, kind: str) -> None:
    ins_patients.add_evidence(context.bench, login, ref, kind)


# --- display, transmission, outcome of the last action -----------------------------------------------


@step("le compte « {login:Q} » choisit d'afficher les traits « {labels:Q} »")
def displayed_set(context: Any, login: str, labels: str) -> None:
    ins_patients.set_displayed(context.bench, login, labels)


@step("le compte « {login:Q} » choisit de n'afficher aucun trait facultatif")
def displayed_none(context: Any, login: str) -> None:
    ins_patients.set_displayed(context.bench, login, "")


@step("le dossier du patient « {ref:Q} » affiche les traits principaux")
def displayed_core(context: Any, ref: str) -> None:
    ins_patients.check_core_displayed(context.bench, ref)


@step("le dossier du patient « {ref:Q} » affiche les traits « {labels:Q} »")
def displayed_yes(context: Any, ref: str, labels: str) -> None:
    ins_patients.check_displayed(context.bench, ref, labels, True)


@step("le dossier du patient « {ref:Q} » n'affiche pas les traits « {labels:Q} »")
def displayed_no(context: Any, ref: str, labels: str) -> None:
    ins_patients.check_displayed(context.bench, ref, labels, False)


@step("le LGO transmettrait pour le patient « {ref:Q} » l'INS de la personne « {person:Q} »")
def transmits_ins(context: Any, ref: str, person: str) -> None:
    ins_patients.check_transmits_ins(context.bench, ref, person)


@step("le LGO ne transmettrait pour le patient « {ref:Q} » que ses traits, sans matricule INS")
def transmits_traits(context: Any, ref: str) -> None:
    ins_patients.check_transmits_traits_only(context.bench, ref)


@step("le LGO accepte l'action")
def accepted(context: Any) -> None:
    ins.require_ok(ins.last(context.bench))


@step("le LGO refuse avec le statut {status:d} et le code « {code:Q} »")
def refused(context: Any, status: int, code: str) -> None:
    ins.check_refused(context.bench, status, code)


@step("le LGO explique son refus par un message clair")
def clear_message(context: Any) -> None:
    ins.check_clear_message(context.bench)


@step("le message du LGO mentionne « {text:Q} »")
def message_mentions(context: Any, text: str) -> None:
    ins.check_detail_mentions(context.bench, text)


@step("une capture de l'écran patient « {screen:Q} » de « {ref:Q} » est jointe au rapport")
def capture(context: Any, screen: str, ref: str) -> None:
    ins.capture_patient(context.bench, screen, ref)


@step("une capture de la recherche de patients est jointe au rapport")
def capture_search(context: Any) -> None:
    ins.capture_search(context.bench)
