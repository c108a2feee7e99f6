"""CPS login through the bench reader: card read with protocols.apdu, PIN verified on the card,
challenge signed by the card and checked, certificate validated against the exported test PKI
(chain, dates, CRL), account matched by idNatPS."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from _lgo_support import PROS, CardSet, csrf_of, driver_login, seed_payload, trust_dirs
from fastapi.testclient import TestClient

from protocols.pki import TestPKI
from reference_lgo.app import create_app
from reference_lgo.runtime import Runtime
from reference_lgo.settings import LgoConfig
from simulators.cards.bench_reader import BenchReaderServer
from simulators.cards.cps import CpsCard
from simulators.cards.models import CardEntry, CardManager
from simulators.cards.samples import sample_cps

READERS = ["Banc Segur 00 00", "Banc Segur 00 01"]


@pytest.fixture
def manager(lgo_cards: CardSet, lgo_pki: tuple[TestPKI, Path]) -> CardManager:
    catalog = dict(lgo_cards.catalog)
    foreign = sample_cps("cps-autre-ac")  # self-signed certificates: not from a trusted CA
    catalog[foreign.card_id] = CardEntry(
        foreign.card_id, "cps", "CPS d'une autre AC", lambda: CpsCard(foreign)
    )
    titulaire = next(e for e in lgo_cards.catalog.values() if e.card_id == "cps-titulaire").build()
    assert isinstance(titulaire, CpsCard)
    stranger = lgo_pki[0].professional(PROS["inconnu"].id_nat_ps, "auth", PROS["inconnu"].display_name)
    # The titulaire's certificate with somebody else's key: the signed challenge must not verify.
    cloned = dataclasses.replace(titulaire.data, card_id="cps-clone", auth_key=stranger.key)
    catalog["cps-clone"] = CardEntry("cps-clone", "cps", "CPS clonée", lambda: CpsCard(cloned))
    cards = CardManager(catalog, READERS, {1: "cps-titulaire"})
    cards.reset()
    return cards


@pytest.fixture
def reader(manager: CardManager) -> Iterator[BenchReaderServer]:
    server = BenchReaderServer(manager, ("127.0.0.1", 0))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cps_client(
    tmp_path: Path, reader: BenchReaderServer, lgo_pki: tuple[TestPKI, Path], lgo_cards: CardSet
) -> Iterator[TestClient]:
    pki, export = lgo_pki
    trust = trust_dirs(export, tmp_path / "trust", pki, [lgo_cards.revoked_serial])
    runtime = Runtime.start(LgoConfig(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'lgo.sqlite'}"))
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as client:
        payload = seed_payload(card_reader_mode="bench", bench_reader_address=reader.address, **trust)
        assert client.post("/driver/v1/seed", json=payload).status_code == 200
        yield client
    runtime.db.dispose()


def cps_login(client: TestClient, pin: str, reader: str | None = None) -> tuple[int, dict[str, object]]:
    body: dict[str, object] = {"pin": pin}
    if reader:
        body["reader"] = reader
    answer = client.post("/driver/v1/sessions", json={"cps": body})
    return answer.status_code, answer.json()


def test_titulaire_logs_in_with_the_card(cps_client: TestClient) -> None:
    status, body = cps_login(cps_client, "1234")
    assert status == 201, body
    assert body["auth_method"] == "cps"
    assert body["id_nat_ps"] == PROS["titulaire"].id_nat_ps
    account = body["account"]
    assert isinstance(account, dict) and account["login"] == "titulaire"
    headers = {"Authorization": f"Bearer {body['token']}"}
    trail = cps_client.get("/driver/v1/audit", headers=headers, params={"action": "connexion"}).json()[
        "items"
    ]
    assert trail[0]["auth_method"] == "cps" and trail[0]["id_nat_ps"] == PROS["titulaire"].id_nat_ps
    assert trail[0]["outcome"] == "succes"


def test_wrong_pin_counts_down_then_blocks_the_card(cps_client: TestClient, manager: CardManager) -> None:
    status, body = cps_login(cps_client, "0000")
    assert status == 401 and body["code"] == "pin_incorrect" and body["tries_left"] == 2
    assert body["detail"] == "Code porteur incorrect : il reste 2 essai(s) avant blocage de la carte."
    cps_login(cps_client, "0000")
    status, body = cps_login(cps_client, "0000")
    assert body["code"] == "carte_bloquee" and body["tries_left"] == 0
    assert str(body["detail"]).startswith("Code porteur incorrect : Carte CPS bloquée")
    status, body = cps_login(cps_client, "1234")
    assert status == 401 and body["code"] == "carte_bloquee"
    assert str(body["detail"]).startswith("Carte CPS bloquée (code porteur saisi faux trop de fois)")
    assert manager.slot_state(1)["pin"]["tries_left"] == 0
    titulaire = driver_login(cps_client, "titulaire")
    failures = cps_client.get("/driver/v1/audit", headers=titulaire, params={"outcome": "echec"}).json()[
        "items"
    ]
    assert [f["details"]["code"] for f in failures] == [
        "carte_bloquee",
        "carte_bloquee",
        "pin_incorrect",
        "pin_incorrect",
    ]
    assert all(f["id_nat_ps"] == PROS["titulaire"].id_nat_ps for f in failures)
    # The typed PIN is never kept.
    assert not any("pin" in f["details"] or "0000" in f["summary"] for f in failures)


def test_preparateur_with_a_cpe_logs_in_as_preparateur(cps_client: TestClient, manager: CardManager) -> None:
    manager.insert(1, "cps-preparateur")
    status, body = cps_login(cps_client, "4321", reader="00 01")
    assert status == 201, body
    account = body["account"]
    assert isinstance(account, dict) and account["role"] == "preparateur"


@pytest.mark.parametrize(
    ("card", "code", "words"),
    [
        ("cps-inconnu", "aucun_compte", "Aucun compte pour ce professionnel"),
        ("cps-revoque", "certificat_revoque", "Le certificat de la carte est révoqué."),
        ("cps-expire", "certificat_expire", "Le certificat de la carte a expiré le"),
        ("cps-autre-ac", "certificat_non_reconnu", "autorité de confiance"),
        ("cps-clone", "signature_invalide", "signature du défi invalide"),
    ],
)
def test_refused_cards_say_why_in_french(
    cps_client: TestClient, manager: CardManager, card: str, code: str, words: str
) -> None:
    manager.insert(1, card)
    status, body = cps_login(cps_client, "1234")
    assert status == 401, body
    assert body["code"] == code
    assert words in str(body["detail"])


def test_certificate_refusals_happen_before_the_pin_is_tried(
    cps_client: TestClient, manager: CardManager
) -> None:
    manager.insert(1, "cps-revoque")
    cps_login(cps_client, "0000")
    assert manager.slot_state(1)["pin"]["tries_left"] == 3


def test_missing_card_and_unknown_reader(cps_client: TestClient, manager: CardManager) -> None:
    manager.remove(1)
    status, body = cps_login(cps_client, "1234")
    assert status == 401 and body["code"] == "carte_absente"
    assert "Aucune carte dans le lecteur « Banc Segur 00 01 »" in str(body["detail"])
    status, body = cps_login(cps_client, "1234", reader="Lecteur fantôme")
    assert status == 503 and body["code"] == "lecteur_introuvable"


def test_missing_trust_files_refuse_the_login(cps_client: TestClient, tmp_path: Path) -> None:
    titulaire = driver_login(cps_client, "titulaire")
    cps_client.put(
        "/driver/v1/settings", headers=titulaire, json={"trust_chain": str(tmp_path / "absent.pem")}
    )
    status, body = cps_login(cps_client, "1234")
    assert status == 401 and body["code"] == "confiance_indisponible"
    assert "absent.pem" in str(body["detail"])


def test_cps_login_through_the_login_form(cps_client: TestClient) -> None:
    page = cps_client.get("/connexion")
    assert "Banc Segur 00 01 — carte présente" in page.text
    answer = cps_client.post(
        "/connexion/cps",
        data={"reader": "Banc Segur 00 01", "pin": "1234", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    home = cps_client.get("/")
    assert "Claire Titulaire · Pharmacien titulaire · carte CPS" in home.text
    assert f"idNatPS {PROS['titulaire'].id_nat_ps}" in home.text
    wrong = cps_client.post(
        "/connexion/cps", data={"reader": "Banc Segur 00 01", "pin": "9999", "csrf_token": csrf_of(page.text)}
    )
    assert wrong.status_code == 401 and "il reste 2 essai(s)" in wrong.text
