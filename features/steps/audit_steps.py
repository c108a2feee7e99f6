"""Steps: the LGO's audit trail, read through the driver API."""

from __future__ import annotations

from typing import Any

from behave import step, then

from bench.steps_lib import audit


@step("le compte « {login} » consulte la piste d'audit")
def read_audit(context: Any, login: str) -> None:
    audit.read_as(context.bench, login)


@then("la piste d'audit contient une connexion de « {login} » par {method} sur le canal « {channel} »")
def audit_has_login(context: Any, login: str, method: str, channel: str) -> None:
    audit.check_login_entry(context.bench, login, method, channel)
