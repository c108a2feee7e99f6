"""The bench reader: a loopback socket that gives the same virtual cards to machines without pcscd.

Bench contract (docs/contracts/bench-reader.md): TCP on 127.0.0.1 (7920 by default), one UTF-8
JSON object per line each way, answers in request order. Operations: hello, readers, wait,
connect, transmit, disconnect. A connection remembers which slots it is connected to and the
slot's event counter at that time, so that a removed or switched card is reported (`removed`),
as PC/SC does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import socketserver
import threading
from typing import Any

from simulators.cards.models import CardManager

log = logging.getLogger(__name__)

PROTOCOL = "segur-bench-lecteur/1"
DEFAULT_ADDRESS = ("127.0.0.1", 7920)
MAX_LINE = 64 * 1024
MAX_WAIT_MS = 600_000


class ReaderError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class _Session:
    """One client connection: the slots it is connected to, with their event counter."""

    def __init__(self, manager: CardManager) -> None:
        self.manager = manager
        self.connected: dict[int, int] = {}

    def _slot(self, request: dict[str, Any]) -> int:
        slot = request.get("slot")
        if not isinstance(slot, int) or isinstance(slot, bool) or not 0 <= slot < len(self.manager.slots):
            raise ReaderError("unknown_slot", f"lecteur {slot!r} inconnu (0 à {len(self.manager.slots) - 1})")
        return slot

    def _readers(self) -> list[dict[str, Any]]:
        return [
            {
                "slot": s["slot"],
                "name": s["reader"],
                "present": s["present"],
                "atr": s["atr"],
                "events": s["events"],
            }
            for s in self.manager.states()
        ]

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "hello":
            return {"protocol": PROTOCOL, "readers": self._readers()}
        if op == "readers":
            return {"readers": self._readers()}
        if op == "wait":
            return self._wait(request)
        if op == "connect":
            return self._connect(self._slot(request))
        if op == "transmit":
            return self._transmit(self._slot(request), request.get("apdu"))
        if op == "disconnect":
            return self._disconnect(self._slot(request), request.get("disposition", "leave"))
        raise ReaderError(
            "unknown_op", f"opération {op!r} inconnue (hello, readers, wait, connect, transmit, disconnect)"
        )

    def _wait(self, request: dict[str, Any]) -> dict[str, Any]:
        known, timeout_ms = request.get("events"), request.get("timeout_ms", 10_000)
        if not isinstance(known, list) or not all(isinstance(k, int) for k in known):
            raise ReaderError(
                "bad_request", "« events » doit être la liste des compteurs d'événements connus"
            )
        if not isinstance(timeout_ms, int) or not 0 <= timeout_ms <= MAX_WAIT_MS:
            raise ReaderError("bad_request", f"« timeout_ms » doit être un entier entre 0 et {MAX_WAIT_MS}")
        changed = self.manager.wait_change(known, timeout_ms / 1000)
        return {"readers": self._readers(), "timeout": not changed}

    def _connect(self, slot: int) -> dict[str, Any]:
        card, events = self.manager.current(slot)
        if card is None:
            raise ReaderError("no_card", f"aucune carte dans le lecteur {slot}")
        with card.lock:
            if not card.powered:
                card.power_on()
        self.connected[slot] = events
        return {"atr": card.atr.hex().upper()}

    def _card(self, slot: int) -> Any:
        if slot not in self.connected:
            raise ReaderError(
                "not_connected", f"pas de connexion à la carte du lecteur {slot} (« connect » d'abord)"
            )
        card, events = self.manager.current(slot)
        if card is None or events != self.connected[slot]:
            self.connected.pop(slot, None)
            raise ReaderError("removed", f"la carte du lecteur {slot} a été retirée ou changée")
        return card

    def _transmit(self, slot: int, apdu_hex: Any) -> dict[str, Any]:
        if not isinstance(apdu_hex, str):
            raise ReaderError("bad_request", "« apdu » doit être une chaîne hexadécimale")
        try:
            apdu = bytes.fromhex(apdu_hex)
        except ValueError:
            raise ReaderError("bad_request", "« apdu » n'est pas de l'hexadécimal") from None
        if not 4 <= len(apdu) <= 261:
            raise ReaderError("bad_request", "une APDU courte fait de 4 à 261 octets")
        card = self._card(slot)
        response = self.manager.exchange(slot, card, apdu, "bench")
        return {"response": response.hex().upper()}

    def _disconnect(self, slot: int, disposition: Any) -> dict[str, Any]:
        if disposition not in ("leave", "reset", "unpower"):
            raise ReaderError("bad_request", "« disposition » vaut leave, reset ou unpower")
        if slot in self.connected:
            card, events = self.manager.current(slot)
            if card is not None and events == self.connected[slot]:
                if disposition == "reset":
                    card.power_on()
                elif disposition == "unpower":
                    card.power_off()
            del self.connected[slot]
        return {}


class _Handler(socketserver.StreamRequestHandler):
    server: BenchReaderServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.clients_lock:
            self.server.clients.add(self.connection)

    def finish(self) -> None:
        with self.server.clients_lock:
            self.server.clients.discard(self.connection)
        super().finish()

    def handle(self) -> None:
        session = _Session(self.server.manager)
        while True:
            try:
                line = self.rfile.readline(MAX_LINE + 1)
            except OSError:
                return
            if not line:
                return
            answer: dict[str, Any]
            request_id = None
            try:
                if len(line) > MAX_LINE:
                    self._send(
                        {"ok": False, "error": {"code": "too_long", "message": "ligne de plus de 64 Kio"}}
                    )
                    return  # the rest of the line cannot be resynchronised
                try:
                    request = json.loads(line)
                except ValueError:
                    raise ReaderError("bad_request", "la ligne n'est pas un objet JSON") from None
                if not isinstance(request, dict):
                    raise ReaderError("bad_request", "la ligne n'est pas un objet JSON")
                request_id = request.get("id")
                answer = {"ok": True, **session.handle(request)}
            except ReaderError as err:
                answer = {"ok": False, "error": {"code": err.code, "message": err.message}}
            except Exception:
                log.exception("lecteur du banc : erreur interne")
                answer = {
                    "ok": False,
                    "error": {"code": "internal", "message": "erreur interne du lecteur du banc"},
                }
            if request_id is not None:
                answer["id"] = request_id
            if not self._send(answer):
                return

    def _send(self, answer: dict[str, Any]) -> bool:
        try:
            self.wfile.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
            self.wfile.flush()
            return True
        except OSError:
            return False


class BenchReaderServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, manager: CardManager, address: tuple[str, int] = DEFAULT_ADDRESS) -> None:
        self.manager = manager
        self.clients: set[socket.socket] = set()
        self.clients_lock = threading.Lock()
        super().__init__(address, _Handler)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, args=(0.05,), name="lecteur-banc", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        with self.clients_lock:  # clients see the reader go away instead of hanging
            for client in self.clients:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)
