"""Bulk verification (W1-INS-25) and integration from another identification domain (W1-INS-21)
through the driver API, against the real INSi simulator on its mutual-TLS listener (default world):
INSI-AUTO calls journaled one by one, a KO identity downgraded and reported, a DataMatrix whose INS
INSi confirms integrated as RECUP, one it refutes never integrated."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _lgo_ins_support import WORLD, create, login, person_body, seeded_id, world_lgo
from fastapi.testclient import TestClient

from protocols import identifiers
from protocols.ins_datamatrix import InsDataMatrix, encode
from reference_lgo.domain.identity_traits import fold
from simulators.core.testing import RunningStack, running_stack
from simulators.insi import DESCRIPTOR as INSI


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    home = tmp_path_factory.mktemp("insi-part2")
    with running_stack(
        home, descriptors=[INSI], database_url=f"sqlite:///{home / 'journal.sqlite'}"
    ) as running:
        assert running.host("insi").state == "up", running.host("insi").error
        yield running


@pytest.fixture(scope="module")
def lgo_home(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("lgo-part2")
    stack.pki.export(home / "pki" / "export", [])
    return home


def control(
    stack: RunningStack, method: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    answer = httpx.request(method, stack.control_url + path, json=body, timeout=30)
    answer.raise_for_status()
    return answer


@pytest.fixture
def scenario(stack: RunningStack) -> str:
    scenario_id = f"lgo-part2-{uuid.uuid4().hex[:8]}"
    control(stack, "POST", "/insi/reset", {"scenario_id": scenario_id})
    return scenario_id


@pytest.fixture
def lgo(stack: RunningStack, lgo_home: Path, tmp_path: Path, scenario: str) -> Iterator[TestClient]:
    with world_lgo(lgo_home, f"sqlite:///{tmp_path / 'lgo.sqlite'}", insi_url=stack.url("insi")) as client:
        yield client


def simulator_calls(stack: RunningStack, scenario: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = control(stack, "GET", f"/insi/exchanges?scenario_id={scenario}").json()[
        "exchanges"
    ]
    return [r for r in records if r["operation"] != "tls-handshake"]


def journal(client: TestClient, patient_id: int | None = None) -> list[dict[str, Any]]:
    params = {"patient_id": patient_id} if patient_id is not None else {}
    answer = client.get("/driver/v1/journals/insi-calls", params=params, headers=login(client, "titulaire"))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def forget(stack: RunningStack, person_id: str) -> None:
    """INSi no longer knows the person: a verification of the INS held gives KO."""
    person = WORLD.person(person_id).model_dump(mode="json")
    control(stack, "POST", "/insi/seed", {"persons": [{**person, "matricule": None}]})


def datamatrix_of(person_id: str, **changes: Any) -> str:
    person = WORLD.person(person_id)
    assert person.matricule and person.oid
    payload = InsDataMatrix(
        matricule=person.matricule,
        oid=person.oid,
        birth_name=fold(person.birth_name),
        first_names=tuple(fold(name) for name in person.first_names),
        sex=person.sex,
        birth_date=str(person.birth_date),
        birth_place=person.birth_place,
    )
    return encode(InsDataMatrix(**{**payload.__dict__, **changes}))


def count_patients(client: TestClient, headers: dict[str, str], birth_date: str) -> int:
    total: int = client.get("/driver/v1/patients", params={"birth_date": birth_date}, headers=headers).json()[
        "total"
    ]
    return total


# --- bulk verification (W1-INS-25) ---------------------------------------------------------------


def test_bulk_verification_downgrades_the_ko_identity(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    forget(stack, "ferreira-joao")
    titulaire = login(lgo, "titulaire")
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    answer = lgo.post("/driver/v1/insi/bulk-verify", json={}, headers=titulaire)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["checked"], report["ok"], report["ko"], report["errors"]) == (2, 1, 1, [])
    assert report["credential"] == "INSI-AUTO" and report["interrupted"] is False
    (down,) = report["downgraded"]
    assert down["patient_id"] == ferreira and down["status"] == "PROV"
    assert "Vérification INSi en échec" in down["reason"]

    after = lgo.get(f"/driver/v1/patients/{ferreira}", headers=titulaire).json()
    assert after["status"] == "PROV" and after["ins"] is None
    kept = lgo.get(f"/driver/v1/patients/{blanchard}", headers=titulaire).json()
    assert kept["status"] == "QUAL" and kept["ins"]["matricule"] == "279116748235053"
    calls = journal(lgo)
    assert {(c["patient_id"], c["credential"], c["result"]) for c in calls} == {
        (ferreira, "INSI-AUTO", "KO"),
        (blanchard, "INSI-AUTO", "OK"),
    }
    records = simulator_calls(stack, scenario)
    assert len(records) == len(calls) and {r["correlation"].get("auth") for r in records} == {"INSI-AUTO"}
    trail = lgo.get("/driver/v1/audit", params={"action": "insi.verifier_masse"}, headers=titulaire).json()
    assert trail["total"] == 1 and trail["items"][0]["details"]["ko"] == 1


def test_bulk_verification_stops_when_insi_is_down(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    titulaire = login(lgo, "titulaire")
    ids = [seeded_id(lgo, titulaire, ref) for ref in ("lp-ferreira", "lp-blanchard")]
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")  # no INS: reported, the run goes on
    control(stack, "POST", "/insi/faults", {"pack": "coupure"})
    try:
        report = lgo.post(
            "/driver/v1/insi/bulk-verify", json={"patient_ids": [garnier, *ids]}, headers=titulaire
        ).json()
    finally:
        control(stack, "DELETE", "/insi/faults")
    assert [e["code"] for e in report["errors"]] == ["ins_absent", "insi_indisponible"]
    assert report["interrupted"] is True and report["not_checked"] == ids[1:] and report["checked"] == 0
    statuses = [lgo.get(f"/driver/v1/patients/{i}", headers=titulaire).json()["status"] for i in ids]
    assert statuses == ["RECUP", "QUAL"]  # an outage never downgrades


def test_bulk_verification_needs_the_insi_permission(lgo: TestClient) -> None:
    etudiant = login(lgo, "etudiant")
    answer = lgo.post("/driver/v1/insi/bulk-verify", json={}, headers=etudiant)
    assert answer.status_code == 403 and answer.json()["permission"] == "insi.appeler"


# --- another identification domain (W1-INS-21) ----------------------------------------------------


def test_a_confirmed_datamatrix_is_integrated_as_recup(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    titulaire = login(lgo, "titulaire")
    person = WORLD.person("kouassi-aya")
    answer = lgo.post(
        "/driver/v1/patients/import-ins",
        json={"source": "datamatrix", "payload": datamatrix_of("kouassi-aya").replace("\x1d", "<GS>")},
        headers=titulaire,
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["result"] == "integre" and result["created"] is True and result["status"] == "RECUP"
    patient = lgo.get(f"/driver/v1/patients/{result['patient_id']}", headers=titulaire).json()
    assert patient["ins"]["matricule"] == person.matricule and patient["status"] == "RECUP"
    assert patient["locked_traits"]
    calls = journal(lgo, result["patient_id"])
    assert calls and all(c["credential"] == "INSI-AUTO" and c["result"] == "OK" for c in calls)
    assert {c["mode"] for c in calls} == {"import"}
    records = simulator_calls(stack, scenario)
    assert records and records[0]["correlation"].get("auth") == "INSI-AUTO"
    again = lgo.post(
        "/driver/v1/patients/import-ins",
        json={"source": "datamatrix", "payload": datamatrix_of("kouassi-aya")},
        headers=titulaire,
    ).json()
    assert again["result"] == "integre" and again["created"] is False
    assert again["patient_id"] == result["patient_id"]


def test_a_local_identity_without_ins_receives_the_confirmed_one(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    local = create(lgo, titulaire, person_body("kouassi-aya"))
    person = WORLD.person("kouassi-aya")
    body = {
        "source": "document",
        "ins": {"matricule": person.matricule, "oid": person.oid},
        "traits": {"birth_name": person.birth_name, "first_names": person.first_names, "sex": person.sex,
                   "birth_date": str(person.birth_date), "birth_place": person.birth_place},
    }  # fmt: skip
    result = lgo.post("/driver/v1/patients/import-ins", json=body, headers=titulaire).json()
    assert result["result"] == "integre" and result["created"] is False
    assert result["patient_id"] == local["id"]
    updated = lgo.get(f"/driver/v1/patients/{local['id']}", headers=titulaire).json()
    assert updated["status"] == "RECUP" and updated["ins"]["matricule"] == person.matricule


def test_a_refuted_ins_is_never_integrated(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    person = WORLD.person("kouassi-aya")
    other = identifiers.join_matricule("2930499326999")  # a valid key, not Aya's INS
    before = count_patients(lgo, titulaire, str(person.birth_date))
    answer = lgo.post(
        "/driver/v1/patients/import-ins",
        json={"source": "datamatrix", "payload": datamatrix_of("kouassi-aya", matricule=other)},
        headers=titulaire,
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["result"] == "non_integre" and result["patient_id"] is None
    assert result["code"] == "verification_ko" and "Vérification INSi en échec" in result["reason"]
    assert count_patients(lgo, titulaire, str(person.birth_date)) == before
    calls = journal(lgo)
    assert calls and all(c["patient_id"] is None and c["result"] == "KO" for c in calls)
    assert len(simulator_calls(stack, scenario)) == len(calls)
    trail = lgo.get("/driver/v1/audit", params={"action": "patient.importer"}, headers=titulaire).json()
    assert trail["items"][0]["outcome"] == "refus"


def test_an_insi_outage_integrates_nothing(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    control(stack, "POST", "/insi/faults", {"pack": "indisponible"})
    try:
        result = lgo.post(
            "/driver/v1/patients/import-ins",
            json={"source": "datamatrix", "payload": datamatrix_of("kouassi-aya")},
            headers=titulaire,
        ).json()
    finally:
        control(stack, "DELETE", "/insi/faults")
    assert (
        result["result"] == "non_integre" and result["code"] == "insi_erreur" and "INSi" in result["reason"]
    )
    assert count_patients(lgo, titulaire, str(WORLD.person("kouassi-aya").birth_date)) == 0
    assert [c["fault_code"] is not None for c in journal(lgo)] == [True]


def test_an_unreadable_datamatrix_is_refused_before_any_call(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    titulaire = login(lgo, "titulaire")
    broken = datamatrix_of("kouassi-aya").replace("IS01", "IS02")
    answer = lgo.post(
        "/driver/v1/patients/import-ins", json={"source": "datamatrix", "payload": broken}, headers=titulaire
    )
    assert answer.status_code == 422 and answer.json()["code"] == "datamatrix_invalide"
    assert "version" in answer.json()["detail"]
    assert simulator_calls(stack, scenario) == []
    preparateur_without_insi = login(lgo, "etudiant")
    forbidden = lgo.post(
        "/driver/v1/patients/import-ins",
        json={"source": "datamatrix", "payload": datamatrix_of("kouassi-aya")},
        headers=preparateur_without_insi,
    )
    assert forbidden.status_code == 403
