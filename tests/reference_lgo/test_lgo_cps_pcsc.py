"""CPS login through real PC/SC: a private pcscd with Debian's vsmartcard-vpcd driver, the virtual
cards plugged in by the cards component, and the LGO in its own process (libpcsclite reads
PCSCLITE_CSOCK_NAME once per process) reading the card with pyscard. Driver API and login form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _lgo_support import PROS, CardSet, csrf_of, lgo_process, seed_payload, trust_dirs

from protocols.pki import TestPKI
from simulators.cards.service import CardsService
from simulators.core.clock import BenchClock
from simulators.core.journal import Journal
from simulators.core.service import ServiceContext

pytestmark = pytest.mark.pcsc


@pytest.fixture(scope="module")
def cards(tmp_path_factory: pytest.TempPathFactory, lgo_cards: CardSet) -> Iterator[CardsService]:
    home = tmp_path_factory.mktemp("cartes-lgo")
    journal = Journal("sqlite://")
    config = {"cards": "pcsc", "home": str(home), "pcscd": "private"}
    service = CardsService(ServiceContext(None, None, BenchClock(), journal, config, name="cards"),
                           lgo_cards.catalog, {1: "cps-titulaire"})  # fmt: skip
    service.start_sync()
    yield service
    service.stop_sync()
    journal.close()


@pytest.fixture(scope="module")
def lgo(
    tmp_path_factory: pytest.TempPathFactory,
    cards: CardsService,
    lgo_pki: tuple[TestPKI, Path],
    lgo_cards: CardSet,
) -> Iterator[httpx.Client]:
    home = tmp_path_factory.mktemp("lgo-pcsc")
    pki, export = lgo_pki
    trust = trust_dirs(export, home / "trust", pki, [lgo_cards.revoked_serial])
    with (
        lgo_process(home, {**cards.client_env(), "SEGUR_BENCH_CARDS": "pcsc"}) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        answer = client.post("/driver/v1/seed", json=seed_payload(**trust))
        assert answer.status_code == 200, answer.text
        yield client


def test_settings_default_to_pcsc_and_the_readers_are_listed(lgo: httpx.Client) -> None:
    page = lgo.get("/connexion")
    assert "Accès aux lecteurs : PC/SC." in page.text
    assert "Banc Segur 00 01 — carte présente" in page.text
    assert "Banc Segur 00 00 — vide" in page.text


def test_cps_login_over_pcsc_through_the_driver_api(lgo: httpx.Client, cards: CardsService) -> None:
    cards.manager.insert(1, "cps-titulaire")
    wrong = lgo.post("/driver/v1/sessions", json={"cps": {"pin": "9999"}})
    assert (
        wrong.status_code == 401
        and wrong.json()["code"] == "pin_incorrect"
        and wrong.json()["tries_left"] == 2
    )
    answer = lgo.post("/driver/v1/sessions", json={"cps": {"pin": "1234", "reader": "Banc Segur 00 01"}})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["auth_method"] == "cps" and body["id_nat_ps"] == PROS["titulaire"].id_nat_ps
    assert body["account"]["login"] == "titulaire"
    # The APDUs really went through pcscd to the virtual card.
    assert cards.manager.slot_state(1)["pin"]["tries_left"] == 3


def test_cpe_login_and_card_switch_over_pcsc(lgo: httpx.Client, cards: CardsService) -> None:
    cards.manager.insert(1, "cps-preparateur")
    answer = lgo.post("/driver/v1/sessions", json={"cps": {"pin": "4321"}})
    assert answer.status_code == 201, answer.text
    assert answer.json()["account"]["role"] == "preparateur"
    cards.manager.insert(1, "cps-revoque")
    revoked = lgo.post("/driver/v1/sessions", json={"cps": {"pin": "1234"}})
    assert revoked.status_code == 401 and revoked.json()["code"] == "certificat_revoque"


def test_cps_login_over_pcsc_through_the_login_form(lgo: httpx.Client, cards: CardsService) -> None:
    cards.manager.insert(1, "cps-titulaire")
    with httpx.Client(base_url=str(lgo.base_url), timeout=30) as browser:
        page = browser.get("/connexion")
        answer = browser.post(
            "/connexion/cps",
            data={"reader": "Banc Segur 00 01", "pin": "1234", "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 303, answer.text
        home = browser.get("/")
        assert "Claire Titulaire · Pharmacien titulaire · carte CPS" in home.text


def test_no_card_in_the_reader(lgo: httpx.Client, cards: CardsService) -> None:
    cards.manager.remove(1)
    answer = lgo.post("/driver/v1/sessions", json={"cps": {"pin": "1234"}})
    assert answer.status_code == 401 and answer.json()["code"] == "carte_absente"
