"""The card manager: slots, switch, one OS per card, reset, waiting clients, journal names."""

from __future__ import annotations

import threading

import pytest

from simulators.cards.cps import CpsCard
from simulators.cards.errors import CardBusy, NoPin, SlotEmpty, UnknownCard, UnknownSlot
from simulators.cards.models import CardManager, masked, operation_name
from simulators.cards.samples import sample_catalog


@pytest.fixture
def manager() -> CardManager:
    catalog, defaults = sample_catalog()
    m = CardManager(catalog, ["L0", "L1"], defaults)
    m.reset()
    return m


def test_switching_cards_bumps_events_and_notifies_listeners(manager: CardManager) -> None:
    changes: list[tuple[int, str | None]] = []
    manager.add_listener(lambda slot, card: changes.append((slot, card.kind if card else None)))
    before = manager.slot_state(0)["events"]
    state = manager.insert(0, "vitale-seule")
    assert state["card_id"] == "vitale-seule" and state["events"] == before + 2
    assert changes == [(0, None), (0, "Vitale")]
    assert manager.insert(0, "vitale-seule")["events"] == before + 2  # same card: nothing happens


def test_a_card_is_in_one_slot_at_most_and_keeps_its_counters(manager: CardManager) -> None:
    with pytest.raises(CardBusy, match="déjà dans le lecteur 1"):
        manager.insert(0, "cps-exemple")
    assert manager.pin(1, "0000")["tries_left"] == 2
    manager.remove(1)
    manager.insert(0, "cps-exemple")
    card, _ = manager.current(0)
    assert isinstance(card, CpsCard) and card.pin.tries_left == 2 and not card.verified
    manager.reset()
    card, _ = manager.current(1)
    assert isinstance(card, CpsCard) and card.pin.tries_left == 3
    assert manager.slot_state(0)["card_id"] == "vitale-exemple"


def test_errors_name_the_problem_in_french(manager: CardManager) -> None:
    with pytest.raises(UnknownSlot, match="lecteur 3 inconnu"):
        manager.remove(3)
    with pytest.raises(UnknownCard, match="carte « x » inconnue"):
        manager.insert(0, "x")
    with pytest.raises(NoPin):
        manager.pin(0, "1234")
    manager.remove(1)
    with pytest.raises(SlotEmpty, match="aucune carte dans le lecteur 1"):
        manager.pin(1, "1234")
    with pytest.raises(SlotEmpty):
        manager.block(1)


def test_wait_change_wakes_up_on_insertion(manager: CardManager) -> None:
    known = [s["events"] for s in manager.states()]
    assert not manager.wait_change(known, 0.05)
    threading.Timer(0.05, manager.remove, args=(0,)).start()
    assert manager.wait_change(known, 5)


def test_journal_names_and_masking() -> None:
    assert operation_name(bytes.fromhex("002A9E9A00")) == "PSO CDS"
    assert operation_name(bytes.fromhex("00A4040C")) == "SELECT"
    assert operation_name(bytes.fromhex("00EE0000")) == "INS EE"
    assert operation_name(b"\x00") == "APDU invalide"
    assert masked(bytes.fromhex("002C00010C") + b"123456781234") == bytes.fromhex("002C00010C") + b"*" * 12
    assert masked(bytes.fromhex("00200001")) == bytes.fromhex("00200001")


def test_card_data_the_card_cannot_hold_is_a_clear_error() -> None:
    from simulators.cards.errors import CardDataError
    from simulators.cards.models import CardEntry
    from simulators.cards.vitale import VitaleCard, VitaleData

    broken = VitaleData("vitale-vide", "1", "179046912345628", "01", "691", "6911", ())
    entry = CardEntry("vitale-vide", "vitale", "vide", lambda: VitaleCard(broken))
    manager = CardManager({"vitale-vide": entry}, ["L0", "L1"])
    with pytest.raises(CardDataError, match="aucun bénéficiaire"):
        manager.insert(0, "vitale-vide")
    assert manager.slot_state(0)["present"] is False
