"""Card side of the vpcd socket protocol (vsmartcard's `vpcd` pcscd driver), written for the bench.

Protocol (vsmartcard doc/api.txt): vpcd listens on one TCP port per slot; a card is "inserted"
while its connection is open. Every message is a 2-byte big-endian length and a payload. vpcd
speaks first. A 1-byte payload is a control: 00 power off, 01 power on, 02 reset (no answer),
04 "send the ATR" (answered). A longer payload is a command APDU, answered with the response APDU.

vpcd writes the length and the APDU separately; with Linux delayed ACK each APDU would then cost
~40 ms, so TCP_QUICKACK is re-armed around every read (0.2 ms per APDU).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable

from simulators.cards.iso7816 import CardOS

log = logging.getLogger(__name__)

POWER_OFF, POWER_ON, RESET, GET_ATR = 0x00, 0x01, 0x02, 0x04
Exchange = Callable[[bytes], bytes]


def _quickack(sock: socket.socket) -> None:
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < n:
        _quickack(sock)
        chunk = sock.recv(n - len(buffer))
        _quickack(sock)
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def serve(sock: socket.socket, card: CardOS, exchange: Exchange) -> None:
    """Answers vpcd on a connected socket until it closes. `exchange` runs (and journals) APDUs."""
    while True:
        header = _recv_exact(sock, 2)
        if header is None:
            return
        (length,) = struct.unpack(">H", header)
        payload = _recv_exact(sock, length) if length else b""
        if payload is None:
            return
        if len(payload) == 1:
            control = payload[0]
            if control == GET_ATR:
                sock.sendall(struct.pack(">H", len(card.atr)) + card.atr)
            elif control in (POWER_ON, RESET):
                card.power_on()
            elif control == POWER_OFF:
                card.power_off()
            else:
                log.warning("vpcd : message de contrôle inconnu %02X ignoré", control)
        elif payload:
            response = exchange(payload)
            sock.sendall(struct.pack(">H", len(response)) + response)


class VpcdLink:
    """One card plugged into one vpcd slot. The connection is retried while vpcd is not listening
    (pcscd not started yet, or restarted): the card re-inserts itself when vpcd comes back."""

    def __init__(
        self, host: str, port: int, card: CardOS, exchange: Exchange | None = None, retry_s: float = 0.05
    ) -> None:
        self.host, self.port, self.card = host, port, card
        self.exchange: Exchange = exchange or card.execute
        self.retry_s = retry_s
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"vpcd-{port}", daemon=True)

    def start(self, timeout: float = 10.0) -> bool:
        """Starts the link; True once vpcd accepted the card within `timeout`."""
        self._thread.start()
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def _connect(self) -> socket.socket | None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                self._stop.wait(self.retry_s)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            sock = self._connect()
            if sock is None:
                return
            with self._lock:
                if self._stop.is_set():
                    sock.close()
                    return
                self._sock = sock
            self._connected.set()
            try:
                serve(sock, self.card, self.exchange)
            except OSError as err:
                if not self._stop.is_set():
                    log.warning(
                        "vpcd %s:%d : liaison perdue (%s), nouvelle tentative", self.host, self.port, err
                    )
            finally:
                self._connected.clear()
                with self._lock:
                    self._sock = None
                sock.close()
                self.card.power_off()
            if not self._stop.is_set():
                time.sleep(self.retry_s)  # vpcd went away (pcscd restarted): plug the card in again

    def stop(self, timeout: float = 5.0) -> None:
        """Removes the card: closes the connection, which vpcd reports as a removal."""
        self._stop.set()
        with self._lock:
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
