"""The French screens of issue 8: ID-document copies on the identity page (upload, view, purge date),
"Imprimer la fiche d'identité" with its recipient and the partners list, the bulk verification page
and its report, "Intégrer une identité d'un autre domaine", the settings of the sheet and the copies
(with the manual purge), the active flag of the evidence types; CSRF on every form."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from _lgo_ins_support import PASSWORDS, seeded_id, world_lgo
from _lgo_support import driver_login, ui_login
from fastapi.testclient import TestClient

from protocols.ins_datamatrix import read_png

SCAN = b"%PDF-1.4\n% scan\n" + b"0" * 2000


@pytest.fixture
def lgo(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    # An INSi address nobody listens on: INSi is unavailable for these screens.
    with world_lgo(
        tmp_path / "home", sqlite_url, insi_url="https://127.0.0.1:9/lps", insi_timeout_s=2
    ) as client:
        yield client


def as_user(client: TestClient, login: str) -> str:
    return ui_login(client, login, PASSWORDS[login])


def driver(client: TestClient, login: str) -> dict[str, str]:
    return driver_login(client, login, PASSWORDS[login])


def test_identity_page_keeps_an_encrypted_copy_and_shows_its_purge_date(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    blanchard = seeded_id(lgo, driver(lgo, "titulaire"), "lp-blanchard")
    page = lgo.get(f"/patients/{blanchard}")
    assert "Copies de pièces d'identité" in page.text and "Aucune copie conservée." in page.text
    assert "supprimées automatiquement\n    5 an(s) après la dernière activité" in page.text
    assert 'enctype="multipart/form-data"' in page.text
    refused = lgo.post(f"/patients/{blanchard}/pieces-identite", files={"file": ("cni.pdf", SCAN)},
                       data={"type_code": "cni"})  # fmt: skip
    assert refused.status_code == 403  # no CSRF token
    sent = lgo.post(
        f"/patients/{blanchard}/pieces-identite",
        files={"file": ("cni.pdf", SCAN, "application/pdf")},
        data={"type_code": "cni", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?message=piece#pieces-identite")
    page = lgo.get(sent.headers["location"])
    assert "Copie de la pièce d&#39;identité enregistrée, chiffrée." in page.text
    link = re.search(rf'href="(/patients/{blanchard}/pieces-identite/\d+)"', page.text)
    assert link is not None and "cni.pdf" in page.text
    purge = re.search(
        r"<td><time datetime=\"([0-9-]{10})T[^\"]+\">(\d\d/\d\d/\d{4})</time></td>\s*<td><a", page.text
    )
    assert purge is not None and int(purge.group(2)[-4:]) >= 2031
    copy = lgo.get(link.group(1))
    assert (
        copy.status_code == 200 and copy.content == SCAN and copy.headers["content-type"] == "application/pdf"
    )
    wrong = lgo.post(
        f"/patients/{blanchard}/pieces-identite",
        files={"file": ("notes.txt", b"pas une image")},
        data={"type_code": "cni", "csrf_token": csrf},
    )
    assert wrong.status_code == 422 and "seules les copies en PDF, JPEG ou PNG" in wrong.text


def test_print_the_identity_sheet_for_a_recipient(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    blanchard = seeded_id(lgo, driver(lgo, "titulaire"), "lp-blanchard")
    assert "Imprimer la fiche d'identité" in lgo.get(f"/patients/{blanchard}").text
    form = lgo.get(f"/patients/{blanchard}/fiche-identite")
    assert form.status_code == 200 and "la fiche porte le matricule INS et le DataMatrix INS" in form.text
    assert 'value="ISABELLE BLANCHARD"' in form.text  # the patient by default
    pdf = lgo.post(
        f"/patients/{blanchard}/fiche-identite",
        data={"csrf_token": csrf, "kind": "etablissement", "name": "EHPAD Les Tilleuls",
              "identifier": "750000001", "extra_traits": ["local_id"]},
    )  # fmt: skip
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    page = pdfium.PdfDocument(pdf.content)[0]
    image = io.BytesIO()
    page.render(scale=200 / 72).to_pil().save(image, format="PNG")
    assert read_png(image.getvalue()).matricule == "279116748235053"
    identity = lgo.get(f"/patients/{blanchard}")
    assert "EHPAD Les Tilleuls" in identity.text and "Établissement ou structure, 750000001" in identity.text
    bad = lgo.post(
        f"/patients/{blanchard}/fiche-identite", data={"csrf_token": csrf, "kind": "voisin", "name": "X"}
    )
    assert bad.status_code == 422 and "Destinataire invalide" in bad.text


def test_bulk_verification_page_reports_an_unavailable_insi(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    page = lgo.get("/identites/verification-masse")
    assert page.status_code == 200 and "2 identité(s) portent un INS." in page.text
    assert "Aucune vérification en masse." in page.text
    ran = lgo.post("/identites/verification-masse", data={"csrf_token": csrf})
    assert ran.status_code == 200
    assert (
        "Vérification interrompue : téléservice INSi indisponible ; 1 identité(s) non vérifiée(s)."
        in ran.text
    )
    assert "Rapport de la vérification n° 1" in ran.text and "insi_indisponible" in ran.text
    as_user(lgo, "etudiant")
    assert lgo.get("/identites/verification-masse").status_code == 403


def test_integrate_from_another_domain_refuses_an_unreadable_datamatrix(lgo: TestClient) -> None:
    csrf = as_user(lgo, "preparateur")
    assert "Intégrer une identité d'un autre domaine" in lgo.get("/patients").text
    page = lgo.get("/identites/autre-domaine")
    assert page.status_code == 200 and "Contenu du DataMatrix INS" in page.text
    answer = lgo.post("/identites/autre-domaine", data={"csrf_token": csrf, "payload": "]d1IS99000"})
    assert answer.status_code == 422 and "DataMatrix INS illisible" in answer.text
    payload = (
        "IS010000000000000000000000S1293049932651296S21.2.250.1.213.1.4.9<GS>S3AYA GRACE<GS>S4KOUASSI<GS>S5F"
        "S617-04-1993S799326"
    )
    down = lgo.post("/identites/autre-domaine", data={"csrf_token": csrf, "payload": payload})
    assert down.status_code == 409 and "Identité non intégrée" in down.text
    assert "Rien n'a été enregistré dans les dossiers" in down.text


def test_settings_of_the_sheet_and_the_copies_and_the_manual_purge(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    page = lgo.get("/parametres/fiche-et-copies")
    assert page.status_code == 200 and "Dernière purge" in page.text  # the start-up one
    saved = lgo.post(
        "/parametres/fiche-et-copies",
        data={"csrf_token": csrf, "extra_traits": ["phone", "id_document"], "id_document_copies": "1",
              "retention_years": "3"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    settings = lgo.get("/driver/v1/settings", headers=driver(lgo, "titulaire")).json()
    assert settings["identity_sheet_extra_traits"] == ["phone", "id_document"]
    assert settings["id_document_retention_years"] == 3 and settings["id_document_copies"] is True
    bad = lgo.post("/parametres/fiche-et-copies", data={"csrf_token": csrf, "retention_years": "99"})
    assert bad.status_code == 422 and "valeur hors limites" in bad.text
    purged = lgo.post("/parametres/fiche-et-copies/purge", data={"csrf_token": csrf})
    assert purged.status_code == 200 and "Purge effectuée : 0 copie(s) supprimée(s)." in purged.text
    assert "demande d&#39;un utilisateur" in purged.text
    assert "/parametres/fiche-et-copies" in lgo.get("/parametres").text


def test_evidence_types_can_be_deactivated_on_the_settings_page(lgo: TestClient) -> None:
    csrf = as_user(lgo, "titulaire")
    page = lgo.get("/parametres/identites")
    codes = re.findall(r'name="type_(\d+)_code" type="text" maxlength="32" value="([a-z_]+)"', page.text)
    data: dict[str, object] = {"csrf_token": csrf, "type_count": str(len(codes))}
    for index, code in codes:
        label = re.search(
            rf'name="type_{index}_label" type="text" maxlength="100" value="([^"]+)"', page.text
        )
        assert label is not None
        data |= {f"type_{index}_code": code, f"type_{index}_label": label.group(1).replace("&#39;", "'"),
                 f"type_{index}_trust": "haute" if code in ("cni", "passeport", "titre_sejour") else "faible",
                 f"type_{index}_active_field": "1"}  # fmt: skip
        if code != "permis_conduire":
            data[f"type_{index}_active"] = "1"
    assert lgo.post("/parametres/identites", data=data, follow_redirects=False).status_code == 303
    types = lgo.get("/driver/v1/settings/evidence-types", headers=driver(lgo, "titulaire")).json()["types"]
    assert [t["code"] for t in types if not t["active"]] == ["permis_conduire"]
    garnier = seeded_id(lgo, driver(lgo, "titulaire"), "lp-garnier-julien")
    assert ">Permis de conduire (confiance" not in lgo.get(f"/patients/{garnier}").text
