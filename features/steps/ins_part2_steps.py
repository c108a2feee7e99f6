"""Steps: INS rows of issue 8 — identity evidence (W1-INS-13), identities from another identification
domain (W1-INS-21), CPx mode of INSi (W1-INS-22) and bulk verification (W1-INS-25). Thin: the logic
is in bench.steps_lib.ins_justificatifs, ins_domains, ins_cpx and ins_bulk."""

from __future__ import annotations

from typing import Any

from behave import given, register_type, step

from bench.steps_lib import ins, ins_bulk, ins_cpx, ins_domains, ins_justificatifs

register_type(**ins.STEP_TYPES)

NOT_APPLICABLE = "Exigence conditionnelle non applicable : "


# --- identity evidence (W1-INS-13) -------------------------------------------------------------------


@step("la liste des justificatifs d'identité du LGO comprend :")
def evidence_listed(context: Any) -> None:
    rows = [(row["justificatif"], row["confiance"]) for row in context.table.rows]
    ins_justificatifs.check_listed(context.bench, rows)


@step(
    "le compte « {login:Q} » ajoute à la liste le justificatif « {code:Q} » (« {label:Q} ») "
    "de confiance « {trust:Q} »"
)
def evidence_added(context: Any, login: str, code: str, label: str, trust: str) -> None:
    ins_justificatifs.add_type(context.bench, login, code, label, trust)


@step("le compte « {login:Q} » retire de la liste le justificatif « {code:Q} »")
def evidence_withdrawn(context: Any, login: str, code: str) -> None:
    ins_justificatifs.withdraw_type(context.bench, login, code)


@step(
    "le compte « {login:Q} » enregistre pour le patient « {ref:Q} » le justificatif « {kind:Q} » non contrôlé"
)
def evidence_unchecked(context: Any, login: str, ref: str, kind: str) -> None:
    ins.require_ok(ins_justificatifs.record(context.bench, login, ref, kind, checked=False))


@step(
    "le compte « {login:Q} » tente d'enregistrer pour le patient « {ref:Q} » le justificatif « {kind:Q} » contrôlé"
)
def evidence_attempt(context: Any, login: str, ref: str, kind: str) -> None:
    ins_justificatifs.record(context.bench, login, ref, kind, checked=True)


@step(
    "le dossier du patient « {ref:Q} » montre le justificatif « {kind:Q} » de confiance « {trust:Q} » "
    "contrôlé par « {login:Q} »"
)
def evidence_shown(context: Any, ref: str, kind: str, trust: str, login: str) -> None:
    ins_justificatifs.check_recorded(context.bench, ref, kind, trust, login)


@step("la validation automatique des justificatifs est désactivée")
def auto_validation_off(context: Any) -> None:
    ins_justificatifs.check_auto_validation_off(context.bench)


@step("le compte « {login:Q} » désactive la validation automatique des justificatifs")
def auto_validation_switch_off(context: Any, login: str) -> None:
    ins_justificatifs.set_auto_validation(context.bench, login, False)


# --- another identification domain (W1-INS-21, conditional) ------------------------------------------


@given("le LGO intègre des identités venues d'un autre domaine (exigence conditionnelle)")
def domain_import_offered(context: Any) -> None:
    if not ins_domains.offered(context.bench):
        context.scenario.skip(
            reason=NOT_APPLICABLE + "le LGO n'offre pas l'intégration d'identités venues d'un autre domaine "
            "(POST /driver/v1/patients/import-ins inconnu)"
        )


@step("le compte « {login:Q} » intègre l'identité lue sur le DataMatrix INS de la personne « {person:Q} »")
def import_datamatrix(context: Any, login: str, person: str) -> None:
    text = ins_domains.datamatrix_text(context.bench, person)
    ins_domains.import_datamatrix(context.bench, login, text, f"le DataMatrix INS de « {person} »")


@step(
    "le compte « {login:Q} » intègre l'identité lue sur le DataMatrix INS de la personne « {person:Q} » "
    "dont la clé du matricule est fausse"
)
def import_datamatrix_wrong_key(context: Any, login: str, person: str) -> None:
    text = ins_domains.datamatrix_text(context.bench, person, wrong_key=True)
    ins_domains.import_datamatrix(context.bench, login, text, f"un DataMatrix INS mal lu de « {person} »")


@step(
    "le compte « {login:Q} » intègre l'identité lue sur un DataMatrix INS aux traits de la personne « {person:Q} » "
    "et au matricule de la personne « {other:Q} »"
)
def import_datamatrix_mixed(context: Any, login: str, person: str, other: str) -> None:
    text = ins_domains.datamatrix_text(context.bench, person, matricule_of=other)
    ins_domains.import_datamatrix(
        context.bench, login, text, f"un DataMatrix INS mêlant « {person} » et le matricule de « {other} »"
    )


@step(
    "le compte « {login:Q} » intègre l'INS et les traits de la personne « {person:Q} » reçus d'un établissement"
)
def import_document(context: Any, login: str, person: str) -> None:
    ins_domains.import_document(context.bench, login, person)


@step("l'identité « {ref:Q} » est intégrée au statut « {status:Q} »")
def integrated(context: Any, ref: str, status: str) -> None:
    ins_domains.check_integrated(context.bench, ref, status)


@step("le LGO n'intègre pas l'identité et dit pourquoi")
def not_integrated(context: Any) -> None:
    ins_domains.check_not_integrated(context.bench)


@step("aucune identité de la personne « {person:Q} » n'est enregistrée dans le LGO")
def nothing_stored(context: Any, person: str) -> None:
    ins_domains.check_nothing_stored(context.bench, person)


@step("INSi a reçu un appel avec le certificat « {credential:Q} »")
def bench_called(context: Any, credential: str) -> None:
    ins_domains.check_bench_called(context.bench, credential)


@step(
    "le journal des appels INSi du LGO montre la revérification « {result:Q} » avec le certificat INSI-AUTO "
    "pour le patient « {ref:Q} »"
)
def lgo_reverification(context: Any, result: str, ref: str) -> None:
    ins_domains.check_lgo_verification(context.bench, result, ref)


@step("le journal des appels INSi du LGO garde la revérification « {result:Q} » avec le certificat INSI-AUTO")
def lgo_reverification_kept(context: Any, result: str) -> None:
    ins_domains.check_lgo_verification(context.bench, result)


# --- CPx mode (W1-INS-22) ------------------------------------------------------------------------------


@step(
    "le compte « {login:Q} » recherche l'INS du patient « {ref:Q} » auprès d'INSi par ses traits en mode CPx"
)
def cpx_search(context: Any, login: str, ref: str) -> None:
    ins_cpx.search(context.bench, login, ref)


@step("le compte « {login:Q} » vérifie l'INS du patient « {ref:Q} » auprès d'INSi en mode CPx")
def cpx_verify(context: Any, login: str, ref: str) -> None:
    ins_cpx.verify(context.bench, login, ref)


@step("la carte CPS est retirée du lecteur")
def cps_removed(context: Any) -> None:
    ins_cpx.remove_card(context.bench)


@step(
    "le journal INSi du banc montre une recherche par les traits en mode CPx au nom de « {login:Q} » "
    "avec le code retour « {code:Q} »"
)
def cpx_bench_search(context: Any, login: str, code: str) -> None:
    ins_cpx.check_bench_cpx(context.bench, "par les traits", login, code)


@step("le journal INSi du banc montre une vérification en mode CPx au nom de « {login:Q} »")
def cpx_bench_verification(context: Any, login: str) -> None:
    ins_cpx.check_bench_cpx(context.bench, "de vérification", login)


@step("la carte CPS a signé pendant l'appel à INSi")
def cpx_card_signed(context: Any) -> None:
    ins_cpx.check_card_signed(context.bench)


@step("le simulateur INSi ne relève aucune erreur sur les échanges en mode CPx")
def cpx_no_error(context: Any) -> None:
    ins_cpx.check_no_error_finding(context.bench)


@step("le LGO refuse le mode CPx faute de carte CPS dans la session")
def cpx_refused(context: Any) -> None:
    ins_cpx.check_refused_without_card(context.bench)


# --- bulk verification (W1-INS-25) ---------------------------------------------------------------------


@step("le compte « {login:Q} » lance la vérification en masse des INS enregistrés")
def bulk_run(context: Any, login: str) -> None:
    ins_bulk.run(context.bench, login)


@step("le rapport de vérification en masse compte {checked:d} identités vérifiées, {ok:d} OK et {ko:d} KO")
def bulk_counts(context: Any, checked: int, ok: int, ko: int) -> None:
    ins_bulk.check_counts(context.bench, checked, ok, ko)


@step("le rapport de vérification en masse cite comme abaissées les identités :")
def bulk_downgraded(context: Any) -> None:
    ins_bulk.check_downgraded(context.bench, [row["patient"] for row in context.table.rows])


@step("le rapport de vérification en masse ne cite aucune identité abaissée")
def bulk_none_downgraded(context: Any) -> None:
    ins_bulk.check_downgraded(context.bench, [])


@step("le rapport de vérification en masse signale les erreurs d'INSi")
def bulk_errors(context: Any) -> None:
    ins_bulk.check_errors_reported(context.bench)


@step("INSi a reçu la vérification des INS des patients {refs} avec le certificat « {credential:Q} »")
def bulk_bench(context: Any, refs: str, credential: str) -> None:
    ins_bulk.check_verified_by_insi(context.bench, ins.quoted_list(refs), credential)


@step(
    "le journal des appels INSi du LGO montre pour le patient « {ref:Q} » la vérification « {result:Q} » "
    "avec le certificat « {credential:Q} »"
)
def bulk_lgo_journal(context: Any, ref: str, result: str, credential: str) -> None:
    ins_bulk.check_lgo_journal(context.bench, ref, result, credential)
