"""The driver API: OpenAPI, version header, bench token, reset, clock, seed, evidence, problem+json."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from _lgo_support import driver_login, seed_payload
from fastapi.testclient import TestClient

from reference_lgo.app import create_app
from reference_lgo.runtime import Runtime
from reference_lgo.settings import LgoConfig


def test_openapi_is_published_with_every_action(sqlite_client: TestClient) -> None:
    answer = sqlite_client.get("/driver/v1/openapi.json")
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for path in ("/sessions", "/sessions/current", "/reset", "/clock", "/seed", "/evidence", "/accounts",
                 "/accounts/{login}", "/accounts/{login}/permissions", "/roles", "/roles/{role}/permissions",
                 "/settings", "/audit", "/audit/export"):  # fmt: skip
        assert path in paths, path
    assert answer.json()["info"]["version"] == "1.0"
    assert sqlite_client.get("/driver/v1/docs").status_code == 404  # no Swagger UI (it needs a CDN)


def test_every_answer_carries_the_api_version(sqlite_client: TestClient) -> None:
    info = sqlite_client.get("/driver/v1/")
    assert info.headers["x-driver-api-version"] == "1.0"
    assert "sessions" in info.json()["actions"]
    assert sqlite_client.get("/driver/v1/inconnue").headers["x-driver-api-version"] == "1.0"


def test_errors_are_problem_json_in_french(sqlite_client: TestClient) -> None:
    unknown = sqlite_client.get("/driver/v1/inconnue")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["detail"] == "Action inconnue de l'API de pilotage."
    invalid = sqlite_client.post("/driver/v1/sessions", json={"login": "x", "cps": {"pin": "12"}})
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "donnees_invalides"
    assert "Données invalides" in invalid.json()["detail"]
    no_token = sqlite_client.get("/driver/v1/accounts")
    assert no_token.status_code == 401
    assert no_token.headers["www-authenticate"].startswith("Bearer")
    assert "POST /driver/v1/sessions" in no_token.json()["detail"]
    malformed = sqlite_client.post(
        "/driver/v1/seed", content=b"{pas du json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422 and "JSON invalide" in malformed.json()["detail"]


def test_reset_returns_to_a_fresh_install(sqlite_client: TestClient) -> None:
    headers = driver_login(sqlite_client, "titulaire")
    answer = sqlite_client.post("/driver/v1/reset", json={"scenario_id": "sc-42"})
    assert answer.json() == {"status": "ok", "scenario_id": "sc-42"}
    assert sqlite_client.get("/driver/v1/sessions/current", headers=headers).status_code == 401
    assert (
        sqlite_client.post(
            "/driver/v1/sessions", json={"login": "titulaire", "password": "motdepasse-banc"}
        ).status_code
        == 401
    )
    sqlite_client.post("/driver/v1/seed", json=seed_payload())
    titulaire = driver_login(sqlite_client, "titulaire")
    trail = sqlite_client.get("/driver/v1/audit", headers=titulaire).json()["items"]
    assert "acces.refuse" not in {e["action"] for e in trail}  # the old trail is gone
    assert sqlite_client.get("/driver/v1/settings", headers=titulaire).json()["inactivity_minutes"] == 15


def test_clock_has_the_simulators_shape(sqlite_client: TestClient) -> None:
    assert sqlite_client.get("/driver/v1/clock").json()["mode"] == "real"
    frozen = sqlite_client.put(
        "/driver/v1/clock", json={"mode": "frozen", "now": "2026-05-04T10:00:00+02:00"}
    ).json()
    assert frozen == {"mode": "frozen", "now": "2026-05-04T08:00:00Z", "offset_s": 0.0}
    offset = sqlite_client.put("/driver/v1/clock", json={"mode": "offset", "offset_s": -86400}).json()
    assert offset["mode"] == "offset" and offset["offset_s"] == -86400
    bad = sqlite_client.put("/driver/v1/clock", json={"mode": "arrete"})
    assert bad.status_code == 422
    # Audit times follow the LGO clock.
    sqlite_client.put("/driver/v1/clock", json={"mode": "frozen", "now": "2026-05-04T08:00:00Z"})
    headers = driver_login(sqlite_client, "titulaire")
    last = sqlite_client.get("/driver/v1/audit", headers=headers, params={"action": "connexion"}).json()[
        "items"
    ][0]
    assert last["at"] == "2026-05-04T08:00:00Z"
    sqlite_client.post("/driver/v1/reset")
    assert sqlite_client.get("/driver/v1/clock").json()["mode"] == "real"


def test_seed_validates_its_payload(sqlite_client: TestClient) -> None:
    payload = seed_payload()
    payload["accounts"][0]["professional_id"] = "pro-absent"
    missing = sqlite_client.post("/driver/v1/seed", json=payload)
    assert missing.status_code == 422
    assert "pro-absent" in missing.json()["detail"]
    wrong = seed_payload()
    wrong["pharmacies"][0]["finess"] = "750000001"
    assert "FINESS invalide" in sqlite_client.post("/driver/v1/seed", json=wrong).json()["detail"]
    unknown_setting = seed_payload(couleur="bleu")
    assert "paramètre inconnu" in sqlite_client.post("/driver/v1/seed", json=unknown_setting).json()["detail"]
    with_settings = seed_payload(card_reader_mode="bench", bench_reader_address="127.0.0.1:17920")
    assert sqlite_client.post("/driver/v1/seed", json=with_settings).json()["settings"]["changed"] == [
        "bench_reader_address"
    ]
    patients = seed_payload()
    patients["local_patients"] = [{"id": "p1", "situation": "x"}]  # no traits: refused, naming the patient
    refused = sqlite_client.post("/driver/v1/seed", json=patients)
    assert refused.status_code == 422 and "« p1 »" in refused.json()["detail"]


def test_evidence_lists_specimen_documents_with_their_hash(sqlite_client: TestClient) -> None:
    answer = sqlite_client.get("/driver/v1/evidence", params={"ans_id": "LGO.SSI/GEN.16"})
    assert answer.status_code == 200
    documents = answer.json()["documents"]
    assert len(documents) == 1
    document = documents[0]
    assert document["specimen"] is True and document["version"] == "0.1.0"
    content = sqlite_client.get(document["url"])
    assert content.status_code == 200
    assert hashlib.sha256(content.content).hexdigest() == document["sha256"]
    assert content.text.startswith("SPÉCIMEN BANC")
    assert sqlite_client.get("/driver/v1/evidence", params={"ans_id": "INCONNU"}).json()["documents"] == []
    assert sqlite_client.get("/driver/v1/evidence/files/..%2Fapp.py").status_code == 404


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[TestClient]:
    config = LgoConfig(
        home=tmp_path, database_url=f"sqlite:///{tmp_path / 'lgo.sqlite'}", driver_token="secret-banc"
    )
    runtime = Runtime.start(config)
    with TestClient(create_app(runtime=runtime), raise_server_exceptions=False) as test_client:
        yield test_client
    runtime.db.dispose()


def test_bench_token_guards_admin_calls(guarded: TestClient) -> None:
    refused = guarded.post("/driver/v1/seed", json=seed_payload())
    assert refused.status_code == 401 and refused.json()["code"] == "jeton_banc_invalide"
    wrong = guarded.post("/driver/v1/reset", headers={"Authorization": "Bearer autre"})
    assert wrong.status_code == 401
    bench = {"Authorization": "Bearer secret-banc"}
    assert guarded.post("/driver/v1/seed", json=seed_payload(), headers=bench).status_code == 200
    assert guarded.get("/driver/v1/clock", headers=bench).status_code == 200
    assert guarded.get("/driver/v1/evidence", params={"ans_id": "W1-DMP-01"}).status_code == 401
    # Sessions need the account's credentials only; actions then use the per-user token.
    headers = driver_login(guarded, "titulaire")
    assert guarded.get("/driver/v1/accounts", headers=headers).status_code == 200
    assert guarded.get("/driver/v1/accounts", headers=bench).status_code == 401
