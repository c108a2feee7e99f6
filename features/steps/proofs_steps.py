"""Steps: evidence presence for requirements proven by a homologation or an attestation (CONVENTIONS
"REM catalogue"). Thin: the logic is in bench.steps_lib.proofs."""

from __future__ import annotations

from typing import Any

from behave import register_type, step

from bench.steps_lib import ins, proofs

register_type(**ins.STEP_TYPES)


@step("le LGO présente au moins une pièce justificative pour l'exigence « {requirement:Q} »")
def presented(context: Any, requirement: str) -> None:
    proofs.present(context.bench, requirement)


@step("chaque pièce présentée a l'empreinte SHA-256 annoncée et est jointe au rapport")
def checked_and_attached(context: Any) -> None:
    proofs.check_and_attach(context.bench)


@step("chaque pièce présentée porte la version du logiciel testé")
def same_version(context: Any) -> None:
    proofs.check_version(context.bench)
