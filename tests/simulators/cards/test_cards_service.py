"""The `cards` component inside the simulators runtime (default world, test PKI, bench reader):
control plane routes, world data on the cards, journal, reset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from protocols.apdu import open_transport
from protocols.apdu.cps import CpsCard as CpsClient
from protocols.apdu.vitale import read_vitale
from simulators.cards import DESCRIPTOR
from simulators.core.testing import RunningStack, running_stack


@pytest.fixture(scope="module")
def stack(bench_home: Path) -> Iterator[RunningStack]:
    mp = pytest.MonkeyPatch()
    mp.setenv("SEGUR_BENCH_BENCH_READER", "127.0.0.1:0")  # any free port, published by the service
    try:
        with running_stack(bench_home, descriptors=[DESCRIPTOR], cards="bench") as running:
            assert running.host("cards").state == "up", running.host("cards").error
            yield running
    finally:
        mp.undo()


def api(stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.request(method, f"{stack.control_url}/cards{path}", json=body, timeout=30)


def reader_address(stack: RunningStack) -> str:
    address = api(stack, "GET", "/slots").json()["bench_reader"]
    assert isinstance(address, str)
    return address


def test_default_cards_of_the_world_are_inserted(stack: RunningStack) -> None:
    slots = api(stack, "GET", "/slots").json()
    assert slots["mode"] == "bench" and slots["pcscd_socket"] is None
    assert [(s["card_id"], s["kind"]) for s in slots["slots"]] == [
        ("vitale-garnier", "vitale"),
        ("cps-titulaire", "cps"),
    ]
    cards = {c["card_id"]: c for c in api(stack, "GET", "/cards").json()["cards"]}
    assert {"vitale-chevalier", "cpe-preparateur", "cpf-etudiant"} <= set(cards)
    assert cards["vitale-garnier"]["slot"] == 0


def test_world_vitale_card_holds_every_beneficiary(stack: RunningStack) -> None:
    with (
        open_transport("bench", bench_reader=reader_address(stack)) as transport,
        transport.connect(transport.find_reader(0)) as conn,
    ):
        data = read_vitale(conn)
    assert [b.nir for b in data.beneficiaries] == [
        "184066938304193",
        "286024410911272",
        "216096938320756",
        "216096938320855",
    ]
    assert [(b.qualite, b.rang) for b in data.beneficiaries] == [("00", 1), ("02", 1), ("06", 1), ("06", 2)]
    camille = data.beneficiaries[1]
    assert (camille.usage_name, camille.birth_name, camille.birth_date) == (
        "GARNIER",
        "BELLANGER",
        "19860203",
    )
    assert (data.regime, data.caisse, data.centre, data.serial) == ("01", "691", "6911", "1200000001")
    assert (data.beneficiaries[0].rights_start, data.beneficiaries[0].rights_end) == ("20260101", "20271231")


def test_child_without_own_nir_on_the_card_carries_the_insured_nir(stack: RunningStack) -> None:
    assert api(stack, "POST", "/slots/0/insert", {"card_id": "vitale-chevalier"}).status_code == 200
    try:
        with (
            open_transport("bench", bench_reader=reader_address(stack)) as transport,
            transport.connect(transport.find_reader(0)) as conn,
        ):
            data = read_vitale(conn)
        assert [b.nir for b in data.beneficiaries] == ["290071320523323", "290071320523323"]
        assert data.beneficiaries[0].rights_end == "20261231"
    finally:
        api(stack, "POST", "/slots/0/insert", {"card_id": "vitale-garnier"})


def test_world_cps_keys_and_certificates_come_from_the_test_pki(stack: RunningStack) -> None:
    with (
        open_transport("bench", bench_reader=reader_address(stack)) as transport,
        transport.connect(transport.find_reader(1)) as conn,
    ):
        cps = CpsClient(conn)
        assert not cps.pin_status().verified
        # The LGO asks for the PIN; the person types it on the reader's PIN pad (control plane).
        assert api(stack, "POST", "/slots/1/pin", {"pin": "1234"}).json()["verified"] is True
        assert cps.pin_status().verified
        certificates = cps.certificates()
        holder = cps.holder()
        signature = cps.sign(b"<Assertion/>")
    pki = stack.pki
    certificates.sign.verify_directly_issued_by(pki.personnes.cert)
    assert certificates.sign == pki.professional("899700001011", "sign", "Hélène DAUMAS").cert
    assert (holder.card_type, holder.id_nat_ps, holder.last_name) == ("CPS", "899700001011", "DAUMAS")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = certificates.sign.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"<Assertion/>", padding.PKCS1v15(), hashes.SHA256())


def test_cpe_of_the_preparateur_has_no_profession(stack: RunningStack) -> None:
    assert api(stack, "POST", "/slots/1/insert", {"card_id": "cpe-preparateur"}).status_code == 200
    try:
        with (
            open_transport("bench", bench_reader=reader_address(stack)) as transport,
            transport.connect(transport.find_reader(1)) as conn,
        ):
            cps = CpsClient(conn)
            holder, (situation,) = cps.holder(), cps.situations()
        assert (holder.card_type, holder.category) == ("CPE", 0x82)
        assert (situation.profession, situation.section, situation.role) == (
            None,
            None,
            "Préparateur en pharmacie",
        )
        assert situation.structure_id and situation.structure_id.startswith("1")
    finally:
        api(stack, "POST", "/slots/1/insert", {"card_id": "cps-titulaire"})


def test_control_plane_errors_are_problem_json_in_french(stack: RunningStack) -> None:
    unknown = api(stack, "POST", "/slots/0/insert", {"card_id": "carte-fantome"})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert "carte « carte-fantome » inconnue du monde" in unknown.json()["detail"]
    busy = api(stack, "POST", "/slots/1/insert", {"card_id": "vitale-garnier"})
    assert busy.status_code == 409 and "déjà dans le lecteur 0" in busy.json()["detail"]
    no_pin = api(stack, "POST", "/slots/0/pin", {"pin": "1234"})
    assert no_pin.status_code == 409 and "pas de code porteur" in no_pin.json()["detail"]
    assert api(stack, "POST", "/slots/2/remove").status_code == 422
    assert api(stack, "POST", "/slots/0/insert", {"card": "x"}).status_code == 422


def test_pin_pad_block_remove_and_reset(stack: RunningStack) -> None:
    wrong = api(stack, "POST", "/slots/1/pin", {"pin": "0000"}).json()
    assert (wrong["sw"], wrong["tries_left"], wrong["verified"]) == ("63C2", 2, False)
    blocked = api(stack, "POST", "/slots/1/block").json()
    assert blocked["pin"]["tries_left"] == 0
    assert api(stack, "POST", "/slots/1/pin", {"pin": "1234"}).json()["sw"] == "6983"
    assert api(stack, "POST", "/slots/1/block", {"blocked": False}).json()["pin"]["tries_left"] == 3
    assert api(stack, "POST", "/slots/0/block").json()["blocked"] is True
    assert api(stack, "POST", "/slots/0/remove").json()["present"] is False
    assert api(stack, "POST", "/slots/0/remove").json()["present"] is False  # idempotent
    assert httpx.post(f"{stack.control_url}/cards/reset", json={"scenario_id": "cartes-1"}).status_code == 200
    slots = api(stack, "GET", "/slots").json()["slots"]
    assert [s["card_id"] for s in slots] == ["vitale-garnier", "cps-titulaire"]
    assert slots[0]["blocked"] is False and slots[1]["pin"] == {"tries_left": 3, "verified": False}


def test_apdus_are_in_the_exchange_journal(stack: RunningStack) -> None:
    assert api(stack, "POST", "/slots/1/pin", {"pin": "1234"}).status_code == 200
    answer = httpx.get(
        f"{stack.control_url}/cards/exchanges", params={"operation": "VERIFY"}, timeout=30
    ).json()
    records = answer["exchanges"] if isinstance(answer, dict) else answer
    assert records and all(r["service"] == "cards" for r in records)
    last = records[-1]
    assert last["request"]["headers"]["apdu"] == "00200001042A2A2A2A"
    assert last["response"]["headers"]["sw"] == "9000"
    assert last["request"]["headers"]["transport"] == "clavier"
    assert last["correlation"] == {"card_id": "cps-titulaire", "slot": "1"}
