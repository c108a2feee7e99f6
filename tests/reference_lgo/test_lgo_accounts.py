"""Accounts and permissions through the driver API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from _lgo_support import PASSWORD, PROS, driver_login
from fastapi.testclient import TestClient


def test_seed_creates_accounts_with_roles_and_card_identities(seeded: TestClient) -> None:
    headers = driver_login(seeded, "titulaire")
    accounts = {a["login"]: a for a in seeded.get("/driver/v1/accounts", headers=headers).json()}
    assert set(accounts) == {"titulaire", "adjoint", "preparateur", "admin", "revoque", "expire"}
    assert accounts["titulaire"]["id_nat_ps"] == PROS["titulaire"].id_nat_ps  # resolved from professionals
    assert accounts["titulaire"]["professional_ref"] == "pro-titulaire"
    assert accounts["preparateur"]["role_label"] == "Préparateur en pharmacie"
    assert "insi.appeler" in accounts["preparateur"]["permissions"]
    assert "audit.consulter" not in accounts["preparateur"]["permissions"]


def test_seed_twice_updates_instead_of_duplicating(seeded: TestClient) -> None:
    from _lgo_support import seed_payload

    payload = seed_payload()
    payload["accounts"][1]["display_name"] = "Alain Adjoint-Martin"
    answer = seeded.post("/driver/v1/seed", json=payload)
    assert answer.status_code == 200
    assert "adjoint" in answer.json()["accounts"]["updated"]
    assert answer.json()["accounts"]["created"] == []
    headers = driver_login(seeded, "adjoint")
    me = seeded.get("/driver/v1/accounts/adjoint", headers=headers).json()
    assert me["display_name"] == "Alain Adjoint-Martin"
    titulaire = driver_login(seeded, "titulaire")
    reads = seeded.get("/driver/v1/audit", headers=titulaire, params={"action": "compte.consulter"}).json()
    assert [(item["account"], item["object_id"]) for item in reads["items"]] == [("adjoint", "adjoint")]


def test_create_modify_and_deactivate_an_account(seeded: TestClient) -> None:
    admin = driver_login(seeded, "admin")
    created = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={
            "login": "etudiant1",
            "display_name": "Étienne Étudiant",
            "role": "etudiant",
            "password": "un-mot-de-passe",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["permissions"] == ["patients.lire"]
    student = driver_login(seeded, "etudiant1", "un-mot-de-passe")
    changed = seeded.patch("/driver/v1/accounts/etudiant1", headers=admin, json={"role": "preparateur"})
    assert changed.json()["role"] == "preparateur"
    off = seeded.patch("/driver/v1/accounts/etudiant1", headers=admin, json={"active": False})
    assert off.json()["active"] is False
    # The open session ends with the account, and a new login is refused.
    assert seeded.get("/driver/v1/sessions/current", headers=student).status_code == 401
    refused = seeded.post("/driver/v1/sessions", json={"login": "etudiant1", "password": "un-mot-de-passe"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "compte_desactive"


def test_account_rules_are_enforced(seeded: TestClient) -> None:
    admin = driver_login(seeded, "admin")
    duplicate = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={"login": "adjoint", "display_name": "X", "role": "adjoint", "password": PASSWORD},
    )
    assert duplicate.status_code == 409
    assert "déjà utilisé" in duplicate.json()["detail"]
    bad_login = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={"login": "A B", "display_name": "X", "role": "adjoint", "password": PASSWORD},
    )
    assert bad_login.status_code == 422
    assert "Identifiant « A B » invalide" in bad_login.json()["detail"]
    short = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={"login": "court", "display_name": "X", "role": "adjoint", "password": "court"},
    )
    assert short.status_code == 422
    assert "au moins 8 caractères" in short.json()["detail"]
    bad_ps = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={"login": "carte", "display_name": "X", "role": "adjoint", "id_nat_ps": "812345678901"},
    )
    assert bad_ps.status_code == 422
    assert "IdNatPS invalide" in bad_ps.json()["detail"]
    escalate = seeded.post(
        "/driver/v1/accounts",
        headers=admin,
        json={"login": "chef", "display_name": "X", "role": "titulaire", "password": PASSWORD},
    )
    assert escalate.status_code == 403
    assert "titulaire" in escalate.json()["detail"]


def test_permissions_are_enforced_with_a_french_refusal(seeded: TestClient) -> None:
    preparateur = driver_login(seeded, "preparateur")
    refused = seeded.get("/driver/v1/audit", headers=preparateur)
    assert refused.status_code == 403
    body = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "acces_refuse" and body["permission"] == "audit.consulter"
    assert "Consulter la piste d'audit" in body["detail"]
    assert (
        seeded.put("/driver/v1/settings", headers=preparateur, json={"inactivity_minutes": 5}).status_code
        == 403
    )
    # The refusal itself is in the audit trail.
    titulaire = driver_login(seeded, "titulaire")
    denials = seeded.get("/driver/v1/audit", headers=titulaire, params={"action": "acces.refuse"}).json()
    assert denials["total"] == 2
    assert {item["account"] for item in denials["items"]} == {"preparateur"}
    assert all(item["outcome"] == "refus" for item in denials["items"])


def test_titulaire_adjusts_role_and_account_permissions(seeded: TestClient) -> None:
    titulaire = driver_login(seeded, "titulaire")
    role = seeded.put(
        "/driver/v1/roles/preparateur/permissions",
        headers=titulaire,
        json={"permissions": ["patients.lire", "insi.appeler"]},
    )
    assert role.status_code == 200, role.text
    assert role.json()["permissions"] == ["insi.appeler", "patients.lire"]
    assert "ins.voir_matricule" in role.json()["default_permissions"]
    account = seeded.put(
        "/driver/v1/accounts/preparateur/permissions",
        headers=titulaire,
        json={"permissions": ["patients.lire", "insi.appeler", "ins.voir_matricule"]},
    )
    assert account.json()["permissions"] == ["ins.voir_matricule", "insi.appeler", "patients.lire"]
    preparateur = driver_login(seeded, "preparateur")
    assert seeded.get("/driver/v1/accounts/preparateur/permissions", headers=preparateur).json()[
        "permissions"
    ] == [
        "ins.voir_matricule",
        "insi.appeler",
        "patients.lire",
    ]
    locked = seeded.put("/driver/v1/roles/titulaire/permissions", headers=titulaire, json={"permissions": []})
    assert locked.status_code == 422
    assert "indispensables" in locked.json()["detail"]
    unknown = seeded.put(
        "/driver/v1/roles/preparateur/permissions", headers=titulaire, json={"permissions": ["x.y"]}
    )
    assert unknown.status_code == 422
    changes = seeded.get("/driver/v1/audit", headers=titulaire, params={"action": "droits."}).json()
    assert {item["action"] for item in changes["items"]} == {"droits.role", "droits.compte"}
    # An administrateur manages accounts but not rights.
    admin = driver_login(seeded, "admin")
    assert (
        seeded.put(
            "/driver/v1/roles/adjoint/permissions", headers=admin, json={"permissions": ["patients.lire"]}
        ).status_code
        == 403
    )


def test_password_change_and_card_only_account(seeded: TestClient) -> None:
    titulaire = driver_login(seeded, "titulaire")
    changed = seeded.patch(
        "/driver/v1/accounts/adjoint", headers=titulaire, json={"password": "nouveau-secret"}
    )
    assert changed.status_code == 200
    assert (
        seeded.post("/driver/v1/sessions", json={"login": "adjoint", "password": PASSWORD}).status_code == 401
    )
    driver_login(seeded, "adjoint", "nouveau-secret")
    card_only = seeded.post(
        "/driver/v1/accounts",
        headers=titulaire,
        json={
            "login": "carte-seule",
            "display_name": "Ivan Inconnu",
            "role": "adjoint",
            "id_nat_ps": PROS["inconnu"].id_nat_ps,
        },
    )
    assert card_only.status_code == 201
    assert card_only.json()["has_password"] is False
    assert (
        seeded.post(
            "/driver/v1/sessions", json={"login": "carte-seule", "password": "n-importe-quoi"}
        ).status_code
        == 401
    )
