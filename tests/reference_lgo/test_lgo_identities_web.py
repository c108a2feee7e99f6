"""The French identity screens: search (with its htmx partial), creation form (the five traits
marked obligatoires, errors by field), identity page (locks, status, history, masked INS), changes,
flags, documents, identity settings, journals; CSRF on every form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _lgo_ins_support import PASSWORDS, seeded_id, world_lgo
from _lgo_support import csrf_of, driver_login, ui_login
from fastapi.testclient import TestClient


@pytest.fixture
def lgo(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with world_lgo(tmp_path / "home", sqlite_url) as client:
        yield client


def as_user(client: TestClient, login: str) -> str:
    return ui_login(client, login, PASSWORDS[login])


def driver(client: TestClient, login: str) -> dict[str, str]:
    return driver_login(client, login, PASSWORDS[login])


def test_search_page_lists_and_refreshes_results(lgo: TestClient) -> None:
    as_user(lgo, "preparateur")
    page = lgo.get("/patients", params={"birth_date": "14/03/1975"})
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text and "Recherche de patients" in page.text
    assert "LEFEVBRE" in page.text and "1 patient(s) trouvé(s)" in page.text
    partial = lgo.get(
        "/patients", params={"q": "heloise"}, headers={"HX-Request": "true", "HX-Target": "resultats"}
    )
    assert "<html" not in partial.text and "BERANGER" in partial.text
    wrong = lgo.get("/patients", params={"matricule": "279116748235099"})
    assert (
        wrong.status_code == 422 and "la clé attendue est 53" in wrong.text and 'role="alert"' in wrong.text
    )


def test_creation_form_marks_the_five_traits_and_reports_each_missing_one(lgo: TestClient) -> None:
    csrf = as_user(lgo, "preparateur")
    form = lgo.get("/patients/nouveau")
    assert form.text.count("(obligatoire)") == 5 and form.text.count("(facultatif)") == 5
    answer = lgo.post("/patients/nouveau", data={"csrf_token": csrf, "birth_name": "Payet", "sex": "M",
                                                 "birth_date": "31/12/1966"})  # fmt: skip
    assert answer.status_code == 422
    assert "trait(s) obligatoire(s) manquant(s) : prénom(s) de naissance, lieu de naissance" in answer.text
    assert len(re.findall(r'aria-invalid="true"', answer.text)) == 2
    assert 'value="Payet"' in answer.text  # what was typed is kept
    bad_date = lgo.post("/patients/nouveau", data={"csrf_token": csrf, "birth_name": "Payet", "first_names": "Jean-Luc",
                                                   "sex": "M", "birth_date": "1966/12/31", "birth_place": "97411"})  # fmt: skip
    assert bad_date.status_code == 422 and "format JJ/MM/AAAA attendu" in bad_date.text
    created = lgo.post("/patients/nouveau", data={"csrf_token": csrf, "birth_name": "Payet", "first_names": "Jean-Luc Roger",
                                                  "sex": "M", "birth_date": "31/12/1966", "birth_place": "97411"},
                       follow_redirects=False)  # fmt: skip
    assert created.status_code == 303
    page = lgo.get(created.headers["location"])
    assert "Identité créée au statut provisoire." in page.text and "Identité provisoire" in page.text
    assert "JEAN-LUC ROGER" in page.text and "31/12/1966" in page.text


def test_forms_need_the_csrf_token(lgo: TestClient) -> None:
    as_user(lgo, "preparateur")
    answer = lgo.post("/patients/nouveau", data={"birth_name": "Payet"})
    assert answer.status_code == 403 and "jeton anti-falsification" in answer.text


def test_identity_page_shows_locks_status_history_and_ins(lgo: TestClient) -> None:
    as_user(lgo, "titulaire")
    blanchard = seeded_id(lgo, driver(lgo, "titulaire"), "lp-blanchard")
    page = lgo.get(f"/patients/{blanchard}")
    assert page.status_code == 200
    assert page.text.count("verrouillé") >= 6 and page.text.count('class="lock-icon"') >= 6
    assert "Identité qualifiée" in page.text and "279116748235053" in page.text and "INS-NIR" in page.text
    assert "Rechercher l'INS (INSi)" in page.text and "Rechercher avec la carte Vitale" in page.text
    assert "Vérifier l'INS" in page.text and "Historique des statuts" in page.text
    assert "Chargement des données du banc" in page.text


def test_ins_is_masked_on_screen_without_permission(lgo: TestClient) -> None:
    titulaire = driver(lgo, "titulaire")
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    granted = lgo.get("/driver/v1/accounts/adjoint/permissions", headers=titulaire).json()["permissions"]
    lgo.put("/driver/v1/accounts/adjoint/permissions",
            json={"permissions": [p for p in granted if p not in ("ins.voir_matricule", "insi.appeler")]},
            headers=titulaire)  # fmt: skip
    as_user(lgo, "adjoint")
    page = lgo.get(f"/patients/{blanchard}")
    assert "279116748235053" not in page.text and "masqué" in page.text
    assert "Rechercher l'INS (INSi)" not in page.text and "pas le droit d'interroger" in page.text


def test_insi_buttons_are_blocked_for_a_doubtful_identity(lgo: TestClient) -> None:
    as_user(lgo, "preparateur")
    perrin = seeded_id(lgo, driver(lgo, "preparateur"), "lp-perrin-douteuse")
    page = lgo.get(f"/patients/{perrin}")
    assert "Appel au téléservice INSi bloqué : identité douteuse." in page.text
    assert "Rechercher l'INS (INSi)" not in page.text


def test_changing_a_locked_trait_needs_a_reason(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    blanchard = seeded_id(lgo, driver(lgo, "titulaire"), "lp-blanchard")
    form = lgo.get(f"/patients/{blanchard}/modifier")
    assert "Les traits stricts sont verrouillés" in form.text
    fields = {"csrf_token": csrf, "birth_name": "BLANCHART", "first_names": "ISABELLE MARTINE", "sex": "F",
              "birth_date": "03/11/1979", "birth_place": "67482"}  # fmt: skip
    refused = lgo.post(f"/patients/{blanchard}/modifier", data=fields)
    assert refused.status_code == 409 and "indiquez le motif" in refused.text
    saved = lgo.post(f"/patients/{blanchard}/modifier", data={**fields, "reason": "acte de naissance"},
                     follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303
    page = lgo.get(saved.headers["location"])
    assert (
        "BLANCHART" in page.text and "Identité provisoire" in page.text and "279116748235053" not in page.text
    )


def test_flags_and_documents_from_the_identity_page(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    garnier = seeded_id(lgo, driver(lgo, "titulaire"), "lp-garnier-julien")
    added = lgo.post(f"/patients/{garnier}/justificatifs", data={"csrf_token": csrf, "type_code": "cni",
                                                                   "checked": "1", "reference": "X1"},
                     follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    page = lgo.get(added.headers["location"])
    assert "Justificatif enregistré." in page.text and "Identité validée" in page.text
    flagged = lgo.post(
        f"/patients/{garnier}/attributs", data={"csrf_token": csrf, "fictive": "1"}, follow_redirects=False
    )
    page = lgo.get(flagged.headers["location"])
    assert "Identité provisoire" in page.text and "identité fictive" in page.text
    unknown = lgo.post(
        f"/patients/{garnier}/justificatifs", data={"csrf_token": csrf, "type_code": "inconnu"}
    )
    assert unknown.status_code == 422 and "Type de justificatif d&#39;identité inconnu" in unknown.text


def test_identity_settings_page(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    page = lgo.get("/parametres/identites")
    assert (
        "Toujours affichés : nom de naissance, premier prénom de naissance, date de naissance, sexe."
        in page.text
    )
    count = len(re.findall(r'name="type_\d+_code"', page.text)) - 1  # the last line adds a type
    data: dict[str, object] = {"csrf_token": csrf, "type_count": str(count), "displayed_traits": ["birth_place"],
                               "evidence_auto_validation": "1"}  # fmt: skip
    for index, code in enumerate(
        re.findall(r'name="type_\d+_code" type="text" maxlength="32" value="([a-z_]+)"', page.text)
    ):
        label = re.search(
            rf'name="type_{index}_label" type="text" maxlength="100" value="([^"]+)"', page.text
        )
        assert label is not None
        data |= {f"type_{index}_code": code, f"type_{index}_label": label.group(1).replace("&#39;", "'"),
                 f"type_{index}_trust": "haute" if code in ("cni", "passeport", "titre_sejour") else "faible"}  # fmt: skip
    data |= {f"type_{count}_code": "attestation_ehpad", f"type_{count}_label": "Attestation d'EHPAD",
             f"type_{count}_trust": "haute"}  # fmt: skip
    saved = lgo.post("/parametres/identites", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    settings = lgo.get("/driver/v1/settings", headers=driver(lgo, "titulaire")).json()
    assert settings["displayed_traits"] == ["birth_place"] and settings["evidence_auto_validation"] is True
    assert settings["evidence_types"][-1] == {
        "code": "attestation_ehpad",
        "label": "Attestation d'EHPAD",
        "trust": "haute",
        "active": True,
    }
    bad = lgo.post("/parametres/identites", data={**data, f"type_{count}_code": "Pas Bon"})
    assert bad.status_code == 422 and "code invalide" in bad.text


def test_settings_page_has_the_insi_address(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    page = lgo.get("/parametres")
    assert "Adresse du téléservice INSi" in page.text and 'value="https://localhost:7001/lps"' in page.text
    assert csrf_of(page.text) == csrf


def test_journal_pages_need_the_audit_permission(lgo: TestClient) -> None:
    as_user(lgo, "titulaire")
    blanchard = seeded_id(lgo, driver(lgo, "titulaire"), "lp-blanchard")
    lgo.get(f"/patients/{blanchard}")
    access = lgo.get("/journaux/acces-ins", params={"patient_id": blanchard})
    assert (
        access.status_code == 200
        and "Consultation du dossier" in access.text
        and "279116748235053" in access.text
    )
    calls = lgo.get("/journaux/appels-insi")
    assert calls.status_code == 200 and "Aucun appel enregistré." in calls.text
    lgo.cookies.clear()
    as_user(lgo, "preparateur")
    assert lgo.get("/journaux/acces-ins").status_code == 403
