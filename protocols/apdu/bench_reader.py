"""Client of the bench reader (docs/contracts/bench-reader.md): the virtual cards over a loopback
socket, for machines without pcscd. One JSON object per line each way."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from typing import Any

from protocols.apdu.transport import CardConnection, CardIOError, CardTransport, ReaderState

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7920
PROTOCOL = "segur-bench-lecteur/1"


class _Channel:
    """One socket to the bench reader, one request at a time."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        try:
            self._sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as err:
            raise CardIOError(f"lecteur du banc {host}:{port} injoignable ({err})") from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")
        self._lock = threading.Lock()
        self.where = f"{host}:{port}"

    def call(self, request: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        with self._lock:
            try:
                self._sock.settimeout(timeout)
                self._sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
                line = self._file.readline(1 << 20)
            except OSError as err:
                raise CardIOError(f"lecteur du banc {self.where} : {err}") from None
        if not line:
            raise CardIOError(f"lecteur du banc {self.where} : connexion fermée")
        try:
            answer = json.loads(line)
        except ValueError:
            raise CardIOError(f"lecteur du banc {self.where} : réponse illisible") from None
        if not isinstance(answer, dict):
            raise CardIOError(f"lecteur du banc {self.where} : réponse illisible")
        if not answer.get("ok"):
            error = answer.get("error") or {}
            raise CardIOError(
                f"lecteur du banc : {error.get('message', 'erreur')} ({error.get('code', '?')})"
            )
        return answer

    def close(self) -> None:
        try:
            self._file.close()
            self._sock.close()
        except OSError:
            pass


def _states(answer: dict[str, Any]) -> list[dict[str, Any]]:
    readers = answer.get("readers")
    if not isinstance(readers, list):
        raise CardIOError("lecteur du banc : liste de lecteurs absente")
    return readers


class BenchReaderConnection(CardConnection):
    def __init__(self, channel: _Channel, slot: int, reader: str, atr: bytes) -> None:
        self._channel, self._slot, self.reader, self.atr = channel, slot, reader, atr
        self._open = True

    def transmit_raw(self, apdu: bytes) -> bytes:
        if not self._open:
            raise CardIOError(f"lecteur {self.reader} : connexion fermée")
        answer = self._channel.call({"op": "transmit", "slot": self._slot, "apdu": apdu.hex()})
        try:
            return bytes.fromhex(str(answer["response"]))
        except (KeyError, ValueError):
            raise CardIOError("lecteur du banc : réponse APDU illisible") from None

    def close(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(CardIOError):
                self._channel.call({"op": "disconnect", "slot": self._slot})
            self._channel.close()


class BenchReaderTransport(CardTransport):
    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: float = 5.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    @classmethod
    def from_address(cls, address: str) -> BenchReaderTransport:
        host, _, port = address.rpartition(":")
        return cls(host or DEFAULT_HOST, int(port or DEFAULT_PORT))

    def _channel(self) -> _Channel:
        return _Channel(self.host, self.port, self.timeout)

    def _raw_readers(self, channel: _Channel) -> list[dict[str, Any]]:
        return _states(channel.call({"op": "readers"}))

    def readers(self) -> list[ReaderState]:
        channel = self._channel()
        try:
            return [
                ReaderState(
                    str(r["name"]), bool(r["present"]), bytes.fromhex(r["atr"]) if r.get("atr") else None
                )
                for r in self._raw_readers(channel)
            ]
        finally:
            channel.close()

    def _slot_of(self, readers: list[dict[str, Any]], reader: str) -> dict[str, Any]:
        for r in readers:
            if r.get("name") == reader:
                return r
        raise CardIOError(f"lecteur « {reader} » inconnu du lecteur du banc")

    def connect(self, reader: str, timeout: float = 3.0) -> BenchReaderConnection:
        channel = self._channel()
        try:
            slot = int(self._slot_of(self._raw_readers(channel), reader)["slot"])
            deadline = time.monotonic() + timeout
            while True:
                try:
                    answer = channel.call({"op": "connect", "slot": slot})
                    return BenchReaderConnection(channel, slot, reader, bytes.fromhex(str(answer["atr"])))
                except CardIOError:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.05)
        except BaseException:
            channel.close()
            raise

    def wait_for_card(self, reader: str, present: bool = True, timeout: float = 10.0) -> bool:
        channel = self._channel()
        deadline = time.monotonic() + timeout
        try:
            readers = self._raw_readers(channel)
            while True:
                if bool(self._slot_of(readers, reader)["present"]) == present:
                    return True
                remaining_ms = int(max(0.0, deadline - time.monotonic()) * 1000)
                if remaining_ms == 0:
                    return False
                events = [int(r["events"]) for r in sorted(readers, key=lambda r: int(r["slot"]))]
                answer = channel.call(
                    {"op": "wait", "events": events, "timeout_ms": remaining_ms},
                    timeout=remaining_ms / 1000 + 5,
                )
                readers = _states(answer)
        finally:
            channel.close()
