"""Steps: acting as an account of the LGO (driver sessions by password or CPS card)."""

from __future__ import annotations

from typing import Any

from behave import given, step, then

from bench.steps_lib import sessions


@step("le compte « {login} » se connecte avec son mot de passe")
@given("le compte « {login} » connecté avec son mot de passe")
def login_password(context: Any, login: str) -> None:
    sessions.login_with_password(context.bench, login)


@step("le compte « {login} » tente de se connecter avec le mot de passe « {password} »")
def login_password_attempt(context: Any, login: str, password: str) -> None:
    sessions.attempt_password_login(context.bench, login, password)


@step("la carte « {card_id} » insérée dans le lecteur CPS")
def insert_cps(context: Any, card_id: str) -> None:
    sessions.insert_cps(context.bench, card_id)


@step("le porteur de la carte se connecte avec son code porteur")
@given("le porteur de la carte connecté avec son code porteur")
def login_cps(context: Any) -> None:
    sessions.login_with_cps(context.bench)


@step("le porteur de la carte tente de se connecter avec le code porteur « {pin} »")
def login_cps_attempt(context: Any, pin: str) -> None:
    sessions.attempt_cps_login(context.bench, pin)


@then("le LGO agit au nom du compte « {login} »")
def acts_as(context: Any, login: str) -> None:
    sessions.check_acting_as(context.bench, login)


@then("le LGO refuse la connexion")
def login_refused(context: Any) -> None:
    sessions.check_refused(context.bench)
