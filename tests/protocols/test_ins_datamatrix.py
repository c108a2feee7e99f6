"""protocols.ins_datamatrix: the INS DataMatrix bench contract (docs/contracts/ins-datamatrix.md),
its <GS> rule, strict French refusals, and PNG symbols made and read by zxing-cpp."""

from __future__ import annotations

import io
import random
from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from protocols import idgen
from protocols.identifiers import (
    OID_INS_C,
    OID_INS_NIA,
    OID_INS_NIA_TEST,
    OID_INS_NIR,
    OID_INS_NIR_TEST,
    join_matricule,
)
from protocols.ins_datamatrix import (
    GS,
    HEADER,
    InsDataMatrix,
    InsDataMatrixError,
    decode,
    encode,
    read_png,
    render_png,
)

# Example of lsoulier42/healthcare-domain's test (cites the ANS « Format datamatrix INS » v2.2).
PUBLIC = InsDataMatrix(
    matricule="277010115400329",
    oid=OID_INS_NIR,
    birth_name="GARCIA-HAMMADI",
    first_names=("SARAH-LOU", "ANNA"),
    sex="F",
    birth_date="1977-01-21",
    birth_place="01154",
)
PUBLIC_TEXT = (
    HEADER
    + "S1277010115400329"
    + "S21.2.250.1.213.1.4.8"
    + GS
    + "S3SARAH-LOU ANNA"
    + GS
    + "S4GARCIA-HAMMADI"
    + GS
    + "S5F"
    + "S621-01-1977"
    + "S701154"
)
CORSICA_2A = join_matricule("185032A004001")
CORSICA_2B = join_matricule("160012B020777")
NIA = "109076322088835"  # digest §1.9, padoa/tlsi-ins fixture TEST_2.05 (NIA OID)


def test_header_is_the_26_character_is01_header() -> None:
    assert HEADER == "IS01" + "0" * 22
    assert len(HEADER) == 26


def test_encode_matches_the_public_example() -> None:
    text = encode(PUBLIC)
    assert text == PUBLIC_TEXT
    assert len(text) == 121  # the length the public example states
    assert decode(text) == PUBLIC


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(replace(PUBLIC, birth_date="1970-00-00"), id="lunar-day-and-month"),
        pytest.param(replace(PUBLIC, birth_date="1985-00-12"), id="lunar-month"),
        pytest.param(replace(PUBLIC, birth_date="1985-06-00"), id="lunar-day"),
        pytest.param(replace(PUBLIC, matricule=CORSICA_2A, birth_place="2A004"), id="corsica-2A"),
        pytest.param(replace(PUBLIC, matricule=CORSICA_2B, birth_place="2B020"), id="corsica-2B"),
        pytest.param(replace(PUBLIC, matricule=NIA, oid=OID_INS_NIA, birth_place="99100"), id="nia"),
        pytest.param(replace(PUBLIC, oid=OID_INS_NIR_TEST), id="test-nir-oid-20-chars"),
        pytest.param(replace(PUBLIC, matricule=NIA, oid=OID_INS_NIA_TEST), id="test-nia-oid"),
        pytest.param(
            replace(PUBLIC, birth_name="D'ARTAGNAN DE LA TOUR", first_names=("N'DEYE", "JEAN-PIERRE")),
            id="apostrophes-spaces-hyphens",
        ),
        pytest.param(replace(PUBLIC, birth_name="LE GUEN--MARTIN"), id="double-name"),
        pytest.param(
            replace(PUBLIC, first_names=("MARIE", "CLAIRE", "ANNE", "LOUISE", "JOSEPHINE")), id="five-names"
        ),
        pytest.param(replace(PUBLIC, first_names=()), id="no-first-name"),
        pytest.param(replace(PUBLIC, birth_place=None), id="no-birth-place"),
        pytest.param(replace(PUBLIC, birth_name="A" * 100, first_names=("B" * 100,)), id="max-lengths"),
        pytest.param(replace(PUBLIC, sex="M", birth_date="2024-02-29"), id="leap-day"),
    ],
)
def test_round_trip(payload: InsDataMatrix) -> None:
    text = encode(payload)
    assert text.startswith(HEADER)
    assert not text.endswith(GS)
    assert decode(text) == payload


def test_round_trip_of_generated_ins() -> None:
    rng = random.Random(20260305)
    for nia in (False, True):
        for test in (False, True):
            for _ in range(25):
                matricule, oid = idgen.ins(rng, nia=nia, test=test)
                payload = replace(PUBLIC, matricule=matricule, oid=oid)
                assert decode(encode(payload)) == payload


def test_separator_rule() -> None:
    text = encode(replace(PUBLIC, oid=OID_INS_NIR_TEST, birth_name="A" * 100, birth_place=None))
    # .10 fills S2's 20 characters and S4 its 100: neither carries <GS>; S3 is shorter and does.
    assert "S21.2.250.1.213.1.4.10S3" in text
    assert "S4" + "A" * 100 + "S5F" in text
    assert "S3SARAH-LOU ANNA" + GS + "S4" in text
    # Fixed fields never carry one, and the message ends on S6 when S7 is omitted.
    assert "S1277010115400329S2" in text
    assert text.endswith("S5FS621-01-1977")
    assert encode(replace(PUBLIC, first_names=())).count("S3" + GS + "S4") == 1


def test_fields_are_read_in_any_order() -> None:
    # ZXing's HighLevelEncodeTestCase.testPadding carries an INS message with S4 last (no <GS>).
    text = (
        HEADER
        + "S1277010115400329S21.2.250.1.213.1.4.8"
        + GS
        + "S3SARAH-LOU ANNA"
        + GS
        + "S5FS621-01-1977S701154S4GARCIA-HAMMADI"
    )
    assert decode(text) == PUBLIC


def test_ins_and_first_name_properties() -> None:
    payload = replace(PUBLIC, matricule=NIA, oid=OID_INS_NIA_TEST)
    assert payload.ins.kind == "NIA"
    assert payload.ins.test is True
    assert payload.first_name == "SARAH-LOU"
    assert replace(PUBLIC, first_names=()).first_name is None


def _refused(text: object) -> InsDataMatrixError:
    with pytest.raises(InsDataMatrixError) as info:
        decode(text)  # type: ignore[arg-type]
    return info.value


WRONG_KEY = PUBLIC_TEXT.replace("S1277010115400329", "S1277010115400328")


@pytest.mark.parametrize(
    ("text", "code", "field", "fragment"),
    [
        (WRONG_KEY, "matricule", "S1", "clé 28 pour 2770101154003, clé calculée 29"),
        (PUBLIC_TEXT.replace("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.7"), "oid", "S2", "OID inconnu"),
        (PUBLIC_TEXT.replace("1.2.250.1.213.1.4.8", OID_INS_C), "oid", "S2", "INS-C"),
        (PUBLIC_TEXT.replace("S5F", ""), "champ-manquant", "S5", "champ obligatoire absent : S5 (sexe)"),
        (PUBLIC_TEXT.replace("IS01", "IS02", 1), "version", None, "version « 02 » non prise en charge"),
        (PUBLIC_TEXT.replace("IS01", "DC04", 1), "en-tete", None, "marqueur « DC » au lieu de « IS »"),
        ("]d1" + PUBLIC_TEXT, "en-tete", None, "identifiant de symbologie"),
        (HEADER[:-1] + "1" + PUBLIC_TEXT[26:], "en-tete", None, "22 zéros attendus"),
        ("IS010000", "en-tete", None, "en-tête incomplet"),
        (PUBLIC_TEXT + "S5F", "champ-repete", "S5", "présent deux fois"),
        (PUBLIC_TEXT + "S812345", "champ-inconnu", "S8", "identifiant de champ « S8 » inconnu"),
        (HEADER, "champ-manquant", "S1", "champ obligatoire absent : S1 (matricule INS)"),
        (
            PUBLIC_TEXT.replace("S1277010115400329", "S1" + CORSICA_2A.lower()),
            "matricule",
            "S1",
            "2A ou 2B en majuscules",
        ),
        (PUBLIC_TEXT.replace("ANNA" + GS, "ANNA"), "prenoms", "S3", "séparateur <GS> manquant"),
        (
            PUBLIC_TEXT.replace("S5F", "S5F" + GS),
            "separateur",
            "S5",
            "superflu après un champ de longueur fixe",
        ),
        (PUBLIC_TEXT.replace("S701154", "S4X"), "champ-repete", "S4", "présent deux fois"),
        (
            HEADER + "S1277010115400329S5FS621-01-1977S3ANNA" + GS,
            "separateur",
            "S3",
            "le dernier champ du message n'en porte pas",
        ),
        (
            PUBLIC_TEXT.replace("GARCIA-HAMMADI" + GS, "A" * 100 + GS),
            "separateur",
            "S4",
            "longueur maximale (100)",
        ),
        (
            PUBLIC_TEXT.replace("GARCIA-HAMMADI" + GS, "A" * 101 + GS),
            "champ-inconnu",
            "A" + GS,
            "le champ S4 dépasse-t-il 100 caractères",
        ),
        (PUBLIC_TEXT.replace("S5F", "S5I"), "sexe", "S5", "M ou F attendu"),
        (PUBLIC_TEXT.replace("21-01-1977", "31-02-1990"), "date", "S6", "date impossible"),
        (PUBLIC_TEXT.replace("21-01-1977", "00-13-1990"), "date", "S6", "date impossible"),
        (PUBLIC_TEXT.replace("21-01-1977", "21-01-0000"), "date", "S6", "date impossible"),
        (PUBLIC_TEXT.replace("21-01-1977", "1977-01-21"), "date", "S6", "JJ-MM-AAAA attendu"),
        (PUBLIC_TEXT.replace("S701154", "S72C004"), "lieu", "S7", "code COG"),
        (PUBLIC_TEXT.replace("S701154", "S7011"), "longueur", "S7", "5 caractères attendus, 3 reçus"),
        (PUBLIC_TEXT.replace("GARCIA", "GARCÍA"), "caractere", None, "caractère « Í » non autorisé"),
        (PUBLIC_TEXT.replace("GARCIA", "Garcia"), "nom", "S4", "lettres A-Z majuscules sans accent"),
        (PUBLIC_TEXT.replace("SARAH-LOU ANNA", "SARAH-LOU  ANNA"), "prenoms", "S3", "une seule espace"),
        (PUBLIC_TEXT.replace("SARAH-LOU", "-SARAH"), "prenoms", "S3", "prénom « -SARAH »"),
        (PUBLIC_TEXT.replace("S5F", "S5F\n"), "caractere", None, "« \\n » non autorisé en position"),
        (PUBLIC_TEXT + "S3" * 200, "longueur", None, "trop long"),
        ("", "vide", None, "DataMatrix INS vide"),
        (b"IS01", "type", None, "texte attendu"),
    ],
)
def test_decode_refusals(text: str, code: str, field: str | None, fragment: str) -> None:
    error = _refused(text)
    assert error.code == code
    assert error.field == field
    assert fragment in str(error)
    assert str(error).startswith("DataMatrix INS")


@pytest.mark.parametrize(
    ("payload", "code", "fragment"),
    [
        (replace(PUBLIC, matricule="277010115400328"), "matricule", "clé calculée 29"),
        (replace(PUBLIC, oid="1.2.250.1.213.1.4.12"), "oid", "OID attendus"),
        (replace(PUBLIC, birth_name="García"), "nom", "majuscules sans accent"),
        (replace(PUBLIC, first_names=("MARIE CLAIRE",)), "prenoms", "séparés par une seule espace"),
        (replace(PUBLIC, birth_name="A" * 101), "longueur", "1 à 100 caractères attendus, 101 reçus"),
        (replace(PUBLIC, first_names=("A" * 60, "B" * 60)), "longueur", "0 à 100 caractères attendus"),
        (replace(PUBLIC, birth_date="21-01-1977"), "date", "AAAA-MM-JJ attendu"),
        (replace(PUBLIC, birth_place="1154"), "lieu", "code COG"),
        (replace(PUBLIC, sex="I"), "sexe", "M ou F attendu"),  # type: ignore[arg-type]
        (replace(PUBLIC, matricule=277010115400329), "type", "chaîne de caractères attendue"),  # type: ignore[arg-type]
    ],
)
def test_encode_refusals(payload: InsDataMatrix, code: str, fragment: str) -> None:
    with pytest.raises(InsDataMatrixError) as info:
        encode(payload)
    assert info.value.code == code
    assert fragment in str(info.value)


# --- PNG symbols -----------------------------------------------------------------------------


def test_render_png_read_png_round_trip() -> None:
    for payload in (PUBLIC, replace(PUBLIC, matricule=CORSICA_2A, birth_date="1970-00-00", birth_place=None)):
        png = render_png(payload, scale=3)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            assert image.width == image.height  # square symbol
        assert read_png(png) == payload


def test_symbol_is_plain_datamatrix_with_gs_bytes() -> None:
    with Image.open(io.BytesIO(render_png(PUBLIC, scale=4))) as image:
        found = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    assert len(found) == 1
    assert found[0].format == zxingcpp.BarcodeFormat.DataMatrix
    assert found[0].symbology_identifier == "]d1"
    assert found[0].bytes == PUBLIC_TEXT.encode("ascii")


def _png(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def test_read_png_refusals() -> None:
    blank = _png(Image.new("L", (120, 120), 255))
    gs1 = zxingcpp.create_barcode(
        "[01]03400930123454[17]271231[10]LOT42A", zxingcpp.BarcodeFormat.DataMatrix, gs1=True
    )
    gs1_image = gs1.to_image(scale=4)
    gs1_png = _png(
        Image.frombytes("L", (gs1_image.shape[1], gs1_image.shape[0]), bytes(memoryview(gs1_image)))
    )
    first = Image.open(io.BytesIO(render_png(PUBLIC, scale=4)))
    second = Image.open(io.BytesIO(render_png(replace(PUBLIC, sex="M"), scale=4)))
    both = Image.new("L", (first.width * 2 + 40, first.height + 20), 255)
    both.paste(first, (10, 10))
    both.paste(second, (first.width + 30, 10))
    cases = [
        (blank, "Aucun DataMatrix lisible"),
        (gs1_png, "mode GS1"),
        (_png(both), "2 DataMatrix différents"),
        (b"GIF89a not a png", "Image PNG illisible"),
        (b"", "absente ou vide"),
    ]
    for data, fragment in cases:
        with pytest.raises(InsDataMatrixError) as info:
            read_png(data)
        assert info.value.code == "image"
        assert fragment in str(info.value)


def test_read_png_refuses_a_datamatrix_that_is_not_an_ins_payload() -> None:
    barcode = zxingcpp.create_barcode("HELLO", zxingcpp.BarcodeFormat.DataMatrix)
    image = barcode.to_image(scale=4)
    png = _png(Image.frombytes("L", (image.shape[1], image.shape[0]), bytes(memoryview(image))))
    with pytest.raises(InsDataMatrixError) as info:
        read_png(png)
    assert info.value.code == "en-tete"


def test_render_png_scale_is_bounded() -> None:
    with pytest.raises(ValueError, match="échelle 0 invalide"):
        render_png(PUBLIC, scale=0)
