"""Steps: fine permissions on the INS (who sees the matricule, who may call INSi). Thin: the logic is
in bench.steps_lib.ins_rights."""

from __future__ import annotations

from typing import Any

from behave import register_type, step

from bench.steps_lib import ins, ins_rights

register_type(**ins.STEP_TYPES)


@step("le compte « {login:Q} » retire au compte « {account:Q} » le droit « {permission:Q} »")
def withdraw(context: Any, login: str, account: str, permission: str) -> None:
    ins_rights.withdraw(context.bench, login, account, permission)


@step("le LGO refuse faute du droit « {permission:Q} »")
def forbidden(context: Any, permission: str) -> None:
    ins_rights.check_forbidden(context.bench, permission)


@step("le compte « {login:Q} » ouvre le dossier du patient « {ref:Q} »")
def open_file(context: Any, login: str, ref: str) -> None:
    ins_rights.read_as(context.bench, login, ref)


@step("le compte « {login:Q} » voit le matricule « {matricule:Q} » dans le dossier du patient « {ref:Q} »")
def sees(context: Any, login: str, matricule: str, ref: str) -> None:
    ins_rights.check_sees_matricule(context.bench, login, ref, matricule)


@step("le compte « {login:Q} » voit le dossier du patient « {ref:Q} » sans son matricule INS")
def masked(context: Any, login: str, ref: str) -> None:
    ins_rights.check_masked(context.bench, login, ref)
