"""What every card transport offers (PC/SC through pyscard, or the bench reader socket): list the
readers, wait for a card to come or go, connect, and exchange APDUs with the T=0 conveniences
(`61 xx` -> GET RESPONSE, `6C xx` -> the command again with the right Le)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282

_MESSAGES = {
    0x6282: "fin de fichier atteinte",
    0x6283: "application désactivée",
    0x6581: "erreur mémoire de la carte",
    0x6700: "longueur incorrecte",
    0x6881: "canal logique non pris en charge",
    0x6882: "messagerie sécurisée non prise en charge",
    0x6883: "chaînage de commandes interrompu",
    0x6884: "chaînage de commandes non pris en charge",
    0x6981: "commande incompatible avec l'objet",
    0x6982: "code porteur non vérifié (statut de sécurité non satisfait)",
    0x6983: "code bloqué",
    0x6985: "conditions d'utilisation non satisfaites",
    0x6986: "aucun fichier sélectionné",
    0x6A80: "données incorrectes",
    0x6A81: "fonction non prise en charge",
    0x6A82: "fichier ou application introuvable",
    0x6A86: "paramètres P1-P2 incorrects",
    0x6A88: "donnée référencée introuvable",
    0x6B00: "position hors du fichier",
    0x6D00: "instruction non prise en charge",
    0x6E00: "classe non prise en charge",
    0x6F00: "erreur de la carte sans diagnostic précis",
}


def describe_sw(sw: int) -> str:
    """French meaning of a status word ("63 C2" -> "code faux, 2 essai(s) restant(s)")."""
    if sw == SW_OK:
        return "succès"
    if sw >> 4 == 0x63C:
        return f"code faux, {sw & 0x0F} essai(s) restant(s)"
    if sw >> 8 == 0x61:
        return f"{sw & 0xFF or 256} octets disponibles"
    if sw >> 8 == 0x6C:
        return f"Le incorrect, {sw & 0xFF or 256} attendu(s)"
    return _MESSAGES.get(sw, "statut inconnu")


class CardIOError(Exception):
    """The transport failed (no reader, no card, card removed, socket closed...). French message."""


class ApduError(Exception):
    """The card refused a command: `sw` holds its status word."""

    def __init__(self, what: str, sw: int) -> None:
        super().__init__(f"{what} : {describe_sw(sw)} ({sw >> 8:02X} {sw & 0xFF:02X})")
        self.sw = sw


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def check(self, what: str, *, accept: tuple[int, ...] = ()) -> bytes:
        """The data, or ApduError naming the operation `what` (in French)."""
        if self.sw != SW_OK and self.sw not in accept:
            raise ApduError(what, self.sw)
        return self.data


@dataclass(frozen=True)
class ReaderState:
    name: str
    present: bool
    atr: bytes | None = None


def _with_le(apdu: bytes, le: int) -> bytes:
    """The same command with another Le (cases 1 and 3 gain one, cases 2 and 4 change it)."""
    n = len(apdu)
    if n == 4 or (n > 5 and n == 5 + apdu[4]):
        return apdu + bytes([le])
    return apdu[:-1] + bytes([le])


class CardConnection(ABC):
    """A connection to the card in one reader (the card is powered while connected)."""

    reader: str
    atr: bytes

    @abstractmethod
    def transmit_raw(self, apdu: bytes) -> bytes:
        """Sends one command APDU, returns the response APDU (data + SW1 SW2) as the card sent it."""

    @abstractmethod
    def close(self) -> None: ...

    def transmit(self, apdu: bytes) -> Response:
        raw = self._exchange(apdu)
        sw = int.from_bytes(raw[-2:], "big")
        if sw >> 8 == 0x6C:
            raw = self._exchange(_with_le(apdu, sw & 0xFF))
            sw = int.from_bytes(raw[-2:], "big")
        data = raw[:-2]
        for _ in range(256):  # 61 xx: the rest waits for GET RESPONSE
            if sw >> 8 != 0x61:
                break
            raw = self._exchange(bytes([apdu[0] & 0x03, 0xC0, 0x00, 0x00, sw & 0xFF]))
            sw = int.from_bytes(raw[-2:], "big")
            data += raw[:-2]
        return Response(data, sw)

    def _exchange(self, apdu: bytes) -> bytes:
        raw = self.transmit_raw(apdu)
        if len(raw) < 2:
            raise CardIOError(f"lecteur {self.reader} : réponse de la carte trop courte ({raw.hex()})")
        return raw

    def __enter__(self) -> CardConnection:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class CardTransport(ABC):
    """Readers and cards, whatever carries the APDUs."""

    @abstractmethod
    def readers(self) -> list[ReaderState]: ...

    @abstractmethod
    def connect(self, reader: str, timeout: float = 3.0) -> CardConnection:
        """Connects to the card in `reader`, retrying while a card that just appeared settles."""

    @abstractmethod
    def wait_for_card(self, reader: str, present: bool = True, timeout: float = 10.0) -> bool:
        """Waits until a card is in `reader` (or gone, `present=False`); False on timeout."""

    def close(self) -> None:  # noqa: B027 - optional for transports without resources
        """Releases the transport's resources."""

    def reader_names(self) -> list[str]:
        return [r.name for r in self.readers()]

    def find_reader(self, wanted: str | int) -> str:
        """A reader by exact name, by name suffix ("00 01"), or by slot number (0, 1)."""
        names = self.reader_names()
        if isinstance(wanted, int) or wanted.isdigit():
            index = int(wanted)
            if 0 <= index < len(names):
                return names[index]
            raise CardIOError(f"lecteur {wanted} introuvable ({len(names)} lecteur(s) : {', '.join(names)})")
        for name in names:
            if name == wanted or name.endswith(wanted):
                return name
        raise CardIOError(f"lecteur « {wanted} » introuvable (lecteurs : {', '.join(names) or 'aucun'})")

    def __enter__(self) -> CardTransport:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
