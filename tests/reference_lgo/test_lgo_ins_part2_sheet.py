"""The identity sheet through the driver API (W1-INS-23): a PDF whose DataMatrix, rendered by pdfium
and decoded by zxing-cpp, carries the INS of a qualified identity only; the site's extra traits;
a partner trace per printout. Also the configurable evidence types (W1-INS-13) and the CNDA
specimen of the INSi homologation (W1-INS-22)."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from _lgo_ins_support import WORLD, audit_of, login, seeded_id, world_lgo
from fastapi.testclient import TestClient
from PIL import Image

from protocols.ins_datamatrix import read_png


@pytest.fixture
def lgo(tmp_path: Path, sqlite_url: str) -> Iterator[TestClient]:
    with world_lgo(tmp_path / "home", sqlite_url) as client:
        yield client


def rendered(pdf: bytes) -> bytes:
    page = pdfium.PdfDocument(pdf)[0]
    output = io.BytesIO()
    page.render(scale=200 / 72).to_pil().save(output, format="PNG")
    return output.getvalue()


def image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png))


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return re.sub(r"\s+", " ", " ".join(page.get_textpage().get_text_range() for page in document))


def sheet(client: TestClient, headers: dict[str, str], patient_id: int, **body: object) -> bytes:
    answer = client.post(f"/driver/v1/patients/{patient_id}/identity-sheet", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content


def test_qualified_identity_prints_its_ins_datamatrix_and_is_traced(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    blanchard = seeded_id(lgo, titulaire, "lp-blanchard")
    doctor = {"kind": "professionnel", "name": "Dr Claire Martin", "identifier": "10003456789"}
    pdf = sheet(lgo, titulaire, blanchard, recipient=doctor)
    decoded = read_png(rendered(pdf))
    person = WORLD.person("blanchard-isabelle")
    assert decoded.matricule == person.matricule == "279116748235053"
    assert (decoded.birth_name, decoded.first_names, decoded.sex) == (
        "BLANCHARD",
        ("ISABELLE", "MARTINE"),
        "F",
    )
    assert decoded.birth_date == "1979-11-03" and decoded.oid == "1.2.250.1.213.1.4.8"
    assert "2791" in text_of(pdf).replace(" ", "")

    (trace,) = lgo.get(f"/driver/v1/patients/{blanchard}/partners", headers=titulaire).json()
    assert trace["channel"] == "impression" and trace["ins_transmitted"] is True
    assert trace["recipient"] == {**doctor, "kind_label": "Professionnel de santé"}
    assert trace["account"] == "titulaire" and trace["status"] == "QUAL"
    assert trace["document_sha256"] == hashlib.sha256(pdf).hexdigest()
    access = lgo.get(
        "/driver/v1/journals/ins-access", params={"patient_id": blanchard}, headers=titulaire
    ).json()["items"]
    assert any(
        item["action"] == "transmission" and item["details"]["canal"] == "impression" for item in access
    )
    printed = [e for e in audit_of(lgo, titulaire, blanchard) if e["action"] == "patient.fiche_identite"]
    assert printed[0]["details"]["ins_imprime"] is True


def test_a_non_qualified_identity_prints_no_ins_and_no_datamatrix(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    ferreira = seeded_id(lgo, titulaire, "lp-ferreira")  # RECUP: holds an INS that must not be printed
    pdf = sheet(lgo, titulaire, ferreira)
    assert zxingcpp.read_barcodes(image(rendered(pdf))) == []
    text = text_of(pdf)
    assert "INS non imprimable" in text and "170019913902745" not in text.replace(" ", "")
    (trace,) = lgo.get(f"/driver/v1/patients/{ferreira}/partners", headers=titulaire).json()
    assert trace["ins_transmitted"] is False and trace["recipient"]["kind"] == "patient"
    assert trace["recipient"]["name"] == "JOAO FERREIRA"


def test_the_site_chooses_the_extra_traits(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    assert lgo.get("/driver/v1/settings/identity-sheet", headers=titulaire).json()["extra_traits"] == []
    chosen = lgo.put(
        "/driver/v1/settings/identity-sheet", json={"extra_traits": ["local_id", "phone"]}, headers=titulaire
    )
    assert chosen.status_code == 200 and chosen.json()["extra_traits"] == ["phone", "local_id"]
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    text = text_of(sheet(lgo, titulaire, garnier))
    assert "Identifiant local du patient" in text and "Téléphone" in text and "Adresse" not in text
    assert f" {garnier} " in f" {text} "
    once = text_of(sheet(lgo, titulaire, garnier, extra_traits=["address"]))
    assert "Adresse" in once and "Identifiant local" not in once
    wrong = lgo.put("/driver/v1/settings/identity-sheet", json={"extra_traits": ["nir"]}, headers=titulaire)
    assert wrong.status_code == 422
    assert len(lgo.get(f"/driver/v1/patients/{garnier}/partners", headers=titulaire).json()) == 2


def test_printing_an_ins_needs_the_right_to_see_it(lgo: TestClient) -> None:
    etudiant = login(lgo, "etudiant")  # patients.lire, not ins.voir_matricule
    blanchard = seeded_id(lgo, etudiant, "lp-blanchard")
    refused = lgo.post(f"/driver/v1/patients/{blanchard}/identity-sheet", json={}, headers=etudiant)
    assert refused.status_code == 403 and refused.json()["permission"] == "ins.voir_matricule"
    assert lgo.get(f"/driver/v1/patients/{blanchard}/partners", headers=etudiant).json() == []
    garnier = seeded_id(lgo, etudiant, "lp-garnier-julien")
    assert (
        lgo.post(f"/driver/v1/patients/{garnier}/identity-sheet", json={}, headers=etudiant).status_code
        == 200
    )


def test_evidence_types_have_trust_levels_an_active_flag_and_no_auto_validation(lgo: TestClient) -> None:
    titulaire = login(lgo, "titulaire")
    current = lgo.get("/driver/v1/settings/evidence-types", headers=titulaire).json()
    assert current["auto_validation"] is False
    by_code = {t["code"]: t for t in current["types"]}
    assert by_code["cni"] == {
        "code": "cni",
        "label": "Carte nationale d'identité",
        "trust": "haute",
        "active": True,
    }
    assert by_code["livret_famille"]["trust"] == "faible"
    types = [{**t, "active": t["code"] != "cni"} for t in current["types"]]
    assert (
        lgo.put("/driver/v1/settings/evidence-types", json={"types": types}, headers=titulaire).status_code
        == 200
    )
    garnier = seeded_id(lgo, titulaire, "lp-garnier-julien")
    inactive = lgo.post(f"/driver/v1/patients/{garnier}/evidence", json={"type": "cni"}, headers=titulaire)
    assert inactive.status_code == 422 and inactive.json()["code"] == "justificatif_inconnu"
    unchecked = lgo.post(
        f"/driver/v1/patients/{garnier}/evidence",
        json={"type": "passeport", "checked": False},
        headers=titulaire,
    )
    assert (
        unchecked.status_code == 201 and unchecked.json()["status"] == "PROV"
    )  # nothing validates by itself
    manual = lgo.post(
        f"/driver/v1/patients/{garnier}/evidence", json={"type": "passeport"}, headers=titulaire
    )
    assert manual.json()["status"] == "VALI"


def test_the_insi_homologation_specimen_is_presented(lgo: TestClient) -> None:
    answer = lgo.get("/driver/v1/evidence", params={"ans_id": "W1-INS-22"})
    assert answer.status_code == 200
    (document,) = answer.json()["documents"]
    assert document["specimen"] is True and "INSi" in document["title"]
    content = lgo.get("/driver/v1" + document["url"].split("/driver/v1", 1)[1])
    assert content.status_code == 200 and content.text.startswith("SPÉCIMEN BANC")
    assert hashlib.sha256(content.content).hexdigest() == document["sha256"]
