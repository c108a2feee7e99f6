"""The French web UI: login, CSRF, permissions, settings, audit trail page, error pages, inactivity."""

from __future__ import annotations

import csv
import io

import pytest
from _lgo_support import PASSWORD, csrf_of, driver_login, ui_login
from fastapi.testclient import TestClient

from reference_lgo.runtime import Runtime


def test_login_page_is_french_accessible_and_offline(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/connexion")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="fr">' in html
    for text in ('<label for="login">Identifiant</label>', '<label for="password">Mot de passe</label>',
                 "Connexion par carte CPS", '<label for="pin">Code porteur (4 chiffres)</label>',
                 '<label for="reader">Lecteur de carte</label>'):  # fmt: skip
        assert text in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html  # no CDN
    assert sqlite_client.get("/static/vendor/htmx.min.js").status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"]
    assert "lgo_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_password_login_logout_and_session_cookie(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/connexion")
    answer = sqlite_client.post(
        "/connexion",
        data={"login": "titulaire", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "lgo_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = sqlite_client.get("/")
    assert "Bonjour Claire Titulaire" in home.text
    assert "Pharmacie du Banc" in home.text and "FINESS 750291411" in home.text
    assert 'data-inactivity-seconds="900"' in home.text
    out = sqlite_client.post("/deconnexion", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/connexion?motif=deconnexion"
    after = sqlite_client.get("/", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/connexion")
    assert "Vous êtes déconnecté." in sqlite_client.get("/connexion?motif=deconnexion").text


def test_wrong_password_shows_a_french_error(sqlite_client: TestClient) -> None:
    page = sqlite_client.get("/connexion")
    answer = sqlite_client.post(
        "/connexion", data={"login": "titulaire", "password": "faux-secret", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in answer.text
    assert 'role="alert"' in answer.text and 'aria-invalid="true"' in answer.text


def test_forms_without_the_csrf_token_are_refused(sqlite_client: TestClient) -> None:
    login = sqlite_client.post(
        "/connexion", data={"login": "titulaire", "password": PASSWORD, "csrf_token": "x"}
    )
    assert login.status_code == 403
    assert "jeton anti-falsification invalide" in login.text
    ui_login(sqlite_client, "titulaire")
    for token in ("", "faux"):
        refused = sqlite_client.post("/parametres", data={"csrf_token": token, "idam": "PIRATE"})
        assert refused.status_code == 403
        assert "Formulaire expiré" in refused.text
    assert "PIRATE" not in sqlite_client.get("/parametres").text
    # The htmx header carries the token too.
    keep = sqlite_client.post("/session/prolonger", headers={"X-CSRF-Token": "faux"})
    assert keep.status_code == 403


def test_settings_change_in_the_ui_appears_in_the_audit_page(sqlite_client: TestClient) -> None:
    csrf = ui_login(sqlite_client, "titulaire")
    form = sqlite_client.get("/parametres")
    assert "<legend>Lecteurs de cartes</legend>" in form.text
    values = {"csrf_token": csrf, "pharmacy_name": "Pharmacie du Banc Ségur", "inactivity_minutes": "30"}
    saved = sqlite_client.post("/parametres", data=values, follow_redirects=False)
    assert saved.status_code == 303
    assert "Paramètres enregistrés." in sqlite_client.get(saved.headers["location"]).text
    page = sqlite_client.get("/audit", params={"action": "parametres.modifier"})
    assert "Modification des paramètres" in page.text
    assert "<del>Pharmacie du Banc</del> → <ins>Pharmacie du Banc Ségur</ins>" in page.text
    assert "<del>15</del> → <ins>30</ins>" in page.text


def test_invalid_settings_are_refused_with_the_field_named(sqlite_client: TestClient) -> None:
    csrf = ui_login(sqlite_client, "titulaire")
    answer = sqlite_client.post("/parametres", data={"csrf_token": csrf, "finess": "750000001"})
    assert answer.status_code == 422
    assert "N° FINESS : FINESS invalide (clé de contrôle incorrecte)" in answer.text
    assert 'value="750000001"' in answer.text  # the typed value is kept
    field = answer.text[answer.text.index('id="finess"') :]
    assert 'aria-invalid="true"' in field[: field.index(">")]
    assert 'inputmode="numeric"' in field[: field.index(">")]


def test_forbidden_pages_are_french_and_audited(sqlite_client: TestClient) -> None:
    ui_login(sqlite_client, "preparateur")
    for path in ("/parametres", "/audit", "/comptes", "/audit/export.csv"):
        answer = sqlite_client.get(path)
        assert answer.status_code == 403, path
        assert "Accès refusé" in answer.text and "Traceback" not in answer.text
    home = sqlite_client.get("/")
    assert 'href="/audit"' not in home.text and 'href="/parametres"' not in home.text
    titulaire = driver_login(sqlite_client, "titulaire")
    denied = sqlite_client.get(
        "/driver/v1/audit", headers=titulaire, params={"action": "acces.refuse"}
    ).json()
    assert {item["object_id"] for item in denied["items"]} == {
        "/parametres",
        "/audit",
        "/comptes",
        "/audit/export.csv",
    }
    assert {item["channel"] for item in denied["items"]} == {"ui"}


def test_error_pages_never_show_a_stack_trace(
    sqlite_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = sqlite_client.get("/nulle-part")
    assert missing.status_code == 404 and "Page introuvable" in missing.text
    ui_login(sqlite_client, "titulaire")
    runtime: Runtime = sqlite_client.app.state.runtime  # type: ignore[attr-defined]

    def broken(*args: object) -> None:
        raise RuntimeError("détail interne secret")

    monkeypatch.setattr(type(runtime), "settings", broken)
    crashed = sqlite_client.get("/")
    assert crashed.status_code == 500
    assert "Erreur interne" in crashed.text
    assert "secret" not in crashed.text and "Traceback" not in crashed.text


def test_inactivity_logs_out_and_says_why(sqlite_client: TestClient) -> None:
    runtime: Runtime = sqlite_client.app.state.runtime  # type: ignore[attr-defined]
    runtime.clock.set("frozen")
    ui_login(sqlite_client, "adjoint")
    runtime.clock.advance(16 * 60)
    answer = sqlite_client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/connexion?motif=session_inactive"
    assert "Vous avez été déconnecté après une période" in sqlite_client.get(answer.headers["location"]).text
    htmx = sqlite_client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["hx-redirect"].startswith("/connexion?motif=")


def test_audit_page_filters_partial_and_csv_export(sqlite_client: TestClient) -> None:
    ui_login(sqlite_client, "titulaire")
    partial = sqlite_client.get(
        "/audit", params={"compte": "titulaire", "action": "connexion"},
        headers={"HX-Request": "true", "HX-Target": "audit-results"},
    )  # fmt: skip
    assert partial.text.lstrip().startswith('<table class="audit">')
    assert "1 évènement(s)" in partial.text
    export = sqlite_client.get("/audit/export.csv", params={"action": "connexion"})
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith('attachment; filename="piste-audit-')
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert {row["action"] for row in rows} == {"connexion"}
    bad = sqlite_client.get("/audit", params={"depuis": "hier"})
    assert bad.status_code == 422 and "format AAAA-MM-JJ" in bad.text


def test_accounts_pages_create_and_adjust_rights(sqlite_client: TestClient) -> None:
    csrf = ui_login(sqlite_client, "titulaire")
    created = sqlite_client.post(
        "/comptes/nouveau",
        data={"csrf_token": csrf, "login": "lea", "display_name": "Léa Étudiante", "role": "etudiant",
              "password": "secret-de-lea"},
        follow_redirects=False,
    )  # fmt: skip
    assert created.status_code == 303
    listing = sqlite_client.get("/comptes?message=cree")
    assert "Compte créé." in listing.text and "Léa Étudiante" in listing.text
    rights = sqlite_client.post(
        "/comptes/lea/droits",
        data={"csrf_token": csrf, "permissions": ["patients.lire", "insi.appeler"]},
        follow_redirects=False,
    )
    assert rights.status_code == 303
    page = sqlite_client.get("/comptes/lea")
    assert "Interroger le téléservice INSi <code>insi.appeler</code> — ajouté" in page.text
    duplicate = sqlite_client.post(
        "/comptes/nouveau",
        data={
            "csrf_token": csrf,
            "login": "lea",
            "display_name": "Autre",
            "role": "etudiant",
            "password": "xxxxxxxxx",
        },
    )
    assert duplicate.status_code == 409 and "déjà utilisé" in duplicate.text
    role = sqlite_client.post(
        "/droits/titulaire", data={"csrf_token": csrf, "permissions": ["patients.lire"]}
    )
    # Locked permissions are sent as hidden fields by the page; posting without them is refused.
    assert role.status_code == 422 and "indispensables" in role.text
