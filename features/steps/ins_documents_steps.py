"""Steps: documents of an identity — the printed identity sheet and its partner traces (W1-INS-23),
copies of ID documents kept encrypted and purged (W1-INS-24, conditional), the LGO's clock. Thin:
the logic is in bench.steps_lib.ins_sheet, ins_copies and ins_part2."""

from __future__ import annotations

from typing import Any

from behave import given, register_type, step

from bench.steps_lib import ins, ins_copies, ins_part2, ins_sheet

register_type(**ins.STEP_TYPES)


# --- identity sheet and partners (W1-INS-23) ---------------------------------------------------------


@step("le compte « {login:Q} » crée l'identité de la personne « {person:Q} » avec le téléphone « {phone:Q} »")
def create_with_phone(context: Any, login: str, person: str, phone: str) -> None:
    ins_sheet.create_with_phone(context.bench, login, person, phone)


@step("le compte « {login:Q} » choisit d'imprimer sur les fiches les traits complémentaires « {labels:Q} »")
def sheet_extra_traits(context: Any, login: str, labels: str) -> None:
    ins_sheet.set_extra_traits(context.bench, login, labels)


@step(
    "le compte « {login:Q} » imprime la fiche d'identité du patient « {ref:Q} » pour le destinataire "
    "« {kind:Q} » « {name:Q} »"
)
def sheet_print(context: Any, login: str, ref: str, kind: str, name: str) -> None:
    ins_sheet.print_sheet(context.bench, login, ref, kind, name)


@step("la fiche d'identité du patient « {ref:Q} » imprime ses traits minimaux")
def sheet_minimal(context: Any, ref: str) -> None:
    ins_sheet.check_minimal_traits(context.bench, ref)


@step("la fiche d'identité du patient « {ref:Q} » porte le DataMatrix INS de la personne « {person:Q} »")
def sheet_datamatrix(context: Any, ref: str, person: str) -> None:
    ins_sheet.check_qualified_sheet(context.bench, ref, person)


@step("la fiche d'identité du patient « {ref:Q} » ne porte ni DataMatrix INS ni matricule")
def sheet_no_ins(context: Any, ref: str) -> None:
    ins_sheet.check_unqualified_sheet(context.bench, ref)


@step("la fiche d'identité du patient « {ref:Q} » imprime « {value:Q} »")
def sheet_prints(context: Any, ref: str, value: str) -> None:
    ins_sheet.check_prints(context.bench, ref, value, True)


@step("la fiche d'identité du patient « {ref:Q} » n'imprime pas « {value:Q} »")
def sheet_omits(context: Any, ref: str, value: str) -> None:
    ins_sheet.check_prints(context.bench, ref, value, False)


@step(
    "les partenaires du patient « {ref:Q} » comprennent la fiche imprimée par « {login:Q} » pour le destinataire "
    "« {kind:Q} » « {name:Q} », avec l'INS"
)
def partner_with_ins(context: Any, ref: str, login: str, kind: str, name: str) -> None:
    ins_sheet.check_partner(context.bench, ref, login, kind, name, True)


@step(
    "les partenaires du patient « {ref:Q} » comprennent la fiche imprimée par « {login:Q} » pour le destinataire "
    "« {kind:Q} » « {name:Q} », sans l'INS"
)
def partner_without_ins(context: Any, ref: str, login: str, kind: str, name: str) -> None:
    ins_sheet.check_partner(context.bench, ref, login, kind, name, False)


# --- copies of ID documents (W1-INS-24, conditional) -------------------------------------------------


@given("l'officine conserve des copies des pièces d'identité (exigence conditionnelle)")
def copies_offered(context: Any) -> None:
    if not ins_copies.offered(context.bench):
        context.scenario.skip(
            reason="Exigence conditionnelle non applicable : le LGO ne conserve pas de copie de pièce d'identité "
            "(GET /driver/v1/settings/id-document-retention inconnu)"
        )


@step("les copies de pièces d'identité sont conservées {years:d} ans après la dernière activité du patient")
def copies_retention(context: Any, years: int) -> None:
    ins_copies.check_retention(context.bench, years)


@step("le compte « {login:Q} » dépose la copie de la pièce « {kind:Q} » du patient « {ref:Q} »")
def copy_upload(context: Any, login: str, kind: str, ref: str) -> None:
    ins_copies.upload(context.bench, login, ref, kind)


@step("la copie est stockée chiffrée : les octets conservés ne sont pas ceux du fichier déposé")
def copy_encrypted(context: Any) -> None:
    ins_copies.check_stored_encrypted(context.bench)


@step("la copie sera supprimée {years:d} ans après la dernière activité du patient")
def copy_purge_date(context: Any, years: int) -> None:
    ins_copies.check_purge_date(context.bench, years)


@step("la copie relue par le compte « {login:Q} » est identique au fichier déposé")
def copy_read(context: Any, login: str) -> None:
    ins_copies.check_readable(context.bench, login)


@step("l'horloge du LGO avance de {span}")
def clock_forward(context: Any, span: str) -> None:
    ins_part2.advance_clock(context.bench, span)


@step("le banc déclenche la purge des copies de pièces d'identité")
def copies_purge(context: Any) -> None:
    ins_copies.purge(context.bench)


@step("la copie n'est plus lisible dans le LGO")
def copy_purged(context: Any) -> None:
    ins_copies.check_purged(context.bench)


@step("la copie est toujours conservée dans le LGO")
def copy_kept(context: Any) -> None:
    ins_copies.check_kept(context.bench)
