"""Status words of the virtual cards (ISO/IEC 7816-4 interindustry values) and the errors of the
card manager that the control plane turns into problem+json answers (French details)."""

from __future__ import annotations

# Normal processing.
SW_OK = 0x9000
SW1_BYTES_AVAILABLE = 0x61  # T=0: "xx bytes still available", fetched with GET RESPONSE
# Warnings.
SW_END_OF_FILE = 0x6282  # end of file reached before reading Ne bytes
SW_FILE_DEACTIVATED = 0x6283  # selected file deactivated (a blocked Vitale application)
SW1_VERIFY_FAILED = 0x63  # 63 Cx: wrong PIN, x tries left
# Checking errors.
SW_MEMORY_FAILURE = 0x6581
SW_WRONG_LENGTH = 0x6700
SW_LOGICAL_CHANNEL_NOT_SUPPORTED = 0x6881
SW_SECURE_MESSAGING_NOT_SUPPORTED = 0x6882
SW_LAST_COMMAND_EXPECTED = 0x6883  # command chaining broken
SW_COMMAND_INCOMPATIBLE = 0x6981  # e.g. a key used outside its usage
SW_SECURITY_STATUS = 0x6982  # PIN not verified
SW_AUTH_BLOCKED = 0x6983  # PIN (or PUK) blocked
SW_CONDITIONS_NOT_SATISFIED = 0x6985  # no security environment, no hash, deactivated file
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FUNCTION_NOT_SUPPORTED = 0x6A81
SW_FILE_NOT_FOUND = 0x6A82
SW_INCORRECT_P1P2 = 0x6A86
SW_REFERENCE_NOT_FOUND = 0x6A88
SW_WRONG_P1P2 = 0x6B00  # offset outside the EF
SW1_WRONG_LE = 0x6C  # T=0: 6C xx, xx = exact length
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_UNKNOWN = 0x6F00  # "no precise diagnosis": what the card OS answers instead of crashing


def sw_bytes(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


class CardError(Exception):
    """Raised inside a card OS to end a command with a status word (never leaves `execute`)."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw


class CardsError(Exception):
    """A card-manager error shown to a user (French message) with its HTTP status."""

    status = 400
    code = "cartes"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownSlot(CardsError):
    status = 404
    code = "lecteur-inconnu"


class UnknownCard(CardsError):
    status = 404
    code = "carte-inconnue"


class CardDataError(CardsError):
    status = 422
    code = "donnees-de-carte"


class SlotEmpty(CardsError):
    status = 409
    code = "lecteur-vide"


class CardBusy(CardsError):
    status = 409
    code = "carte-deja-inseree"


class NoPin(CardsError):
    status = 409
    code = "carte-sans-code"


class TransportError(CardsError):
    status = 503
    code = "transport-cartes"
