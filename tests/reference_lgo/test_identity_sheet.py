"""reference_lgo.documents.identity_sheet: the printable identity sheet (W1-INS-23). The PDF is
read back the way a person or a scanner would: text extracted and page rendered by pdfium, the
DataMatrix decoded from the rendered page by zxing-cpp."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pypdfium2 as pdfium
import pytest
import zxingcpp

from protocols.identifiers import OID_INS_NIA_TEST, OID_INS_NIR, join_matricule
from protocols.ins_datamatrix import InsDataMatrix, InsDataMatrixError, read_png
from reference_lgo.documents.identity_sheet import (
    IdentitySheetData,
    IdentitySheetError,
    PharmacyHeader,
    build_identity_sheet,
)

MATRICULE = join_matricule("277012A004003")
PHARMACY = PharmacyHeader(
    name="Pharmacie Santoni & Fils",
    address_lines=("2 cours Napoléon",),
    postal_code="20000",
    city="Ajaccio",
    finess="2A0000014",
    phone="04 95 00 00 00",
)
QUALIFIED = IdentitySheetData(
    status="QUAL",
    birth_name="SANTONI--D'ORNANO",
    first_names=("MARIE-ANGE", "LETIZIA"),
    sex="F",
    birth_date="1977-01-21",
    birth_place="2A004",
    birth_place_label="Ajaccio",
    used_name="LECCIA",
    used_first_name="MARIE",
    matricule=MATRICULE,
    oid=OID_INS_NIR,
    extra={"phone": "06 11 22 33 44", "email": "marie@example.test", "address": "5 rue Fesch, 20000 Ajaccio"},
)
PRINTED_AT = datetime(2026, 3, 5, 13, 32, tzinfo=UTC)


def _build(identity: IdentitySheetData = QUALIFIED, **overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "pharmacy": PHARMACY,
        "extra_traits": ["phone", "attending_doctor"],
        "printed_by": "Paul Santoni (pharmacien titulaire)",
        "printed_at": PRINTED_AT,
    }
    arguments.update(overrides)
    return build_identity_sheet(identity, **arguments)  # type: ignore[arg-type]


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return re.sub(r"[ \t]*\r?\n[ \t]*", "\n", text)


def _metadata(pdf: bytes) -> dict[str, str]:
    return dict(pdfium.PdfDocument(pdf).get_metadata_dict())


def _page_png(pdf: bytes, dpi: int = 200) -> bytes:
    page = pdfium.PdfDocument(pdf)[0]
    output = io.BytesIO()
    page.render(scale=dpi / 72).to_pil().save(output, format="PNG")
    return output.getvalue()


def test_qualified_sheet_prints_traits_ins_and_a_readable_datamatrix() -> None:
    pdf = _build()
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points

    text = _text(pdf)
    for expected in (
        "Pharmacie Santoni & Fils",
        "FINESS 2A0000014",
        "Statut de l'identité : Identité qualifiée",
        "Nom de naissance SANTONI--D'ORNANO",
        "Premier prénom de naissance MARIE-ANGE",
        "Prénom(s) de naissance MARIE-ANGE LETIZIA",
        "Nom utilisé LECCIA",
        "Prénom utilisé MARIE",
        "Sexe Féminin",
        "Date de naissance 21/01/1977",
        "Lieu de naissance (code COG) 2A004 — Ajaccio",
        "Matricule INS 2 77 01 2A 004 003 " + MATRICULE[13:],
        "OID 1.2.250.1.213.1.4.8",
        "DataMatrix INS",
    ):
        assert expected in text, expected
    assert "non imprimable" not in text

    # The symbol on the rendered page decodes to the identity's INS and strict traits.
    assert read_png(_page_png(pdf)) == InsDataMatrix(
        matricule=MATRICULE,
        oid=OID_INS_NIR,
        birth_name="SANTONI--D'ORNANO",
        first_names=("MARIE-ANGE", "LETIZIA"),
        sex="F",
        birth_date="1977-01-21",
        birth_place="2A004",
    )


@pytest.mark.parametrize("status", ["PROV", "RECUP", "VALI"])
def test_unqualified_sheet_never_shows_the_ins(status: str) -> None:
    # A RECUP identity holds a matricule: the sheet must still not print it.
    pdf = _build(replace(QUALIFIED, status=status))
    text = _text(pdf)
    compact = re.sub(r"\s", "", text)
    assert MATRICULE not in compact
    assert MATRICULE[:13] not in compact
    assert "1.2.250.1.213.1.4.8" not in text
    assert "INS non imprimable" in text
    assert "L'identité n'est pas qualifiée" in text
    assert "Nom de naissance SANTONI--D'ORNANO" in text
    metadata = " ".join(_metadata(pdf).values())
    assert MATRICULE not in metadata and MATRICULE[:13] not in metadata
    with pytest.raises(InsDataMatrixError, match="Aucun DataMatrix"):
        read_png(_page_png(pdf))


def test_status_is_shown_in_words() -> None:
    labels = {
        "PROV": "Identité provisoire",
        "RECUP": "Identité récupérée",
        "VALI": "Identité validée",
        "QUAL": "Identité qualifiée",
    }
    for status, label in labels.items():
        assert f"Statut de l'identité : {label}" in _text(_build(replace(QUALIFIED, status=status)))


def test_metadata_hold_no_identity_data() -> None:
    metadata = _metadata(_build())
    assert metadata["Title"] == "Fiche d'identité du patient"
    assert metadata["Author"] == "Pharmacie Santoni & Fils"
    assert metadata["Subject"] == "Identité qualifiée"
    joined = " ".join(metadata.values())
    for secret in (MATRICULE, MATRICULE[:13], "SANTONI--D'ORNANO", "MARIE-ANGE"):
        assert secret not in joined


def test_extra_traits_follow_the_site_settings() -> None:
    text = _text(_build(extra_traits=["address", "phone", "attending_doctor"]))
    assert "Informations complémentaires" in text
    assert "Adresse 5 rue Fesch, 20000 Ajaccio" in text
    assert "Téléphone 06 11 22 33 44" in text
    assert "Médecin traitant non renseigné" in text
    assert "marie@example.test" not in text  # not selected by the site
    assert text.index("Adresse") < text.index("Téléphone") < text.index("Médecin traitant")

    bare = _text(_build(extra_traits=[]))
    assert "Informations complémentaires" not in bare
    assert "06 11 22 33 44" not in bare


def test_footer_names_who_printed_and_when_in_paris_time() -> None:
    winter = _text(_build())
    assert "Imprimé par Paul Santoni (pharmacien titulaire) le 05/03/2026 à 14:32 (heure de Paris)" in winter
    summer_at = datetime(2026, 7, 14, 22, 5, tzinfo=timezone(timedelta(hours=-4)))
    summer = _build(printed_at=summer_at)
    assert "le 15/07/2026 à 04:05 (heure de Paris)" in _text(summer)
    assert _metadata(summer)["CreationDate"] == "D:20260715040500+02'00'"


def test_lunar_date_nia_test_oid_and_attributes() -> None:
    nia = join_matricule("1090763220888")
    identity = replace(
        QUALIFIED,
        birth_date="1970-00-00",
        matricule=nia,
        oid=OID_INS_NIA_TEST,
        birth_place=None,
        birth_place_label=None,
        used_name=None,
        attributes=("homonyme",),
    )
    pdf = _build(identity)
    text = _text(pdf)
    assert "Date de naissance 00/00/1970 (date lunaire)" in text
    # The value wraps in its cell: compare with the line breaks flattened.
    assert "Type d'INS INS-NIA-TEST — NIA (identifiant d'attente), OID de test" in " ".join(text.split())
    assert "Lieu de naissance (code COG) non renseigné" in text
    assert "Nom utilisé non renseigné" in text
    assert "Attributs de l'identité Homonyme" in text
    decoded = read_png(_page_png(pdf))
    assert decoded.birth_date == "1970-00-00"
    assert decoded.birth_place is None
    assert decoded.oid == OID_INS_NIA_TEST


def test_same_input_same_bytes() -> None:
    assert _build() == _build()


def test_datamatrix_is_also_found_at_office_scanner_resolution() -> None:
    page = pdfium.PdfDocument(_build())[0]
    image = page.render(scale=150 / 72).to_pil().convert("L")
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.DataMatrix))
    assert len(found) == 1
    assert found[0].bytes.startswith(b"IS01")


@pytest.mark.parametrize(
    ("identity", "overrides", "fragment"),
    [
        (replace(QUALIFIED, status="QUALIFIEE"), {}, "Statut d'identité « QUALIFIEE » inconnu"),
        (replace(QUALIFIED, matricule=None), {}, "Identité qualifiée sans INS"),
        (replace(QUALIFIED, sex="X"), {}, "Sexe « X » inconnu"),
        (QUALIFIED, {"extra_traits": ["nir"]}, "Trait complémentaire inconnu : nir"),
        (QUALIFIED, {"printed_at": datetime(2026, 3, 5, 13, 32)}, "sans fuseau horaire"),
        (replace(QUALIFIED, status="PROV", birth_date="21/01/1977"), {}, "AAAA-MM-JJ attendu"),
    ],
)
def test_inconsistent_input_is_refused(
    identity: IdentitySheetData, overrides: dict[str, object], fragment: str
) -> None:
    with pytest.raises(IdentitySheetError, match=re.escape(fragment)):
        _build(identity, **overrides)


def test_qualified_identity_whose_traits_break_the_datamatrix_contract_is_refused() -> None:
    with pytest.raises(InsDataMatrixError) as info:
        _build(replace(QUALIFIED, birth_name="Santoni"))
    assert info.value.code == "nom"
