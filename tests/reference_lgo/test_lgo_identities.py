"""Patient identities through the driver API (no INSi here): the seed of the world's local
patients, creation with exactly the five strict traits, local search, INS shown only with the
permission and journaled, locks and downgrades, flags, documents, status history, transmission,
identity settings, the audit trail and permissions. One lifecycle also runs on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _lgo_ins_support import audit_of, create, login, person_body, seeded_id, world_lgo, world_payload
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from reference_lgo.models import Patient
from reference_lgo.runtime import Runtime
from reference_lgo.services import identities, identity_changes
from reference_lgo.services.context import Actor, Origin
from reference_lgo.services.errors import Conflict


@pytest.fixture
def lgo(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with world_lgo(tmp_path / "home", sqlite_url) as client:
        yield client


@pytest.fixture
def titulaire(lgo: TestClient) -> dict[str, str]:
    return login(lgo, "titulaire")


@pytest.fixture
def preparateur(lgo: TestClient) -> dict[str, str]:
    return login(lgo, "preparateur")


def patient(client: TestClient, headers: dict[str, str], patient_id: int) -> dict[str, Any]:
    answer = client.get(f"/driver/v1/patients/{patient_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def search(client: TestClient, headers: dict[str, str], **params: str) -> list[int]:
    answer = client.get("/driver/v1/patients", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == len(answer.json()["items"])
    return [item["id"] for item in answer.json()["items"]]


# --- seed ------------------------------------------------------------------------------------------


def test_seed_loads_the_world_patients_with_their_status(lgo: TestClient, titulaire: dict[str, str]) -> None:
    blanchard = patient(lgo, titulaire, seeded_id(lgo, titulaire, "lp-blanchard"))
    assert blanchard["status"] == "QUAL" and blanchard["ins"]["matricule"] == "279116748235053"
    assert blanchard["ins"]["oid_label"] == "INS-NIR" and blanchard["ins_transmissible"] is True
    beranger = patient(lgo, titulaire, seeded_id(lgo, titulaire, "lp-beranger"))
    assert beranger["status"] == "VALI" and beranger["ins"] is None
    assert [e["trust"] for e in beranger["evidence"]] == ["haute"]  # what holds the VALI status
    perrin = patient(lgo, titulaire, seeded_id(lgo, titulaire, "lp-perrin-douteuse"))
    assert perrin["flags"]["douteuse"] is True and perrin["insi_allowed"] is False
    typo = patient(lgo, titulaire, seeded_id(lgo, titulaire, "lp-lefebvre-typo"))
    assert typo["traits"]["birth_name"] == "LEFEVBRE" and typo["traits"]["birth_place"] is None  # as typed
    again = lgo.post("/driver/v1/seed", json={"local_patients": [{
        "id": "lp-blanchard", "birth_name": "Blanchard", "first_names": ["Isabelle"], "sex": "F",
        "birth_date": "1979-11-03"}]})  # fmt: skip
    assert again.json()["patients"] == {"created": [], "existing": ["lp-blanchard"]}
    history = lgo.get(f"/driver/v1/patients/{blanchard['id']}/status-history", headers=titulaire).json()
    assert [(h["old"], h["new"], h["author"]) for h in history] == [(None, "QUAL", "Pilotage du banc")]


def test_seed_refuses_a_status_its_data_contradict(lgo: TestClient) -> None:
    wrong = {"local_patients": [{"id": "lp-x", "birth_name": "Durand", "first_names": ["Luc"], "sex": "M",
                                 "birth_date": "1990-01-01", "status": "RECUP"}]}  # fmt: skip
    answer = lgo.post("/driver/v1/seed", json=wrong)
    assert answer.status_code == 422
    assert "« lp-x »" in answer.json()["detail"] and "RECUP" in answer.json()["detail"]


# --- creation (W1-INS-02 / W1-INS-03) --------------------------------------------------------------


STRICT = ("birth_name", "first_names", "sex", "birth_date", "birth_place")
ABSENT: list[tuple[str, Any]] = [(trait, value) for trait in STRICT for value in (None, "", "absent")] + [
    ("first_names", [])
]


@pytest.mark.parametrize(("trait", "absent"), ABSENT)
def test_each_strict_trait_is_required(
    lgo: TestClient, preparateur: dict[str, str], trait: str, absent: Any
) -> None:
    body = person_body("payet-jean-luc")
    if absent == "absent":
        del body[trait]
    else:
        body[trait] = absent
    answer = lgo.post("/driver/v1/patients", json=body, headers=preparateur)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "traits_obligatoires_manquants" and problem["missing"] == [trait]
    assert problem["detail"].startswith("Création impossible : trait(s) obligatoire(s) manquant(s)")
    assert search(lgo, preparateur, q="Payet") == []  # nothing was created


@pytest.mark.parametrize(
    "person_id", ["kouassi-aya", "santoni-paul-antoine", "hassani-fatima", "payet-jean-luc"]
)
def test_the_five_strict_traits_suffice(lgo: TestClient, preparateur: dict[str, str], person_id: str) -> None:
    created = create(lgo, preparateur, person_body(person_id, five_only=True))
    assert created["status"] == "PROV" and created["status_label"] == "Identité provisoire"
    assert created["locked_traits"] == [] and created["ins"] is None and created["ins_masked"] is False
    assert created["evidence"] == [] and created["extra"] == {"phone": None, "email": None, "address": None}
    person = person_body(person_id)
    assert created["traits"]["birth_date"] == person["birth_date"]  # lunar dates kept (hassani: 1952-06-00)
    assert created["traits"]["birth_place"] == person["birth_place"]


def test_creation_stores_traits_in_ins_form_with_optional_data(
    lgo: TestClient, preparateur: dict[str, str]
) -> None:
    body = {"birth_name": "  d’Halluin ", "first_names": ["Clémence", "Agathe"], "sex": "f",
            "birth_date": "1996-01-30", "birth_place": "59512", "used_name": "Dupré",
            "extra": {"phone": "+33 6 12 34 56 78", "email": "clemence@example.test"}}  # fmt: skip
    created = create(lgo, preparateur, body)
    assert created["traits"] == {"birth_name": "D'HALLUIN", "first_names": ["CLEMENCE", "AGATHE"],
                                 "first_name": "CLEMENCE", "sex": "F", "birth_date": "1996-01-30",
                                 "birth_place": "59512"}  # fmt: skip
    assert created["used_name"] == "DUPRE" and created["extra"]["email"] == "clemence@example.test"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"sex": "X"}, "sex"), ({"birth_date": "2999-01-01"}, "birth_date"), ({"birth_place": "7501"}, "birth_place"),
     ({"birth_date": "1990-02-30"}, "birth_date"), ({"birth_name": "Dupont3"}, "birth_name")],
)  # fmt: skip
def test_invalid_traits_are_refused_in_french(
    lgo: TestClient, preparateur: dict[str, str], change: dict[str, str], field: str
) -> None:
    answer = lgo.post(
        "/driver/v1/patients", json={**person_body("payet-jean-luc"), **change}, headers=preparateur
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "traits_invalides" and field in answer.json()["problems"]
    assert answer.json()["detail"].startswith("Création impossible")


def test_creation_is_audited_and_starts_the_history(lgo: TestClient, titulaire: dict[str, str]) -> None:
    created = create(lgo, login(lgo, "preparateur"), person_body("payet-jean-luc"))
    trail = audit_of(lgo, titulaire, created["id"])
    creation = next(e for e in trail if e["action"] == "patient.creer")
    assert creation["account"] == "preparateur" and creation["details"]["apres"]["birth_name"] == "PAYET"
    history = lgo.get(f"/driver/v1/patients/{created['id']}/status-history", headers=titulaire).json()
    assert [(h["old"], h["new"], h["author"], h["reason"]) for h in history] == [
        (None, "PROV", "preparateur", "Création de l'identité")
    ]


# --- local search (W1-INS-01/08/09/10) -------------------------------------------------------------


def test_search_by_birth_date_narrowed_by_name_and_first_name(
    lgo: TestClient, titulaire: dict[str, str]
) -> None:
    pierre = create(lgo, titulaire, person_body("lefebvre-nicolas-pierre-lille"))["id"]
    andre = create(lgo, titulaire, person_body("lefebvre-nicolas-andre-lille"))["id"]
    typo = seeded_id(lgo, titulaire, "lp-lefebvre-typo")
    assert sorted(search(lgo, titulaire, birth_date="1975-03-14")) == sorted([typo, pierre, andre])
    assert sorted(
        search(lgo, titulaire, birth_date="14/03/1975", name_prefix="lefeb", first_name_prefix="nic")
    ) == [
        pierre,
        andre,
    ]
    assert search(lgo, titulaire, birth_date="1975-03-14", first_name_prefix="AND") == [
        andre
    ]  # 2nd first name
    assert search(lgo, titulaire, birth_date="1975-03-15") == []
    invalid = lgo.get("/driver/v1/patients", params={"birth_date": "31/02/1975"}, headers=titulaire)
    assert invalid.status_code == 422 and "inexistante" in invalid.json()["detail"]


def test_search_by_matricule_checks_the_key(lgo: TestClient, titulaire: dict[str, str]) -> None:
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    assert search(lgo, titulaire, matricule="2 79 11 67 482 350 53") == [blanchard]
    assert search(lgo, titulaire, matricule="184066938304193") == []  # valid, nobody has it
    for typed, expected in (("279116748235099", "53"), ("162112A00407399", "68")):
        wrong = lgo.get("/driver/v1/patients", params={"matricule": typed}, headers=titulaire)
        assert wrong.status_code == 422
        assert wrong.json()["code"] == "cle_matricule_invalide" and wrong.json()["expected_key"] == expected
        assert f"la clé attendue est {expected}" in wrong.json()["detail"]
    short = lgo.get("/driver/v1/patients", params={"matricule": "2791167482350"}, headers=titulaire)
    assert short.status_code == 422 and "clé" in short.json()["detail"]


@pytest.mark.parametrize(
    ("typed", "ref"),
    [("D'HALLUIN", "lp-dhalluin"), ("de la Ferriere", "lp-de-la-ferriere"), ("BERANGER", "lp-beranger"),
     ("heloise", "lp-beranger"), ("noémie", "lp-beranger"), ("Ferreira Joao", "lp-ferreira")],
)  # fmt: skip
def test_free_text_ignores_signs_and_covers_every_first_name(
    lgo: TestClient, titulaire: dict[str, str], typed: str, ref: str
) -> None:
    assert seeded_id(lgo, titulaire, ref) in search(lgo, titulaire, q=typed)


def test_compound_names_and_used_first_name_are_found(lgo: TestClient, titulaire: dict[str, str]) -> None:
    lambert = create(lgo, titulaire, person_body("lambert-duval-marie-claire"))["id"]
    mercier = create(lgo, titulaire, person_body("mercier-lagarde-antoine"))["id"]
    boyer = create(lgo, titulaire, {**person_body("boyer-marie"), "used_first_name": "Malou"})["id"]
    assert lambert in search(lgo, titulaire, q="Lambert Duval")
    assert lambert in search(lgo, titulaire, q="Marie Claire")
    assert mercier in search(lgo, titulaire, q="mercier lagarde")
    for typed in ("marie", "Louise", "malou"):
        assert boyer in search(lgo, titulaire, q=typed)
    assert search(lgo, titulaire, birth_date="1977-04-26", first_name_prefix="LOU") == [boyer]
    assert search(lgo, titulaire, q="Zorglub") == []


def test_search_needs_a_criterion_with_letters(lgo: TestClient, titulaire: dict[str, str]) -> None:
    none = lgo.get("/driver/v1/patients", headers=titulaire)
    assert none.status_code == 422 and none.json()["code"] == "critere_manquant"
    signs = lgo.get("/driver/v1/patients", params={"q": "' - '"}, headers=titulaire)
    assert signs.status_code == 422 and signs.json()["code"] == "saisie_vide"


# --- INS shown with permission, journaled (W1-INS-06/07) -------------------------------------------


def test_ins_is_masked_without_permission_and_every_read_is_journaled(
    lgo: TestClient, titulaire: dict[str, str]
) -> None:
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    granted = lgo.get("/driver/v1/accounts/preparateur/permissions", headers=titulaire).json()["permissions"]
    kept = [p for p in granted if p != "ins.voir_matricule"]
    assert (
        lgo.put(
            "/driver/v1/accounts/preparateur/permissions", json={"permissions": kept}, headers=titulaire
        ).status_code
        == 200
    )
    preparateur = login(lgo, "preparateur")
    masked = lgo.get(f"/driver/v1/patients/{blanchard}", headers=preparateur)
    assert masked.json()["ins"] is None and masked.json()["ins_masked"] is True
    assert "279116748235053" not in masked.text
    sent = lgo.get(f"/driver/v1/patients/{blanchard}/transmission", headers=preparateur)
    assert sent.json()["ins"] is None and "279116748235053" not in sent.text
    shown = patient(lgo, titulaire, blanchard)
    assert shown["ins"]["matricule"] == "279116748235053"
    journal = lgo.get(
        "/driver/v1/journals/ins-access", params={"patient_id": blanchard}, headers=titulaire
    ).json()
    reads = [(i["account"], i["action"], i["shown"]) for i in journal["items"]]
    assert ("preparateur", "consultation", False) in reads and ("titulaire", "consultation", True) in reads
    assert ("preparateur", "transmission", False) in reads
    no_ins = seeded_id(lgo, titulaire, "lp-beranger")
    patient(lgo, titulaire, no_ins)
    assert (
        lgo.get("/driver/v1/journals/ins-access", params={"patient_id": no_ins}, headers=titulaire).json()[
            "total"
        ]
        == 0
    )
    consulted = [e for e in audit_of(lgo, titulaire, blanchard) if e["action"] == "patient.consulter"]
    assert {e["account"] for e in consulted} == {"preparateur", "titulaire"}


def test_journals_need_the_audit_permission(lgo: TestClient, preparateur: dict[str, str]) -> None:
    for path in ("/driver/v1/journals/ins-access", "/driver/v1/journals/insi-calls"):
        refused = lgo.get(path, headers=preparateur)
        assert refused.status_code == 403 and refused.json()["permission"] == "audit.consulter"


def test_patient_permissions(lgo: TestClient) -> None:
    etudiant = login(lgo, "etudiant")
    refused = lgo.post("/driver/v1/patients", json=person_body("payet-jean-luc"), headers=etudiant)
    assert refused.status_code == 403 and refused.json()["permission"] == "patients.modifier"
    admin = login(lgo, "admin")
    assert (
        lgo.get("/driver/v1/patients", params={"q": "Garnier"}, headers=admin).json()["permission"]
        == "patients.lire"
    )
    titulaire = login(lgo, "titulaire")
    beranger = seeded_id(lgo, titulaire, "lp-beranger")
    no_evidence = lgo.post(f"/driver/v1/patients/{beranger}/evidence", json={"type": "cni"}, headers=etudiant)
    assert no_evidence.status_code == 403 and no_evidence.json()["permission"] == "identites.qualifier"
    assert lgo.get("/driver/v1/patients/999999", headers=titulaire).json()["code"] == "patient_introuvable"


# --- locks, changes, flags, documents (W1-INS-13..18) -----------------------------------------------


def test_strict_traits_are_locked_and_a_change_with_reason_drops_the_ins(
    lgo: TestClient, titulaire: dict[str, str]
) -> None:
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    before = patient(lgo, titulaire, blanchard)
    assert before["locked_traits"] == ["birth_name", "first_names", "sex", "birth_date", "birth_place"]
    refused = lgo.patch(f"/driver/v1/patients/{blanchard}", json={"changes": {"birth_name": "Blanchart"}},
                        headers=titulaire)  # fmt: skip
    assert refused.status_code == 409 and refused.json()["code"] == "trait_verrouille"
    assert "motif" in refused.json()["detail"]
    assert patient(lgo, titulaire, blanchard)["traits"] == before["traits"]
    changed = lgo.patch(
        f"/driver/v1/patients/{blanchard}",
        json={"changes": {"birth_name": "Blanchart"}, "reason": "erreur de l'état civil corrigée"},
        headers=titulaire,
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (
        after["traits"]["birth_name"] == "BLANCHART" and after["ins"] is None and after["ins_masked"] is False
    )
    assert after["status"] == "PROV" and after["locked_traits"] == [] and after["evidence"] == []
    history = lgo.get(f"/driver/v1/patients/{blanchard}/status-history", headers=titulaire).json()
    assert (history[-1]["old"], history[-1]["new"], history[-1]["author"]) == ("QUAL", "PROV", "titulaire")
    assert "erreur de l'état civil corrigée" in history[-1]["reason"]
    journal = lgo.get(
        "/driver/v1/journals/ins-access", params={"patient_id": blanchard}, headers=titulaire
    ).json()
    assert "suppression" in [i["action"] for i in journal["items"]]
    change = next(e for e in audit_of(lgo, titulaire, blanchard) if e["action"] == "patient.modifier")
    assert (
        change["details"]["avant"]["birth_name"] == "BLANCHARD"
        and change["details"]["apres"]["birth_name"] == "BLANCHART"
    )
    assert change["details"]["apres"]["ins"] == "aucun" and "279116748235053" not in str(change)
    assert search(lgo, titulaire, matricule="279116748235053") == []


def test_complementary_traits_stay_editable(lgo: TestClient, titulaire: dict[str, str]) -> None:
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    changed = lgo.patch(f"/driver/v1/patients/{blanchard}",
                        json={"changes": {"used_name": "Morin", "phone": "03 88 00 00 00"}}, headers=titulaire)  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["used_name"] == "MORIN" and changed.json()["status"] == "QUAL"
    assert changed.json()["ins"]["matricule"] == "279116748235053"
    unknown = lgo.patch(
        f"/driver/v1/patients/{blanchard}", json={"changes": {"matricule": "x"}}, headers=titulaire
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "trait_inconnu"


def test_unlocked_strict_trait_changes_without_reason(lgo: TestClient, titulaire: dict[str, str]) -> None:
    beranger = seeded_id(
        lgo, titulaire, "lp-beranger"
    )  # VALI: not locked, but the document no longer matches
    changed = lgo.patch(f"/driver/v1/patients/{beranger}", json={"changes": {"first_names": ["Héloïse"]}},
                        headers=titulaire)  # fmt: skip
    assert changed.status_code == 200
    assert changed.json()["traits"]["first_names"] == ["HELOISE"] and changed.json()["status"] == "PROV"


def test_douteuse_and_fictive_force_prov_and_drop_the_ins(lgo: TestClient, titulaire: dict[str, str]) -> None:
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")
    assert patient(lgo, titulaire, ferreira)["status"] == "RECUP"
    flagged = lgo.put(f"/driver/v1/patients/{ferreira}/flags", json={"douteuse": True}, headers=titulaire)
    assert flagged.status_code == 200
    assert flagged.json()["status"] == "PROV" and flagged.json()["ins"] is None
    assert flagged.json()["insi_allowed"] is False
    lifted = lgo.put(
        f"/driver/v1/patients/{ferreira}/flags", json={"douteuse": False}, headers=titulaire
    ).json()
    assert lifted["status"] == "PROV" and lifted["ins"] is None  # the INS does not come back by itself
    history = lgo.get(f"/driver/v1/patients/{ferreira}/status-history", headers=titulaire).json()
    assert (history[-1]["old"], history[-1]["new"]) == ("RECUP", "PROV")
    assert history[-1]["reason"] == "Identité signalée douteuse"
    homonym = lgo.put(
        f"/driver/v1/patients/{ferreira}/flags", json={"homonyme": True}, headers=titulaire
    ).json()
    assert homonym["flags"] == {"douteuse": False, "fictive": False, "homonyme": True}


def test_documents_validate_and_their_withdrawal_downgrades(
    lgo: TestClient, titulaire: dict[str, str]
) -> None:
    created = create(lgo, titulaire, person_body("payet-jean-luc"))["id"]
    low = lgo.post(
        f"/driver/v1/patients/{created}/evidence", json={"type": "livret_famille"}, headers=titulaire
    )
    assert low.status_code == 201 and low.json()["status"] == "PROV"  # low trust never validates
    unchecked = lgo.post(f"/driver/v1/patients/{created}/evidence", json={"type": "cni", "checked": False},
                         headers=titulaire).json()  # fmt: skip
    assert unchecked["status"] == "PROV"  # automatic validation is off by default
    checked = lgo.post(f"/driver/v1/patients/{created}/evidence",
                       json={"type": "passeport", "checked": True, "reference": "12AB34567"}, headers=titulaire)  # fmt: skip
    assert checked.json()["status"] == "VALI"
    evidence = {e["type"]: e for e in checked.json()["evidence"]}
    assert evidence["passeport"]["validating"] and not evidence["cni"]["validating"]
    unknown = lgo.post(
        f"/driver/v1/patients/{created}/evidence", json={"type": "carte_fidelite"}, headers=titulaire
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "justificatif_inconnu"
    withdrawn = lgo.delete(
        f"/driver/v1/patients/{created}/evidence/{evidence['passeport']['id']}", headers=titulaire
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "PROV"
    assert {e["type"] for e in withdrawn.json()["evidence"]} == {"livret_famille", "cni"}
    statuses = [(h["old"], h["new"]) for h in lgo.get(f"/driver/v1/patients/{created}/status-history",
                                                       headers=titulaire).json()]  # fmt: skip
    assert statuses == [(None, "PROV"), ("PROV", "VALI"), ("VALI", "PROV")]


def test_automatic_validation_can_be_switched_on_and_off(lgo: TestClient, titulaire: dict[str, str]) -> None:
    types = lgo.get("/driver/v1/settings/evidence-types", headers=titulaire).json()
    assert types["auto_validation"] is False
    trust = {t["code"]: t["trust"] for t in types["types"]}
    assert {
        "cni": "haute",
        "passeport": "haute",
        "titre_sejour": "haute",
        "livret_famille": "faible",
    }.items() <= trust.items()
    on = lgo.put("/driver/v1/settings/evidence-types", json={"auto_validation": True}, headers=titulaire)
    assert on.json()["auto_validation"] is True
    created = create(lgo, titulaire, person_body("payet-jean-luc"))["id"]
    auto = lgo.post(f"/driver/v1/patients/{created}/evidence", json={"type": "cni", "checked": False},
                    headers=titulaire).json()  # fmt: skip
    assert auto["status"] == "VALI"
    off = lgo.put("/driver/v1/settings/evidence-types", json={"auto_validation": False}, headers=titulaire)
    assert off.json()["auto_validation"] is False


def test_evidence_types_are_configurable(lgo: TestClient, titulaire: dict[str, str]) -> None:
    custom = [{"code": "cni", "label": "Carte d'identité", "trust": "haute"},
              {"code": "attestation_ehpad", "label": "Attestation d'EHPAD", "trust": "haute"}]  # fmt: skip
    saved = lgo.put("/driver/v1/settings/evidence-types", json={"types": custom}, headers=titulaire)
    assert saved.status_code == 200 and [t["code"] for t in saved.json()["types"]] == [
        "cni",
        "attestation_ehpad",
    ]
    created = create(lgo, titulaire, person_body("vidal-germaine"))["id"]
    assert lgo.post(f"/driver/v1/patients/{created}/evidence", json={"type": "attestation_ehpad"},
                    headers=titulaire).json()["status"] == "VALI"  # fmt: skip
    for bad, fragment in (([{"code": "cni", "label": "x", "trust": "moyenne"}], "valeur non permise"),
                          ([custom[0], custom[0]], "en double"), ([], "valeur vide")):  # fmt: skip
        refused = lgo.put("/driver/v1/settings/evidence-types", json={"types": bad}, headers=titulaire)
        assert refused.status_code == 422 and fragment in refused.json()["detail"], refused.text
    forbidden = lgo.put("/driver/v1/settings/evidence-types", json={"auto_validation": True},
                        headers=login(lgo, "preparateur"))  # fmt: skip
    assert forbidden.status_code == 403 and forbidden.json()["permission"] == "parametres.modifier"


def test_displayed_traits_keep_the_core_ones(lgo: TestClient, titulaire: dict[str, str]) -> None:
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    assert set(patient(lgo, titulaire, blanchard)["displayed"]) >= {"first_names", "birth_place", "used_name"}
    saved = lgo.put(
        "/driver/v1/settings/displayed-traits", json={"traits": ["birth_place", "sex"]}, headers=titulaire
    )
    assert saved.json() == {"core": ["birth_name", "first_name", "birth_date", "sex"], "traits": ["birth_place"],
                            "available": ["first_names", "birth_place", "used_name", "used_first_name"]}  # fmt: skip
    shown = patient(lgo, titulaire, blanchard)["displayed"]
    assert list(shown) == ["birth_name", "first_name", "birth_date", "sex", "birth_place"]
    assert shown["first_name"] == "ISABELLE" and "used_name" not in shown
    unknown = lgo.put(
        "/driver/v1/settings/displayed-traits", json={"traits": ["matricule"]}, headers=titulaire
    )
    assert unknown.status_code == 422


def test_only_a_qualified_identity_transmits_its_ins(lgo: TestClient, titulaire: dict[str, str]) -> None:
    qual = lgo.get(
        f"/driver/v1/patients/{seeded_id(lgo, titulaire, 'lp-blanchard')}/transmission", headers=titulaire
    )
    assert qual.json()["ins"] == {
        "matricule": "279116748235053",
        "oid": "1.2.250.1.213.1.4.8",
        "oid_label": "INS-NIR",
    }
    for ref in ("lp-ferreira", "lp-beranger", "lp-garnier-julien"):
        sent = lgo.get(
            f"/driver/v1/patients/{seeded_id(lgo, titulaire, ref)}/transmission", headers=titulaire
        ).json()
        assert sent["ins"] is None and sent["traits"]["birth_name"] and "170019913902745" not in str(sent)
        assert "seuls les traits" in sent["reason"]


def test_a_concurrent_change_is_refused(lgo: TestClient) -> None:
    """Two users change the same record from the same read: the second change is refused (409)."""
    runtime: Runtime = lgo.app.state.runtime  # type: ignore[attr-defined]
    actor = Actor.bench(Origin("systeme"))
    with runtime.db.session() as session:
        patient_id = session.scalars(select(Patient.id).order_by(Patient.id)).first()
    assert patient_id is not None
    with Session(runtime.db.engine) as first:  # a unit of work held open on purpose
        stale = first.get(Patient, patient_id)
        assert stale is not None
        with runtime.db.session() as session:
            identity_changes.modify(session, actor, runtime.clock.now(), patient_id, {"used_name": "Premier"})
        stale.used_name = "SECOND"
        with pytest.raises(Conflict) as refused:
            identities.flush(first)
        assert refused.value.code == "modification_concurrente"
        first.rollback()


# --- the whole lifecycle, on SQLite and PostgreSQL --------------------------------------------------


def test_identity_lifecycle_on_each_database(client: TestClient) -> None:
    """The world seed, creation, search, a documented validation, a locked record, flags and the
    journals; the journals are append-only in the database itself."""
    assert client.post("/driver/v1/seed", json=world_payload()).status_code == 200
    titulaire = login(client, "titulaire")
    created = create(client, titulaire, person_body("lambert-duval-marie-claire"))
    assert search(client, titulaire, q="lambert duval") == [created["id"]]
    assert client.post(f"/driver/v1/patients/{created['id']}/evidence", json={"type": "cni"},
                       headers=titulaire).json()["status"] == "VALI"  # fmt: skip
    blanchard = seeded_id(client, titulaire, "lp-blanchard")
    assert patient(client, titulaire, blanchard)["ins"]["matricule"] == "279116748235053"
    flagged = client.put(
        f"/driver/v1/patients/{blanchard}/flags", json={"fictive": True}, headers=titulaire
    ).json()
    assert flagged["status"] == "PROV" and flagged["ins"] is None
    journal = client.get(
        "/driver/v1/journals/ins-access", params={"patient_id": blanchard}, headers=titulaire
    ).json()
    assert [i["action"] for i in journal["items"]][:2] == ["suppression", "consultation"]
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    for statement in ("UPDATE ins_access_journal SET matricule = 'x'", "DELETE FROM patient_status_changes"):
        with pytest.raises(DBAPIError), runtime.db.engine.begin() as connection:
            connection.execute(text(statement))


def test_insi_address_follows_the_simulator_port(tmp_path: Path) -> None:
    """`segur-bench up` passes its environment to the LGO: SEGUR_BENCH_PORT_INSI moves both."""
    from reference_lgo.services import settings as pharmacy_settings
    from reference_lgo.settings import LgoConfig

    moved = LgoConfig.from_env({"SEGUR_BENCH_HOME": str(tmp_path), "SEGUR_BENCH_PORT_INSI": "17001"})
    assert pharmacy_settings.defaults(moved).insi_url == "https://localhost:17001/lps"
    explicit = LgoConfig.from_env({"SEGUR_BENCH_HOME": str(tmp_path), "SEGUR_BENCH_INSI_URL": "https://insi.bench.test:9/lps",
                                   "SEGUR_BENCH_PORT_INSI": "17001"})  # fmt: skip
    assert pharmacy_settings.defaults(explicit).insi_url == "https://insi.bench.test:9/lps"
    for port in ("0", "", "abc"):
        config = LgoConfig.from_env({"SEGUR_BENCH_HOME": str(tmp_path), "SEGUR_BENCH_PORT_INSI": port})
        assert pharmacy_settings.defaults(config).insi_url == "https://localhost:7001/lps"
