"""The `cards` component: a simulated service without a national listener. `start()` brings up the
transport of the mode (`pcsc`: pcscd + vpcd links; `bench`: the bench reader) and inserts the
world's default cards; every APDU is journaled under service `cards`."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulators.cards import pcscd
from simulators.cards.bench_reader import DEFAULT_ADDRESS, BenchReaderServer
from simulators.cards.errors import TransportError
from simulators.cards.from_world import catalog_from_world
from simulators.cards.iso7816 import CardOS
from simulators.cards.models import ApduExchange, CardEntry, CardManager, masked, operation_name
from simulators.cards.vpcd import VpcdLink
from simulators.core.peer import PeerIdentity
from simulators.core.raw import RawRequest, RawResponse
from simulators.core.service import ServiceContext, ServiceDescriptor

if TYPE_CHECKING:
    from fastapi import APIRouter

log = logging.getLogger(__name__)

MODES = ("pcsc", "bench", "none")
APDU_MEDIA_TYPE = "application/vnd.segur-bench.apdu"
SWITCH_GAP_S = 0.5  # pcscd polls every 0.4 s: a quick remove + insert must not go unseen


def parse_slots(value: str) -> dict[int, str]:
    """ "0=vitale-garnier,1=cps-titulaire" -> {0: ..., 1: ...}."""
    slots: dict[int, str] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        index, sep, card_id = part.partition("=")
        if not sep or not index.strip().isdigit() or not card_id.strip():
            raise ValueError(f"cartes par défaut : « {part} » n'est pas de la forme LECTEUR=CARTE")
        slots[int(index)] = card_id.strip()
    return slots


class CardsService:
    descriptor: ServiceDescriptor

    def __init__(
        self,
        context: ServiceContext,
        catalog: dict[str, CardEntry] | None = None,
        defaults: dict[int, str] | None = None,
    ) -> None:
        from simulators.cards import DESCRIPTOR

        self.descriptor = DESCRIPTOR
        self.context = context
        config = context.config
        self.mode = str(config.get("cards") or "bench")
        if self.mode not in MODES:
            raise ValueError(f"mode des cartes « {self.mode} » inconnu ({', '.join(MODES)})")
        if catalog is None:
            catalog, world_defaults = (
                catalog_from_world(context.world, context.pki) if context.world is not None else ({}, {})
            )
            defaults = world_defaults if defaults is None else defaults
        slots_override = config.get("card_slots") or os.environ.get("SEGUR_BENCH_CARD_SLOTS")
        if slots_override:
            defaults = (
                parse_slots(slots_override) if isinstance(slots_override, str) else dict(slots_override)
            )
        names = (f"{pcscd.FRIENDLY_NAME} 00 00", f"{pcscd.FRIENDLY_NAME} 00 01")
        self.manager = CardManager(catalog, names, defaults)
        self.manager.on_apdu = self._journal
        self.manager.add_listener(self._on_slot_change)
        self.home = Path(str(config.get("home") or "var"))
        self.pcscd_mode = str(config.get("pcscd") or os.environ.get("SEGUR_BENCH_PCSCD_MODE") or "auto")
        port = config.get("vpcd_port") or os.environ.get("SEGUR_BENCH_VPCD_PORT")
        self.vpcd_port = int(port) if port else None
        self.bench_address = self._address(
            config.get("bench_reader") or os.environ.get("SEGUR_BENCH_BENCH_READER")
        )
        self.endpoint: pcscd.PcscEndpoint | None = None
        self._pcscd: pcscd.PrivatePcscd | None = None
        self._reader: BenchReaderServer | None = None
        self._links: dict[int, VpcdLink] = {}
        self._removed_at: dict[int, float] = {}
        self._links_lock = threading.Lock()
        self.started = False

    @staticmethod
    def _address(value: Any) -> tuple[str, int]:
        if not value:
            return DEFAULT_ADDRESS
        host, _, port = str(value).rpartition(":")
        return (host or DEFAULT_ADDRESS[0], int(port))

    # SimulatedService ------------------------------------------------------------------------
    def app(self) -> None:
        return None

    def reset(self) -> None:
        self.manager.reset()

    def seed(self, payload: dict[str, Any]) -> dict[str, Any]:
        """`{"slots": {"0": "card-id", "1": null}}`: inserts (or removes with null) cards."""
        slots = payload.get("slots")
        if not isinstance(slots, dict):
            raise ValueError('« slots » attendu : {"0": "id de carte" ou null, ...}')
        for key, card_id in slots.items():
            index = int(key)
            if card_id is None:
                self.manager.remove(index)
            else:
                self.manager.insert(index, str(card_id))
        return {"slots": self.manager.states()}

    def classify(self, request: RawRequest) -> str | None:
        return None

    def correlation(self, request: RawRequest) -> dict[str, str]:
        return {}

    def render_fault(self, code: str, message: str) -> RawResponse:
        body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode("utf-8")
        return RawResponse(503, body, "application/json")

    def accept_peer(self, peer: PeerIdentity | None) -> RawResponse | None:
        return None

    def control_router(self) -> APIRouter:
        from simulators.cards.control import build_router

        return build_router(self)

    # lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        await asyncio.to_thread(self.start_sync)

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def start_sync(self) -> None:
        if self.mode == "pcsc":
            self.endpoint, self._pcscd = pcscd.ensure_pcscd(
                self.home / "pcsc", self.pcscd_mode, self.vpcd_port
            )
            for slot, name in zip(self.manager.slots, self.endpoint.readers, strict=False):
                slot.reader = name
        elif self.mode == "bench":
            try:
                self._reader = BenchReaderServer(self.manager, self.bench_address)
            except OSError as err:
                raise TransportError(
                    f"lecteur du banc : écoute impossible sur {self.bench_address[0]}:{self.bench_address[1]} ({err.strerror})"
                ) from None
            self._reader.start()
            host, port = self._reader.server_address[:2]
            self.bench_address = (str(host), int(port))  # port 0 asks for any free port
        self.started = True
        self.manager.reset()  # inserts the default cards

    def stop_sync(self) -> None:
        self.started = False
        with self._links_lock:
            links, self._links = list(self._links.values()), {}
        for link in links:
            link.stop()
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        if self._pcscd is not None:
            self._pcscd.stop()
            self._pcscd = None

    # transports -------------------------------------------------------------------------------
    def _on_slot_change(self, index: int, card: CardOS | None) -> None:
        if self.mode != "pcsc" or not self.started or self.endpoint is None:
            return
        with self._links_lock:
            link = self._links.pop(index, None)
        if link is not None:
            link.stop()
            self._removed_at[index] = time.monotonic()
        if card is None or index >= len(self.endpoint.ports):
            return
        wait = self._removed_at.get(index, 0.0) + SWITCH_GAP_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        manager = self.manager

        def exchange(apdu: bytes, index: int = index, card: CardOS = card) -> bytes:
            return manager.exchange(index, card, apdu, "pcsc")

        link = VpcdLink(self.endpoint.host, self.endpoint.ports[index], card, exchange)
        with self._links_lock:
            self._links[index] = link
        if not link.start(timeout=5.0):
            log.warning("lecteur %d : vpcd n'a pas encore accepté la carte (nouvelles tentatives)", index)

    def _journal(self, exchange: ApduExchange) -> None:
        ended = self.context.clock.now()
        command = masked(exchange.command)
        sw = exchange.response[-2:].hex().upper()
        try:
            self.context.record(
                "cards",
                operation_name(exchange.command),
                "inbound",
                request={
                    "headers": {
                        "slot": str(exchange.slot),
                        "card-id": exchange.card_id,
                        "card-kind": exchange.kind,
                        "transport": exchange.transport,
                        "apdu": command.hex().upper(),
                    },
                    "body": command,
                    "content_type": APDU_MEDIA_TYPE,
                    "started_at": ended - timedelta(seconds=exchange.duration_s),
                },
                response={
                    "headers": {"sw": sw, "rapdu": exchange.response.hex().upper()},
                    "body": exchange.response,
                    "content_type": APDU_MEDIA_TYPE,
                },
                correlation={"card_id": exchange.card_id, "slot": str(exchange.slot)},
            )
        except Exception:  # the journal must never break the card link
            log.exception("journal : échange APDU non enregistré")

    # published endpoints ----------------------------------------------------------------------
    def endpoints(self) -> dict[str, Any]:
        """The `cards` block of `endpoints --json` (CONVENTIONS)."""
        names = [s.reader for s in self.manager.slots]
        socket = None
        if self.endpoint is not None and self.endpoint.socket is not None:
            socket = str(self.endpoint.socket)
        return {
            "mode": self.mode,
            "pcscd_socket": socket,
            "pcscd_private": bool(self.endpoint and self.endpoint.private),
            "bench_reader": f"{self.bench_address[0]}:{self.bench_address[1]}"
            if self.mode == "bench"
            else None,
            "readers": {"vitale": names[0], "cps": names[1]},
        }

    def client_env(self) -> dict[str, str]:
        """Environment a PC/SC client process (the LGO, tests) needs to reach these readers."""
        return self.endpoint.client_env() if self.endpoint is not None else {}

    def health(self) -> dict[str, Any]:
        return {**self.endpoints(), "slots": self.manager.states()}
