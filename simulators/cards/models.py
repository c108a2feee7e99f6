"""The card manager: the cards of the world, the reader slots, and what a person does with them
(insert, remove, type a PIN on the PIN pad, block a card). Transports (vpcd, bench reader) listen
to slot changes and send every APDU through `exchange`, which journals it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from simulators.cards.cps import CpsCard
from simulators.cards.errors import CardBusy, CardDataError, NoPin, SlotEmpty, UnknownCard, UnknownSlot
from simulators.cards.iso7816 import CardOS
from simulators.cards.vitale import VitaleCard

CardKind = Literal["vitale", "cps"]
SECRET_INS = {0x20, 0x24, 0x2C}  # VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER: data masked

_INS_NAMES = {
    0x20: "VERIFY",
    0x22: "MSE SET",
    0x24: "CHANGE REFERENCE DATA",
    0x2C: "RESET RETRY COUNTER",
    0x84: "GET CHALLENGE",
    0x88: "INTERNAL AUTHENTICATE",
    0xA4: "SELECT",
    0xB0: "READ BINARY",
    0xC0: "GET RESPONSE",
    0xCA: "GET DATA",
    0xCB: "GET DATA",
}
_PSO_NAMES = {(0x9E, 0x9A): "PSO CDS", (0x90, 0xA0): "PSO HASH", (0x80, 0x86): "PSO DECIPHER"}


def operation_name(apdu: bytes) -> str:
    """Journal operation of an APDU ("SELECT", "PSO CDS", "INS 5A"...)."""
    if len(apdu) < 4:
        return "APDU invalide"
    if apdu[1] == 0x2A:
        return _PSO_NAMES.get((apdu[2], apdu[3]), "PSO")
    return _INS_NAMES.get(apdu[1], f"INS {apdu[1]:02X}")


def masked(apdu: bytes) -> bytes:
    """The APDU as journaled: PIN and PUK digits replaced by '*'."""
    if len(apdu) > 5 and apdu[1] in SECRET_INS:
        return apdu[:5] + b"*" * (len(apdu) - 5)
    return apdu


@dataclass(frozen=True)
class CardEntry:
    """A card of the world, ready to be inserted (its OS is built on first use)."""

    card_id: str
    kind: CardKind
    label: str
    build: Callable[[], CardOS]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApduExchange:
    slot: int
    card_id: str
    kind: CardKind
    transport: str
    command: bytes
    response: bytes
    duration_s: float


ApduHook = Callable[[ApduExchange], None]
SlotListener = Callable[[int, CardOS | None], None]


@dataclass
class Slot:
    index: int
    reader: str
    card_id: str | None = None
    card: CardOS | None = None
    events: int = 0  # bumped at each insertion and removal, like PC/SC's event counter

    def state(self, catalog: dict[str, CardEntry]) -> dict[str, Any]:
        entry = catalog.get(self.card_id) if self.card_id else None
        out: dict[str, Any] = {
            "slot": self.index,
            "reader": self.reader,
            "present": self.card is not None,
            "events": self.events,
            "card_id": self.card_id,
            "kind": entry.kind if entry else None,
            "label": entry.label if entry else None,
            "atr": self.card.atr.hex().upper() if self.card else None,
        }
        if isinstance(self.card, CpsCard):
            out["pin"] = {"tries_left": self.card.pin.tries_left, "verified": self.card.verified}
        if isinstance(self.card, VitaleCard):
            out["blocked"] = self.card.blocked
        return out


class CardManager:
    def __init__(
        self, catalog: dict[str, CardEntry], readers: Sequence[str], defaults: dict[int, str] | None = None
    ) -> None:
        self.catalog = catalog
        self.defaults = dict(defaults or {})
        self.slots = [Slot(i, name) for i, name in enumerate(readers)]
        self._instances: dict[str, CardOS] = {}
        self._changed = threading.Condition()
        self._ops = threading.RLock()  # one insertion/removal at a time, transports included
        self._listeners: list[SlotListener] = []
        self.on_apdu: ApduHook | None = None
        for slot, card_id in self.defaults.items():
            self._slot(slot)
            self._entry(card_id)

    # lookup ----------------------------------------------------------------------------------
    def _slot(self, index: int) -> Slot:
        if not 0 <= index < len(self.slots):
            raise UnknownSlot(f"lecteur {index} inconnu : le banc a les lecteurs 0 à {len(self.slots) - 1}")
        return self.slots[index]

    def _entry(self, card_id: str) -> CardEntry:
        entry = self.catalog.get(card_id)
        if entry is None:
            known = ", ".join(sorted(self.catalog)) or "aucune"
            raise UnknownCard(f"carte « {card_id} » inconnue du monde (cartes : {known})")
        return entry

    def instance(self, card_id: str) -> CardOS:
        """The one card OS of a card: its PIN counters survive removal and re-insertion."""
        with self._ops:
            card = self._instances.get(card_id)
            if card is None:
                try:
                    card = self._entry(card_id).build()
                except (ValueError, KeyError) as err:  # world data the card cannot hold
                    raise CardDataError(f"carte « {card_id} » impossible à construire : {err}") from None
                self._instances[card_id] = card
            return card

    # listing ----------------------------------------------------------------------------------
    def cards(self) -> list[dict[str, Any]]:
        where = {s.card_id: s.index for s in self.slots if s.card_id}
        return [
            {
                "card_id": e.card_id,
                "kind": e.kind,
                "label": e.label,
                "slot": where.get(e.card_id),
                **e.summary,
            }
            for e in self.catalog.values()
        ]

    def states(self) -> list[dict[str, Any]]:
        with self._changed:
            return [s.state(self.catalog) for s in self.slots]

    def slot_state(self, index: int) -> dict[str, Any]:
        with self._changed:
            return self._slot(index).state(self.catalog)

    def current(self, index: int) -> tuple[CardOS | None, int]:
        with self._changed:
            slot = self._slot(index)
            return slot.card, slot.events

    # person actions -----------------------------------------------------------------------------
    def add_listener(self, listener: SlotListener) -> None:
        self._listeners.append(listener)

    def _set(self, slot: Slot, card_id: str | None, card: CardOS | None) -> None:
        with self._changed:
            slot.card_id, slot.card = card_id, card
            slot.events += 1
            self._changed.notify_all()
        for listener in list(self._listeners):
            listener(slot.index, card)

    def insert(self, index: int, card_id: str) -> dict[str, Any]:
        """Inserts a card; a card already in this slot is removed first (a switch of cards)."""
        with self._ops:
            slot = self._slot(index)
            self._entry(card_id)
            other = next((s for s in self.slots if s.card_id == card_id and s is not slot), None)
            if other is not None:
                raise CardBusy(
                    f"la carte « {card_id} » est déjà dans le lecteur {other.index} : la retirer d'abord"
                )
            if slot.card_id == card_id:
                return self.slot_state(index)
            if slot.card is not None:
                self._remove(slot)
            card = self.instance(card_id)
            card.power_on()  # a reader powers a new card to read its ATR (cold reset)
            self._set(slot, card_id, card)
            return self.slot_state(index)

    def _remove(self, slot: Slot) -> None:
        card = slot.card
        self._set(slot, None, None)
        if card is not None:
            card.power_off()  # a removed card loses its security status

    def remove(self, index: int) -> dict[str, Any]:
        with self._ops:
            slot = self._slot(index)
            if slot.card is not None:
                self._remove(slot)
            return self.slot_state(index)

    def pin(self, index: int, pin: str) -> dict[str, Any]:
        """A PIN typed on the PIN pad of the reader: the pad sends VERIFY to the card."""
        with self._ops:
            slot = self._slot(index)
            card = slot.card
            if card is None:
                raise SlotEmpty(f"aucune carte dans le lecteur {index}")
            if not isinstance(card, CpsCard):
                raise NoPin(f"la carte du lecteur {index} ({card.kind}) n'a pas de code porteur")
            with card.lock:  # the pad's VERIFY is an APDU to the card: journaled like the others
                outcome = card.outcome(self.exchange(index, card, card.verify_apdu(pin), "clavier"))
            return {
                "slot": index,
                "card_id": slot.card_id,
                "sw": f"{outcome.sw:04X}",
                "verified": outcome.verified,
                "tries_left": outcome.tries_left,
            }

    def block(self, index: int, blocked: bool = True) -> dict[str, Any]:
        """Blocks the card (CPS: PIN counter to 0; Vitale: application deactivated), or unblocks it."""
        with self._ops:
            slot = self._slot(index)
            card = slot.card
            if card is None:
                raise SlotEmpty(f"aucune carte dans le lecteur {index}")
            if isinstance(card, CpsCard):
                card.set_blocked(blocked)
            elif isinstance(card, VitaleCard):
                with card.lock:
                    card.blocked = blocked
            return self.slot_state(index)

    def reset(self) -> None:
        """Back to the start of a scenario: fresh cards (PIN counters), default cards inserted."""
        with self._ops:
            for slot in self.slots:
                if slot.card is not None:
                    self._remove(slot)
            self._instances.clear()
            for index, card_id in sorted(self.defaults.items()):
                self.insert(index, card_id)

    # transports -------------------------------------------------------------------------------
    def wait_change(self, known: Sequence[int], timeout: float) -> bool:
        """Waits until a slot's event counter differs from `known`; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while [s.events for s in self.slots] == list(known):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def exchange(self, index: int, card: CardOS, apdu: bytes, transport: str) -> bytes:
        """Runs one APDU on a card and journals it."""
        t0 = time.perf_counter()
        response = card.execute(apdu)
        hook = self.on_apdu
        if hook is not None:
            slot = self.slots[index]
            card_id = slot.card_id if slot.card is card else None
            entry = self.catalog.get(card_id or "")
            kind: CardKind = entry.kind if entry else ("cps" if isinstance(card, CpsCard) else "vitale")
            hook(
                ApduExchange(index, card_id or "", kind, transport, apdu, response, time.perf_counter() - t0)
            )
        return response
