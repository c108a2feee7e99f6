"""The real PC/SC path: a private pcscd (own reader.conf "Banc Segur", own socket) with Debian's
vsmartcard-vpcd driver, the virtual cards plugged into it by the bench's vpcd client, and pyscard
on the other side (in a subprocess, since libpcsclite reads PCSCLITE_CSOCK_NAME once per process).
CI installs pcscd and vsmartcard-vpcd: these tests always run there."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulators.cards.samples import sample_catalog, sample_vitale
from simulators.cards.service import CardsService
from simulators.core.clock import BenchClock
from simulators.core.journal import ExchangeFilter, Journal
from simulators.core.service import ServiceContext

pytestmark = pytest.mark.pcsc
PROBE = Path(__file__).with_name("_pcsc_probe.py")
VITALE_ATR = "3B751300004409EA9000"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CardsService]:
    home = tmp_path_factory.mktemp("cartes")
    journal = Journal("sqlite://")
    context = ServiceContext(
        None,
        None,
        BenchClock(),
        journal,
        {"cards": "pcsc", "home": str(home), "pcscd": "private"},
        name="cards",
    )
    catalog, defaults = sample_catalog()
    svc = CardsService(context, catalog, defaults)
    svc.start_sync()
    yield svc
    svc.stop_sync()
    journal.close()


def probe(service: CardsService, *args: str) -> Any:
    env = {**os.environ, **service.client_env()}
    done = subprocess.run(
        [sys.executable, str(PROBE), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_private_pcscd_publishes_its_socket_and_readers(service: CardsService) -> None:
    endpoints = service.endpoints()
    assert endpoints["mode"] == "pcsc" and endpoints["pcscd_private"] is True
    assert Path(endpoints["pcscd_socket"]).is_socket()
    assert endpoints["readers"] == {"vitale": "Banc Segur 00 00", "cps": "Banc Segur 00 01"}
    assert service.client_env() == {"PCSCLITE_CSOCK_NAME": endpoints["pcscd_socket"]}


def test_every_beneficiary_of_a_multi_beneficiary_vitale_card(service: CardsService) -> None:
    result = probe(service, "vitale", "0")
    assert result["atr"] == VITALE_ATR
    assert result["nirs"] == [b.nir for b in sample_vitale().beneficiaries]
    assert result["rangs"] == [1, 1, 1, 2]
    readers = probe(service, "readers")
    assert [r["name"] for r in readers] == ["Banc Segur 00 00", "Banc Segur 00 01"]
    assert [r["atr"] for r in readers] == [VITALE_ATR, "3BAC00402A001225006480000310009000"]


def test_cps_pin_right_wrong_blocked_unblocked_and_signature(service: CardsService) -> None:
    result = probe(service, "cps")
    assert result["serial"] == "0000199999"
    assert (result["status"], result["right"], result["signature_verified"]) == (3, True, True)
    assert result["wrong"] == [2, 1, 0]
    assert result["blocked_right_pin"] == 0x6983
    assert result["sign_after_block"] == "6982"
    assert (result["unblock"], result["right_after_unblock"]) == (0x9000, True)


def test_a_card_inserted_through_the_control_plane_is_read(service: CardsService) -> None:
    service.manager.insert(0, "vitale-seule")
    try:
        assert probe(service, "vitale", "0")["nirs"] == ["160012A01234576"]
    finally:
        service.manager.insert(0, "vitale-exemple")
    assert probe(service, "vitale", "0")["nirs"][0] == sample_vitale().beneficiaries[0].nir


def _lines(stream: Any, out: queue.Queue[dict[str, Any]]) -> None:
    for line in stream:
        out.put(json.loads(line))


def test_insertion_and_removal_seen_by_a_pyscard_card_monitor(service: CardsService) -> None:
    env = {**os.environ, **service.client_env()}
    monitor = subprocess.Popen(
        [sys.executable, str(PROBE), "monitor", "8"], env=env, stdout=subprocess.PIPE, text=True
    )
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    threading.Thread(target=_lines, args=(monitor.stdout, events), daemon=True).start()
    try:
        seen: list[dict[str, Any]] = []
        while not seen or seen[-1]["event"] != "ready":
            seen.append(events.get(timeout=10))
        assert {e["reader"] for e in seen if e["event"] == "inserted"} == {
            "Banc Segur 00 00",
            "Banc Segur 00 01",
        }
        service.manager.remove(0)
        assert events.get(timeout=5) == {"event": "removed", "reader": "Banc Segur 00 00"}
        service.manager.insert(0, "vitale-exemple")
        assert events.get(timeout=5) == {"event": "inserted", "reader": "Banc Segur 00 00", "atr": VITALE_ATR}
    finally:
        monitor.kill()
        monitor.wait()


def test_apdus_are_journaled_with_the_pin_masked(service: CardsService) -> None:
    probe(service, "cps")
    service.context.journal.flush()
    records = service.context.journal.query(ExchangeFilter(service="cards", operation="VERIFY", limit=500))
    assert records, "aucune APDU VERIFY au journal"
    sent = {r.request.headers["apdu"] for r in records}
    assert "00200001042A2A2A2A" in sent  # "****" and not any("31323334" in apdu for apdu in sent)
    assert {r.request.headers["transport"] for r in records} == {"pcsc"}
    assert {r.correlation["card_id"] for r in records} == {"cps-exemple"}


def test_cards_come_back_when_pcscd_restarts(service: CardsService) -> None:
    daemon = service._pcscd
    assert daemon is not None and service.endpoint is not None
    daemon.stop()
    daemon.port = service.endpoint.ports[0]
    daemon.start()
    assert probe(service, "vitale", "0")["nirs"][0] == sample_vitale().beneficiaries[0].nir
