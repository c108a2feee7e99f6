"""Steps: the LGO's INS journals (accesses, INSi calls), status history and audit trail of identities.
Thin: the logic is in bench.steps_lib.ins_journals."""

from __future__ import annotations

from typing import Any

from behave import register_type, step

from bench.steps_lib import ins, ins_journals

register_type(**ins.STEP_TYPES)


@step(
    "le journal des appels INSi du LGO montre pour le patient « {ref:Q} » un appel de « {login:Q} » "
    "avec le certificat « {credential:Q} » et le code retour « {code:Q} »"
)
def insi_call(context: Any, ref: str, login: str, credential: str, code: str) -> None:
    ins_journals.check_insi_call(context.bench, ref, login, credential=credential, code=code)


@step(
    "le journal des appels INSi du LGO garde pour le patient « {ref:Q} » l'INS et l'historique renvoyés "
    "pour la personne « {person:Q} »"
)
def insi_call_data(context: Any, ref: str, person: str) -> None:
    ins_journals.check_keeps_returned_data(context.bench, ref, person)


@step("le journal des appels INSi du LGO garde l'appel en échec du patient « {ref:Q} »")
def insi_call_failed(context: Any, ref: str) -> None:
    ins_journals.check_failed_call(context.bench, ref)


@step("chaque appel reçu par INSi figure au journal des appels INSi du LGO pour le patient « {ref:Q} »")
def insi_calls_match(context: Any, ref: str) -> None:
    ins_journals.check_matches_bench(context.bench, ref)


@step(
    "le journal des appels INSi du LGO montre la vérification « {result:Q} » du patient « {ref:Q} » par « {login:Q} »"
)
def insi_verification(context: Any, result: str, ref: str, login: str) -> None:
    ins_journals.check_verification_call(context.bench, ref, login, result)


@step("le journal des accès INS du LGO montre un accès de « {login:Q} » au patient « {ref:Q} »")
def ins_access(context: Any, login: str, ref: str) -> None:
    ins_journals.check_ins_access(context.bench, ref, login)


@step("l'historique des statuts du patient « {ref:Q} » montre, dans l'ordre :")
def history(context: Any, ref: str) -> None:
    rows = [(row["ancien"], row["nouveau"], row["auteur"]) for row in context.table.rows]
    ins_journals.check_history(context.bench, ref, rows)


@step("le statut du patient « {ref:Q} » est abaissé depuis « {before:Q} » par « {login:Q} »")
def downgraded(context: Any, ref: str, before: str, login: str) -> None:
    ins_journals.check_downgraded(context.bench, ref, before, login)


@step("l'historique des statuts du patient « {ref:Q} » garde le motif « {reason:Q} »")
def history_reason(context: Any, ref: str, reason: str) -> None:
    ins_journals.check_history_reason(context.bench, ref, reason)


@step(
    "la piste d'audit montre la modification du patient « {ref:Q} » par « {login:Q} » avec la valeur « {value:Q} »"
)
def audit_change(context: Any, ref: str, login: str, value: str) -> None:
    ins_journals.check_audit_change(context.bench, ref, login, value)


@step("la piste d'audit montre la consultation du patient « {ref:Q} » par « {login:Q} »")
def audit_read(context: Any, ref: str, login: str) -> None:
    ins_journals.check_audit_read(context.bench, ref, login)
