"""The CPS of a logged-in professional as a signing device for CPx mode: which professional the
card carries, whether its PIN is still verified (the login verified it; removing the card resets
it), and PKCS#1 v1.5 signatures computed on the card (MSE SET DST + PSO CDS over a DigestInfo).

The connection is closed with the card left powered (PC/SC SCARD_LEAVE_CARD, bench reader
"leave"), so the PIN verified at login stays verified for the next call. Errors are `CardFailure`
(hardware.cards) with a stable code and a French message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cryptography.hazmat.primitives import hashes

from protocols.apdu import ApduError, CardIOError, CardTransport
from protocols.apdu.cps import CpsCard, CpsCertificates, PinStatus, Situation
from reference_lgo.hardware.cards import (
    CARD_SETTLE_S,
    SW_FILE_NOT_FOUND,
    CardFailure,
    ReaderConfig,
    transport,
)

SW_SECURITY_STATUS = 0x6982  # the card wants its PIN (again)
HASH_NAMES = {"sha1", "sha256", "sha384", "sha512"}


def absent(reader: str) -> CardFailure:
    return CardFailure(
        "carte_cps_absente",
        f"Aucune carte CPS dans le lecteur « {reader} » : réinsérez la carte avec laquelle vous vous êtes "
        "connecté.",
    )


class SigningCard:
    """A connected CPS (valid inside `open_signing_card`)."""

    def __init__(self, card: CpsCard, reader: str) -> None:
        self._card, self.reader = card, reader

    def certificates(self) -> CpsCertificates:
        try:
            return self._card.certificates()
        except ApduError as error:
            if error.sw == SW_FILE_NOT_FOUND:
                raise CardFailure(
                    "carte_non_cps", f"La carte du lecteur « {self.reader} » n'est pas une carte CPS."
                ) from None
            raise CardFailure(
                "carte_illisible", f"Lecture des certificats de la carte impossible : {error}"
            ) from None

    def pin_status(self) -> PinStatus:
        try:
            return self._card.pin_status()
        except ApduError as error:
            raise CardFailure("carte_illisible", f"État du code porteur illisible : {error}") from None

    def situations(self) -> list[Situation]:
        try:
            return self._card.situations()
        except ApduError as error:
            raise CardFailure("carte_illisible", f"Situations d'exercice illisibles : {error}") from None

    def sign_digest(self, digest: bytes, algorithm: hashes.HashAlgorithm) -> bytes:
        """xmldsig.CallbackRSAKey's callback: the card signs DigestInfo(digest) with its signing key."""
        if algorithm.name not in HASH_NAMES:
            raise CardFailure("algorithme", f"Empreinte {algorithm.name} non prise en charge par la carte.")
        try:
            return self._card.sign_digest(digest, algorithm.name)
        except ApduError as error:
            if error.sw == SW_SECURITY_STATUS:
                raise CardFailure(
                    "code_porteur_requis",
                    "La carte CPS demande à nouveau son code porteur : reconnectez-vous avec votre carte.",
                ) from None
            raise CardFailure("signature_refusee", f"La carte CPS a refusé de signer : {error}") from None


@contextmanager
def open_signing_card(config: ReaderConfig, reader: str) -> Iterator[SigningCard]:
    """Connects to the card in `reader` (exact name, name suffix or slot number)."""
    with transport(config) as readers:
        try:
            name = readers.find_reader(reader)
            present = {state.name: state.present for state in readers.readers()}
        except CardIOError as error:
            raise CardFailure("lecteur_introuvable", f"Lecteur de cartes introuvable : {error}") from None
        if not present.get(name, False):
            raise absent(name)
        try:
            connection = readers.connect(name)
        except CardIOError:
            raise absent(name) from None
        try:
            yield SigningCard(CpsCard(connection), name)
        except CardIOError as error:
            raise _lost(readers, name, error) from None
        finally:
            connection.close()


def _lost(readers: CardTransport, name: str, error: CardIOError) -> CardFailure:
    """An exchange failed: a card pulled out (the reader may not have seen it yet) or an I/O error."""
    try:
        gone = readers.wait_for_card(name, False, timeout=CARD_SETTLE_S / 2)
    except CardIOError:
        gone = False
    if gone:
        return absent(name)
    return CardFailure("carte_illisible", f"Échange avec la carte CPS interrompu : {error}")
