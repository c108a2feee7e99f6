"""CPx mode of the INSi calls (W1-INS-22) through the driver API: a session opened with the CPS card
(bench reader), the PS assertion signed ON that card (PSO CDS), TLS with the professional's exported
`ps-<rpps>-auth` credentials, checked by the real INSi simulator (correlation auth CPx and the PS id,
no error finding). A card removed, re-inserted (PIN needed again), swapped or tampered with is
refused with a 409 and a French message, before anything reaches INSi."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _lgo_ins_support import WORLD, login, seeded_id, world_lgo
from fastapi.testclient import TestClient

from simulators.cards.bench_reader import BenchReaderServer
from simulators.cards.cps import CpsCard
from simulators.cards.from_world import catalog_from_world
from simulators.cards.models import ApduExchange, CardEntry, CardManager
from simulators.core.testing import RunningStack, running_stack
from simulators.insi import DESCRIPTOR as INSI

READERS = ["Banc Segur 00 00", "Banc Segur 00 01"]
TITULAIRE_PS = WORLD.professional("pr-titulaire").id_nat_ps
ADJOINT_PS = WORLD.professional("pr-adjoint").id_nat_ps


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    home = tmp_path_factory.mktemp("insi-cpx")
    with running_stack(
        home, descriptors=[INSI], database_url=f"sqlite:///{home / 'journal.sqlite'}"
    ) as running:
        assert running.host("insi").state == "up", running.host("insi").error
        yield running


@pytest.fixture(scope="module")
def lgo_home(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported PKI with the world's professionals (their ps-<rpps>-auth credentials)."""
    home = tmp_path_factory.mktemp("lgo-cpx")
    stack.pki.export(home / "pki" / "export", [(p.id_nat_ps, p.display_name) for p in WORLD.professionals])
    return home


@pytest.fixture
def manager(stack: RunningStack) -> CardManager:
    catalog, _defaults = catalog_from_world(WORLD, stack.pki)
    titulaire = catalog["cps-titulaire"].build()
    assert isinstance(titulaire, CpsCard)
    stranger = stack.pki.professional(ADJOINT_PS, "sign", "Karim Ouali")
    # The titulaire's certificates with another signing key: its signatures cannot verify.
    tampered = dataclasses.replace(titulaire.data, card_id="cps-alteree", sign_key=stranger.key)
    catalog["cps-alteree"] = CardEntry("cps-alteree", "cps", "CPS altérée", lambda: CpsCard(tampered))
    cards = CardManager(catalog, READERS, {1: "cps-titulaire"})
    cards.reset()
    return cards


@pytest.fixture
def reader(manager: CardManager) -> Iterator[BenchReaderServer]:
    server = BenchReaderServer(manager, ("127.0.0.1", 0))
    server.start()
    yield server
    server.stop()


def control(
    stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    answer = httpx.request(method, stack.control_url + path, json=body, timeout=30)
    answer.raise_for_status()
    return answer


@pytest.fixture
def scenario(stack: RunningStack) -> str:
    scenario_id = f"lgo-cpx-{uuid.uuid4().hex[:8]}"
    control(stack, "POST", "/insi/reset", {"scenario_id": scenario_id})
    return scenario_id


@pytest.fixture
def lgo(
    stack: RunningStack, lgo_home: Path, tmp_path: Path, reader: BenchReaderServer, scenario: str
) -> Iterator[TestClient]:
    settings = {
        "insi_url": stack.url("insi"),
        "card_reader_mode": "bench",
        "bench_reader_address": reader.address,
    }
    with world_lgo(lgo_home, f"sqlite:///{tmp_path / 'lgo.sqlite'}", **settings) as client:
        yield client


def cps_login(client: TestClient, pin: str = "1234") -> dict[str, str]:
    answer = client.post("/driver/v1/sessions", json={"cps": {"pin": pin, "reader": "00 01"}})
    assert answer.status_code == 201, answer.text
    assert answer.json()["id_nat_ps"] == TITULAIRE_PS
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def simulator_calls(stack: RunningStack, scenario: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = control(stack, "GET", f"/insi/exchanges?scenario_id={scenario}").json()[
        "exchanges"
    ]
    return [r for r in records if r["operation"] != "tls-handshake"]


def search(client: TestClient, headers: dict[str, str], patient_id: int) -> httpx.Response:
    return client.post(
        f"/driver/v1/patients/{patient_id}/insi/search",
        json={"mode": "traits", "auth": "cpx"},
        headers=headers,
    )


def test_search_in_cpx_mode_signs_on_the_card(
    stack: RunningStack, scenario: str, lgo: TestClient, manager: CardManager
) -> None:
    headers = cps_login(lgo)
    garnier = seeded_id(lgo, headers, "lp-garnier-julien")
    apdus: list[ApduExchange] = []
    manager.on_apdu = apdus.append
    answer = search(lgo, headers, garnier)
    assert answer.status_code == 200, answer.text
    assert answer.json()["code_cr"] == "00" and answer.json()["exchanges"][0]["credential"] == "CPx"
    records = simulator_calls(stack, scenario)
    assert records
    # One PSO COMPUTE DIGITAL SIGNATURE per INSi call, accepted by the card (90 00, or 61 xx: the
    # signature follows in GET RESPONSE); no PIN sent again.
    signatures = [a for a in apdus if a.command[:4] == bytes.fromhex("002A9E9A")]
    assert len(signatures) == len(records) and all(a.response[-2] in (0x90, 0x61) for a in signatures)
    assert not [a for a in apdus if a.command[1] == 0x20 and len(a.command) > 5]
    for record in records:
        assert record["correlation"].get("auth") == "CPx" and record["correlation"].get("ps") == TITULAIRE_PS
        assert [f for f in record["findings"] if f["severity"] == "error"] == []
        assert TITULAIRE_PS in record["peer"]["subject"]  # TLS with the professional's auth credentials
    journal = lgo.get(
        "/driver/v1/journals/insi-calls", params={"patient_id": garnier}, headers=headers
    ).json()
    assert {(c["credential"], c["credential_detail"]) for c in journal["items"]} == {("CPx", TITULAIRE_PS)}
    assert manager.slot_state(1)["pin"]["verified"] is True  # the card keeps its PIN for the next call


def test_verification_in_cpx_mode(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    headers = cps_login(lgo)
    blanchard = seeded_id(lgo, headers, "lp-blanchard")
    answer = lgo.post(f"/driver/v1/patients/{blanchard}/insi/verify", json={"auth": "cpx"}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "OK"
    (record,) = simulator_calls(stack, scenario)
    assert record["operation"] == "verifierIns" and record["correlation"].get("auth") == "CPx"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ("remove", "carte_cps_absente", "Aucune carte CPS"),
        ("reinsert", "code_porteur_requis", "code porteur"),
        ("other", "carte_cps_differente", "n'est pas celle de la session"),
        ("tampered", "signature_cps_invalide", "ne correspond pas à son certificat"),
    ],
)
def test_a_card_that_cannot_sign_is_refused_in_french(
    stack: RunningStack,
    scenario: str,
    lgo: TestClient,
    manager: CardManager,
    change: str,
    code: str,
    words: str,
) -> None:
    headers = cps_login(lgo)
    garnier = seeded_id(lgo, headers, "lp-garnier-julien")
    if change == "remove":
        manager.remove(1)
    elif change == "reinsert":
        manager.remove(1)
        manager.insert(1, "cps-titulaire")
    elif change == "other":
        manager.insert(1, "cps-adjoint")
    else:
        manager.insert(1, "cps-alteree")
        manager.pin(1, "1234")  # typed on the reader's PIN pad: the card is ready to sign
    answer = search(lgo, headers, garnier)
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == code and words in answer.json()["detail"]
    assert simulator_calls(stack, scenario) == []
    assert lgo.get(f"/driver/v1/patients/{garnier}", headers=headers).json()["status"] == "PROV"


def test_cpx_needs_a_card_session_and_the_professional_credentials(
    scenario: str, lgo: TestClient, lgo_home: Path, tmp_path: Path
) -> None:
    titulaire = login(lgo, "titulaire")  # password session
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    answer = search(lgo, titulaire, garnier)
    assert answer.status_code == 409 and answer.json()["code"] == "session_cps_requise"
    empty = tmp_path / "vide"
    empty.mkdir()
    lgo.put("/driver/v1/settings", json={"cpx_credentials_dir": str(empty)}, headers=titulaire)
    answer = search(lgo, cps_login(lgo), garnier)
    assert answer.status_code == 409 and answer.json()["code"] == "certificat_cpx_introuvable"
    assert "ps-" in answer.json()["detail"]
