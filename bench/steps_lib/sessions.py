"""Acting as an account of the LGO: sessions of the driver API, by password or CPS card.

A card is never inserted by the driver: the cards control plane puts it in the CPS reader (slot 1),
then the driver asks the LGO to read it (CONVENTIONS "Runs and results").
"""

from __future__ import annotations

from bench.steps_lib import world as world_data
from bench.steps_lib.state import ScenarioBench
from bench.targets import DriverRefused, DriverSession

CPS_SLOT = 1


def login_with_password(bench: ScenarioBench, login: str, password: str | None = None) -> DriverSession:
    """Opens a session as `login` (the world's password unless one is given) and acts as it."""
    secret = password if password is not None else world_data.account(bench.world, login).password
    session = bench.target.open_session(login, secret)
    bench.act_as(session)
    return session


def attempt_password_login(bench: ScenarioBench, login: str, password: str) -> DriverRefused | None:
    """A login expected to fail: the refusal is remembered for the checks that follow."""
    try:
        session = bench.target.open_session(login, password)
    except DriverRefused as refusal:
        bench.remember("refusal", refusal)
        return refusal
    bench.act_as(session)
    bench.remember("refusal", None)
    return None


def insert_cps(bench: ScenarioBench, card_id: str) -> None:
    card = world_data.cps_card(bench.world, card_id)
    bench.control.insert_card(CPS_SLOT, card.id)
    bench.remember("cps_card", card)


def login_with_cps(bench: ScenarioBench, pin: str | None = None) -> DriverSession:
    """Logs in with the card in the CPS reader (its world PIN unless one is given) and acts as it."""
    card = bench.recall("cps_card")
    session = bench.target.open_cps_session(pin if pin is not None else card.pin)
    account = world_data.account_of_card(bench.world, card)
    if session.login is None and account is not None:
        session.login = str(session.account.get("login") or account.login)
    bench.act_as(session)
    return session


def current_login(session: DriverSession) -> str | None:
    value = session.account.get("login")
    return str(value) if value is not None else session.login


def attempt_cps_login(bench: ScenarioBench, pin: str) -> DriverRefused | None:
    """A CPS login expected to fail (wrong PIN, blocked card...): the refusal is remembered."""
    try:
        session = bench.target.open_cps_session(pin)
    except DriverRefused as refusal:
        bench.remember("refusal", refusal)
        return refusal
    bench.act_as(session)
    bench.remember("refusal", None)
    return None


def check_acting_as(bench: ScenarioBench, login: str) -> None:
    if bench.session is None:
        raise AssertionError("Aucune session ouverte : le LGO n'agit au nom d'aucun compte")
    actual = current_login(bench.session)
    if actual != login:
        raise AssertionError(f"La session du LGO agit au nom de « {actual} », pas de « {login} »")


def check_refused(bench: ScenarioBench) -> None:
    """The last login attempt was refused with an authentication error (401 or 403)."""
    refusal = bench.recall("refusal")
    if refusal is None:
        login = current_login(bench.session) if bench.session else "?"
        raise AssertionError(f"Le LGO a accepté la connexion (session ouverte au nom de « {login} »)")
    if refusal.status not in (400, 401, 403, 422, 423):
        raise AssertionError(
            f"Le LGO a refusé la connexion avec le statut {refusal.status} au lieu d'un refus "
            f"d'authentification (401/403) : {refusal.detail}"
        )
