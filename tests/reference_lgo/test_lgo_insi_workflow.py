"""The INSi steps of the identity workflow, through the LGO's driver API, against the real INSi
simulator on its mutual-TLS listener and the virtual Vitale card behind the bench reader (default
world): searches by traits and by carte Vitale, reprise with its coherence checks, verification
with downgrade on KO, journals with all returned data, faults leaving the identity untouched,
blocked and forbidden calls."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _lgo_ins_support import PASSWORDS, WORLD, create, login, person_body, seeded_id, world_lgo, world_payload
from _lgo_support import ui_login
from fastapi.testclient import TestClient

from simulators.cards import DESCRIPTOR as CARDS
from simulators.core.testing import RunningStack, running_stack
from simulators.insi import DESCRIPTOR as INSI


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    home = tmp_path_factory.mktemp("insi-workflow")
    patch = pytest.MonkeyPatch()
    patch.setenv("SEGUR_BENCH_BENCH_READER", "127.0.0.1:0")  # any free port, published by the cards service
    try:
        with running_stack(
            home,
            descriptors=[INSI, CARDS],
            cards="bench",
            database_url=f"sqlite:///{home / 'journal.sqlite'}",
        ) as running:
            assert running.host("insi").state == "up", running.host("insi").error
            assert running.host("cards").state == "up", running.host("cards").error
            yield running
    finally:
        patch.undo()


@pytest.fixture(scope="module")
def lgo_home(stack: RunningStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An LGO home whose pki/export is the stack's PKI (the settings' default certificate paths)."""
    home = tmp_path_factory.mktemp("lgo-home")
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
    scenario_id = f"lgo-ins-{uuid.uuid4().hex[:8]}"
    control(stack, "POST", "/insi/reset", {"scenario_id": scenario_id})
    control(stack, "POST", "/cards/reset")
    return scenario_id


@pytest.fixture
def lgo(stack: RunningStack, lgo_home: Path, tmp_path: Path, scenario: str) -> Iterator[TestClient]:
    reader = control(stack, "GET", "/cards/slots").json()["bench_reader"]
    settings = {"insi_url": stack.url("insi"), "card_reader_mode": "bench", "bench_reader_address": reader}
    with world_lgo(lgo_home, f"sqlite:///{tmp_path / 'lgo.sqlite'}", **settings) as client:
        yield client


def simulator_calls(stack: RunningStack, scenario: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = control(stack, "GET", f"/insi/exchanges?scenario_id={scenario}").json()[
        "exchanges"
    ]
    return [r for r in records if r["operation"] != "tls-handshake"]


def read(client: TestClient, headers: dict[str, str], patient_id: int) -> dict[str, Any]:
    answer = client.get(f"/driver/v1/patients/{patient_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def insi_calls(client: TestClient, patient_id: int) -> list[dict[str, Any]]:
    answer = client.get(
        "/driver/v1/journals/insi-calls",
        params={"patient_id": patient_id},
        headers=login(client, "titulaire"),
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def search(client: TestClient, headers: dict[str, str], patient_id: int, **body: Any) -> httpx.Response:
    return client.post(
        f"/driver/v1/patients/{patient_id}/insi/search", json={"mode": "traits", **body}, headers=headers
    )


# --- search and reprise ----------------------------------------------------------------------------


def test_traits_search_then_reprise_makes_a_recovered_identity(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    preparateur = login(lgo, "preparateur")
    created = create(lgo, preparateur, person_body("bellanger-camille"))
    found = search(lgo, preparateur, created["id"])
    assert found.status_code == 200, found.text
    result = found.json()
    assert result["code_cr"] == "00" and result["coherence"] == {"ok": True, "refusals": []}
    assert result["candidate"]["ins"] == {"matricule": "286024410911272", "oid": "1.2.250.1.213.1.4.8",
                                          "oid_label": "INS-NIR"}  # fmt: skip
    assert read(lgo, preparateur, created["id"])["status"] == "PROV"  # nothing stored before the reprise
    accepted = lgo.post(f"/driver/v1/patients/{created['id']}/insi/accept",
                        json={"candidate_id": result["candidate_id"]}, headers=preparateur)  # fmt: skip
    assert accepted.status_code == 200, accepted.text
    patient = accepted.json()
    assert patient["status"] == "RECUP" and patient["ins"]["matricule"] == "286024410911272"
    assert (
        patient["traits"]["first_names"] == ["CAMILLE", "ELODIE"]
        and patient["traits"]["birth_place"] == "44109"
    )
    assert patient["used_name"] == "GARNIER"  # complementary traits kept
    assert patient["locked_traits"] == ["birth_name", "first_names", "sex", "birth_date", "birth_place"]
    again = lgo.post(f"/driver/v1/patients/{created['id']}/insi/accept",
                     json={"candidate_id": result["candidate_id"]}, headers=preparateur)  # fmt: skip
    assert again.status_code == 409 and again.json()["code"] == "candidat_deja_integre"
    history = lgo.get(f"/driver/v1/patients/{created['id']}/status-history", headers=preparateur).json()
    assert [(h["old"], h["new"], h["author"]) for h in history][-1] == ("PROV", "RECUP", "preparateur")
    (call,) = insi_calls(lgo, created["id"])
    assert (call["account"], call["action"], call["credential"], call["code_cr"]) == (
        "preparateur", "recuperation", "INSI-MANU", "00")  # fmt: skip
    assert call["matricule_returned"] == "286024410911272" and call["traits"]["birth_name"] == "BELLANGER"
    (record,) = simulator_calls(stack, scenario)
    assert (
        record["operation"] == "rechercherInsAvecTraitsIdentite"
        and "CN=INSI-MANU" in record["peer"]["subject"]
    )
    assert [f for f in record["findings"] if f["severity"] == "error"] == []
    accesses = lgo.get("/driver/v1/journals/ins-access", params={"patient_id": created["id"]},
                       headers=login(lgo, "titulaire")).json()["items"]  # fmt: skip
    assert {"resultat_insi", "integration"} <= {a["action"] for a in accesses}


def test_unknown_person_gives_cr01_and_every_call_is_journaled(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    titulaire = login(lgo, "titulaire")
    schmidt = create(lgo, titulaire, person_body("schmidt-jurgen"))["id"]  # two first names
    result = search(lgo, titulaire, schmidt).json()
    assert result["code_cr"] == "01" and result["candidate"] is None and result["candidate_id"] is None
    assert [e["code_cr"] for e in result["exchanges"]] == ["01", "01", "01"]  # each first name, then the list
    assert len(insi_calls(lgo, schmidt)) == 3 == len(simulator_calls(stack, scenario))


def test_homonyms_are_told_apart_with_the_birth_place(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    titulaire = login(lgo, "titulaire")
    arras = create(lgo, titulaire, person_body("lefebvre-nicolas-pierre-arras"))["id"]
    result = search(lgo, titulaire, arras).json()
    assert [e["code_cr"] for e in result["exchanges"]] == ["02", "02", "00"]
    assert result["candidate"]["ins"]["matricule"] == "175036204105458"


def test_former_ins_are_kept_in_the_journal(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    morel = create(lgo, titulaire, person_body("morel-sophie"))["id"]
    result = search(lgo, titulaire, morel).json()
    assert {h["matricule"] for h in result["candidate"]["history"]} == {"268059935090233", "268059935031142"}
    (call,) = insi_calls(lgo, morel)
    assert {h["matricule"] for h in call["history"]} == {"268059935090233", "268059935031142"}
    raw = lgo.get(f"/driver/v1/journals/insi-calls/{call['id']}/response", headers=titulaire)
    assert raw.status_code == 200 and b"<NumIdentifiant>2680599350902<" in raw.content  # 13 digits + Cle
    assert raw.headers["content-type"].startswith("application/soap+xml")
    request = lgo.get(f"/driver/v1/journals/insi-calls/{call['id']}/request", headers=titulaire)
    assert b"MOREL" in request.content and b"SEGURBANC-LGO-REF" in request.content


@pytest.mark.parametrize(("person_id", "refusal"), [("benali-ahmed", "date_incomplete"),
                                                     ("perrin-olivier", "matricule_invalide")])  # fmt: skip
def test_incoherent_answers_are_not_integrated(
    scenario: str, lgo: TestClient, person_id: str, refusal: str
) -> None:
    titulaire = login(lgo, "titulaire")
    created = create(lgo, titulaire, person_body(person_id))["id"]
    result = search(lgo, titulaire, created).json()
    assert result["code_cr"] == "00" and result["coherence"]["ok"] is False
    assert refusal in [r["code"] for r in result["coherence"]["refusals"]]
    refused = lgo.post(f"/driver/v1/patients/{created}/insi/accept", json={"candidate_id": result["candidate_id"]},
                       headers=titulaire)  # fmt: skip
    assert refused.status_code == 422 and refused.json()["code"] == "reprise_refusee"
    assert refusal in [r["code"] for r in refused.json()["refusals"]]
    after = read(lgo, titulaire, created)
    assert after["status"] == "PROV" and after["ins"] is None and after["locked_traits"] == []


def test_a_record_changed_since_the_search_is_not_integrated(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    created = create(lgo, titulaire, person_body("garnier-lea"))["id"]
    result = search(lgo, titulaire, created).json()
    lgo.patch(f"/driver/v1/patients/{created}", json={"changes": {"used_name": "Dupont"}}, headers=titulaire)
    stale = lgo.post(f"/driver/v1/patients/{created}/insi/accept", json={"candidate_id": result["candidate_id"]},
                     headers=titulaire)  # fmt: skip
    assert stale.status_code == 409 and stale.json()["code"] == "candidat_perime"
    other = create(lgo, titulaire, person_body("garnier-ines"))["id"]
    wrong = lgo.post(f"/driver/v1/patients/{other}/insi/accept", json={"candidate_id": result["candidate_id"]},
                     headers=titulaire)  # fmt: skip
    assert wrong.status_code == 404


# --- carte Vitale ----------------------------------------------------------------------------------


def test_vitale_search_for_the_chosen_beneficiary(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    preparateur = login(lgo, "preparateur")
    card = lgo.get("/driver/v1/cards/vitale", headers=preparateur)
    assert card.status_code == 200, card.text
    beneficiaries = card.json()["beneficiaries"]
    assert [(b["index"], b["first_name"], b["birth_date"], b["rang"]) for b in beneficiaries] == [
        (1, "JULIEN", "1984-06-12", 1), (2, "CAMILLE", "1986-02-03", 1),
        (3, "LEA", "2016-09-21", 1), (4, "INES", "2016-09-21", 2)]  # fmt: skip
    ines = create(lgo, preparateur, person_body("garnier-ines"))["id"]
    choose = search(lgo, preparateur, ines, mode="vitale")
    assert choose.status_code == 422 and choose.json()["code"] == "beneficiaire_a_choisir"
    found = search(lgo, preparateur, ines, mode="vitale", vitale={"beneficiary_index": 4})
    assert found.status_code == 200, found.text
    assert (
        found.json()["candidate"]["ins"]["matricule"] == "216096938320855" and found.json()["coherence"]["ok"]
    )
    accepted = lgo.post(f"/driver/v1/patients/{ines}/insi/accept",
                        json={"candidate_id": found.json()["candidate_id"]}, headers=preparateur)  # fmt: skip
    assert accepted.json()["status"] == "RECUP"
    assert [r["operation"] for r in simulator_calls(stack, scenario)] == ["rechercherInsAvecCarteVitale"]
    assert insi_calls(lgo, ines)[0]["mode"] == "vitale"


def test_no_card_in_the_reader_is_a_clear_refusal(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    control(stack, "POST", "/cards/slots/0/remove")
    answer = lgo.get("/driver/v1/cards/vitale", headers=login(lgo, "preparateur"))
    assert answer.status_code == 409 and answer.json()["code"] == "carte_vitale_absente"
    assert "Insérez la carte Vitale" in answer.json()["detail"]


# --- verification (W1-INS-20) ----------------------------------------------------------------------


def test_verification_ok_uses_insi_auto(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")
    answer = lgo.post(f"/driver/v1/patients/{ferreira}/insi/verify", json={}, headers=titulaire)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "OK" and answer.json()["downgraded"] is False
    (record,) = simulator_calls(stack, scenario)
    assert record["operation"] == "verifierIns" and record["correlation"].get("auth") == "INSI-AUTO"
    (call,) = insi_calls(lgo, ferreira)
    assert (call["action"], call["credential"], call["result"]) == ("verification", "INSI-AUTO", "OK")
    assert read(lgo, titulaire, ferreira)["status"] == "RECUP"


def test_verification_ko_drops_the_ins_and_downgrades(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    person = WORLD.person("ferreira-joao").model_dump(mode="json")
    control(stack, "POST", "/insi/seed", {"persons": [{**person, "matricule": None}]})  # INSi forgot him
    titulaire = login(lgo, "titulaire")
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")
    answer = lgo.post(f"/driver/v1/patients/{ferreira}/insi/verify", json={"auth": "manu"}, headers=titulaire)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "KO" and answer.json()["downgraded"] is True
    assert "Vérification INSi en échec" in answer.json()["message"]
    after = read(lgo, titulaire, ferreira)
    assert after["status"] == "PROV" and after["ins"] is None
    history = lgo.get(f"/driver/v1/patients/{ferreira}/status-history", headers=titulaire).json()
    assert (history[-1]["old"], history[-1]["new"]) == ("RECUP", "PROV")
    results = {(c["credential"], c["result"]) for c in insi_calls(lgo, ferreira)}
    assert results == {("INSI-MANU", "KO")}
    again = lgo.post(f"/driver/v1/patients/{ferreira}/insi/verify", json={}, headers=titulaire)
    assert again.status_code == 409 and again.json()["code"] == "ins_absent"


# --- faults, blocks, permissions (W1-INS-16/19) ----------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "code"),
    [("coupure", "insi_indisponible"), ("malformee", "insi_indisponible"), ("erreur-http", "insi_indisponible"),
     ("tls", "insi_indisponible"), ("indisponible", "insi_erreur"), ("idam-refuse", "insi_erreur")],
)  # fmt: skip
def test_faults_reach_the_user_in_french_and_change_nothing(
    stack: RunningStack, scenario: str, lgo: TestClient, pack: str, code: str
) -> None:
    titulaire = login(lgo, "titulaire")
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")
    created = create(lgo, titulaire, person_body("garnier-lea"))["id"]
    before = (read(lgo, titulaire, ferreira), read(lgo, titulaire, created))
    control(stack, "POST", "/insi/faults", {"pack": pack})
    for attempt in (
        lgo.post(f"/driver/v1/patients/{ferreira}/insi/verify", json={}, headers=titulaire),
        search(lgo, titulaire, created),
    ):
        assert attempt.status_code == 502, attempt.text
        problem = attempt.json()
        assert problem["code"] == code and "INSi" in problem["detail"] and "<" not in problem["detail"]
    control(stack, "DELETE", "/insi/faults")
    after = (read(lgo, titulaire, ferreira), read(lgo, titulaire, created))
    for old, new in zip(before, after, strict=True):
        assert {k: v for k, v in new.items() if k != "updated_at"} == {
            k: v for k, v in old.items() if k != "updated_at"
        }
    failed = insi_calls(lgo, ferreira) + insi_calls(lgo, created)
    assert failed and all(c["code_cr"] is None and (c["fault_code"] or c["error"]) for c in failed)
    assert search(lgo, titulaire, created).json()["code_cr"] == "00"  # works again once the fault is lifted


def test_doubtful_identity_never_reaches_insi(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    perrin = seeded_id(lgo, titulaire, "lp-perrin-douteuse")
    blocked = search(lgo, titulaire, perrin)
    assert blocked.status_code == 409 and blocked.json()["code"] == "insi_bloque"
    assert "douteuse" in blocked.json()["detail"]
    assert simulator_calls(stack, scenario) == [] and insi_calls(lgo, perrin) == []
    refusal = lgo.get(
        "/driver/v1/audit", params={"action": "insi.rechercher", "outcome": "refus"}, headers=titulaire
    )
    assert refusal.json()["total"] == 1


def test_calling_insi_needs_the_permission(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    granted = lgo.get("/driver/v1/accounts/preparateur/permissions", headers=titulaire).json()["permissions"]
    lgo.put("/driver/v1/accounts/preparateur/permissions",
            json={"permissions": [p for p in granted if p != "insi.appeler"]}, headers=titulaire)  # fmt: skip
    preparateur = login(lgo, "preparateur")
    garnier = seeded_id(lgo, preparateur, "lp-garnier-julien")
    for answer in (search(lgo, preparateur, garnier),
                   lgo.post(f"/driver/v1/patients/{garnier}/insi/verify", json={}, headers=preparateur)):  # fmt: skip
        assert answer.status_code == 403 and answer.json()["permission"] == "insi.appeler"
    assert simulator_calls(stack, scenario) == []


def test_cpx_mode_and_incomplete_settings_are_refused(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    cpx = search(lgo, titulaire, garnier, auth="cpx")  # a password session has no card to sign with
    assert cpx.status_code == 409 and cpx.json()["code"] == "session_cps_requise"
    lgo.put("/driver/v1/settings", json={"idam": ""}, headers=titulaire)
    incomplete = search(lgo, titulaire, garnier)
    assert incomplete.status_code == 409 and incomplete.json()["code"] == "parametrage_insi_incomplet"
    assert "IDAM" in incomplete.json()["detail"]


def test_raw_messages_need_the_ins_permission(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    search(lgo, titulaire, garnier)
    (call,) = insi_calls(lgo, garnier)
    lgo.put("/driver/v1/accounts/adjoint/permissions",
            json={"permissions": ["patients.lire", "audit.consulter"]}, headers=titulaire)  # fmt: skip
    adjoint = login(lgo, "adjoint")
    masked = lgo.get("/driver/v1/journals/insi-calls", params={"patient_id": garnier}, headers=adjoint).json()
    assert masked["items"][0]["matricule_returned"] is None and masked["items"][0]["ins_masked"] is True
    raw = lgo.get(f"/driver/v1/journals/insi-calls/{call['id']}/response", headers=adjoint)
    assert raw.status_code == 403 and raw.json()["permission"] == "ins.voir_matricule"


# --- the screens -----------------------------------------------------------------------------------


def test_screens_search_compare_and_integrate(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    csrf = ui_login(lgo, "preparateur", PASSWORDS["preparateur"])
    garnier = seeded_id(lgo, login(lgo, "preparateur"), "lp-garnier-julien")
    result = lgo.post(f"/patients/{garnier}/insi/recherche", data={"csrf_token": csrf})
    assert result.status_code == 200
    assert "Traits du dossier et traits renvoyés par INSi" in result.text and "184066938304193" in result.text
    assert "JULIEN MARC" in result.text and "Intégrer l'identité INSi" in result.text
    candidate = re.search(r'name="candidate_id" value="([^"]+)"', result.text)
    assert candidate is not None
    done = lgo.post(f"/patients/{garnier}/insi/integrer", data={"csrf_token": csrf, "candidate_id": candidate.group(1)},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    page = lgo.get(done.headers["location"])
    assert "Identité INSi intégrée au dossier." in page.text and "Identité récupérée" in page.text
    verified = lgo.post(f"/patients/{garnier}/insi/verification", data={"csrf_token": csrf})
    assert "Vérification INSi conforme" in verified.text
    assert insi_calls(lgo, garnier)[0]["credential"] == "INSI-MANU"  # a user clicked: INSI-MANU


def test_screens_show_incoherences_and_faults_in_french(
    stack: RunningStack, scenario: str, lgo: TestClient
) -> None:
    csrf = ui_login(lgo, "titulaire", PASSWORDS["titulaire"])
    benali = create(lgo, login(lgo, "titulaire"), person_body("benali-ahmed"))["id"]
    result = lgo.post(f"/patients/{benali}/insi/recherche", data={"csrf_token": csrf})
    assert "Reprise impossible" in result.text and "date_incomplete" in result.text
    assert "Intégrer l'identité INSi" not in result.text
    control(stack, "POST", "/insi/faults", {"pack": "coupure"})
    failed = lgo.post(f"/patients/{benali}/insi/recherche", data={"csrf_token": csrf})
    control(stack, "DELETE", "/insi/faults")
    assert failed.status_code == 502
    assert (
        "connexion au téléservice INSi a été interrompue" in failed.text
        and "n'a pas été modifié" in failed.text
    )


def test_screens_pick_a_vitale_beneficiary(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    csrf = ui_login(lgo, "preparateur", PASSWORDS["preparateur"])
    lea = create(lgo, login(lgo, "preparateur"), person_body("garnier-lea"))["id"]
    choice = lgo.post(f"/patients/{lea}/insi/carte-vitale", data={"csrf_token": csrf})
    assert (
        "Carte Vitale : choix du bénéficiaire" in choice.text
        and choice.text.count('name="beneficiaire"') == 4
    )
    result = lgo.post(f"/patients/{lea}/insi/carte-vitale", data={"csrf_token": csrf, "beneficiaire": "3"})
    assert "216096938320756" in result.text and "carte Vitale" in result.text


def test_journal_screen_shows_the_raw_exchange(scenario: str, lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    roussel = create(lgo, titulaire, person_body("roussel-thomas"))["id"]
    search(lgo, titulaire, roussel)
    (call,) = insi_calls(lgo, roussel)
    ui_login(lgo, "titulaire", PASSWORDS["titulaire"])
    listing = lgo.get("/journaux/appels-insi", params={"patient_id": roussel})
    assert "CR 00 OK" in listing.text and "INSI-MANU" in listing.text
    detail = lgo.get(f"/journaux/appels-insi/{call['id']}")
    assert detail.status_code == 200 and "190109913490830" in detail.text  # the former INS returned
    assert "&lt;soap:Envelope" in detail.text and "rechercherInsAvecTraitsIdentite" in detail.text


# --- PostgreSQL ------------------------------------------------------------------------------------


def test_search_and_reprise_on_each_database(
    stack: RunningStack, lgo_home: Path, scenario: str, database_url: str
) -> None:
    reader = control(stack, "GET", "/cards/slots").json()["bench_reader"]
    settings = {"insi_url": stack.url("insi"), "card_reader_mode": "bench", "bench_reader_address": reader}
    with world_lgo(lgo_home, database_url, **settings) as client:
        titulaire = login(client, "titulaire")
        kouassi = create(client, titulaire, person_body("kouassi-aya"))["id"]
        result = search(client, titulaire, kouassi).json()
        accepted = client.post(f"/driver/v1/patients/{kouassi}/insi/accept",
                               json={"candidate_id": result["candidate_id"]}, headers=titulaire)  # fmt: skip
        assert accepted.json()["ins"]["oid_label"] == "INS-NIA" and accepted.json()["status"] == "RECUP"
        assert insi_calls(client, kouassi)[0]["matricule_returned"] == "293049932651296"


def test_reset_drops_the_pooled_insi_connection(stack: RunningStack, scenario: str, lgo: TestClient) -> None:
    """A driver reset is a fresh install: no TLS connection kept alive, the next call handshakes again
    (so a TLS fault armed for the next scenario reaches it)."""
    titulaire = login(lgo, "titulaire")
    assert search(lgo, titulaire, seeded_id(lgo, titulaire, "lp-garnier-julien")).status_code == 200
    runtime: Any = lgo.app.state.runtime  # type: ignore[attr-defined]
    transport = runtime.insi._current.transport  # the runtime's pooled HTTPS clients, one per credential
    assert transport._clients
    assert lgo.post("/driver/v1/reset").status_code == 200
    assert transport._clients == {} and runtime.insi._current is None
    reader = control(stack, "GET", "/cards/slots").json()["bench_reader"]
    seeded = lgo.post(
        "/driver/v1/seed",
        json=world_payload(insi_url=stack.url("insi"), card_reader_mode="bench", bench_reader_address=reader),
    )
    assert seeded.status_code == 200
    control(stack, "POST", "/insi/faults", {"pack": "tls"})
    titulaire = login(lgo, "titulaire")
    refused = search(lgo, titulaire, seeded_id(lgo, titulaire, "lp-garnier-julien"))
    control(stack, "DELETE", "/insi/faults")
    assert refused.status_code == 502 and refused.json()["code"] == "insi_indisponible"
