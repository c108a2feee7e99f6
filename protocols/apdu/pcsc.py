"""PC/SC transport over pyscard's `smartcard.scard` (the thin WinSCard binding: no polling threads).

libpcsclite reads `PCSCLITE_CSOCK_NAME` once, when the process first talks to pcscd; to reach a
private pcscd, pass its socket here before any other PC/SC use in the process (or set the variable
in the environment of a new process). A process talks to one pcscd only.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from protocols.apdu.transport import CardConnection, CardIOError, CardTransport, ReaderState

SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
_socket_lock = threading.Lock()
_socket_in_use: str | None = None
_RETRYABLE = (
    "SCARD_E_NO_SMARTCARD",
    "SCARD_W_REMOVED_CARD",
    "SCARD_W_UNRESPONSIVE_CARD",
    "SCARD_E_SHARING_VIOLATION",
    "SCARD_W_UNPOWERED_CARD",
    "SCARD_E_READER_UNAVAILABLE",
    "SCARD_W_RESET_CARD",
    "SCARD_E_NOT_READY",
)


def _scard() -> Any:
    from smartcard import scard  # imported late: the socket variable must be set first

    return scard


def _use_socket(socket: str | os.PathLike[str] | None) -> None:
    global _socket_in_use
    with _socket_lock:
        wanted = str(socket) if socket else os.environ.get(SOCKET_ENV, "")
        if _socket_in_use is not None and _socket_in_use != wanted:
            raise CardIOError(
                f"ce processus parle déjà au pcscd de « {_socket_in_use or 'système'} » : "
                f"impossible d'utiliser aussi « {wanted or 'système'} » (lancer un autre processus)"
            )
        if socket:
            os.environ[SOCKET_ENV] = wanted
        _socket_in_use = wanted


def _error(what: str, code: int) -> CardIOError:
    scard = _scard()
    return CardIOError(
        f"PC/SC, {what} : {scard.SCardGetErrorMessage(code).strip()} (0x{code & 0xFFFFFFFF:08X})"
    )


class PcscConnection(CardConnection):
    def __init__(self, context: int, reader: str, handle: int, protocol: int) -> None:
        self.reader, self._protocol = reader, protocol
        self._context: int | None = context
        self._handle: int | None = handle
        scard = _scard()
        code, _reader, _state, _proto, atr = scard.SCardStatus(handle)
        if code != scard.SCARD_S_SUCCESS:
            raise _error("état de la carte", code)
        self.atr = bytes(atr)
        self._lock = threading.Lock()

    def transmit_raw(self, apdu: bytes) -> bytes:
        scard = _scard()
        with self._lock:
            if self._handle is None:
                raise CardIOError(f"lecteur {self.reader} : connexion fermée")
            code, response = scard.SCardTransmit(self._handle, self._protocol, list(apdu))
        if code != scard.SCARD_S_SUCCESS:
            raise _error(f"échange avec la carte du lecteur {self.reader}", code)
        return bytes(response)

    def close(self) -> None:
        scard = _scard()
        with self._lock:
            if self._handle is not None:
                scard.SCardDisconnect(self._handle, scard.SCARD_LEAVE_CARD)
                self._handle = None
            if self._context is not None:
                scard.SCardReleaseContext(self._context)
                self._context = None


class PcscTransport(CardTransport):
    """Readers of one pcscd (the system one, or a private one given by its socket)."""

    def __init__(self, socket: str | os.PathLike[str] | None = None) -> None:
        _use_socket(socket)
        self.socket = Path(socket) if socket else None

    def _context(self) -> int:
        scard = _scard()
        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != scard.SCARD_S_SUCCESS:
            where = f" ({self.socket})" if self.socket else ""
            raise _error(f"connexion au service pcscd{where}", code)
        return int(context)

    def _states(
        self, context: int, names: list[str], timeout_ms: int = 0
    ) -> list[tuple[str, int, list[int]]]:
        scard = _scard()
        code, states = scard.SCardGetStatusChange(
            context, timeout_ms, [(n, scard.SCARD_STATE_UNAWARE) for n in names]
        )
        if code != scard.SCARD_S_SUCCESS:
            raise _error("état des lecteurs", code)
        return list(states)

    def _names(self, context: int) -> list[str]:
        scard = _scard()
        code, names = scard.SCardListReaders(context, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if code != scard.SCARD_S_SUCCESS:
            raise _error("liste des lecteurs", code)
        return list(names)

    def readers(self) -> list[ReaderState]:
        scard = _scard()
        context = self._context()
        try:
            names = self._names(context)
            if not names:
                return []
            return [
                ReaderState(
                    name,
                    bool(state & scard.SCARD_STATE_PRESENT),
                    bytes(atr) if state & scard.SCARD_STATE_PRESENT else None,
                )
                for name, state, atr in self._states(context, names)
            ]
        finally:
            scard.SCardReleaseContext(context)

    def connect(self, reader: str, timeout: float = 3.0) -> PcscConnection:
        scard = _scard()
        deadline = time.monotonic() + timeout
        context = self._context()
        try:
            while True:
                code, handle, protocol = scard.SCardConnect(
                    context,
                    reader,
                    scard.SCARD_SHARE_SHARED,
                    scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
                )
                if code == scard.SCARD_S_SUCCESS:
                    return PcscConnection(context, reader, handle, protocol)
                # Just after a card appears pcscd may refuse for a few hundred ms: retry.
                retryable = any(code == getattr(scard, name, None) for name in _RETRYABLE)
                if not retryable or time.monotonic() >= deadline:
                    raise _error(f"connexion à la carte du lecteur {reader}", code)
                time.sleep(0.05)
        except BaseException:
            scard.SCardReleaseContext(context)
            raise

    def wait_for_card(self, reader: str, present: bool = True, timeout: float = 10.0) -> bool:
        scard = _scard()
        deadline = time.monotonic() + timeout
        context = self._context()
        try:
            states = [(reader, scard.SCARD_STATE_UNAWARE)]
            while True:
                remaining = int(max(0.0, deadline - time.monotonic()) * 1000)
                code, new_states = scard.SCardGetStatusChange(context, remaining, states)
                if code == scard.SCARD_E_TIMEOUT:
                    return False
                if code != scard.SCARD_S_SUCCESS:
                    raise _error(f"attente d'une carte dans le lecteur {reader}", code)
                _name, event, _atr = new_states[0]
                if event & scard.SCARD_STATE_UNKNOWN:
                    raise CardIOError(f"lecteur « {reader} » inconnu du service pcscd")
                if bool(event & scard.SCARD_STATE_PRESENT) == present and not event & scard.SCARD_STATE_MUTE:
                    return True
                if remaining == 0:
                    return False
                states = [(reader, event & ~scard.SCARD_STATE_CHANGED)]
        finally:
            scard.SCardReleaseContext(context)
