"""Card readers as the pharmacy's settings describe them (PC/SC or the bench reader), and the CPS
operations the login needs: read the authentication certificate, verify the PIN, sign a challenge.

Errors become `CardFailure` with a stable code and a French message; the services decide what to
tell the user. The pcscd socket is the process's (PCSCLITE_CSOCK_NAME, set by `segur-bench up`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509

from protocols.apdu import ApduError, CardIOError, CardTransport, ReaderState, open_transport
from protocols.apdu.cps import CpsCard, digest_info

SW_FILE_NOT_FOUND = 0x6A82
CARD_SETTLE_S = 2.0


class CardFailure(Exception):
    def __init__(self, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


@dataclass(frozen=True)
class ReaderConfig:
    mode: str  # pcsc | bench
    bench_address: str


def transport(config: ReaderConfig) -> CardTransport:
    try:
        return open_transport(config.mode, bench_reader=config.bench_address)
    except CardIOError as error:
        raise CardFailure("lecteur_indisponible", f"Accès aux lecteurs impossible : {error}") from None


def list_readers(config: ReaderConfig) -> list[ReaderState]:
    """The readers and whether a card is in each (an empty list when the service is unreachable)."""
    try:
        with transport(config) as readers:
            return readers.readers()
    except (CardFailure, CardIOError):
        return []


class CpsSession:
    """A CPS in a reader, connected for the duration of one login."""

    def __init__(self, card: CpsCard, reader: str) -> None:
        self._card, self.reader = card, reader

    def auth_certificate(self) -> x509.Certificate:
        try:
            return self._card.certificates().auth
        except ApduError as error:
            if error.sw == SW_FILE_NOT_FOUND:
                raise CardFailure(
                    "carte_non_cps", f"La carte du lecteur « {self.reader} » n'est pas une carte CPS."
                ) from None
            raise CardFailure(
                "carte_illisible", f"Lecture du certificat de la carte impossible : {error}"
            ) from None

    def verify_pin(self, pin: str) -> None:
        if len(pin) != 4 or not pin.isdigit():
            raise CardFailure("pin_format", "Le code porteur de la carte CPS compte 4 chiffres.")
        try:
            status = self._card.verify_pin(pin)
        except ApduError as error:
            raise CardFailure(
                "carte_illisible", f"Vérification du code porteur impossible : {error}"
            ) from None
        if status.verified:
            return
        if status.blocked:
            now_blocked = "Code porteur incorrect : " if status.sw >> 4 == 0x63C else ""
            raise CardFailure(
                "carte_bloquee",
                f"{now_blocked}Carte CPS bloquée (code porteur saisi faux trop de fois). "
                "Débloquez-la avec son code de déblocage (CPS-Gestion).",
                tries_left=0,
            )
        left = status.tries_left
        raise CardFailure(
            "pin_incorrect",
            f"Code porteur incorrect : il reste {left} essai(s) avant blocage de la carte.",
            tries_left=left,
        )

    def sign_challenge(self, challenge: bytes) -> bytes:
        """INTERNAL AUTHENTICATE with the authentication key over DigestInfo(SHA-256(challenge)):
        the result is an ordinary RSASSA-PKCS1-v1_5 SHA-256 signature of the challenge."""
        try:
            return self._card.internal_authenticate(digest_info(hashlib.sha256(challenge).digest()))
        except ApduError as error:
            raise CardFailure(
                "carte_illisible", f"Authentification par la carte impossible : {error}"
            ) from None


def _wait_for_card(readers: CardTransport, name: str) -> bool:
    try:
        return readers.wait_for_card(name, True, timeout=CARD_SETTLE_S)
    except CardIOError:
        return False


@contextmanager
def open_cps(config: ReaderConfig, reader: str) -> Iterator[CpsSession]:
    """Connects to the card in `reader` (exact name, name suffix or slot number)."""
    with transport(config) as readers:
        try:
            name = readers.find_reader(reader)
            states = {state.name: state for state in readers.readers()}
        except CardIOError as error:
            raise CardFailure("lecteur_introuvable", f"Lecteur de cartes introuvable : {error}") from None
        # A card inserted a moment ago may not be seen yet (pcscd polls its readers): wait a little.
        if name in states and not states[name].present and not _wait_for_card(readers, name):
            raise CardFailure(
                "carte_absente", f"Aucune carte dans le lecteur « {name} ». Insérez votre carte CPS."
            )
        try:
            connection = readers.connect(name)
        except CardIOError as error:
            raise _lost(readers, name, error) from None
        try:
            yield CpsSession(CpsCard(connection), name)
        except CardIOError as error:
            raise _lost(readers, name, error) from None
        finally:
            connection.close()


def _lost(readers: CardTransport, name: str, error: CardIOError) -> CardFailure:
    """A failed exchange: a card pulled out (pcscd may not have seen it yet) or a real I/O error."""
    try:
        gone = readers.wait_for_card(name, False, timeout=CARD_SETTLE_S / 2)
    except CardIOError:
        gone = False
    if gone:
        return CardFailure(
            "carte_absente", f"Aucune carte dans le lecteur « {name} ». Insérez votre carte CPS."
        )
    return CardFailure("carte_illisible", f"Échange avec la carte interrompu : {error}")
