"""Steps: INSi interrogated by the bench, and what the journal kept of it."""

from __future__ import annotations

from typing import Any

from behave import step, then

from bench.steps_lib import insi


@step("le banc interroge INSi sur les traits de la personne « {person_id} »")
def search_traits(context: Any, person_id: str) -> None:
    insi.probe(context.bench, person_id)


@then("INSi répond avec le code retour « {code} »")
def answer_code(context: Any, code: str) -> None:
    insi.check_code(context.bench, code)


@then("INSi répond par une faute SOAP « {code} » de sous-code « {subcode} »")
def answer_fault(context: Any, code: str, subcode: str) -> None:
    insi.check_fault(context.bench, code, subcode)


@then("le journal du scénario contient l'échange INSi « {operation} » au statut {status:d}")
def journal_status(context: Any, operation: str, status: int) -> None:
    insi.check_journal_status(context.bench, operation, status)


@then(
    "le journal du scénario montre la faute SOAP de sous-code « {subcode} » pour l'opération INSi « {operation} »"
)
def journal_fault(context: Any, subcode: str, operation: str) -> None:
    insi.check_journal_fault(context.bench, operation, subcode)
