"""Logging in (local password or CPS card), the current session, logging out.

Failed attempts are audited in their own transaction, so that the trace survives the refusal.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select

from reference_lgo.hardware import cards
from reference_lgo.models import Account
from reference_lgo.services import accounts, audit, passwords, sessions, trust
from reference_lgo.services.context import Actor, Origin
from reference_lgo.services.errors import CardLoginError, LgoError, LoginFailed, ReaderUnavailable

if TYPE_CHECKING:
    from reference_lgo.runtime import Runtime

CHALLENGE_BYTES = 32


def _audit_failure(
    runtime: Runtime, origin: Origin, login: str | None, method: str, error: LgoError, **more: str
) -> None:
    with runtime.db.session() as session:
        account = session.scalar(select(Account).where(Account.login == login)) if login else None
        actor = Actor(
            display_name=account.display_name if account else "Utilisateur non authentifié",
            origin=origin,
            account_id=account.id if account else None,
            login=(login or "")[:32] or None,
            auth_method=method,
            id_nat_ps=more.get("id_nat_ps"),
        )
        how = "carte CPS" if method == "cps" else "mot de passe"
        audit.record(
            session,
            actor,
            runtime.clock.now(),
            "connexion",
            f"Connexion refusée ({how}) : {error.message}"[:500],
            outcome="echec",
            object_type="session",
            details={"methode": method, "code": error.code, **more},
        )


def login_password(runtime: Runtime, origin: Origin, login: str, password: str) -> sessions.OpenedSession:
    login = login.strip().lower()
    with runtime.db.session() as session:
        account = session.scalar(select(Account).where(Account.login == login))
        matches = passwords.verify(account.password_hash if account else None, password)
        if account is not None and matches and account.active:
            assert account.password_hash is not None
            if passwords.needs_rehash(account.password_hash):
                account.password_hash = passwords.hash_password(password)
            return sessions.open_session(session, account, runtime.clock.now(), origin, "password")
    if account is not None and matches:
        error: LgoError = LoginFailed("Ce compte est désactivé.", code="compte_desactive")
    else:
        error = LoginFailed("Identifiant ou mot de passe incorrect.")
    _audit_failure(runtime, origin, login, "password", error)
    raise error


def _verify_signature(certificate_key: object, challenge: bytes, signature: bytes) -> None:
    if not isinstance(certificate_key, rsa.RSAPublicKey):
        raise CardLoginError("Clé du certificat de la carte non RSA.", code="certificat_invalide")
    try:
        certificate_key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise CardLoginError(
            "La carte n'a pas prouvé détenir la clé de son certificat (signature du défi invalide).",
            code="signature_invalide",
        ) from None


def _card_error(failure: cards.CardFailure) -> LgoError:
    if failure.code in ("lecteur_indisponible", "lecteur_introuvable"):
        return ReaderUnavailable(failure.message, code=failure.code)
    return CardLoginError(failure.message, code=failure.code, **failure.extra)


def login_cps(runtime: Runtime, origin: Origin, reader: str | None, pin: str) -> sessions.OpenedSession:
    """Reads the card's authentication certificate, validates it (chain, dates, CRL), verifies the
    PIN on the card, has the card sign a fresh challenge, checks the signature, then opens a session
    for the active account whose idNatPS is the certificate's."""
    with runtime.db.session() as session:
        settings = runtime.settings(session)
    config = cards.ReaderConfig(settings.card_reader_mode, settings.bench_reader_address)
    reader_name = reader or settings.cps_reader
    id_nat_ps: str | None = None
    try:
        trust_files = trust.load_trust(settings.trust_chain, settings.trust_crl_dir)
        with cards.open_cps(config, reader_name) as card:
            certificate = card.auth_certificate()
            now = runtime.clock.now()
            trust.validate_card_certificate(certificate, trust_files, now)
            id_nat_ps = trust.id_nat_ps_of(certificate)
            card.verify_pin(pin)
            challenge = secrets.token_bytes(CHALLENGE_BYTES)
            signature = card.sign_challenge(challenge)
            used_reader = card.reader  # kept with the session: CPx mode signs on this card
        _verify_signature(certificate.public_key(), challenge, signature)
        with runtime.db.session() as session:
            account = accounts.by_id_nat_ps(session, id_nat_ps)
            if account is None or not account.active:
                state = "actif " if account is not None else ""
                raise CardLoginError(
                    f"Aucun compte {state}pour ce professionnel (idNatPS {id_nat_ps}) dans cette officine.",
                    code="aucun_compte" if account is None else "compte_desactive",
                )
            return sessions.open_session(
                session, account, runtime.clock.now(), origin, "cps", id_nat_ps, card_reader=used_reader
            )
    except cards.CardFailure as failure:
        error = _card_error(failure)
    except LgoError as failure:
        error = failure
    _audit_failure(
        runtime,
        origin,
        None,
        "cps",
        error,
        lecteur=reader_name,
        **({"id_nat_ps": id_nat_ps} if id_nat_ps else {}),
    )
    raise error


def current(runtime: Runtime, token: str | None, origin: Origin) -> sessions.OpenedSession:
    """The session of `token`, touched, in its own committed unit of work (expiry is recorded)."""
    failure: LgoError | None = None
    with runtime.db.session() as session:
        try:
            return sessions.resolve(session, token, runtime.clock.now(), runtime.inactivity(session), origin)
        except LgoError as error:
            failure = error  # leave the block normally: the ended session must be committed
    raise failure


def logout(runtime: Runtime, opened: sessions.OpenedSession, origin: Origin) -> None:
    with runtime.db.session() as session:
        row = session.get(type(opened.row), opened.row.id)
        account = session.get(Account, opened.account.id)
        if row is not None and account is not None:
            sessions.close(session, row, account, runtime.clock.now(), "deconnexion", origin)
